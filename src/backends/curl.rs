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

    /// The records the real clients make of requests sent with clear secrets to the sandbox on
    /// loopback: a Finosu create with the API key, a Help Scout token grant with the app's
    /// secret, and a create with the access token it got; with the clear secrets.
    fn sent_with_clear_secrets() -> (Vec<Exchange>, Vec<String>) {
        use crate::backends::{Endpoint, FinosuClient, HelpScoutAuth, HelpScoutClient};
        use crate::sandbox::{
            FINOSU_API_KEY, HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, SandboxConfig, SandboxServer,
        };

        let sandbox = SandboxServer::start(SandboxConfig::default()).expect("sandbox");
        let endpoint = |base: String| Endpoint::new(url::Url::parse(&base).expect("a URL"));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let finosu =
            FinosuClient::new(endpoint(sandbox.finosu_base_url()), Secret::new(FINOSU_API_KEY)).expect("a client");
        let auth = HelpScoutAuth::client_credentials(HELPSCOUT_CLIENT_ID, Secret::new(HELPSCOUT_CLIENT_SECRET));
        let help_scout = HelpScoutClient::new(endpoint(sandbox.helpscout_base_url()), auth).expect("a client");

        let body = serde_json::json!({"firstName": "Ada", "ssnLastFour": "6789"});
        let mut exchanges = vec![runtime.block_on(finosu.create_customer(&body))];
        let (grant_exchange, grant) = runtime.block_on(help_scout.request_token());
        let grant = grant.expect("the sandbox grants a token");
        exchanges.push(grant_exchange);
        let with_token = HelpScoutAuth::access_token(grant.access_token.clone());
        let help_scout = HelpScoutClient::new(endpoint(sandbox.helpscout_base_url()), with_token).expect("a client");
        exchanges.extend(runtime.block_on(help_scout.create_customer(&serde_json::json!({"firstName": "Vernon"}))));
        assert_eq!(
            exchanges.iter().map(|e| e.outcome.kind()).collect::<Vec<_>>(),
            ["rejected", "token_granted", "created"]
        );
        let mut secrets = vec![FINOSU_API_KEY.to_owned(), HELPSCOUT_CLIENT_SECRET.to_owned()];
        secrets.push(grant.access_token.expose().to_owned());
        secrets.extend(grant.refresh_token.map(|token| token.expose().to_owned()));
        (exchanges, secrets)
    }

    #[test]
    fn clear_secrets_sent_for_real_are_masked_in_the_command() {
        let (exchanges, secrets) = sent_with_clear_secrets();
        let commands: Vec<String> = exchanges.iter().map(curl_command).collect();
        for (command, secret) in commands.iter().flat_map(|c| secrets.iter().map(move |s| (c, s))) {
            // Neither the whole secret nor its hidden part (all but the last four) is in it.
            assert!(!command.contains(&secret[..secret.len() - 4]), "a secret in {command}");
        }
        // Each credential is there masked, where it was sent.
        assert!(commands[0].contains("-H 'X-API-Key: ••••e8a3'"), "{}", commands[0]);
        let masked_secret = "client_secret=%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2c4d2";
        assert!(commands[1].contains(masked_secret), "{}", commands[1]);
        let bearer = format!("-H 'Authorization: Bearer {}'", Secret::new(secrets[2].as_str()).masked());
        assert!(commands[2].contains(&bearer), "{}", commands[2]);
        // The SSN last four the body carried is masked too.
        assert!(!commands[0].contains("6789") && commands[0].contains(r#""ssnLastFour":"••••""#), "{}", commands[0]);
    }

    #[test]
    fn the_ssn_last_four_stays_masked_in_the_body() {
        let exchange = exchange(Vec::new(), Some(r#"{"firstName":"Ada","ssnLastFour":"6789"}"#));
        let command = curl_command(&exchange);
        assert!(!command.contains("6789"), "{command}");
        assert!(command.contains(r#""ssnLastFour":"••••""#), "{command}");
    }
}
