import type { SyncJob } from "../api/client";
import type { useFilterJobs } from "../api/queries";
import { ProblemBanner } from "./Banner";
import { HistoryChart } from "./HistoryChart";
import { JobsTable } from "./JobsTable";
import { EmptyState, LoadingState, Spinner } from "./States";

interface FilterHistoryProps {
  jobs: ReturnType<typeof useFilterJobs>;
  history: SyncJob[];
  deleted: boolean;
  running: boolean;
  now: number;
}

/** A filter's jobs: a chart of what each sync changed, then the table, older pages on demand. */
export function FilterHistory({ jobs, history, deleted, running, now }: FilterHistoryProps) {
  return (
    <section className="card" aria-labelledby="history-title">
      <div className="card-toolbar">
        <h2 className="card-title" id="history-title">
          Sync history
        </h2>
        {jobs.isFetching && !jobs.isPending && !running && <Spinner label="Updating" />}
      </div>
      {jobs.isPending ? (
        <LoadingState label="Loading sync history…" />
      ) : jobs.isError ? (
        <div className="card-body">
          <ProblemBanner title="Could not load the sync history" error={jobs.error} onRetry={() => void jobs.refetch()} />
        </div>
      ) : history.length === 0 ? (
        <EmptyState title="No syncs yet">
          <p>
            {deleted
              ? "This filter was never synced."
              : "The first sync creates the Brevo list and copies this filter’s contacts into it. Preview changes shows what it would do first."}
          </p>
        </EmptyState>
      ) : (
        <>
          <HistoryChart jobs={history} />
          <JobsTable jobs={history} now={now} />
          {jobs.hasNextPage && (
            <div className="card-footer">
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void jobs.fetchNextPage()}
                disabled={jobs.isFetchingNextPage}
              >
                {jobs.isFetchingNextPage && <Spinner />}
                {jobs.isFetchingNextPage ? "Loading…" : "Load older jobs"}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
