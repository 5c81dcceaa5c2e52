import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, type Session } from '../api';
import { errorText } from '../format';

interface Props {
  /** Why the user is here again (session expired); announced politely. */
  notice?: string;
  /** The API could not be asked at start-up; the form still works once it is back. */
  startupError?: string;
  onSignedIn: (session: Session) => void;
}

export function Login({ notice, startupError, onSignedIn }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = 'Sign in · EDI console';
  }, []);
  // So the first Tab lands on Username whatever had focus before. A layout effect runs before the
  // page can be used, so it can never take focus away from a field someone already went to.
  useLayoutEffect(() => heading.current?.focus(), []);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api.login(username, password).then(
      (session) => onSignedIn(session),
      (failure: unknown) => {
        setBusy(false);
        setError(loginError(failure));
      },
    );
  };

  const alert = error ?? startupError;
  return (
    <main className="login">
      <form className="login__card" onSubmit={submit}>
        <p className="login__brand" aria-hidden="true">
          ⇄ EDI console
        </p>
        <h1 ref={heading} tabIndex={-1}>
          Sign in to EDI console
        </h1>
        {notice && (
          <p role="status" className="notice notice--info">
            {notice}
          </p>
        )}
        {alert && (
          <p role="alert" className="notice notice--error">
            {alert}
          </p>
        )}
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button
          type="submit"
          className="button button--primary button--wide"
          disabled={busy}
          aria-busy={busy}
        >
          Sign in
        </button>
      </form>
    </main>
  );
}

function loginError(failure: unknown): string {
  if (!(failure instanceof ApiError)) return `Could not reach the EDI API: ${errorText(failure)}`;
  if (failure.status === 401) return 'Sign-in failed: wrong username or password.';
  if (failure.status === 429) {
    const seconds = failure.retryAfter ?? secondsIn(failure.message);
    return seconds === undefined
      ? 'Sign-in failed: too many attempts, try again later.'
      : `Sign-in failed: too many attempts, try again in ${seconds} s.`;
  }
  return `Sign-in failed: ${failure.message}`;
}

/** The API may put the wait in its message ("… try again in 30 s") when no Retry-After header got through. */
function secondsIn(message: string): number | undefined {
  const match = /(\d+)\s*(?:s\b|sec|second)/i.exec(message);
  return match ? Number(match[1]) : undefined;
}
