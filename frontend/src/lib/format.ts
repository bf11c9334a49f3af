// Formatting of the API's values for people. The API sends RFC 3339 UTC timestamps with
// second precision; the operator reads them in their own time zone and language.
// `locale` and `timeZone` are parameters only so that tests are deterministic.

export interface FormatOptions {
  locale?: string;
  timeZone?: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds since the epoch, or null for a missing or unparsable timestamp. */
export function parseTimestamp(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** "just now", "5 minutes ago", "yesterday"; older than a week: the local date. */
export function formatRelative(
  value: string | null | undefined,
  now: number,
  options: FormatOptions = {},
): string {
  const ms = parseTimestamp(value);
  if (ms === null) return "—";
  const elapsed = now - ms;
  // Clocks drift a little between server and browser; a few seconds ahead is still "now".
  if (elapsed < 45 * SECOND) return "just now";
  if (elapsed >= 7 * DAY) return formatDate(value, options);
  const rtf = new Intl.RelativeTimeFormat(options.locale, { numeric: "auto" });
  if (elapsed < HOUR) return rtf.format(-Math.max(1, Math.round(elapsed / MINUTE)), "minute");
  if (elapsed < DAY) return rtf.format(-Math.round(elapsed / HOUR), "hour");
  return rtf.format(-Math.round(elapsed / DAY), "day");
}

/** "in 5 minutes", "in 3 hours", "tomorrow": when something planned happens; "any moment" once due. */
export function formatUntil(value: string | null | undefined, now: number, options: FormatOptions = {}): string {
  const ms = parseTimestamp(value);
  if (ms === null) return "—";
  const ahead = ms - now;
  if (ahead < 45 * SECOND) return "any moment";
  if (ahead >= 7 * DAY) return formatDate(value, options);
  const rtf = new Intl.RelativeTimeFormat(options.locale, { numeric: "auto" });
  // Rounded first, so 59 min 59 s ahead reads "in 1 hour", not "in 60 minutes".
  const minutes = Math.max(1, Math.round(ahead / MINUTE));
  if (minutes < 60) return rtf.format(minutes, "minute");
  const hours = Math.round(ahead / HOUR);
  if (hours < 24) return rtf.format(hours, "hour");
  return rtf.format(Math.round(ahead / DAY), "day");
}

/** "26 Nov 2025, 14:03:09" in the operator's locale and zone: for tooltips and history. */
export function formatDateTime(value: string | null | undefined, options: FormatOptions = {}): string {
  const ms = parseTimestamp(value);
  if (ms === null) return "—";
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: options.timeZone,
  }).format(ms);
}

export function formatDate(value: string | null | undefined, options: FormatOptions = {}): string {
  const ms = parseTimestamp(value);
  if (ms === null) return "—";
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeZone: options.timeZone,
  }).format(ms);
}

/**
 * "3 Dec": a day of the server's UTC calendar (usage days, the midnight a hold ends), named
 * in UTC so that it is the same day in every zone.
 */
export function formatUtcDay(ms: number, options: Pick<FormatOptions, "locale"> = {}): string {
  return new Intl.DateTimeFormat(options.locale, { day: "numeric", month: "short", timeZone: "UTC" }).format(ms);
}

/** "under 1 s", "42 s", "3 min 05 s", "2 h 07 min": precise enough to compare jobs. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < SECOND) return "under 1 s";
  const totalSeconds = Math.floor(ms / SECOND);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) {
    return `${totalMinutes} min ${String(totalSeconds % 60).padStart(2, "0")} s`;
  }
  const hours = Math.floor(totalMinutes / 60);
  return `${hours} h ${String(totalMinutes % 60).padStart(2, "0")} min`;
}

/** A job's run time: to its end, or to `now` while it runs. Null when it cannot be known. */
export function jobDurationMs(
  job: { created_at: string; completed_at?: string | null },
  now: number,
): number | null {
  const start = parseTimestamp(job.created_at);
  if (start === null) return null;
  const end = job.completed_at ? parseTimestamp(job.completed_at) : now;
  if (end === null) return null;
  return Math.max(0, end - start);
}

/** "10,000" with the locale's grouping; counts are never fractional. */
export function formatCount(value: number | null | undefined, options: FormatOptions = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return new Intl.NumberFormat(options.locale, { maximumFractionDigits: 0 }).format(value);
}

/** "1 filter", "3 filters". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
