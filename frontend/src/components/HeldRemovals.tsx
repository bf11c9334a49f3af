import { Link } from "react-router";

import type { SyncJob } from "../api/client";
import { useFilter, useFilterJobs } from "../api/queries";
import { filterJobsNewestFirst, heldRemovals } from "../lib/jobs";
import { Banner } from "./Banner";
import { BrakeNotice } from "./BrakeNotice";

interface HeldRemovalsProps {
  /** A job the removal brake stopped (`isBrakeHeld`). */
  job: SyncJob;
  onStarted: (job: SyncJob) => void;
}

/**
 * A brake-held job's removals, on its own page: the filter page's notice and confirm button
 * while they still wait, else why they no longer do. Nothing shows until the filter and its
 * jobs have loaded, so an older job never offers a sync past the brake.
 */
export function HeldRemovals({ job, onStarted }: HeldRemovalsProps) {
  const filter = useFilter(job.filter_id);
  const jobs = useFilterJobs(job.filter_id);
  if (!filter.data || !jobs.data) return null;

  const history = jobs.data.pages.flatMap((page) => page.items);
  const newestFirst = filterJobsNewestFirst(history, filter.data.last_job);
  const held = heldRemovals(job, newestFirst, filter.data.mode);
  switch (held?.state) {
    case "waiting":
      return (
        <BrakeNotice
          job={job}
          filter={filter.data}
          busy={newestFirst[0]?.status === "processing"}
          reviewLink={false}
          onStarted={onStarted}
        />
      );
    case "superseded":
      return (
        <Banner tone="info" title="These removals no longer wait">
          <p>
            <Link to={`/jobs/${held.by.id}`}>Sync job #{held.by.id}</Link> ran after this one and worked out the removals
            afresh; its page says whether any wait now.
          </p>
        </Banner>
      );
    case "additive":
      return (
        <Banner tone="info" title="These removals no longer wait">
          <p>The filter now syncs additively, and an additive sync never removes anyone from the list.</p>
        </Banner>
      );
    case undefined:
      return null;
  }
}
