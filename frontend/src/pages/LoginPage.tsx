import { useRef, useState, type FormEvent } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";

import { ApiError, throttledMessage } from "../api/errors";
import { useLogin } from "../api/queries";
import { Banner, ProblemBanner } from "../components/Banner";
import { LogoMark } from "../components/Logo";
import { SandboxStrip } from "../components/SandboxStrip";
import { Spinner } from "../components/States";
import { useDocumentTitle, useNow } from "../lib/hooks";

/** Why the operator landed here; set by sign-out and by the client's 401 handler. */
export type LoginNotice = "signed-out" | "expired";

/** Only paths inside the app: `next` comes from the URL, so it must not lead elsewhere. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) return "/";
  return next;
}

export function LoginPage() {
  useDocumentTitle("Sign in");
  const navigate = useNavigate();
  const location = useLocation();
  const [searchParams] = useSearchParams();
  const notice = (location.state as { notice?: LoginNotice } | null)?.notice;
  const login = useLogin();
  const [password, setPassword] = useState("");
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const now = useNow(1000);

  const waitSecs = retryAt === null ? 0 : Math.ceil((retryAt - now) / 1000);
  const throttled = waitSecs > 0;
  // A throttling error expires by itself; other errors stay until the next attempt.
  const error = login.error instanceof ApiError && login.error.code === "login_throttled" ? null : login.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (throttled) return;
    login.mutate(password, {
      onSuccess: () => navigate(safeNext(searchParams.get("next")), { replace: true }),
      onError: (failure) => {
        if (failure instanceof ApiError && failure.retryAfterSecs !== null) {
          setRetryAt(Date.now() + failure.retryAfterSecs * 1000);
        }
        // Keep the typed password but select it, so retyping replaces it.
        passwordRef.current?.select();
      },
    });
  };

  return (
    <div className="login-screen">
      <SandboxStrip />
      <main className="login-card" aria-labelledby="login-title">
        <div className="login-brand">
          <LogoMark size={40} />
          <h1 id="login-title">Pipedrive → Brevo Sync</h1>
          <p className="muted">Sign in to manage your filter syncs.</p>
        </div>

        {notice === "signed-out" && !login.isError && (
          <Banner tone="success">
            <p>You have signed out.</p>
          </Banner>
        )}
        {notice === "expired" && !login.isError && (
          <Banner tone="info">
            <p>Your session has ended. Sign in again to continue.</p>
          </Banner>
        )}
        {throttled && (
          <Banner tone="error" title="Sign-in paused">
            <p>{throttledMessage(waitSecs)}</p>
          </Banner>
        )}
        {error !== null && <ProblemBanner error={error} title={error instanceof ApiError ? "Sign-in failed" : undefined} />}

        <form className="form" onSubmit={submit}>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              ref={passwordRef}
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              autoFocus
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby="password-help"
              aria-invalid={error instanceof ApiError && error.code === "invalid_credentials"}
            />
            <p className="field-help" id="password-help">
              The operator password: <code>ADMIN_PASSWORD</code>, or the one the server generated and printed on its
              first start.
            </p>
          </div>
          <button type="submit" className="button button-primary button-block" disabled={login.isPending || throttled}>
            {login.isPending && <Spinner />}
            {login.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </main>
    </div>
  );
}
