// A filter's schedule in words and choices: pure functions, so the settings field and the
// filters table agree on what a stored `schedule_minutes` and `next_sync_at` mean.

import type { Filter } from "../api/client";
import { formatCount, formatUtcDay, parseTimestamp, type FormatOptions } from "./format";

/** The schedules offered by name; any other interval is "Custom". */
export const SCHEDULE_PRESETS = [
  { choice: "manual", label: "Manual only", minutes: null },
  { choice: "every-15-minutes", label: "Every 15 minutes", minutes: 15 },
  { choice: "hourly", label: "Hourly", minutes: 60 },
  { choice: "daily", label: "Daily", minutes: 1440 },
] as const;

export type ScheduleChoice = (typeof SCHEDULE_PRESETS)[number]["choice"] | "custom";

/** The choice that shows a stored schedule: its preset, or "custom" for any other interval. */
export function scheduleChoice(minutes: number | null | undefined): ScheduleChoice {
  return SCHEDULE_PRESETS.find((preset) => preset.minutes === (minutes ?? null))?.choice ?? "custom";
}

export type ScheduleInput = { ok: true; minutes: number | null } | { ok: false; message: string };

/** What saving `choice` stores: a preset's minutes, or the custom field's (see `parseScheduleInput`). */
export function scheduleMinutes(choice: ScheduleChoice, customText: string): ScheduleInput {
  const preset = SCHEDULE_PRESETS.find((candidate) => candidate.choice === choice);
  return preset ? { ok: true, minutes: preset.minutes } : parseScheduleInput(customText);
}

/**
 * The custom interval's field: whole minutes. The range (1 to a week) is the server's to
 * check, so its 422 explains it in one place.
 */
export function parseScheduleInput(text: string): ScheduleInput {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return { ok: false, message: "Enter whole minutes, e.g. 30, or choose Manual only to sync only by hand." };
  }
  return { ok: true, minutes: Number(trimmed) };
}

/** "Every 15 minutes", "Every hour", "Every 6 hours", "Every day"; null: "Manual only". */
export function formatSchedule(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return "Manual only";
  if (minutes === 1) return "Every minute";
  if (minutes % 1440 === 0) return minutes === 1440 ? "Every day" : `Every ${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? "Every hour" : `Every ${minutes / 60} hours`;
  return `Every ${formatCount(minutes)} minutes`;
}

/** When a filter's schedule next starts a sync; see `nextRun`. */
export type NextRun =
  | { state: "manual" }
  | { state: "due" | "planned"; at: string }
  | { state: "held"; at: string; reason: string };

/**
 * Never by itself ("manual"), at a time ahead ("planned"), or already "due": the scheduler
 * has not started it yet, e.g. while the filter's own job still runs or other scheduled jobs
 * take the slots. "held": today's Pipedrive budget keeps it back until `at` (the next UTC
 * midnight); once that has passed the filter is due like any other. Null for a deleted
 * filter, which never syncs, and for a schedule without a time.
 */
export function nextRun(
  filter: Pick<Filter, "deleted_at" | "schedule_minutes" | "next_sync_at" | "schedule_hold">,
  now: number,
): NextRun | null {
  if (filter.deleted_at) return null;
  if (filter.schedule_minutes == null) return { state: "manual" };
  const hold = filter.schedule_hold;
  const holdEnds = parseTimestamp(hold?.until);
  if (hold && holdEnds !== null && holdEnds > now) return { state: "held", at: hold.until, reason: hold.reason };
  const at = filter.next_sync_at;
  const ms = parseTimestamp(at);
  if (!at || ms === null) return null;
  return { state: ms <= now ? "due" : "planned", at };
}

/**
 * "00:00 UTC": when a held sync may run. Holds end at a UTC midnight, so the time is named in
 * UTC, with the day ("3 Dec, 00:00 UTC") only when that is not within the next day.
 */
export function formatHoldUntil(at: string, now: number, options: Pick<FormatOptions, "locale"> = {}): string {
  const ms = parseTimestamp(at);
  if (ms === null) return "—";
  const time = new Intl.DateTimeFormat(options.locale, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  }).format(ms);
  if (ms - now <= 24 * 60 * 60 * 1000) return `${time} UTC`;
  return `${formatUtcDay(ms, options)}, ${time} UTC`;
}
