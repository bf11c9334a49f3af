//! The upstream budget (DESIGN §9): today's Pipedrive tokens (stored days plus the calls not
//! yet flushed), the last 30 days for `GET /api/usage`, and whether a scheduled sync fits in
//! what is left of `PIPEDRIVE_DAILY_TOKEN_BUDGET`.

use std::sync::Arc;

use sqlx::SqlitePool;
use time::{Date, Duration};

use crate::{
    db::{self, DbError},
    domain::time::UnixTime,
    telemetry::error_chain,
    upstream::usage::{DayUsage, UsageMeter},
};

/// The days `GET /api/usage` covers, today included.
pub const DAYS: u8 = 30;

/// Persons per Pipedrive page, and what a job reads besides its pages (the person fields,
/// for a mapping with custom fields): the estimate of a filter's next sync.
const PERSONS_PER_PAGE: i64 = 500;
const JOB_OVERHEAD_TOKENS: u32 = crate::upstream::pipedrive::PERSON_FIELDS_TOKENS;

#[derive(Clone)]
pub struct Usage {
    pool: SqlitePool,
    meter: Arc<UsageMeter>,
    pub daily_token_budget: Option<u64>,
}

/// Why a scheduled sync waits, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    pub until: UnixTime,
    pub reason: String,
}

impl Usage {
    pub fn new(pool: SqlitePool, meter: Arc<UsageMeter>, daily_token_budget: Option<u64>) -> Self {
        Self {
            pool,
            meter,
            daily_token_budget,
        }
    }

    /// Writes the unflushed calls; on failure they stay for the next flush.
    pub async fn flush(&self) {
        let pending = self.meter.take();
        if pending.is_empty() {
            return;
        }
        if let Err(err) = db::usage::add(&self.pool, &pending).await {
            tracing::warn!(error = %error_chain(&err), "could not record the upstream usage; kept for the next try");
            self.meter.restore(pending);
        }
    }

    /// The last [`DAYS`] UTC days, oldest first, every day present (zero when unused).
    pub async fn days(&self, now: UnixTime) -> Result<Vec<DayUsage>, DbError> {
        let first = now.utc_date() - Duration::days(i64::from(DAYS) - 1);
        let stored = db::usage::since(&self.pool, first).await?;
        Ok((0..i64::from(DAYS))
            .map(|offset| self.day(&stored, first + Duration::days(offset)))
            .collect())
    }

    pub async fn tokens_today(&self, now: UnixTime) -> Result<u64, DbError> {
        let today = now.utc_date();
        let stored = db::usage::since(&self.pool, today).await?;
        Ok(self.day(&stored, today).pipedrive_tokens)
    }

    /// The day's stored usage (zero when none) with the calls not yet flushed.
    fn day(&self, stored: &[DayUsage], date: Date) -> DayUsage {
        let stored = stored.iter().find(|d| d.date == date).copied();
        self.meter
            .with_pending(stored.unwrap_or(DayUsage::none(date)))
    }

    /// Whether a scheduled sync whose last run fetched `last_fetched` persons fits in today's
    /// budget; `Err` with the hold (until the next UTC midnight) when it does not.
    pub async fn admits(
        &self,
        last_fetched: Option<i64>,
        now: UnixTime,
    ) -> Result<Result<(), OverBudget>, DbError> {
        let Some(budget) = self.daily_token_budget else {
            return Ok(Ok(()));
        };
        let estimate = estimate_tokens(last_fetched);
        let spent = self.tokens_today(now).await?;
        let mut left = budget.saturating_sub(spent);
        let reported = self.meter.reported_remaining();
        if let Some(reported) = reported {
            left = left.min(reported.tokens);
        }
        if estimate <= left {
            return Ok(Ok(()));
        }
        let until = now.next_utc_midnight();
        let said = reported.map_or_else(String::new, |r| {
            format!(", Pipedrive reports {} left", r.tokens)
        });
        Ok(Err(OverBudget {
            until,
            reason: format!(
                "Pipedrive budget: {spent} of today's {budget} tokens are spent{said}, and this filter's sync takes about {estimate}; it runs after {} (midnight UTC).",
                until.to_rfc3339()
            ),
        }))
    }
}

/// A sync costs a page of persons per 500 (10 tokens each) and the person fields.
pub fn estimate_tokens(last_fetched: Option<i64>) -> u64 {
    let pages = last_fetched.map_or(1, |n| (n.max(1) + PERSONS_PER_PAGE - 1) / PERSONS_PER_PAGE);
    u64::try_from(pages).unwrap_or(1) * u64::from(crate::upstream::pipedrive::PERSONS_TOKENS)
        + u64::from(JOB_OVERHEAD_TOKENS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_is_estimated_from_its_last_run() {
        assert_eq!(estimate_tokens(None), 20);
        assert_eq!(estimate_tokens(Some(0)), 20);
        assert_eq!(estimate_tokens(Some(500)), 20);
        assert_eq!(estimate_tokens(Some(501)), 30);
        assert_eq!(estimate_tokens(Some(100_000)), 2_010);
    }
}
