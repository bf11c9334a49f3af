import { describe, expect, it } from "vitest";

import type { UsageDay } from "../api/client";
import { budgetState, formatBudgetNote, formatDay, formatTokensToday, formatUsageSummary, usageChart } from "./usage";

const en = { locale: "en-GB" };
const day = (date: string, pipedrive_tokens: number): UsageDay => ({ date, pipedrive_tokens, brevo_requests: 0 });

describe("formatTokensToday", () => {
  it("counts today's tokens against the budget", () => {
    expect(formatTokensToday({ tokens_today: 1240, daily_token_budget: 30_000 }, en)).toBe("1,240 of 30,000 tokens today");
    expect(formatTokensToday({ tokens_today: 0, daily_token_budget: 500 }, en)).toBe("0 of 500 tokens today");
  });

  it("says when no budget is set, whether the field is null or missing", () => {
    expect(formatTokensToday({ tokens_today: 1240, daily_token_budget: null }, en)).toBe("1,240 tokens today · no budget set");
    expect(formatTokensToday({ tokens_today: 20 }, en)).toBe("20 tokens today · no budget set");
  });
});

describe("budgetState", () => {
  it("has no meter without a budget", () => {
    expect(budgetState({ tokens_today: 1240, daily_token_budget: null })).toBeNull();
  });

  it("fills the meter by the share spent and keeps what is left", () => {
    expect(budgetState({ tokens_today: 1240, daily_token_budget: 30_000 })).toEqual({
      share: 1240 / 30_000,
      left: 28_760,
      level: "ok",
    });
  });

  it("warns from 80 % and calls the budget spent once reached", () => {
    expect(budgetState({ tokens_today: 799, daily_token_budget: 1000 })?.level).toBe("ok");
    expect(budgetState({ tokens_today: 800, daily_token_budget: 1000 })?.level).toBe("near");
    expect(budgetState({ tokens_today: 1000, daily_token_budget: 1000 })).toEqual({ share: 1, left: 0, level: "spent" });
  });

  it("never overfills the meter or goes below nothing left", () => {
    expect(budgetState({ tokens_today: 1500, daily_token_budget: 1000 })).toEqual({ share: 1, left: 0, level: "spent" });
    expect(budgetState({ tokens_today: 5, daily_token_budget: 0 })).toEqual({ share: 1, left: 0, level: "spent" });
  });
});

describe("formatBudgetNote", () => {
  it("says what is left for scheduled syncs, or that they wait", () => {
    expect(formatBudgetNote({ share: 0.04, left: 28_760, level: "ok" }, en)).toBe(
      "28,760 tokens left for scheduled syncs until midnight UTC.",
    );
    expect(formatBudgetNote({ share: 1, left: 0, level: "spent" }, en)).toBe(
      "Budget spent: scheduled syncs wait for midnight UTC. Manual syncs still start.",
    );
  });

  it("names the setting when there is no budget", () => {
    expect(formatBudgetNote(null)).toContain("PIPEDRIVE_DAILY_TOKEN_BUDGET");
  });
});

describe("formatDay", () => {
  it("names a UTC day by day and month", () => {
    expect(formatDay("2026-12-03", en)).toBe("3 Dec");
    expect(formatDay("2026-01-31", { locale: "en-US" })).toBe("Jan 31");
  });

  it("shows an unreadable date as it came", () => {
    expect(formatDay("someday", en)).toBe("someday");
  });
});

describe("formatUsageSummary", () => {
  it("sums the days and names the busiest and today", () => {
    const days = [day("2026-12-01", 900), day("2026-12-02", 1240), day("2026-12-03", 20)];
    expect(formatUsageSummary(days, en)).toBe(
      "Pipedrive tokens per UTC day, last 3 days: 2,160 in all, the most 1,240 on 2 Dec; today 20.",
    );
  });

  it("names the first of equally busy days", () => {
    const days = [day("2026-12-01", 50), day("2026-12-02", 50)];
    expect(formatUsageSummary(days, en)).toContain("the most 50 on 1 Dec");
  });

  it("says when nothing was spent", () => {
    expect(formatUsageSummary([day("2026-12-01", 0), day("2026-12-02", 0)], en)).toBe(
      "Pipedrive tokens per UTC day, last 2 days: none spent.",
    );
  });
});

describe("usageChart", () => {
  const size = { width: 300, height: 60 };

  it("gives each day a slot, oldest left, and scales to the busiest day", () => {
    const chart = usageChart([day("2026-12-01", 100), day("2026-12-02", 50), day("2026-12-03", 0)], size);
    expect(chart.max).toBe(100);
    expect(chart.bars.map((bar) => bar.date)).toEqual(["2026-12-01", "2026-12-02", "2026-12-03"]);
    const [first, second, third] = chart.bars;
    expect(first).toMatchObject({ tokens: 100, height: 60, y: 0 });
    expect(second).toMatchObject({ tokens: 50, height: 30, y: 30 });
    expect(third).toMatchObject({ tokens: 0, height: 0, y: 60 });
    // Slots of 100 with a 6-unit gap, centred: the bars never touch or leave the drawing.
    expect(chart.bars.map((bar) => [bar.x, bar.width])).toEqual([
      [3, 94],
      [103, 94],
      [203, 94],
    ]);
  });

  it("keeps a small day visible next to a busy one", () => {
    const chart = usageChart([day("2026-12-01", 100_000), day("2026-12-02", 20)], { ...size, minBar: 2 });
    expect(chart.bars[1]?.height).toBe(2);
  });

  it("draws nothing for no days and flat bars for days without calls", () => {
    expect(usageChart([], size)).toEqual({ bars: [], max: 0 });
    const idle = usageChart([day("2026-12-01", 0), day("2026-12-02", 0)], size);
    expect(idle.max).toBe(0);
    expect(idle.bars.every((bar) => bar.height === 0)).toBe(true);
  });

  it("narrows the gap for 30 days so the bars stay wider than the gaps", () => {
    const month = Array.from({ length: 30 }, (_, index) => day(`2026-11-${String(index + 1).padStart(2, "0")}`, index));
    const chart = usageChart(month, { width: 600, height: 60 });
    expect(chart.bars).toHaveLength(30);
    expect(chart.bars[0]?.width).toBeCloseTo(14);
    expect(chart.bars[29]?.x).toBeCloseTo(29 * 20 + 3);
  });
});
