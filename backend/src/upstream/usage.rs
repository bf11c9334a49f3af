//! What the upstream calls cost, counted as they are answered: Pipedrive tokens at each
//! operation's documented `x-token-cost`, Brevo requests one each, per UTC day. Held here
//! until the background flush adds them to `usage_days`, so a call never waits on a write.

use std::sync::Mutex;

use time::Date;

use super::Api;
use crate::domain::time::UnixTime;

/// One UTC day's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayUsage {
    pub date: Date,
    pub pipedrive_tokens: u64,
    pub brevo_requests: u64,
}

impl DayUsage {
    /// A day without calls.
    pub fn none(date: Date) -> Self {
        Self {
            date,
            pipedrive_tokens: 0,
            brevo_requests: 0,
        }
    }

    fn add(&mut self, other: &DayUsage) {
        self.pipedrive_tokens += other.pipedrive_tokens;
        self.brevo_requests += other.brevo_requests;
    }
}

/// What Pipedrive said is left of today's budget (`x-daily-ratelimit-token-remaining`), and
/// when it said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportedRemaining {
    pub at: UnixTime,
    pub tokens: u64,
}

#[derive(Debug, Default)]
pub struct UsageMeter {
    /// Not yet flushed, one entry per day (two around midnight).
    pending: Mutex<Vec<DayUsage>>,
    remaining: Mutex<Option<ReportedRemaining>>,
}

impl UsageMeter {
    /// An answered call of `api`, costing `tokens` (Pipedrive; Brevo counts requests).
    pub fn record(&self, api: Api, tokens: u32) {
        let date = UnixTime::now().utc_date();
        let mut pending = self.pending.lock().expect("usage lock");
        let day = match pending.iter_mut().find(|day| day.date == date) {
            Some(day) => day,
            None => {
                pending.push(DayUsage::none(date));
                pending.last_mut().expect("just pushed")
            }
        };
        match api {
            Api::Pipedrive => {
                day.pipedrive_tokens += u64::from(tokens);
                crate::metrics::record_pipedrive_tokens(u64::from(tokens));
            }
            Api::Brevo => day.brevo_requests += 1,
        }
    }

    pub fn report_remaining(&self, tokens: u64) {
        *self.remaining.lock().expect("usage lock") = Some(ReportedRemaining {
            at: UnixTime::now(),
            tokens,
        });
    }

    /// Pipedrive's own figure for today, when it sent one today.
    pub fn reported_remaining(&self) -> Option<ReportedRemaining> {
        let reported = *self.remaining.lock().expect("usage lock");
        reported.filter(|r| r.at.utc_date() == UnixTime::now().utc_date())
    }

    /// The unflushed calls, emptied; [`Self::restore`] puts them back when the write fails.
    pub fn take(&self) -> Vec<DayUsage> {
        std::mem::take(&mut *self.pending.lock().expect("usage lock"))
    }

    pub fn restore(&self, usage: Vec<DayUsage>) {
        let mut pending = self.pending.lock().expect("usage lock");
        for day in usage {
            match pending.iter_mut().find(|p| p.date == day.date) {
                Some(p) => p.add(&day),
                None => pending.push(day),
            }
        }
    }

    /// `stored`, the day's usage already flushed, with what is not yet.
    pub fn with_pending(&self, mut stored: DayUsage) -> DayUsage {
        let pending = self.pending.lock().expect("usage lock");
        if let Some(day) = pending.iter().find(|day| day.date == stored.date) {
            stored.add(day);
        }
        stored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_per_day_and_survive_a_failed_flush() {
        let meter = UsageMeter::default();
        meter.record(Api::Pipedrive, 10);
        meter.record(Api::Pipedrive, 20);
        meter.record(Api::Brevo, 0);
        let today = UnixTime::now().utc_date();
        let taken = meter.take();
        assert_eq!(
            taken,
            [DayUsage {
                date: today,
                pipedrive_tokens: 30,
                brevo_requests: 1
            }]
        );
        assert_eq!(
            meter.with_pending(DayUsage::none(today)).pipedrive_tokens,
            0
        );
        meter.record(Api::Pipedrive, 10);
        meter.restore(taken);
        assert_eq!(
            meter.with_pending(DayUsage::none(today)).pipedrive_tokens,
            40
        );
    }
}
