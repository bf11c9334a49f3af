import type { ReactNode } from "react";

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role={label ? "img" : undefined} aria-label={label} aria-hidden={!label} />;
}

/** Shown while the first answer is on its way; later refreshes keep the old data on screen. */
export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state state-loading" role="status">
      <Spinner />
      <p>{label}</p>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children && <div className="state-text">{children}</div>}
      {action && <div className="state-action">{action}</div>}
    </div>
  );
}
