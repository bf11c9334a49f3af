import { useState } from "react";
import { Link, useParams } from "react-router";

import type { Filter, SyncJob } from "../api/client";
import { ApiError } from "../api/errors";
import { useFilter, useFilterJobs, useRefetchWhenJobEnds } from "../api/queries";
import { Banner, ProblemBanner } from "../components/Banner";
import { JobsTable } from "../components/JobsTable";
import { LiveJobPanel } from "../components/LiveJobPanel";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, LoadingState, Spinner } from "../components/States";
import { SyncButton } from "../components/SyncButton";
import { useDocumentTitle, useNow } from "../lib/hooks";

export function FilterJobsPage() {
  const { filterId } = useParams();
  const id = Number(filterId);
  // Checked here so the hooks below only ever see a real id (and the server no 400).
  if (!Number.isSafeInteger(id) || id < 1) return <MissingFilter error={null} />;
  return <FilterJobs key={id} id={id} />;
}

function FilterJobs({ id }: { id: number }) {
  const filter = useFilter(id);
  const jobs = useFilterJobs(id);
  const [syncError, setSyncError] = useState<unknown>(null);
  const history = jobs.data?.pages.flatMap((page) => page.items) ?? [];
  const latest = newest(history[0], filter.data?.last_job);
  const running = latest?.status === "processing";
  useRefetchWhenJobEnds(latest);
  // Tick every second while a job runs so its duration counts up between polls.
  const now = useNow(running ? 1000 : 30_000);
  useDocumentTitle(filter.data?.name ?? (filter.isPending ? "Loading" : undefined));

  if (filter.isPending) return <LoadingState label="Loading the filter…" />;
  if (filter.isError) return <MissingFilter error={filter.error} onRetry={() => void filter.refetch()} />;

  const current = filter.data;
  const deleted = Boolean(current.deleted_at);

  return (
    <>
      <PageHeader
        title={current.name}
        description={<FilterMeta filter={current} />}
        actions={
          <SyncButton
            filter={{ ...current, last_job: latest }}
            variant="primary"
            onStarted={() => setSyncError(null)}
            onError={setSyncError}
          />
        }
      >
        <BackLink />
      </PageHeader>

      {deleted && (
        <Banner tone="info" title="Deleted in Pipedrive">
          <p>This filter no longer exists in Pipedrive, so it cannot be synced. Its history stays here.</p>
        </Banner>
      )}
      {syncError !== null && (
        <ProblemBanner title="Could not start the sync" error={syncError} onDismiss={() => setSyncError(null)} />
      )}
      {/* Announces the outcome when a watched job ends; the counters themselves stay quiet. */}
      <p className="visually-hidden" role="status">
        {latest ? `Latest sync: ${latest.status}` : ""}
      </p>
      {running && latest && <LiveJobPanel job={latest} now={now} />}

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
                : "The first sync creates the Brevo list and copies this filter’s contacts into it."}
            </p>
          </EmptyState>
        ) : (
          <>
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
    </>
  );
}

/** Two views of the newest job can disagree for one poll; the later job, or the jobs list, wins. */
function newest(fromHistory?: SyncJob, fromFilter?: SyncJob | null): SyncJob | null {
  if (!fromHistory) return fromFilter ?? null;
  if (!fromFilter) return fromHistory;
  return fromFilter.id > fromHistory.id ? fromFilter : fromHistory;
}

function FilterMeta({ filter }: { filter: Filter }) {
  return (
    <p className="meta-line">
      <span>Pipedrive filter {filter.id}</span>
      <span className="meta-sep" aria-hidden="true">
        ·
      </span>
      <span>
        {filter.brevo_list_id != null
          ? `Syncs into Brevo list ${filter.brevo_list_id}`
          : "Its Brevo list is created on the first sync"}
      </span>
    </p>
  );
}

function BackLink() {
  return (
    <Link className="back-link" to="/">
      <span aria-hidden="true">←</span> All filters
    </Link>
  );
}

function MissingFilter({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  useDocumentTitle("Filter not found");
  const notFound = error === null || (error instanceof ApiError && error.status === 404);
  return (
    <>
      <PageHeader title={notFound ? "Filter not found" : "Could not load the filter"}>
        <BackLink />
      </PageHeader>
      {notFound ? (
        <Banner tone="info">
          <p>There is no filter at this address. It may have been removed; refresh the filters to check.</p>
        </Banner>
      ) : (
        <ProblemBanner error={error} onRetry={onRetry} />
      )}
    </>
  );
}
