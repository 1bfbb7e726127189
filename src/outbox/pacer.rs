//! Keeps each profile's sends within its API's rate limit, so that a batch of thousands is not
//! refused with 429 more than once per window.
//!
//! Help Scout allows 200 requests a minute per account, writes counting twice; its answers carry
//! `X-RateLimit-Limit-Minute` and `X-RateLimit-Remaining-Minute`, and a 429 says when to try
//! again. The pacer keeps its own sliding window of what it let start, learns the limit from the
//! headers (Finosu documents none, nor does a server that answers without the headers: the first
//! 429 teaches the pacer how much a minute holds),
//! trusts the server when it counts more than we do (another program on the same account), and
//! after a 429 lets nothing start until the server's time has passed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::backends::{Exchange, Outcome};
use crate::model::Backend;
use crate::sync::lock;

/// The length of a rate-limit window.
pub const WINDOW: Duration = Duration::from_mins(1);

/// What a create costs: writes count twice.
pub const WRITE_WEIGHT: u32 = 2;

/// Help Scout's documented limit, weighted requests per minute.
pub const HELP_SCOUT_LIMIT: u32 = 200;

/// Our window slides a little later than the server's: a request is counted there when it
/// arrives, after we let it start.
const MARGIN: Duration = Duration::from_secs(1);

/// When a 429 names no wait.
const DEFAULT_PAUSE: Duration = Duration::from_secs(10);

/// One profile's window.
#[derive(Debug, Clone)]
pub struct RatePacer {
    limit: Option<u32>,
    /// The limit is the documented one, not yet confirmed by the server's headers: an answer
    /// without them (a self-hosted or test server) lifts it.
    assumed: bool,
    taken: VecDeque<(Instant, u32)>,
    paused_until: Option<Instant>,
    refusals: u32,
}

impl RatePacer {
    /// A pacer with what is known of `backend`'s limit before any answer.
    pub fn for_backend(backend: Backend) -> Self {
        let limit = match backend {
            Backend::HelpScout => Some(HELP_SCOUT_LIMIT),
            Backend::Finosu => None,
        };
        Self { limit, assumed: limit.is_some(), taken: VecDeque::new(), paused_until: None, refusals: 0 }
    }

    /// The limit per minute, once known.
    pub fn limit(&self) -> Option<u32> {
        self.limit
    }

    /// How many 429s the server answered so far.
    pub fn refusals(&self) -> u32 {
        self.refusals
    }

    /// How long before a request of `weight` may start: zero when it may start now.
    pub fn wait(&mut self, now: Instant, weight: u32) -> Duration {
        let paused = self.paused_until.map_or(Duration::ZERO, |until| until.saturating_duration_since(now));
        let Some(limit) = self.limit else { return paused };
        self.forget_before(now);
        let weight = weight.min(limit);
        let used: u32 = self.taken.iter().map(|(_, w)| w).sum();
        if used + weight <= limit {
            return paused;
        }
        let mut freed = 0;
        for (at, w) in &self.taken {
            freed += w;
            if used - freed + weight <= limit {
                return paused.max((*at + WINDOW + MARGIN).saturating_duration_since(now));
            }
        }
        paused.max(WINDOW)
    }

    /// How many requests of `weight` may start now, one after the other (`u32::MAX` when no
    /// limit is known): 0 while paused or when the window is full.
    pub fn room(&mut self, now: Instant, weight: u32) -> u32 {
        if self.paused_until.is_some_and(|until| until > now) {
            return 0;
        }
        let Some(limit) = self.limit else { return u32::MAX };
        self.forget_before(now);
        let used: u32 = self.taken.iter().map(|(_, w)| w).sum();
        limit.saturating_sub(used) / weight.clamp(1, limit.max(1))
    }

    /// Counts a request of `weight` that starts now.
    pub fn take(&mut self, now: Instant, weight: u32) {
        self.taken.push_back((now, weight));
    }

    /// Learns from an answer: the limit, what the server says is left, a 429's wait.
    pub fn observe(&mut self, now: Instant, exchange: &Exchange) {
        let Some(response) = &exchange.response else { return };
        let number = |name: &str| response.header(name).and_then(|v| v.trim().parse::<u32>().ok());
        let announced = number("X-RateLimit-Limit-Minute").filter(|limit| *limit > 0);
        if let Some(limit) = announced {
            self.limit = Some(limit);
            self.assumed = false;
        } else if self.assumed && response.status < 400 {
            // The server answered without announcing a limit: it keeps none we know of, and
            // its first 429 (if any) teaches one.
            self.limit = None;
            self.assumed = false;
        }
        if let Outcome::RateLimited { retry_after, .. } = &exchange.outcome {
            self.refusals += 1;
            let pause = retry_after.unwrap_or(DEFAULT_PAUSE);
            let until = now + pause + MARGIN;
            self.paused_until = Some(self.paused_until.map_or(until, |earlier| earlier.max(until)));
            if self.limit.is_none() {
                // No header says the limit: what went through in the last minute is what fits.
                self.forget_before(now);
                let used: u32 = self.taken.iter().map(|(_, w)| w).sum();
                self.limit = Some(used.saturating_sub(WRITE_WEIGHT).max(WRITE_WEIGHT));
            }
            return;
        }
        if let (Some(limit), Some(remaining)) = (self.limit, number("X-RateLimit-Remaining-Minute")) {
            self.forget_before(now);
            let used: u32 = self.taken.iter().map(|(_, w)| w).sum();
            let ours = limit.saturating_sub(used);
            if remaining < ours {
                // The server counts more than we sent: someone else uses the account too.
                self.taken.push_back((now, ours - remaining));
            }
        }
    }

