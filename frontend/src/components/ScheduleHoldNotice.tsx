import type { Filter } from "../api/client";
import { formatHoldUntil, nextRun } from "../lib/schedule";
import { Banner } from "./Banner";
import { UntilTime } from "./Time";

/** A scheduled sync today's Pipedrive budget keeps back, with the server's reason. */
export function ScheduleHoldNotice({ filter, now }: { filter: Filter; now: number }) {
  const next = nextRun(filter, now);
  if (next?.state !== "held") return null;
  return (
    <Banner tone="warning" title="Waiting for tomorrow’s Pipedrive budget">
      <p>
        The scheduled sync runs at {formatHoldUntil(next.at, now)} (<UntilTime value={next.at} now={now} />). Syncs
        started by hand are not held: Sync starts one now.
      </p>
      <p className="banner-detail">{next.reason}</p>
    </Banner>
  );
}
