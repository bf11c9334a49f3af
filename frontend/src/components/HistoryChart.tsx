import type { SyncJob } from "../api/client";
import { formatCount } from "../lib/format";
import { historyChart, signedCount } from "../lib/jobs";

/** The drawing's own units; CSS stretches it to the card's width at a fixed height. */
const WIDTH = 600;
const HEIGHT = 100;

/**
 * Added, updated and removed contacts of the last syncs, as bars: plain SVG. The same numbers
 * are in the table below it, so the drawing is one image with a summary for screen readers.
 */
export function HistoryChart({ jobs }: { jobs: SyncJob[] }) {
  const chart = historyChart(jobs, { width: WIDTH, height: HEIGHT });
  if (chart.runs.length === 0) return null;
  const last = chart.runs[chart.runs.length - 1]?.job;
  const runs = chart.runs.length;
  return (
    <figure className="history-chart">
      <figcaption className="chart-caption">
        <span className="chart-title">Changes per sync</span>
        <span className="chart-legend" aria-hidden="true">
          <span className="legend legend-added">Added</span>
          <span className="legend legend-updated">Updated</span>
          <span className="legend legend-removed">Removed</span>
        </span>
      </figcaption>
      <div className="chart-plot">
        <span className="chart-max" aria-hidden="true">
          {formatCount(chart.max)}
        </span>
        <svg
          className="chart-svg"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`Added, updated and removed contacts of the last ${runs === 1 ? "sync" : `${runs} syncs`}; the table below lists them.`}
        >
          <line className="chart-grid" x1="0" x2={WIDTH} y1="0" y2="0" />
          <line className="chart-baseline" x1="0" x2={WIDTH} y1={HEIGHT} y2={HEIGHT} />
          {chart.runs.map(({ job, bars }) => (
            <g key={job.id}>
              <title>
                {`Job #${job.id}: ${bars.map((bar) => `${signedCount(bar.action, bar.value)} ${bar.action}`).join(", ")}`}
              </title>
              {bars.map((bar) => (
                <rect
                  key={bar.action}
                  className={`bar bar-${bar.action}`}
                  x={bar.x}
                  y={bar.y}
                  width={bar.width}
                  height={bar.height}
                />
              ))}
            </g>
          ))}
        </svg>
        <div className="chart-axis" aria-hidden="true">
          <span>{runs === 1 ? "1 sync" : `Last ${runs} syncs`}</span>
          <span>{last ? `Newest: job #${last.id}` : ""}</span>
        </div>
      </div>
    </figure>
  );
}
