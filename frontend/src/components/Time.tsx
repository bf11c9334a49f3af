import { formatDateTime, formatRelative, formatUntil } from "../lib/format";

/** A relative time ("5 minutes ago") that tells the exact local time on hover and to tools. */
export function RelativeTime({ value, now }: { value: string; now: number }) {
  return (
    <time dateTime={value} title={formatDateTime(value)}>
      {formatRelative(value, now)}
    </time>
  );
}

/** The same for a time ahead ("in 5 minutes"). */
export function UntilTime({ value, now }: { value: string; now: number }) {
  return (
    <time dateTime={value} title={formatDateTime(value)}>
      {formatUntil(value, now)}
    </time>
  );
}
