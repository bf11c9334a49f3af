//! Client-side pacing for one rate-limit bucket: a sliding window of recent requests, plus a
//! "not before" instant set when the server says to slow down.

use std::{collections::VecDeque, time::Duration};

use tokio::{sync::Mutex, time::Instant};

pub struct RateGate {
    state: Mutex<GateState>,
}

struct GateState {
    /// At most `limit` requests in any `period`; `None` leaves pacing to the server's headers.
    window: Option<(usize, Duration)>,
    recent: VecDeque<Instant>,
    not_before: Option<Instant>,
}

impl RateGate {
    pub fn new(window: Option<(usize, Duration)>) -> Self {
        Self {
            state: Mutex::new(GateState {
                window,
                recent: VecDeque::new(),
                not_before: None,
            }),
        }
    }

    /// Waits until a request may go out, then counts it. Callers queue on the lock, so the
    /// order of requests is kept and the window is never overrun. A wait longer than
    /// `max_wait` is refused with the instant the slot would come: the caller fails then
    /// rather than sleeping for an hour.
    pub async fn admit(&self, max_wait: Duration) -> Result<(), Instant> {
        let mut state = self.state.lock().await;
        loop {
            let now = Instant::now();
            match state.next_slot(now) {
                Some(at) if at > now + max_wait => return Err(at),
                Some(at) if at > now => tokio::time::sleep_until(at).await,
                _ => break,
            }
        }
        let now = Instant::now();
        if let Some((limit, _)) = state.window {
            if state.recent.len() >= limit {
                state.recent.pop_front();
            }
            state.recent.push_back(now);
        }
        Ok(())
    }

    /// Paces to at most `limit` requests per `period` from now on (a limit the server
    /// announced).
    pub async fn set_window(&self, limit: usize, period: Duration) {
        let mut state = self.state.lock().await;
        if state.window != Some((limit, period)) {
            state.window = Some((limit, period));
            while state.recent.len() > limit {
                state.recent.pop_front();
            }
        }
    }

    /// Whether this client's own last `limit` requests went out within the period plus
    /// `slack`: then a server that says the window is spent speaks of them (it counts from
    /// when they arrived, and answers later), and `admit` already waits for the next slot.
    pub async fn own_requests_fill_window(&self, slack: Duration) -> bool {
        let state = self.state.lock().await;
        state.window.is_some_and(|(limit, period)| {
            state.recent.len() >= limit
                && state
                    .recent
                    .front()
                    .is_some_and(|t| t.elapsed() < period + slack)
        })
    }

    /// No request before `at` (a 429's `Retry-After`, or a window the server says is spent).
    pub async fn pause_until(&self, at: Instant) {
        let mut state = self.state.lock().await;
        state.not_before = Some(state.not_before.map_or(at, |current| current.max(at)));
    }
}

impl GateState {
    fn next_slot(&mut self, now: Instant) -> Option<Instant> {
        let pause = self.not_before.filter(|at| *at > now);
        let window = self.window.and_then(|(limit, period)| {
            while self
                .recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= period)
            {
                self.recent.pop_front();
            }
            (self.recent.len() >= limit).then(|| self.recent[0] + period)
        });
        pause.max(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_wait_beyond_the_cap_is_refused_with_its_end() {
        let gate = RateGate::new(Some((1, Duration::from_secs(3600))));
        let start = Instant::now();
        gate.admit(Duration::from_secs(120)).await.unwrap();

        let refused = gate.admit(Duration::from_secs(120)).await;

        assert_eq!(refused, Err(start + Duration::from_secs(3600)));
        assert_eq!(Instant::now(), start, "refused without sleeping");
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_spaces_requests_out() {
        let gate = RateGate::new(Some((2, Duration::from_secs(1))));
        let start = Instant::now();
        for _ in 0..5 {
            gate.admit(Duration::from_secs(60)).await.unwrap();
        }
        // 2 at 0 s, 2 at 1 s, the fifth at 2 s.
        assert_eq!(Instant::now().duration_since(start).as_secs(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_later_request() {
        let gate = RateGate::new(None);
        let start = Instant::now();
        gate.pause_until(start + Duration::from_secs(3)).await;
        gate.pause_until(start + Duration::from_secs(1)).await; // never shortens a pause
        gate.admit(Duration::from_secs(60)).await.unwrap();
        assert!(Instant::now().duration_since(start) >= Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_is_known_to_be_the_clients_own() {
        let gate = RateGate::new(Some((2, Duration::from_secs(1))));
        let slack = Duration::from_millis(500);
        gate.admit(Duration::from_secs(60)).await.unwrap();
        assert!(!gate.own_requests_fill_window(slack).await);
        gate.admit(Duration::from_secs(60)).await.unwrap();
        tokio::time::advance(Duration::from_millis(1200)).await;
        assert!(
            gate.own_requests_fill_window(slack).await,
            "within the slack"
        );
        tokio::time::advance(Duration::from_millis(300)).await;
        assert!(!gate.own_requests_fill_window(slack).await);
        assert!(!RateGate::new(None).own_requests_fill_window(slack).await);
    }
}
