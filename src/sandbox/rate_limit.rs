//! Help Scout's rate limit: a sliding 60-second window of weighted requests (writes count 2).
//!
//! Each API has its own window. Refused requests are not counted, so a client that waits for
//! `Retry-After` gets in.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::http::Method;
use axum::response::Response;

use super::responses::{Api, rate_limited};
use super::state::{Shared, lock};

/// The window's length.
pub const WINDOW: Duration = Duration::from_mins(1);

/// Requests accepted in the last [`WINDOW`], oldest first.
#[derive(Debug)]
pub struct RateWindow {
    limit: u32,
    accepted: VecDeque<(Instant, u32)>,
}

/// The limiter's verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let through; counted.
    Allowed {
        /// The limit per minute.
        limit: u32,
        /// What is left of it after this request.
        remaining: u32,
    },
    /// Refused with 429; not counted.
    Refused {
        /// The limit per minute.
        limit: u32,
        /// What is left of it (less than this request needs).
        remaining: u32,
        /// Whole seconds until this request would fit (at least 1).
        retry_after_secs: u64,
    },
    /// No limit configured.
    Unlimited,
}

/// A request's weight: writes count 2, reads 1.
pub fn weight(method: &Method) -> u32 {
    if [Method::POST, Method::PATCH, Method::PUT, Method::DELETE].contains(method) { 2 } else { 1 }
}

impl RateWindow {
    /// A window allowing `limit` weighted requests a minute; 0 means no limit.
    pub fn new(limit: u32) -> Self {
        Self { limit, accepted: VecDeque::new() }
    }

    /// Counts a request of `weight` at `now` if it fits.
    pub fn try_take(&mut self, weight: u32, now: Instant) -> Decision {
        if self.limit == 0 {
            return Decision::Unlimited;
        }
        self.forget_before(now);
        // A write under a limit of 1 could never fit; it costs the whole limit instead.
        let weight = weight.min(self.limit);
        let used = self.used();
        let remaining = self.limit.saturating_sub(used);
        if weight <= remaining {
            self.accepted.push_back((now, weight));
            return Decision::Allowed { limit: self.limit, remaining: remaining - weight };
        }
        let mut freed = 0;
        let mut retry_after = WINDOW;
        for (at, w) in &self.accepted {
            freed += w;
            if used - freed + weight <= self.limit {
                retry_after = (*at + WINDOW).saturating_duration_since(now);
                break;
            }
        }
        let retry_after_secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Decision::Refused { limit: self.limit, remaining, retry_after_secs: retry_after_secs.max(1) }
    }

    /// The limit and what is left of it, without counting anything; `None` when unlimited.
    pub fn peek(&mut self, now: Instant) -> Option<(u32, u32)> {
        if self.limit == 0 {
            return None;
        }
        self.forget_before(now);
        Some((self.limit, self.limit.saturating_sub(self.used())))
    }

    fn used(&self) -> u32 {
        self.accepted.iter().map(|(_, w)| w).sum()
    }

    fn forget_before(&mut self, now: Instant) {
        while let Some((at, _)) = self.accepted.front() {
            if now.saturating_duration_since(*at) >= WINDOW {
                self.accepted.pop_front();
            } else {
                break;
            }
        }
    }
}

/// A request the limiter refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    limit: u32,
    remaining: u32,
    retry_after_secs: u64,
}

impl Refused {
    /// The 429 to send, in `api`'s shape.
    pub fn response(self, api: Api) -> Response {
        rate_limited(api, self.limit, self.remaining, self.retry_after_secs)
    }
}

/// Counts a request to `api` against its window: `Ok(Some((limit, remaining)))` for the
/// answer's headers, `Ok(None)` when unlimited, or the refusal.
pub fn admit(shared: &Shared, api: Api, method: &Method) -> Result<Option<(u32, u32)>, Refused> {
    let decision = lock(shared.window(api)).try_take(weight(method), Instant::now());
    match decision {
        Decision::Allowed { limit, remaining } => Ok(Some((limit, remaining))),
        Decision::Unlimited => Ok(None),
        Decision::Refused { limit, remaining, retry_after_secs } => Err(Refused { limit, remaining, retry_after_secs }),
    }
}

/// The limit and what is left of it for `api`, without counting; `None` when unlimited.
pub fn current(shared: &Shared, api: Api) -> Option<(u32, u32)> {
    lock(shared.window(api)).peek(Instant::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_count_double_and_the_window_slides() {
        let start = Instant::now();
        let mut window = RateWindow::new(5);
        assert_eq!(window.try_take(2, start), Decision::Allowed { limit: 5, remaining: 3 });
        let later = start + Duration::from_secs(10);
        assert_eq!(window.try_take(2, later), Decision::Allowed { limit: 5, remaining: 1 });
        assert_eq!(window.try_take(1, later), Decision::Allowed { limit: 5, remaining: 0 });
        // The oldest write frees 2 at start + 60 s: 30 s after `later + 20 s`.
        assert_eq!(
            window.try_take(2, later + Duration::from_secs(20)),
            Decision::Refused { limit: 5, remaining: 0, retry_after_secs: 30 }
        );
        assert_eq!(window.try_take(2, start + WINDOW), Decision::Allowed { limit: 5, remaining: 0 });
        assert_eq!(window.peek(start + WINDOW), Some((5, 0)));
    }

    #[test]
    fn zero_means_unlimited_and_a_write_fits_a_limit_of_one() {
        let now = Instant::now();
        assert_eq!(RateWindow::new(0).try_take(2, now), Decision::Unlimited);
        assert_eq!(RateWindow::new(0).peek(now), None);
        let mut window = RateWindow::new(1);
        assert_eq!(window.try_take(2, now), Decision::Allowed { limit: 1, remaining: 0 });
        assert!(matches!(window.try_take(1, now), Decision::Refused { retry_after_secs: 60, .. }));
    }

    #[test]
    fn reads_weigh_one_and_writes_two() {
        assert_eq!(weight(&Method::GET), 1);
        assert_eq!(weight(&Method::POST), 2);
        assert_eq!(weight(&Method::PATCH), 2);
    }
}
