// Pipedrive's API budget in words and shapes (DESIGN §9): pure functions, so the filters
// page's line, its meter and its chart agree on what `GET /api/usage` says.

import type { PipedriveUsage, UsageDay } from "../api/client";
import { formatCount, formatUtcDay, type FormatOptions } from "./format";

/** From this share of the budget on, the meter warns: the next scheduled sync may not fit. */
export const NEAR_BUDGET = 0.8;

/** "1,240 of 30,000 tokens today", or "1,240 tokens today · no budget set". */
export function formatTokensToday(usage: PipedriveUsage, options: FormatOptions = {}): string {
  const spent = formatCount(usage.tokens_today, options);
  const budget = usage.daily_token_budget;
  return budget == null
    ? `${spent} tokens today · no budget set`
    : `${spent} of ${formatCount(budget, options)} tokens today`;
}

/** Today's spend against the budget; see `budgetState`. */
export interface BudgetState {
  /** 0 to 1: how much of the meter to fill (a spend past the budget fills it, no more). */
  share: number;
  /** Tokens scheduled syncs may still spend today; never negative. */
  left: number;
  level: "ok" | "near" | "spent";
}

/** Null without a budget: then nothing holds scheduled syncs back, and there is no meter. */
export function budgetState(usage: PipedriveUsage): BudgetState | null {
  const budget = usage.daily_token_budget;
  if (budget == null) return null;
  const spent = Math.max(0, usage.tokens_today);
  // A budget of 0 cannot be set (the server refuses it); read it as spent rather than divide by it.
  const share = budget > 0 ? Math.min(1, spent / budget) : 1;
  const level = spent >= budget ? "spent" : share >= NEAR_BUDGET ? "near" : "ok";
  return { share, left: Math.max(0, budget - spent), level };
}

/** The line under the meter: what the spend means for the scheduled syncs. */
export function formatBudgetNote(state: BudgetState | null, options: FormatOptions = {}): string {
  if (state === null) return "Scheduled syncs are not held back: set PIPEDRIVE_DAILY_TOKEN_BUDGET to cap them.";
  if (state.level === "spent") {
    return "Budget spent: scheduled syncs wait for midnight UTC. Manual syncs still start.";
  }
  return `${formatCount(state.left, options)} tokens left for scheduled syncs until midnight UTC.`;
}

/** "3 Dec" for the API's "2026-12-03"; an unreadable date as it came. */
export function formatDay(date: string, options: Pick<FormatOptions, "locale"> = {}): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? date : formatUtcDay(ms, options);
}

/**
 * What the chart shows, in one sentence for screen readers: "Pipedrive tokens per UTC day,
 * last 30 days: 2,140 in all, the most 1,240 on 3 Dec; today 20."
 */
export function formatUsageSummary(days: readonly UsageDay[], options: Pick<FormatOptions, "locale"> = {}): string {
  const n = (value: number) => formatCount(value, options);
  const span = days.length === 1 ? "today" : `last ${days.length} days`;
  const total = days.reduce((sum, day) => sum + day.pipedrive_tokens, 0);
  if (total === 0) return `Pipedrive tokens per UTC day, ${span}: none spent.`;
  const peak = days.reduce((most, day) => (day.pipedrive_tokens > most.pipedrive_tokens ? day : most));
  const today = days[days.length - 1]?.pipedrive_tokens ?? 0;
  return (
    `Pipedrive tokens per UTC day, ${span}: ${n(total)} in all, ` +
    `the most ${n(peak.pipedrive_tokens)} on ${formatDay(peak.date, options)}; today ${n(today)}.`
  );
}

export interface UsageBar {
  date: string;
  tokens: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface UsageChart {
  bars: UsageBar[];
  /** The busiest day's tokens: the top of the scale. */
  max: number;
}

/**
 * Bar geometry for the usage chart: one slot per day, oldest on the left, today at the right
 * edge. A day with any spend is never drawn flatter than `minBar`, so twenty tokens stay
 * visible next to a day of thousands.
 */
export function usageChart(
  days: readonly UsageDay[],
  { width, height, minBar = 2 }: { width: number; height: number; minBar?: number },
): UsageChart {
  const max = Math.max(0, ...days.map((day) => day.pipedrive_tokens));
  if (days.length === 0) return { bars: [], max };
  const slot = width / days.length;
  const gap = Math.min(slot * 0.3, 6);
  const bars = days.map((day, index) => {
    const tokens = day.pipedrive_tokens;
    const scaled = max === 0 ? 0 : (tokens / max) * height;
    const barHeight = tokens > 0 ? Math.max(minBar, scaled) : 0;
    return { date: day.date, tokens, x: index * slot + gap / 2, y: height - barHeight, width: slot - gap, height: barHeight };
  });
  return { bars, max };
}
