import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import type { SyncJob } from "../api/client";
import { ApiError } from "../api/errors";
import { useFilter, useRefetchWhenJobEnds, useSyncJob } from "../api/queries";
import { Banner, ProblemBanner } from "../components/Banner";
import { ChangeLog } from "../components/ChangeLog";
import { HeldRemovals } from "../components/HeldRemovals";
import { JobNotice } from "../components/JobNotice";
import { JobStatusBadge } from "../components/JobStatusBadge";
import { JobSummary } from "../components/JobSummary";
import { LiveJobPanel } from "../components/LiveJobPanel";
import { PageHeader } from "../components/PageHeader";
import { LoadingState } from "../components/States";
import { formatDateTime, formatDuration, jobDurationMs } from "../lib/format";
import { useDocumentTitle, useNow } from "../lib/hooks";
import { CHANGE_ACTIONS, isBrakeHeld } from "../lib/jobs";

/** One job: what it changed, why fetched and added differ, and its change log. */
export function JobPage() {
  const { jobId } = useParams();
  const id = Number(jobId);
  if (!Number.isSafeInteger(id) || id < 1) return <MissingJob error={null} />;
  return <JobView key={id} id={id} />;
}

function JobView({ id }: { id: number }) {
  const job = useSyncJob(id);
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const running = job.data?.status === "processing";
  useRefetchWhenJobEnds(job.data ?? null);
  const now = useNow(running ? 1000 : 30_000);
  const name = job.data ? jobName(job.data) : undefined;
  useDocumentTitle(name ?? (job.isPending ? "Loading" : undefined));

  if (job.isPending) return <LoadingState label="Loading the job…" />;
  if (job.isError) return <MissingJob error={job.error} onRetry={() => void job.refetch()} />;

  const current = job.data;
  const action = searchParams.get("action");
  const initialAction = CHANGE_ACTIONS.find((value) => value === action) ?? null;

  return (
    <>
      <PageHeader title={jobName(current)} description={<JobMeta job={current} now={now} />}>
        <FilterLink filterId={current.filter_id} />
      </PageHeader>

      {current.dry_run && (
        <Banner tone="info">
          <p>A preview: it shows what a sync would have changed when it ran. Nothing was written to Brevo.</p>
        </Banner>
      )}
      {current.status === "failed" && (
        <div className="job-error" role="note" aria-label="Why the job failed">
          <p className="job-error-title">Why {jobName(current).toLowerCase()} failed</p>
          <p className="job-error-text">{current.error_message || "The server recorded no reason."}</p>
        </div>
      )}
      <JobNotice job={current} />
      {isBrakeHeld(current) && (
        // Confirming starts a new job: follow it on its page, as the filter's page shows it in place.
        <HeldRemovals job={current} onStarted={(started) => void navigate(`/jobs/${started.id}`)} />
      )}
      {running && <LiveJobPanel job={current} now={now} />}

      <section className="card" aria-labelledby="summary-title">
        <div className="card-toolbar">
          <h2 className="card-title" id="summary-title">
            {current.dry_run ? "What a sync would change" : running ? "Changes so far" : "What changed"}
          </h2>
        </div>
        <div className="card-body">
          <JobSummary job={current} />
        </div>
      </section>

      <ChangeLog job={current} initialAction={initialAction} />
    </>
  );
}

const STARTED_BY: Record<SyncJob["trigger"], string> = {
  manual: "by hand",
  schedule: "by its schedule",
  webhook: "by a Pipedrive webhook",
};

const jobName = (job: SyncJob) => (job.dry_run ? `Preview #${job.id}` : `Sync job #${job.id}`);

function JobMeta({ job, now }: { job: SyncJob; now: number }) {
  const duration = jobDurationMs(job, now);
  return (
    <div className="meta-line">
      <JobStatusBadge status={job.status} />
      <span>
        Started {formatDateTime(job.created_at)} {STARTED_BY[job.trigger]}
      </span>
      {duration !== null && (
        <>
          <span className="meta-sep" aria-hidden="true">
            ·
          </span>
          <span>
            {job.status === "processing" ? "Running for" : "Took"} {formatDuration(duration)}
          </span>
        </>
      )}
    </div>
  );
}

/** Back to the job's filter, by name once it is known. */
function FilterLink({ filterId }: { filterId: number }) {
  const filter = useFilter(filterId);
  return (
    <Link className="back-link" to={`/filters/${filterId}`}>
      <span aria-hidden="true">←</span> {filter.data?.name ?? `Filter ${filterId}`}
    </Link>
  );
}

function MissingJob({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  useDocumentTitle("Job not found");
  const notFound = error === null || (error instanceof ApiError && error.status === 404);
  return (
    <>
      <PageHeader title={notFound ? "Job not found" : "Could not load the job"}>
        <Link className="back-link" to="/">
          <span aria-hidden="true">←</span> All filters
        </Link>
      </PageHeader>
      {notFound ? (
        <Banner tone="info">
          <p>There is no sync job at this address.</p>
        </Banner>
      ) : (
        <ProblemBanner error={error} onRetry={onRetry} />
      )}
    </>
  );
}
