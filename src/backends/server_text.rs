//! Text a server sends that Intake shows (error messages, field errors, OAuth descriptions, task
//! type names): made safe to put on a status line, in a log or on a terminal.
//!
//! A server can send a message of any length with terminal escape codes, newlines, bidi
//! overrides or other control characters. What is shown is cut to [`MAX_SHOWN_CHARS`] characters
//! with "…", escape sequences removed, every other control or format character replaced by a
//! space and runs of spaces collapsed. The raw body stays in the response viewer only.

/// The most characters of server text shown anywhere outside the response viewer.
pub const MAX_SHOWN_CHARS: usize = 500;

/// The most characters of one short server value (a code, a task type name).
pub const MAX_NAME_CHARS: usize = 100;

/// `text` as it may be shown: no escape sequences or control characters, one line, at most
/// [`MAX_SHOWN_CHARS`] characters (cut with "…").
pub fn shown_server_text(text: &str) -> String {
    shown_within(text, MAX_SHOWN_CHARS)
}

/// `text` as it may be shown, cut to `max_chars` characters (cut with "…").
pub fn shown_within(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut chars = text.chars().peekable();
    let mut count = 0;
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            skip_escape(&mut chars);
            continue;
        }
        if c.is_whitespace() || is_hidden(c) {
            space = !out.is_empty();
            continue;
        }
        if count + usize::from(space) >= max_chars {
            out.push('…');
            return out;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide
/// text (bidi overrides and isolates, zero-width characters).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Skips the rest of an escape sequence after ESC: CSI (`ESC [ … final`), OSC (`ESC ] … BEL`
/// or `ESC \`), or a two-character sequence.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn escape_codes_and_control_characters_are_removed() {
        assert_eq!(shown_server_text("\u{1b}[31mRed\u{1b}[0m alert"), "Red alert");
        assert_eq!(shown_server_text("\u{1b}]0;title\u{7}after"), "after");
        assert_eq!(shown_server_text("line one\r\nline\ttwo\u{0}three"), "line one line two three");
        assert_eq!(shown_server_text("admin\u{202e}fdp.exe"), "admin fdp.exe");
        assert_eq!(shown_server_text("  padded  "), "padded");
        assert_eq!(shown_server_text("\u{9b}31m"), "31m", "a C1 control is dropped");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let long = "x".repeat(2 * 1024 * 1024);
        let shown = shown_server_text(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(shown_within("abcdef", 3), "abc…");
        assert_eq!(shown_within("abc", 3), "abc");
        assert_eq!(shown_within("ab cd", 3), "ab…");
    }

    proptest! {
        #[test]
        fn any_text_comes_out_short_and_without_control_characters(text in any::<String>()) {
            let shown = shown_server_text(&text);
            prop_assert!(shown.chars().count() <= MAX_SHOWN_CHARS + 1);
            prop_assert!(!shown.chars().any(|c| c.is_control() || is_hidden(c)));
            prop_assert!(!shown.starts_with(' ') && !shown.ends_with(' '));
        }
    }
}
