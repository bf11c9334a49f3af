import { describe, expect, it } from "vitest";

import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDuration,
  formatRelative,
  formatUntil,
  formatUtcDay,
  jobDurationMs,
  parseTimestamp,
  plural,
} from "./format";

const NOW = Date.parse("2026-03-10T12:00:00Z");
const en = { locale: "en-GB", timeZone: "UTC" };
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe("formatRelative", () => {
  it("calls the last 45 seconds just now, even a little in the future", () => {
    expect(formatRelative(ago(0), NOW, en)).toBe("just now");
    expect(formatRelative(ago(44_000), NOW, en)).toBe("just now");
    expect(formatRelative(ago(-5_000), NOW, en)).toBe("just now");
  });

  it("counts minutes, hours and days", () => {
    expect(formatRelative(ago(50_000), NOW, en)).toBe("1 minute ago");
    expect(formatRelative(ago(5 * 60_000), NOW, en)).toBe("5 minutes ago");
    expect(formatRelative(ago(3 * 3_600_000), NOW, en)).toBe("3 hours ago");
    expect(formatRelative(ago(26 * 3_600_000), NOW, en)).toBe("yesterday");
    expect(formatRelative(ago(3 * 86_400_000), NOW, en)).toBe("3 days ago");
  });

  it("shows the date once a week has passed", () => {
    expect(formatRelative("2026-02-01T08:00:00Z", NOW, en)).toBe("1 Feb 2026");
  });

  it("shows a dash for a missing or broken timestamp", () => {
    expect(formatRelative(null, NOW, en)).toBe("—");
    expect(formatRelative("not a date", NOW, en)).toBe("—");
  });
});

describe("formatUntil", () => {
  const ahead = (ms: number) => new Date(NOW + ms).toISOString();

  it("counts down to a planned time", () => {
    expect(formatUntil(ahead(5 * 60_000), NOW, en)).toBe("in 5 minutes");
    expect(formatUntil(ahead(3 * 3_600_000), NOW, en)).toBe("in 3 hours");
    expect(formatUntil(ahead(3_600_000 - 2_000), NOW, en)).toBe("in 1 hour");
    expect(formatUntil(ahead(30 * 3_600_000), NOW, en)).toBe("tomorrow");
    expect(formatUntil(ahead(9 * 86_400_000), NOW, en)).toBe("19 Mar 2026");
  });

  it("says any moment once it is due, and a dash without a time", () => {
    expect(formatUntil(ahead(20_000), NOW, en)).toBe("any moment");
    expect(formatUntil(ahead(-120_000), NOW, en)).toBe("any moment");
    expect(formatUntil(null, NOW, en)).toBe("—");
  });
});

describe("absolute times", () => {
  it("renders RFC 3339 UTC in the requested zone", () => {
    expect(formatDateTime("2026-03-10T12:00:05Z", en)).toBe("10 Mar 2026, 12:00:05");
    expect(formatDateTime("2026-03-10T12:00:05Z", { locale: "en-GB", timeZone: "Europe/Berlin" })).toBe(
      "10 Mar 2026, 13:00:05",
    );
    expect(formatDate("2026-03-10T23:30:00Z", { locale: "en-GB", timeZone: "Asia/Tokyo" })).toBe("11 Mar 2026");
  });

  it("parses offsets other than Z", () => {
    expect(parseTimestamp("2026-03-10T13:00:00+01:00")).toBe(NOW);
    expect(parseTimestamp(undefined)).toBeNull();
  });
});

describe("formatUtcDay", () => {
  it("names the UTC day, whatever the operator's zone", () => {
    // 23:30 UTC is the 11th in Tokyo (see formatDate above); on the server's calendar, the 10th.
    expect(formatUtcDay(Date.parse("2026-03-10T23:30:00Z"), { locale: "en-GB" })).toBe("10 Mar");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "under 1 s"],
    [999, "under 1 s"],
    [1_000, "1 s"],
    [59_999, "59 s"],
    [60_000, "1 min 00 s"],
    [185_000, "3 min 05 s"],
    [3_600_000, "1 h 00 min"],
    [7_620_000, "2 h 07 min"],
    [-1, "—"],
    [Number.NaN, "—"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("jobDurationMs", () => {
  it("measures a finished job from start to end", () => {
    expect(jobDurationMs({ created_at: "2026-03-10T11:58:00Z", completed_at: "2026-03-10T11:59:30Z" }, NOW)).toBe(
      90_000,
    );
  });

  it("measures a running job up to now", () => {
    expect(jobDurationMs({ created_at: ago(12_000), completed_at: null }, NOW)).toBe(12_000);
  });

  it("never goes negative when the clocks disagree", () => {
    expect(jobDurationMs({ created_at: ago(-3_000), completed_at: null }, NOW)).toBe(0);
  });

  it("gives null for an unreadable start", () => {
    expect(jobDurationMs({ created_at: "garbage" }, NOW)).toBeNull();
  });
});

describe("counts", () => {
  it("groups digits and shows a dash for missing values", () => {
    expect(formatCount(10_000, { locale: "en-US" })).toBe("10,000");
    expect(formatCount(0, { locale: "en-US" })).toBe("0");
    expect(formatCount(null)).toBe("—");
  });

  it("pluralises", () => {
    expect(plural(1, "filter")).toBe("1 filter");
    expect(plural(0, "filter")).toBe("0 filters");
  });
});