    fn forget_before(&mut self, now: Instant) {
        while let Some((at, _)) = self.taken.front() {
            if now.saturating_duration_since(*at) >= WINDOW + MARGIN {
                self.taken.pop_front();
            } else {
                break;
            }
        }
    }
}

/// The pacers of every profile a sender uses, shared by its tasks.
#[derive(Debug, Clone, Default)]
pub struct Pacers(Arc<Mutex<HashMap<String, RatePacer>>>);

impl Pacers {
    /// How long before `profile` may start another create.
    pub fn wait(&self, profile: &str, backend: Backend) -> Duration {
        self.with(profile, backend, |pacer| pacer.wait(Instant::now(), WRITE_WEIGHT))
    }

    /// How many creates of `profile` may start now.
    pub fn room(&self, profile: &str, backend: Backend) -> u32 {
        self.with(profile, backend, |pacer| pacer.room(Instant::now(), WRITE_WEIGHT))
    }

    /// Counts a create of `profile` starting now.
    pub fn take(&self, profile: &str, backend: Backend) {
        self.with(profile, backend, |pacer| pacer.take(Instant::now(), WRITE_WEIGHT));
    }

    /// Learns from the exchanges of an attempt of `profile`.
    pub fn observe(&self, profile: &str, backend: Backend, exchanges: &[Exchange]) {
        let now = Instant::now();
        self.with(profile, backend, |pacer| {
            for exchange in exchanges {
                pacer.observe(now, exchange);
            }
        });
    }

    /// What `profile`'s pacer knows: its limit and the 429s so far.
    pub fn known(&self, profile: &str) -> Option<(Option<u32>, u32)> {
        lock(&self.0).get(profile).map(|pacer| (pacer.limit(), pacer.refusals()))
    }

