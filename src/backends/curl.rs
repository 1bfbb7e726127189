//! The request of an [`Exchange`] as a `curl` command, to paste into a shell or a bug report.
//!
//! Built only from the record, so credentials stay masked exactly as recorded: the command is
//! safe to share, and the person puts the real key back in by hand to run it.

use super::exchange::Exchange;

/// A POSIX-shell `curl` command repeating the request: method, URL, one `-H` per recorded
/// header and `--data-raw` with the body, one option per line joined with ` \`.
pub fn curl_command(exchange: &Exchange) -> String {
    let method = if exchange.method.chars().all(|c| c.is_ascii_alphabetic()) && !exchange.method.is_empty() {
        exchange.method.clone()
    } else {
        shell_quote(&exchange.method)
    };
    let mut parts = vec![format!("curl -X {method} {}", shell_quote(&exchange.url))];
    for header in &exchange.request_headers {
        parts.push(format!("-H {}", shell_quote(&format!("{}: {}", header.name, header.value))));
    }
    if let Some(body) = &exchange.request_body {
        // The SSN last four stays masked, like the secrets in the headers.
        parts.push(format!("--data-raw {}", shell_quote(&super::exchange::masked_body_text(body))));
    }
    parts.join(" \\\n  ")
}

/// `text` in single quotes, each `'` in it written as `'\''` (close, escaped quote, reopen):
/// nothing inside single quotes is special to a POSIX shell, not even a newline.
fn shell_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('\'');
    for c in text.chars() {
        if c == '\'' {
            quoted.push_str("'\\''");
        } else {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::backends::{Header, Outcome, Secret};
    use crate::model::Backend;

    fn exchange(headers: Vec<Header>, body: Option<&str>) -> Exchange {
        Exchange {
            backend: Backend::Finosu,
            started_at: SystemTime::UNIX_EPOCH,
            method: "POST".to_owned(),
            url: "https://api.finosu.example/v1/customers".to_owned(),
            request_headers: headers,
            request_body: body.map(str::to_owned),
            response: None,
            latency: Duration::from_millis(12),
            outcome: Outcome::Cancelled,
        }
    }

    fn header(name: &str, value: &str) -> Header {
        Header { name: name.to_owned(), value: value.to_owned() }
    }

    #[test]
    fn one_option_per_line() {
        let ex = exchange(
            vec![header("Content-Type", "application/json"), header("Accept", "application/json")],
            Some(r#"{"firstName":"Ada"}"#),
        );
        assert_eq!(
            curl_command(&ex),
            "curl -X POST 'https://api.finosu.example/v1/customers' \\\n  \
             -H 'Content-Type: application/json' \\\n  \
             -H 'Accept: application/json' \\\n  \
             --data-raw '{\"firstName\":\"Ada\"}'"
        );
    }

    #[test]
    fn no_body_no_data_option() {
        let mut ex = exchange(Vec::new(), None);
        ex.method = "GET".to_owned();
        assert_eq!(curl_command(&ex), "curl -X GET 'https://api.finosu.example/v1/customers'");
    }

    #[test]
    fn single_quotes_are_closed_escaped_and_reopened() {
        let ex = exchange(vec![header("X-Note", "it's")], Some(r#"{"lastName":"O'Brien"}"#));
        let command = curl_command(&ex);
        assert!(command.contains(r"-H 'X-Note: it'\''s'"), "{command}");
        assert!(command.contains(r#"--data-raw '{"lastName":"O'\''Brien"}'"#), "{command}");
        assert_eq!(shell_quote("'"), r"''\'''");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn newlines_and_dollars_stay_inside_the_quotes() {
        assert_eq!(shell_quote("a\nb $HOME `x` \\"), "'a\nb $HOME `x` \\'");
    }

    #[test]
    fn a_masked_key_stays_masked() {
        let key = Secret::new("fsk_live_0123456789abe8a3");
        let ex = exchange(vec![header("X-API-Key", &key.masked())], None);
        let command = curl_command(&ex);
        assert!(command.contains("-H 'X-API-Key: ••••e8a3'"), "{command}");
        assert!(!command.contains(key.expose()), "{command}");
    }

    #[test]
    fn the_ssn_last_four_stays_masked_in_the_body() {
        let exchange = exchange(Vec::new(), Some(r#"{"firstName":"Ada","ssnLastFour":"6789"}"#));
        let command = curl_command(&exchange);
        assert!(!command.contains("6789"), "{command}");
        assert!(command.contains(r#""ssnLastFour":"••••""#), "{command}");
    }
}
