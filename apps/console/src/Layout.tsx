import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import type { StaffUser } from './api';
import { Link } from './components/Link';
import { paths, type Route } from './router';

interface Props {
  route: Route;
  pathname: string;
  user: StaffUser;
  /** After signing in the login form is gone, so focus must land somewhere on purpose. */
  focusOnMount: boolean;
  onSignOut: () => void;
  children: ReactNode;
}

const SECTIONS = [
  { label: 'Dashboard', href: paths.dashboard, routes: ['dashboard'] },
  { label: 'Transactions', href: paths.transactions(), routes: ['transactions', 'transaction'] },
  { label: 'Partners', href: paths.partners, routes: ['partners', 'partner'] },
  { label: 'Needs attention', href: paths.attention, routes: ['attention', 'order'] },
] as const;
/** Only admins manage accounts, so only they see the page. */
const STAFF_SECTION = { label: 'Staff', href: paths.staff, routes: ['staff'] } as const;

export function Layout({ route, pathname, user, focusOnMount, onSignOut, children }: Props) {
  const main = useRef<HTMLElement>(null);
  useFocusOnNavigation(main, pathname, focusOnMount);

  return (
    <div className="shell">
      <a
        href="#main"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault(); // a hash change would be read by nothing; focusing <main> is the point
          main.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <aside className="sidebar">
        <div className="sidebar__inner">
          <Link href={paths.dashboard} className="brand">
            <span className="brand__mark" aria-hidden="true">
              ⇄
            </span>
            EDI console
          </Link>
          <nav aria-label="Main">
            <ul className="nav">
              {[...SECTIONS, ...(user.role === 'admin' ? [STAFF_SECTION] : [])].map((section) => (
                <li key={section.label}>
                  <Link
                    href={section.href}
                    className={
                      (section.routes as readonly string[]).includes(route.name)
                        ? 'nav__link nav__link--active'
                        : 'nav__link'
                    }
                    aria-current={section.routes[0] === route.name ? 'page' : undefined}
                  >
                    {section.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="account">
            <p className="account__name">{user.name}</p>
            <p className="account__role">
              {user.username} · {user.role}
            </p>
            <button type="button" className="button button--sidebar" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main id="main" ref={main} tabIndex={-1} className="content">
        {children}
      </main>
    </div>
  );
}

/**
 * A client-side navigation does not move focus the way a page load does; without this a
 * keyboard or screen reader user stays on the link they pressed in the old page.
 * Only the path counts: changing a list's filters keeps focus in the filter form.
 */
function useFocusOnNavigation(main: RefObject<HTMLElement | null>, pathname: string, focusOnMount: boolean) {
  const focusedFor = useRef<string | null>(focusOnMount ? null : pathname);
  // before paint, so it never lands after the user (or a test) has already moved focus on the new page
  useLayoutEffect(() => {
    if (focusedFor.current === pathname) return;
    focusedFor.current = pathname;
    const target = main.current?.querySelector<HTMLElement>('h1') ?? main.current;
    target?.focus();
  }, [pathname, main]);
}
