import type { ReactNode } from "react";

import { messageOf } from "../api/errors";

interface BannerProps {
  tone: "error" | "warning" | "success" | "info";
  title?: string;
  children: ReactNode;
  /** E.g. a retry button. */
  actions?: ReactNode;
  onDismiss?: () => void;
}

/** Errors interrupt (role=alert); other news waits its turn (role=status). */
export function Banner({ tone, title, children, actions, onDismiss }: BannerProps) {
  return (
    <div className={`banner banner-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <div className="banner-body">
        {title && <p className="banner-title">{title}</p>}
        <div className="banner-text">{children}</div>
        {actions && <div className="banner-actions">{actions}</div>}
      </div>
      {onDismiss && (
        <button type="button" className="banner-close" aria-label="Dismiss" onClick={onDismiss}>
          <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
            <path d="M5 5l10 10M15 5 5 15" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </svg>
        </button>
      )}
    </div>
  );
}

interface ProblemBannerProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  onDismiss?: () => void;
}

/** Any failed call, explained: the message comes from the ApiError chosen by the problem code. */
export function ProblemBanner({ error, title, onRetry, onDismiss }: ProblemBannerProps) {
  return (
    <Banner
      tone="error"
      title={title}
      onDismiss={onDismiss}
      actions={
        onRetry && (
          <button type="button" className="button button-secondary button-small" onClick={onRetry}>
            Try again
          </button>
        )
      }
    >
      <p>{messageOf(error)}</p>
    </Banner>
  );
}
