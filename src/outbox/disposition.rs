//! What one ending of a create means for the outbox: sent, worth sending again later (nothing
//! was created), waiting for the person (refused), or ambiguous (the server may have created the
//! customer; it must be looked up before anything is sent again).

use std::time::Duration;

use crate::backends::server_numbers::MAX_WAIT;
use crate::backends::{Outcome, TimeoutPhase};

/// What to do after a create ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Created: its server id.
    Sent(Option<String>),
    /// Nothing was created and sending again may work.
    Retry {
        /// The server said when (`Retry-After`, `X-RateLimit-Retry-After`).
        after: Option<Duration>,
        /// The backend could not be reached at all (refused, DNS, connect timeout, TLS): the
        /// profile is offline, and its whole queue waits for the next probe.
        offline: bool,
    },
    /// Refused for a reason sending again will not fix (400 with field errors, 401, 403, 404,
    /// 409), or the request could not be made (no secret).
    Permanent,
    /// The request may have reached the server and been acted on: a response timeout, a lost
    /// connection, a cancel, a 5xx other than 503, an answer that could not be read.
    Ambiguous,
}

/// The outbox's reading of `outcome`, the last exchange of a create.
pub fn disposition(outcome: &Outcome) -> Disposition {
    match outcome {
        Outcome::Created { id, .. } => Disposition::Sent(id.clone()),
        Outcome::RateLimited { retry_after, .. } => Disposition::Retry { after: *retry_after, offline: false },
        // 503: the server (or its load balancer) did not take the request.
        Outcome::ServerError { status: 503 } => Disposition::Retry { after: None, offline: false },
        Outcome::ConnectionRefused
        | Outcome::Dns { .. }
        | Outcome::Tls { .. }
        | Outcome::Timeout { phase: TimeoutPhase::Connect, .. } => Disposition::Retry { after: None, offline: true },
        Outcome::Rejected { .. }
        | Outcome::Unauthorized { .. }
        | Outcome::Forbidden { .. }
        | Outcome::NotFound
        | Outcome::Conflict { .. }
        | Outcome::GrantRefused { .. }
        | Outcome::InvalidRequest { .. } => Disposition::Permanent,
        Outcome::UnexpectedStatus { status } if (300..500).contains(status) => Disposition::Permanent,
        Outcome::UnexpectedStatus { .. }
        | Outcome::ServerError { .. }
        | Outcome::Timeout { phase: TimeoutPhase::Response, .. }
        | Outcome::ConnectionLost { .. }
        | Outcome::UndecodableBody { .. }
        | Outcome::Cancelled
        | Outcome::Answered { .. }
        | Outcome::TokenGranted { .. } => Disposition::Ambiguous,
    }
}

/// How long a record waits before its next try: 2 s doubling per attempt up to 5 min.
///
/// ±25 % jitter keeps many records from coming back at once; never before the server's own
/// `retry_after`, itself held to an hour ([`MAX_WAIT`]) whoever built the outcome, with
/// saturating sums, so no server's wait can overflow or park a record for good.
pub fn retry_delay(attempts: u32, retry_after: Option<Duration>) -> Duration {
    const FIRST: Duration = Duration::from_secs(2);
    const LONGEST: Duration = Duration::from_mins(5);
    let doubled = FIRST.saturating_mul(1 << attempts.saturating_sub(1).min(16)).min(LONGEST);
    let jitter = 0.75 + fastrand::f64() * 0.5;
    let backoff = doubled.mul_f64(jitter);
    retry_after
        .map(|server| server.min(MAX_WAIT))
        .map_or(backoff, |server| server.max(backoff.min(server.saturating_add(FIRST))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_endings_that_prove_nothing_was_created_are_retried() {
        let connect = Outcome::Timeout { phase: TimeoutPhase::Connect, limit: Duration::from_secs(5) };
        let response = Outcome::Timeout { phase: TimeoutPhase::Response, limit: Duration::from_secs(30) };
        assert_eq!(disposition(&connect), Disposition::Retry { after: None, offline: true });
        assert_eq!(disposition(&response), Disposition::Ambiguous);
        assert_eq!(disposition(&Outcome::ConnectionRefused), Disposition::Retry { after: None, offline: true });
        assert_eq!(
            disposition(&Outcome::ServerError { status: 503 }),
            Disposition::Retry { after: None, offline: false }
        );
        assert_eq!(disposition(&Outcome::ServerError { status: 500 }), Disposition::Ambiguous);
        assert_eq!(disposition(&Outcome::ConnectionLost { detail: String::new() }), Disposition::Ambiguous);
        assert_eq!(disposition(&Outcome::Cancelled), Disposition::Ambiguous);
        assert_eq!(disposition(&Outcome::NotFound), Disposition::Permanent);
        assert_eq!(disposition(&Outcome::Conflict { message: String::new() }), Disposition::Permanent);
        let limited = Outcome::RateLimited { retry_after: Some(Duration::from_secs(7)), server_value: None };
        assert_eq!(disposition(&limited), Disposition::Retry { after: Some(Duration::from_secs(7)), offline: false });
    }

    #[test]
    fn backoff_doubles_with_jitter_caps_and_honours_the_server() {
        for _ in 0..100 {
            let first = retry_delay(1, None);
            assert!(first >= Duration::from_millis(1500) && first <= Duration::from_millis(2500), "{first:?}");
            let third = retry_delay(3, None);
            assert!(third >= Duration::from_secs(6) && third <= Duration::from_secs(10), "{third:?}");
            assert!(retry_delay(40, None) <= Duration::from_secs(375));
            let told = retry_delay(1, Some(Duration::from_secs(30)));
            assert!(told >= Duration::from_secs(30) && told <= Duration::from_secs(32), "{told:?}");
        }
    }

    #[test]
    fn no_server_wait_overflows_the_backoff() {
        for attempts in [0, 1, 7, u32::MAX] {
            for told in [Duration::MAX, Duration::from_secs(u64::MAX), MAX_WAIT + Duration::from_nanos(1)] {
                assert_eq!(retry_delay(attempts, Some(told)), MAX_WAIT, "{attempts} attempts, told {told:?}");
            }
        }
    }
}
