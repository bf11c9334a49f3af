import { useAlerts, useSendTestAlert } from "../api/queries";
import { messageOf } from "../api/errors";
import { ProblemBanner } from "./Banner";
import { LoadingState, Spinner } from "./States";

/** Where alerts go (ALERT_WEBHOOK_URL, by host: the URL is a secret), and a test to prove it. */
export function AlertsPanel() {
  const alerts = useAlerts();
  const test = useSendTestAlert();
  const host = alerts.data?.configured ? (alerts.data.receiver_host ?? "the alert webhook") : null;
  return (
    <section className="card" aria-labelledby="alerts-title">
      <div className="card-toolbar">
        <h2 className="card-title" id="alerts-title">
          Alerts
        </h2>
      </div>
      {alerts.isPending ? (
        <LoadingState label="Loading the alert settings…" />
      ) : alerts.isError ? (
        <div className="card-body">
          <ProblemBanner title="Could not load the alert settings" error={alerts.error} onRetry={() => void alerts.refetch()} />
        </div>
      ) : (
        <div className="card-body alerts-body">
          <div id="alerts-state">
            <p className="alerts-line">
              {host === null ? (
                <>
                  Alerts are off: set <code>ALERT_WEBHOOK_URL</code>
                </>
              ) : (
                <>
                  Alerts go to <strong>{host}</strong>
                </>
              )}
            </p>
            <p className="field-help">
              {host === null
                ? "Then restart the server: failed syncs, recoveries and stale schedules post to Slack, Mattermost or Teams."
                : "A failed sync, its recovery and a stale schedule each post one message."}
            </p>
          </div>
          <div className="alerts-actions">
            <button
              type="button"
              className="button button-secondary"
              disabled={host === null || test.isPending}
              aria-describedby="alerts-state"
              onClick={() => test.mutate()}
            >
              {test.isPending && <Spinner />}
              Send test alert
            </button>
            {test.isSuccess && (
              <p className="save-state" role="status">
                Test alert sent to {host}
              </p>
            )}
          </div>
          {test.isError && (
            <p className="field-error" role="alert">
              {messageOf(test.error)}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
