import type { Usage, UsageDay } from "../api/client";
import { useUsage } from "../api/queries";
import { formatCount } from "../lib/format";
import { budgetState, formatBudgetNote, formatDay, formatTokensToday, formatUsageSummary, usageChart } from "../lib/usage";
import { ProblemBanner } from "./Banner";
import { LoadingState } from "./States";

/** The drawing's own units; CSS stretches it to the card's width at a fixed height. */
const WIDTH = 600;
const HEIGHT = 60;

/** Today's Pipedrive tokens against the daily budget, and the last 30 days (DESIGN §9). */
export function UsagePanel() {
  const usage = useUsage();
  return (
    <section className="card" aria-labelledby="usage-title">
      <div className="card-toolbar">
        <div>
          <h2 className="card-title" id="usage-title">
            Pipedrive API use
          </h2>
          <p className="card-subtitle">
            This service’s calls only; Pipedrive’s daily budget is shared with the company’s other integrations.
          </p>
        </div>
      </div>
      {usage.isPending ? (
        <LoadingState label="Loading the usage…" />
      ) : usage.isError ? (
        <div className="card-body">
          <ProblemBanner title="Could not load the usage" error={usage.error} onRetry={() => void usage.refetch()} />
        </div>
      ) : (
        <UsageToday usage={usage.data} />
      )}
    </section>
  );
}

function UsageToday({ usage }: { usage: Usage }) {
  const budget = budgetState(usage.pipedrive);
  return (
    <>
      <div className="card-body usage-today">
        <p className="usage-line">{formatTokensToday(usage.pipedrive)}</p>
        {/* The line above says it in words; the bar is only its picture. */}
        {budget && (
          <svg className={`usage-meter usage-${budget.level}`} viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
            <rect className="usage-meter-track" width="100" height="8" rx="4" />
            {budget.share > 0 && <rect className="usage-meter-fill" width={Math.max(2, budget.share * 100)} height="8" rx="4" />}
          </svg>
        )}
        <p className="field-help">{formatBudgetNote(budget)}</p>
      </div>
      <UsageChart days={usage.days} />
    </>
  );
}

/** Tokens per UTC day as bars, today at the right; one image with a summary for screen readers. */
function UsageChart({ days }: { days: UsageDay[] }) {
  const chart = usageChart(days, { width: WIDTH, height: HEIGHT });
  const first = days[0];
  if (!first) return null;
  const today = chart.bars.length - 1;
  return (
    <figure className="usage-chart">
      <figcaption className="chart-caption">
        <span className="chart-title">Tokens per day (UTC)</span>
        {chart.max > 0 && <span className="muted small">Busiest: {formatCount(chart.max)}</span>}
      </figcaption>
      <svg
        className="chart-svg usage-svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={formatUsageSummary(days)}
      >
        <line className="chart-baseline" x1="0" x2={WIDTH} y1={HEIGHT} y2={HEIGHT} />
        {chart.bars.map((bar, index) => (
          <rect
            key={bar.date}
            className={index === today ? "bar usage-bar-today" : "bar usage-bar"}
            x={bar.x}
            y={bar.y}
            width={bar.width}
            height={bar.height}
          >
            <title>{`${formatDay(bar.date)}: ${formatCount(bar.tokens)} tokens`}</title>
          </rect>
        ))}
      </svg>
      <div className="chart-axis" aria-hidden="true">
        <span>{formatDay(first.date)}</span>
        <span>Today</span>
      </div>
    </figure>
  );
}
