//! What a request must show before anything else runs: a `Host` naming the sandbox itself, and
//! the API's credentials.
//!
//! The `Host` check stops DNS rebinding: a web page whose name was made to resolve to 127.0.0.1
//! reaches the port, but its browser sends the page's own name as `Host`. The credentials check
//! comes before any fault, so nobody without the sandbox's key or a token it issued can make it
//! hang a connection or build a huge answer.
//!
//! The test photos under `/sandbox/photos/` are exempt from the credentials (not from the `Host`
//! check): a photo URL is public on the real web, fetched with no credentials, and the preview
//! must never send a profile's token to a photo host; asking for a key here would make the
//! sandbox unlike what it stands for. They are outside both APIs' prefixes, so
//! [`Api::of_path`] names no API for them and [`check_head`] is never asked. What a stranger
//! can make them do is bounded: no faults (those are for the APIs), a slow photo waits at most
//! a minute, and the 20 MB bodies are streamed, never built in memory.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::Response;

use super::responses::{Api, api_error};
use super::state::Shared;
use super::{finosu, helpscout, oauth};

/// The path of Help Scout's token endpoint (after any fault prefix): it checks the client id
/// and secret in its body itself.
pub const TOKEN_PATH: &str = "/helpscout/v2/oauth2/token";

/// Longest part of a refused `Host` repeated in the answer.
const HOST_SHOWN: usize = 100;

/// `None` when the request is addressed to this sandbox; otherwise the 421 to send, in the shape
/// of the API its path names.
pub fn misdirected(request: &Request<Body>, port: u16) -> Option<Response> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().ok(),
        _ => None,
    };
    // An absolute-form target (`GET http://name/…`) names the server too; it must agree.
    let target_ok = request.uri().authority().is_none_or(|authority| is_own(authority.as_str(), port));
    if host.is_some_and(|host| is_own(host, port)) && target_ok {
        return None;
    }
    let api = api_behind_fault(request.uri().path()).unwrap_or(Api::Finosu);
    let shown = match host {
        Some(host) if host.chars().count() > HOST_SHOWN => {
            format!("'{}…'", host.chars().take(HOST_SHOWN).collect::<String>())
        }
        Some(host) => format!("'{host}'"),
        None => "missing, repeated or not text".to_owned(),
    };
    let message = format!(
        "This sandbox answers only requests addressed to 127.0.0.1:{port}, localhost:{port} or [::1]:{port}; \
         the Host header was {shown}"
    );
    Some(api_error(api, StatusCode::MISDIRECTED_REQUEST, &message))
}

/// Whether `host` (a `Host` value or a URI authority) names this sandbox: a loopback name with
/// its port (the port may be left out only when it is 80).
fn is_own(host: &str, port: u16) -> bool {
    let (name, port_text) = if host.ends_with(']') {
        (host, None)
    } else {
        match host.rsplit_once(':') {
            Some((name, port_text)) => (name, Some(port_text)),
            None => (host, None),
        }
    };
    let port_ok = match port_text {
        Some(text) => !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse() == Ok(port),
        None => port == 80,
    };
    let name_ok = name == "127.0.0.1" || name == "[::1]" || name.eq_ignore_ascii_case("localhost");
    port_ok && name_ok
}

/// The API a path names, with or without a `/_fault/<fault>` prefix.
fn api_behind_fault(path: &str) -> Option<Api> {
    match path.strip_prefix("/_fault/") {
        Some(rest) => Api::of_path(rest.split_once('/').map_or("", |(_, path)| path)),
        None => Api::of_path(path),
    }
}

/// What the credentials in a request's head allow.
#[derive(Debug)]
pub enum Credentials {
    /// Valid: latency, faults and routes may run.
    Valid,
    /// The token endpoint: only its body can tell (see [`token_request_is_credentialed`]).
    InBody,
    /// Missing or wrong: this 401, in the API's shape, is the answer.
    Refused(Response),
}

/// Checks the key (Finosu) or the bearer token (Help Scout) of a request to `api` at `path`
/// (fault prefix already taken off).
pub fn check_head(shared: &Arc<Shared>, api: Api, path: &str, headers: &HeaderMap) -> Credentials {
    match api {
        Api::Finosu if finosu::has_key(headers) => Credentials::Valid,
        Api::Finosu => Credentials::Refused(finosu::unauthorized()),
        Api::HelpScout if path == TOKEN_PATH => Credentials::InBody,
        Api::HelpScout => match helpscout::unauthorized(shared, headers) {
            Some(refused) => Credentials::Refused(refused),
            None => Credentials::Valid,
        },
    }
}

/// Whether a token request's form carries the sandbox app's id and secret or a live refresh
/// token. One that does not goes straight to the token endpoint, which answers its OAuth error,
/// with no fault and no configured failure.
pub fn token_request_is_credentialed(shared: &Shared, body: &[u8]) -> bool {
    oauth::is_credentialed(shared, body)
}

/// The answer to a body over the limit or too slow to arrive, in `api`'s shape.
pub fn body_refused(api: Option<Api>, status: StatusCode, message: &str) -> Response {
    api_error(api.unwrap_or(Api::Finosu), status, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_the_port_are_this_sandbox() {
        for own in ["127.0.0.1:8787", "localhost:8787", "LocalHost:8787", "[::1]:8787"] {
            assert!(is_own(own, 8787), "{own}");
        }
        for foreign in [
            "evil.example:8787",
            "127.0.0.1:8788",
            "127.0.0.1",
            "localhost",
            "[::1]",
            "127.0.0.1:+8787",
            "127.0.0.1:",
            "localhost.:8787",
            "127.0.0.2:8787",
            "0.0.0.0:8787",
            "",
        ] {
            assert!(!is_own(foreign, 8787), "{foreign}");
        }
        assert!(is_own("localhost", 80) && is_own("[::1]", 80) && is_own("127.0.0.1:80", 80));
    }

    #[test]
    fn the_api_is_found_behind_a_fault_prefix() {
        assert_eq!(api_behind_fault("/_fault/hang/helpscout/v2/users/me"), Some(Api::HelpScout));
        assert_eq!(api_behind_fault("/finosu/customers"), Some(Api::Finosu));
        assert_eq!(api_behind_fault("/_fault/hang"), None);
    }
}
