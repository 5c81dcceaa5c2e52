import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, setCsrfToken, whenSessionLost, type Session } from './api';
import { errorText } from './format';
import { Layout } from './Layout';
import { Login } from './pages/Login';
import { Page } from './pages/Page';
import { SessionContext } from './session';
import { matchRoute, navigate, paths, useLocation } from './router';

export const SESSION_EXPIRED = 'Your session has expired. Please sign in again.';

type Auth =
  | { state: 'checking' }
  | { state: 'signedOut'; notice?: string; error?: string }
  | { state: 'signedIn'; session: Session; viaLogin: boolean };

export function App() {
  const location = useLocation();
  const route = matchRoute(location);
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  useEffect(() => {
    whenSessionLost(() => setAuth({ state: 'signedOut', notice: SESSION_EXPIRED }));
    api.session().then(
      (session) => {
        setCsrfToken(session.csrfToken);
        setAuth({ state: 'signedIn', session, viaLogin: false });
      },
      (error: unknown) => setAuth(signedOutAfter(error)),
    );
  }, []);

  // The URL follows the session: signed out means /console/login, remembering where the user was going.
  useEffect(() => {
    if (auth.state === 'signedOut' && route.name !== 'login') {
      navigate(paths.login(location === paths.dashboard ? undefined : location), { replace: true });
    }
    if (auth.state === 'signedIn' && route.name === 'login') {
      navigate(route.next ?? paths.dashboard, { replace: true });
    }
  }, [auth.state, route, location]);

  const signIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setAuth({ state: 'signedIn', session, viaLogin: true });
  }, []);

  const signOut = useCallback(() => {
    const leave = () => {
      setCsrfToken('');
      setAuth({ state: 'signedOut' });
      navigate(paths.login());
    };
    api.logout().then(leave, leave); // signed out locally even if the server did not hear it
  }, []);

  const user = auth.state === 'signedIn' ? auth.session.user : null;
  const sessionValue = useMemo(() => (user ? { user, signOut } : null), [user, signOut]);

  if (auth.state === 'checking') return <p className="boot muted">Loading the EDI console…</p>;
  if (auth.state === 'signedOut') {
    return <Login notice={auth.notice} startupError={auth.error} onSignedIn={signIn} />;
  }
  if (!sessionValue || route.name === 'login') return null; // the effect above is moving on
  return (
    <SessionContext.Provider value={sessionValue}>
      <Layout
        route={route}
        pathname={new URL(location, window.location.origin).pathname}
        user={sessionValue.user}
        focusOnMount={auth.viaLogin}
        onSignOut={signOut}
      >
        <Page route={route} />
      </Layout>
    </SessionContext.Provider>
  );
}

/** 401 is the normal "not signed in"; anything else means the API could not be asked at all. */
function signedOutAfter(error: unknown): Auth {
  if (error instanceof ApiError && error.status === 401) return { state: 'signedOut' };
  const reason = error instanceof ApiError ? `${error.status} ${error.message}` : errorText(error);
  return { state: 'signedOut', error: `Could not reach the EDI API to check your session (${reason}).` };
}
