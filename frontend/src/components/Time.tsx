import { formatDateTime, formatRelative } from "../lib/format";

/** A relative time ("5 minutes ago") that tells the exact local time on hover and to tools. */
export function RelativeTime({ value, now }: { value: string; now: number }) {
  return (
    <time dateTime={value} title={formatDateTime(value)}>
      {formatRelative(value, now)}
    </time>
  );
}