    fn with<T>(&self, profile: &str, backend: Backend, work: impl FnOnce(&mut RatePacer) -> T) -> T {
        let mut pacers = lock(&self.0);
        let pacer = pacers.entry(profile.to_owned()).or_insert_with(|| RatePacer::for_backend(backend));
        work(pacer)
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::backends::{Header, ResponseRecord};

    fn answer(status: u16, headers: &[(&str, &str)], outcome: Outcome) -> Exchange {
        let mut exchange =
            Exchange::unanswered(Backend::HelpScout, "POST", "http://127.0.0.1/v2/customers".to_owned(), None, outcome);
        exchange.started_at = SystemTime::now();
        exchange.response = Some(ResponseRecord {
            status,
            reason: String::new(),
            headers: headers.iter().map(|(n, v)| Header { name: (*n).to_owned(), value: (*v).to_owned() }).collect(),
            body: Vec::new(),
            body_truncated_from: None,
        });
        exchange
    }

    #[test]
    fn help_scout_lets_a_hundred_creates_through_a_minute_then_waits_for_the_oldest() {
        let start = Instant::now();
        let mut pacer = RatePacer::for_backend(Backend::HelpScout);
        for i in 0..100 {
            let at = start + Duration::from_millis(i * 100);
            assert_eq!(pacer.wait(at, WRITE_WEIGHT), Duration::ZERO, "create {i}");
            pacer.take(at, WRITE_WEIGHT);
        }
        let full = start + Duration::from_secs(10);
        // The first create leaves the window a minute (and the margin) after it started.
        assert_eq!(pacer.wait(full, WRITE_WEIGHT), Duration::from_secs(51));
        assert_eq!(pacer.wait(start + WINDOW + MARGIN, WRITE_WEIGHT), Duration::ZERO);
    }

    #[test]
    fn finosu_is_unpaced_until_a_429_teaches_it_the_limit() {
        let start = Instant::now();
        let mut pacer = RatePacer::for_backend(Backend::Finosu);
        // 50 creates over 30 seconds, the last one refused.
        for i in 0..50 {
            let at = start + Duration::from_millis(i * 600);
            assert_eq!(pacer.wait(at, WRITE_WEIGHT), Duration::ZERO);
            pacer.take(at, WRITE_WEIGHT);
        }
        let refused_at = start + Duration::from_secs(30);
        let refused = answer(
            429,
            &[("Retry-After", "30")],
            Outcome::RateLimited { retry_after: Some(Duration::from_secs(30)), server_value: None },
        );
        pacer.observe(refused_at, &refused);
        assert_eq!(pacer.refusals(), 1);
        // 49 of the 50 fitted: the limit learned is what went through.
        assert_eq!(pacer.limit(), Some(98));
        // The pause (30 s and the margin) and the window (the two oldest creates leave it at
        // 0.6 s + 61 s) agree within a second; the later one holds.
        assert_eq!(pacer.wait(refused_at, WRITE_WEIGHT), Duration::from_millis(31_600));
        // From then on the window paces: the next minute's 49 creates fit, the 50th waits.
        let resumed = start + Duration::from_millis(61_600);
        assert_eq!(pacer.wait(resumed, WRITE_WEIGHT), Duration::ZERO);
    }

    #[test]
    fn the_servers_count_wins_when_it_is_lower_and_its_limit_header_is_learned() {
        let now = Instant::now();
        let mut pacer = RatePacer::for_backend(Backend::HelpScout);
        pacer.take(now, WRITE_WEIGHT);
        let ok = answer(
            201,
            &[("X-RateLimit-Limit-Minute", "20"), ("X-RateLimit-Remaining-Minute", "2")],
            Outcome::Created { id: None, location: None },
        );
        pacer.observe(now, &ok);
        assert_eq!(pacer.limit(), Some(20));
        assert_eq!(pacer.wait(now, WRITE_WEIGHT), Duration::ZERO, "2 left fits one create");
        pacer.take(now, WRITE_WEIGHT);
        assert!(pacer.wait(now, WRITE_WEIGHT) > Duration::from_secs(59));
    }

    #[test]
    fn a_429_pauses_every_start_until_its_wait_has_passed() {
        let now = Instant::now();
        let mut pacer = RatePacer::for_backend(Backend::HelpScout);
        let refused = answer(
            429,
            &[("X-RateLimit-Retry-After", "12")],
            Outcome::RateLimited { retry_after: Some(Duration::from_secs(12)), server_value: None },
        );
        pacer.observe(now, &refused);
        assert_eq!(pacer.wait(now, WRITE_WEIGHT), Duration::from_secs(13));
        assert_eq!(pacer.wait(now + Duration::from_secs(13), WRITE_WEIGHT), Duration::ZERO);
        assert_eq!(pacer.limit(), Some(HELP_SCOUT_LIMIT), "a known limit is kept");
    }

    #[test]
    fn an_answer_without_rate_headers_lifts_the_assumed_limit_but_not_a_learned_one() {
        let now = Instant::now();
        let created = || answer(201, &[], Outcome::Created { id: None, location: None });
        let mut assumed = RatePacer::for_backend(Backend::HelpScout);
        assumed.observe(now, &created());
        assert_eq!(assumed.limit(), None, "a server without rate headers is not paced");
        let mut learned = RatePacer::for_backend(Backend::HelpScout);
        let announced =
            answer(201, &[("X-RateLimit-Limit-Minute", "50")], Outcome::Created { id: None, location: None });
        learned.observe(now, &announced);
        learned.observe(now, &created());
        assert_eq!(learned.limit(), Some(50), "a limit the server announced stays");
        let mut refused = RatePacer::for_backend(Backend::HelpScout);
        refused.observe(now, &answer(500, &[], Outcome::Created { id: None, location: None }));
        assert_eq!(refused.limit(), Some(HELP_SCOUT_LIMIT), "an error answer proves nothing");
    }

    #[test]
    fn room_counts_the_creates_that_fit_now() {
        let now = Instant::now();
        let mut pacer = RatePacer::for_backend(Backend::HelpScout);
        assert_eq!(pacer.room(now, WRITE_WEIGHT), 100);
        pacer.take(now, WRITE_WEIGHT);
        assert_eq!(pacer.room(now, WRITE_WEIGHT), 99);
        assert_eq!(RatePacer::for_backend(Backend::Finosu).room(now, WRITE_WEIGHT), u32::MAX);
        let refused =
            answer(429, &[], Outcome::RateLimited { retry_after: Some(Duration::from_secs(5)), server_value: None });
        pacer.observe(now, &refused);
        assert_eq!(pacer.room(now, WRITE_WEIGHT), 0, "paused");
    }

    #[test]
    fn pacers_are_per_profile() {
        let pacers = Pacers::default();
        for _ in 0..100 {
            pacers.take("a", Backend::HelpScout);
        }
        assert!(pacers.wait("a", Backend::HelpScout) > Duration::from_secs(50));
        assert_eq!(pacers.wait("b", Backend::HelpScout), Duration::ZERO);
        assert_eq!(pacers.known("a"), Some((Some(HELP_SCOUT_LIMIT), 0)));
    }
}
