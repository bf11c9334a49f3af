import { describe, expect, it } from "vitest";

import {
  formatHoldUntil,
  formatSchedule,
  nextRun,
  parseScheduleInput,
  SCHEDULE_PRESETS,
  scheduleChoice,
  scheduleMinutes,
  type ScheduleChoice,
} from "./schedule";

describe("schedule choices", () => {
  it.each<[number | null | undefined, ScheduleChoice]>([
    [null, "manual"],
    [undefined, "manual"],
    [15, "every-15-minutes"],
    [60, "hourly"],
    [1440, "daily"],
    [1, "custom"],
    [30, "custom"],
    [120, "custom"],
    [10_080, "custom"],
  ])("shows %s minutes as %s", (minutes, choice) => {
    expect(scheduleChoice(minutes)).toBe(choice);
  });

  it("saves a preset as its minutes, whatever the custom field holds", () => {
    expect(scheduleMinutes("manual", "30")).toEqual({ ok: true, minutes: null });
    expect(scheduleMinutes("every-15-minutes", "")).toEqual({ ok: true, minutes: 15 });
    expect(scheduleMinutes("hourly", "abc")).toEqual({ ok: true, minutes: 60 });
    expect(scheduleMinutes("daily", "")).toEqual({ ok: true, minutes: 1440 });
  });

  it("saves custom as the field's minutes", () => {
    expect(scheduleMinutes("custom", " 30 ")).toEqual({ ok: true, minutes: 30 });
    expect(scheduleMinutes("custom", "").ok).toBe(false);
  });

  it("maps every preset back to itself", () => {
    for (const preset of SCHEDULE_PRESETS) {
      expect(scheduleChoice(preset.minutes)).toBe(preset.choice);
      expect(scheduleMinutes(preset.choice, "")).toEqual({ ok: true, minutes: preset.minutes });
    }
  });
});

describe("parseScheduleInput", () => {
  it("reads digits as minutes", () => {
    expect(parseScheduleInput("  60 ")).toEqual({ ok: true, minutes: 60 });
    // The range is the server's to judge: its 422 explains it.
    expect(parseScheduleInput("0")).toEqual({ ok: true, minutes: 0 });
    expect(parseScheduleInput("20000")).toEqual({ ok: true, minutes: 20_000 });
  });

  it("refuses what is not whole minutes, an empty field included", () => {
    for (const text of ["", "  ", "1.5", "-5", "hourly", "1e3"]) {
      expect(parseScheduleInput(text).ok).toBe(false);
    }
  });
});

describe("formatSchedule", () => {
  it.each([
    [null, "Manual only"],
    [1, "Every minute"],
    [15, "Every 15 minutes"],
    [60, "Every hour"],
    [90, "Every 90 minutes"],
    [360, "Every 6 hours"],
    [1440, "Every day"],
    [10_080, "Every 7 days"],
  ])("%s minutes is %s", (minutes, text) => {
    expect(formatSchedule(minutes)).toBe(text);
  });
});

describe("nextRun", () => {
  const NOW = Date.parse("2026-03-10T12:00:00Z");
  const filter = (schedule_minutes: number | null, next_sync_at: string | null, deleted_at: string | null = null) => ({
    schedule_minutes,
    next_sync_at,
    deleted_at,
  });

  it("is manual without a schedule", () => {
    expect(nextRun(filter(null, null), NOW)).toEqual({ state: "manual" });
  });

  it("is planned ahead, and due once the time has come or passed", () => {
    expect(nextRun(filter(60, "2026-03-10T13:00:00Z"), NOW)).toEqual({ state: "planned", at: "2026-03-10T13:00:00Z" });
    expect(nextRun(filter(60, "2026-03-10T12:00:00Z"), NOW)).toEqual({ state: "due", at: "2026-03-10T12:00:00Z" });
    expect(nextRun(filter(60, "2026-03-10T09:30:00Z"), NOW)).toEqual({ state: "due", at: "2026-03-10T09:30:00Z" });
  });

  it("says nothing for a deleted filter or a schedule without a time", () => {
    expect(nextRun(filter(60, "2026-03-10T13:00:00Z", "2026-03-01T00:00:00Z"), NOW)).toBeNull();
    expect(nextRun(filter(null, null, "2026-03-01T00:00:00Z"), NOW)).toBeNull();
    expect(nextRun(filter(60, null), NOW)).toBeNull();
    expect(nextRun(filter(60, "not a time"), NOW)).toBeNull();
  });

  it("is held until the budget's midnight, with the server's reason", () => {
    const hold = { until: "2026-03-11T00:00:00Z", reason: "Pipedrive budget: 29,990 of today's 30,000 tokens are spent" };
    expect(nextRun({ ...filter(60, "2026-03-11T00:00:00Z"), schedule_hold: hold }, NOW)).toEqual({
      state: "held",
      at: "2026-03-11T00:00:00Z",
      reason: hold.reason,
    });
  });

  it("is due once a hold has ended, and ignores holds on deleted or unscheduled filters", () => {
    const ended = { until: "2026-03-10T00:00:00Z", reason: "yesterday's budget" };
    expect(nextRun({ ...filter(60, "2026-03-10T00:00:00Z"), schedule_hold: ended }, NOW)).toEqual({
      state: "due",
      at: "2026-03-10T00:00:00Z",
    });
    const hold = { until: "2026-03-11T00:00:00Z", reason: "spent" };
    expect(nextRun({ ...filter(null, null), schedule_hold: hold }, NOW)).toEqual({ state: "manual" });
    expect(nextRun({ ...filter(60, null, "2026-03-01T00:00:00Z"), schedule_hold: hold }, NOW)).toBeNull();
  });
});

describe("formatHoldUntil", () => {
  const NOW = Date.parse("2026-03-10T21:30:00Z");

  it("names the next midnight by its UTC time alone", () => {
    expect(formatHoldUntil("2026-03-11T00:00:00Z", NOW, { locale: "en-GB" })).toBe("00:00 UTC");
    // A 12-hour locale still reads the midnight as 00:00, not 12:00 AM.
    expect(formatHoldUntil("2026-03-11T00:00:00Z", NOW, { locale: "en-US" })).toBe("00:00 UTC");
  });

  it("adds the day when the hold ends later than a day from now", () => {
    expect(formatHoldUntil("2026-03-12T00:00:00Z", NOW, { locale: "en-GB" })).toBe("12 Mar, 00:00 UTC");
  });

  it("shows a dash for an unreadable time", () => {
    expect(formatHoldUntil("soon", NOW)).toBe("—");
  });
});
