import { Link, isRouteErrorResponse, useRouteError } from "react-router";

import { PageHeader } from "../components/PageHeader";
import { useDocumentTitle } from "../lib/hooks";

export function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <>
      <PageHeader title="Page not found" description="There is nothing at this address." />
      <p>
        <Link to="/">Go to the filters</Link>
      </p>
    </>
  );
}

/** The router's last resort when a page throws while rendering: say so, offer a way out. */
export function CrashPage() {
  const error = useRouteError();
  useDocumentTitle("Something went wrong");
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : null;
  return (
    <div className="screen-center narrow">
      <div className="banner banner-error" role="alert">
        <div className="banner-body">
          <p className="banner-title">The dashboard ran into a problem</p>
          <div className="banner-text">
            {detail && <p className="mono small">{detail}</p>}
            <p>
              <a href="/">Reload the dashboard</a>
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}
