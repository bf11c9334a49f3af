import { useState } from "react";
import { Link, useParams } from "react-router";

import type { Filter, SyncJob } from "../api/client";
import { ApiError } from "../api/errors";
import { useFilter, useFilterJobs, useRefetchWhenJobEnds } from "../api/queries";
import { Banner, ProblemBanner } from "../components/Banner";
import { BrakeNotice } from "../components/BrakeNotice";
import { FilterHistory } from "../components/FilterHistory";
import { FilterSettings } from "../components/FilterSettings";
import { LiveJobPanel } from "../components/LiveJobPanel";
import { PageHeader } from "../components/PageHeader";
import { PreviewButton } from "../components/PreviewButton";
import { PreviewResult } from "../components/PreviewResult";
import { ScheduleHoldNotice } from "../components/ScheduleHoldNotice";
import { LoadingState } from "../components/States";
import { SyncButton } from "../components/SyncButton";
import { useDocumentTitle, useNow } from "../lib/hooks";
import { filterJobsNewestFirst, formatChangeCounts, pendingBrake } from "../lib/jobs";

/** A filter: its settings, a preview of the next sync, held removals, and its history. */
export function FilterPage() {
  const { filterId } = useParams();
  const id = Number(filterId);
  // Checked here so the hooks below only ever see a real id (and the server no 400).
  if (!Number.isSafeInteger(id) || id < 1) return <MissingFilter error={null} />;
  return <FilterView key={id} id={id} />;
}

function FilterView({ id }: { id: number }) {
  const filter = useFilter(id);
  const jobs = useFilterJobs(id);
  const [syncError, setSyncError] = useState<unknown>(null);
  const [closedPreview, setClosedPreview] = useState<number | null>(null);
  const history = jobs.data?.pages.flatMap((page) => page.items) ?? [];
  const jobsNewestFirst = filterJobsNewestFirst(history, filter.data?.last_job);
  const latest = jobsNewestFirst[0] ?? null;
  const running = latest?.status === "processing";
  useRefetchWhenJobEnds(latest);
  // Tick every second while a job runs so its duration counts up between polls.
  const now = useNow(running ? 1000 : 30_000);
  useDocumentTitle(filter.data?.name ?? (filter.isPending ? "Loading" : undefined));

  if (filter.isPending) return <LoadingState label="Loading the filter…" />;
  if (filter.isError) return <MissingFilter error={filter.error} onRetry={() => void filter.refetch()} />;

  const current = { ...filter.data, last_job: latest };
  const deleted = Boolean(current.deleted_at);
  const held = pendingBrake(jobsNewestFirst, current.mode);
  const preview = latest?.dry_run && latest.status === "completed" && latest.id !== closedPreview ? latest : null;
  const started = () => setSyncError(null);

  return (
    <>
      <PageHeader
        title={current.name}
        description={<FilterMeta filter={current} />}
        actions={
          <>
            <PreviewButton filter={current} onStarted={started} onError={setSyncError} />
            <SyncButton filter={current} variant="primary" onStarted={started} onError={setSyncError} />
          </>
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
        {latest ? announce(latest) : ""}
      </p>
      <ScheduleHoldNotice filter={current} now={now} />
      {held && <BrakeNotice job={held} filter={current} busy={running} onStarted={started} />}
      {running && latest && <LiveJobPanel job={latest} now={now} />}
      {preview && <PreviewResult job={preview} now={now} onClose={() => setClosedPreview(preview.id)} />}

      <FilterSettings filter={current} now={now} />
      <FilterHistory jobs={jobs} history={history} deleted={deleted} running={running} now={now} />
    </>
  );
}

function announce(job: SyncJob): string {
  const what = job.dry_run ? "Latest preview" : "Latest sync";
  return job.status === "processing" ? `${what}: processing` : `${what}: ${job.status}, ${formatChangeCounts(job)}`;
}

function FilterMeta({ filter }: { filter: Filter }) {
  return (
    <p className="meta-line">
      <span>Pipedrive filter {filter.id}</span>
      <span className="meta-sep" aria-hidden="true">
        ·
      </span>
      <span>
        {filter.brevo_list_id == null
          ? "Its Brevo list is created on the first sync"
          : filter.brevo_list_name
            ? `Syncs into Brevo list “${filter.brevo_list_name}” (${filter.brevo_list_id})`
            : `Syncs into Brevo list ${filter.brevo_list_id}`}
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
