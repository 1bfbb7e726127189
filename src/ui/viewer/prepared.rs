//! [`PreparedExchange`]: an [`Exchange`] with the expensive reading done once, off the UI thread.
//!
//! A response body can be 16 MB. Parsing, pretty-printing and splitting it into lines takes
//! far longer than a frame, so it happens once, where the exchange arrives (a worker thread),
//! and the viewer only ever slices what is already here. Nothing in this file uses egui.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, FixedOffset, Local, Utc};

use super::prepared_body::PreparedBody;
use crate::backends::Exchange;

/// An [`Exchange`] ready to show: both bodies read, the sentence and status line written.
///
/// Build it where the exchange arrives (it is `Send`); cloning is cheap.
#[derive(Clone)]
pub struct PreparedExchange {
    exchange: Arc<Exchange>,
    request_body: PreparedBody,
    response_body: Option<PreparedBody>,
    summary: String,
    status: String,
    started_clock: String,
    bodies_let_go: bool,
}

/// What a body let go of says instead.
const LET_GO_NOTE: &str = "(The body was let go: the viewer keeps the bodies of its newest 200 attempts and 64 MB in \
     all. The record's history in Drafts still has this attempt.)";

impl PreparedExchange {
    /// Prepares `exchange`, showing its start time in the local time zone.
    pub fn new(exchange: Exchange) -> Self {
        let offset = *DateTime::<Local>::from(exchange.started_at).offset();
        Self::new_at_offset(exchange, offset)
    }

    /// Prepares `exchange`, showing its start time at `utc_offset` (tests pin it, so that
    /// snapshots do not depend on the machine's time zone).
    pub fn new_at_offset(exchange: Exchange, utc_offset: FixedOffset) -> Self {
        let request_body =
            PreparedBody::from_bytes(exchange.request_body.as_deref().unwrap_or_default().as_bytes(), None);
        let response_body =
            exchange.response.as_ref().map(|r| PreparedBody::from_bytes(&r.body, r.body_truncated_from));
        Self {
            summary: exchange.summary(),
            status: exchange.status_text(),
            started_clock: clock_text(exchange.started_at, utc_offset),
            request_body,
            response_body,
            exchange: Arc::new(exchange),
            bodies_let_go: false,
        }
    }

    /// The bytes of both bodies as received (what the viewer's bound counts).
    pub fn body_bytes(&self) -> usize {
        self.request_body.received_bytes() + self.response_body.as_ref().map_or(0, PreparedBody::received_bytes)
    }

    /// Whether the bodies were let go ([`Self::let_go_of_bodies`]).
    pub fn bodies_let_go(&self) -> bool {
        self.bodies_let_go
    }

    /// Drops both bodies, the record's bytes and their reading, keeping the summary line: the
    /// viewer keeps only its newest attempts whole. Each body says it was let go.
    pub fn let_go_of_bodies(&mut self) {
        let exchange = Arc::make_mut(&mut self.exchange);
        exchange.request_body = None;
        if let Some(response) = exchange.response.as_mut() {
            response.body = Vec::new();
            response.body_truncated_from = None;
        }
        let note = PreparedBody::from_bytes(LET_GO_NOTE.as_bytes(), None);
        self.response_body = self.response_body.as_ref().map(|_| note.clone());
        self.request_body = note;
        self.bodies_let_go = true;
    }

    /// The record itself.
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// The request body, read.
    pub fn request_body(&self) -> &PreparedBody {
        &self.request_body
    }

    /// The response body, read; `None` when nothing answered.
    pub fn response_body(&self) -> Option<&PreparedBody> {
        self.response_body.as_ref()
    }

    /// What it came to, in one sentence.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// `201 Created`, or `no response`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// When the request started, `14:03:07`.
    pub fn started_clock(&self) -> &str {
        &self.started_clock
    }

    /// The latency in whole milliseconds.
    pub fn latency_millis(&self) -> u128 {
        self.exchange.latency.as_millis()
    }
}

/// Names the request and its ending; the record's raw body bytes are left out.
impl std::fmt::Debug for PreparedExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedExchange")
            .field("method", &self.exchange.method)
            .field("url", &self.exchange.url)
            .field("status", &self.status)
            .field("summary", &self.summary)
            .field("request_body", &self.request_body)
            .field("response_body", &self.response_body)
            .finish_non_exhaustive()
    }
}

fn clock_text(started_at: SystemTime, utc_offset: FixedOffset) -> String {
    DateTime::<Utc>::from(started_at).with_timezone(&utc_offset).format("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::backends::{Header, Outcome, ResponseRecord};
    use crate::model::Backend;
    use crate::ui::viewer::BodyKind;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn prepared_exchange_crosses_threads() {
        assert_send_sync::<PreparedExchange>();
    }

    #[test]
    fn exchange_is_summarised_once() {
        let exchange = Exchange {
            backend: Backend::Finosu,
            started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(13 * 3600 + 5 * 60 + 9),
            method: "POST".to_owned(),
            url: "http://127.0.0.1:8080/finosu/customers".to_owned(),
            request_headers: vec![Header { name: "X-API-Key".to_owned(), value: "••••e8a3".to_owned() }],
            request_body: Some(r#"{"firstName":"Ada"}"#.to_owned()),
            response: Some(ResponseRecord {
                status: 201,
                reason: "Created".to_owned(),
                headers: Vec::new(),
                body: br#"{"id":"101"}"#.to_vec(),
                body_truncated_from: None,
            }),
            latency: Duration::from_millis(84),
            outcome: Outcome::Created { id: Some("101".to_owned()), location: None },
        };
        let offset = FixedOffset::east_opt(3600).unwrap();
        let prepared = PreparedExchange::new_at_offset(exchange, offset);
        assert_eq!(prepared.summary(), "Created customer 101.");
        assert_eq!(prepared.status(), "201 Created");
        assert_eq!(prepared.started_clock(), "14:05:09");
        assert_eq!(prepared.latency_millis(), 84);
        assert_eq!(prepared.request_body().kind(), BodyKind::Json);
        assert_eq!(prepared.response_body().map(PreparedBody::kind), Some(BodyKind::Json));
    }
}
