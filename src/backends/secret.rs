//! A secret value (API key, client secret, token) that cannot leak by accident: its `Debug` and
//! `Display` print the masked form, and the clear text is only reachable through `expose`.

use std::fmt;

/// The masked form of a secret: `••••` and at most its last four characters (fewer when the
/// secret is short, so that a short secret is never shown in full).
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let shown = match chars.len() {
        0..=7 => 0,
        8..=11 => 2,
        _ => 4,
    };
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!("••••{tail}")
}

/// A credential in memory. Never serialised; printed masked.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret, trimming the whitespace a paste or `echo` adds.
    pub fn new(value: impl Into<String>) -> Self {
        let value: String = value.into();
        Self(value.trim().to_owned())
    }

    /// The clear text, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `••••a1b2`.
    pub fn masked(&self) -> String {
        mask_secret(&self.0)
    }

    /// True when nothing was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_at_most_the_last_four() {
        assert_eq!(mask_secret("abcdefghijkl1234"), "••••1234");
        assert_eq!(mask_secret("abcdefgh"), "••••gh");
        assert_eq!(mask_secret("short"), "••••");
        assert_eq!(mask_secret(""), "••••");
        let secret = Secret::new("  fsk_live_0123456789abcdef\n");
        assert_eq!(format!("{secret} {secret:?}"), "••••cdef Secret(••••cdef)");
        assert_eq!(secret.expose(), "fsk_live_0123456789abcdef");
    }
}
