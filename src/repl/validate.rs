//! When Enter ends the input: not while a bracket is still open or the line ends with a `\`
//! continuation, so functions, blocks and long calls can be typed over several lines. The
//! check reads the compiler's own tokens (`lex.rs`), so brackets inside strings and comments
//! do not count.

use super::lex::{self, Class};

/// Whether `input` is complete (Enter runs it) rather than waiting for more lines.
pub fn is_complete(input: &str) -> bool {
    let pieces = lex::pieces(input);
    // Strings end at their line, so an open one is an error to report, not more to wait for.
    if pieces.iter().any(|p| p.class == Class::OpenStr) {
        return true;
    }
    if !lex::open_brackets(&pieces).is_empty() {
        return false;
    }
    // `\` before a newline joins lines; at the very end it asks for the next line.
    let continued = pieces
        .last()
        .is_some_and(|p| p.class == Class::Error && p.text(input) == "\\");
    let trailing = input.trim_end_matches([' ', '\t']);
    !(continued && trailing.ends_with('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_brackets_continue() {
        assert!(is_complete("x = 1"));
        assert!(is_complete(""));
        assert!(!is_complete("fn f(x) {"));
        assert!(!is_complete("fn f(x) {\n  y = x + 1"));
        assert!(is_complete("fn f(x) {\n  y = x + 1\n  y\n}"));
        assert!(!is_complete("sum(ones(3),"));
        assert!(!is_complete("[1, 2,\n 3"));
        assert!(is_complete("[1, 2,\n 3]"));
    }

    #[test]
    fn strings_comments_and_stray_closers() {
        assert!(is_complete("print(\"(\")"));
        assert!(is_complete("x = 1 # (unclosed in a comment"));
        // An unterminated string cannot continue (strings are one line): the parser reports it.
        assert!(is_complete("print(\"abc"));
        assert!(is_complete("x)"));
        assert!(
            is_complete("(1]"),
            "a mismatched closer is an error to report, not wait on"
        );
    }

    #[test]
    fn backslash_continues() {
        assert!(!is_complete("x = 1 + \\"));
        assert!(is_complete("x = 1 + \\\n2"));
    }
}
