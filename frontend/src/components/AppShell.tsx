import { Link, Outlet, useLocation, useNavigate } from "react-router";

import { ApiError } from "../api/errors";
import { useLogout, useMe } from "../api/queries";
import type { LoginNotice } from "../pages/LoginPage";
import { ProblemBanner } from "./Banner";
import { LogoMark } from "./Logo";
import { SandboxStrip } from "./SandboxStrip";
import { LoadingState, Spinner } from "./States";

/** The signed-in frame: checks the session once, then shows the top bar around each page. */
export function AppShell() {
  const me = useMe();

  if (me.isPending) {
    return (
      <div className="screen-center">
        <LoadingState label="Checking your session…" />
      </div>
    );
  }
  if (me.isError) {
    // A 401 is already on its way to the sign-in page (the client's handler).
    if (me.error instanceof ApiError && me.error.status === 401) return null;
    return (
      <div className="screen-center narrow">
        <ProblemBanner title="The dashboard could not start" error={me.error} onRetry={() => void me.refetch()} />
      </div>
    );
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <SandboxStrip />
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand">
            <LogoMark />
            <span>Pipedrive → Brevo Sync</span>
          </Link>
          <MainNav />
          <SignOutButton />
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

/** Filters, their pages and their jobs are one section; the field mapping is the other. */
function MainNav() {
  const { pathname } = useLocation();
  const sections = [
    { to: "/", label: "Filters", here: !pathname.startsWith("/field-mapping") },
    { to: "/field-mapping", label: "Field mapping", here: pathname.startsWith("/field-mapping") },
  ];
  return (
    <nav className="main-nav" aria-label="Main">
      {sections.map(({ to, label, here }) => (
        <Link
          key={to}
          to={to}
          className={here ? "nav-link nav-link-here" : "nav-link"}
          // "page" on the section's own page; inside it (a filter, a job) only "true".
          aria-current={here ? (pathname === to ? "page" : "true") : undefined}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}

function SignOutButton() {
  const logout = useLogout();
  const navigate = useNavigate();
  const signedOut: LoginNotice = "signed-out";
  return (
    <div className="signout">
      {logout.isError && (
        <span className="signout-error" role="alert">
          Sign-out failed. Try again.
        </span>
      )}
      <button
        type="button"
        className="button button-ghost"
        disabled={logout.isPending}
        onClick={() =>
          logout.mutate(undefined, {
            onSuccess: () => navigate("/login", { replace: true, state: { notice: signedOut } }),
          })
        }
      >
        {logout.isPending ? <Spinner /> : <SignOutIcon />}
        Sign out
      </button>
    </div>
  );
}

function SignOutIcon() {
  return (
    <svg className="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M8 4H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3" />
        <path d="M12 6.5 15.5 10 12 13.5" />
        <path d="M15.5 10H8" />
      </g>
    </svg>
  );
}
