//! Syntax colouring of the line being typed, from the compiler's own tokens (`lex.rs`):
//! keywords, builtins, constants, dtypes, numbers, strings, comments, lexer errors, the
//! bracket matching the one at the cursor, and unmatched closing brackets.

use super::lex::{self, Class, Piece};
use std::collections::HashSet;

/// ANSI styles.
mod style {
    pub const KEYWORD: &str = "\x1b[1;35m";
    pub const CONSTANT: &str = "\x1b[33m";
    pub const NUMBER: &str = "\x1b[33m";
    pub const STRING: &str = "\x1b[32m";
    pub const COMMENT: &str = "\x1b[90m";
    pub const BUILTIN: &str = "\x1b[36m";
    pub const DTYPE: &str = "\x1b[34m";
    pub const ERROR: &str = "\x1b[4;31m";
    pub const BRACKET: &str = "\x1b[1;4;34m";
    pub const COMMAND: &str = "\x1b[1;33m";
    pub const RESET: &str = "\x1b[0m";
}

/// The names coloured specially: builtins (with prelude functions), constants and dtypes.
pub struct Vocabulary {
    builtins: HashSet<String>,
    constants: HashSet<String>,
    dtypes: HashSet<String>,
}

impl Vocabulary {
    /// The language's own names.
    pub fn new() -> Vocabulary {
        let mut builtins: HashSet<String> = crate::language::table()
            .iter()
            .map(|b| b.name.rsplit('.').next().unwrap_or(b.name).to_string())
            .collect();
        builtins.extend(super::complete::prelude_functions());
        builtins.extend(crate::language::MODULES.iter().map(|m| m.to_string()));
        let constants = crate::language::CONSTANTS
            .iter()
            .map(|c| c.to_string())
            .collect();
        let dtypes = crate::language::DType::ALL
            .iter()
            .map(|d| d.name().to_string())
            .collect();
        Vocabulary {
            builtins,
            constants,
            dtypes,
        }
    }

    fn name_style(&self, name: &str) -> Option<&'static str> {
        if self.dtypes.contains(name) {
            Some(style::DTYPE)
        } else if self.constants.contains(name) {
            Some(style::CONSTANT)
        } else if self.builtins.contains(name) {
            Some(style::BUILTIN)
        } else {
            None
        }
    }
}

impl Default for Vocabulary {
    fn default() -> Vocabulary {
        Vocabulary::new()
    }
}

fn piece_style(vocab: &Vocabulary, src: &str, piece: &Piece) -> Option<&'static str> {
    match piece.class {
        Class::Keyword => Some(style::KEYWORD),
        Class::Bool => Some(style::CONSTANT),
        Class::Number => Some(style::NUMBER),
        Class::Str | Class::OpenStr => Some(style::STRING),
        Class::Comment => Some(style::COMMENT),
        Class::Error => Some(style::ERROR),
        Class::Name => vocab.name_style(piece.text(src)),
        _ => None,
    }
}

/// The bracket piece the cursor is on or just after, preferring one just typed.
fn bracket_at_cursor(pieces: &[Piece], cursor: usize) -> Option<usize> {
    let is_bracket = |p: &Piece| matches!(p.class, Class::Open | Class::Close);
    let before = pieces
        .iter()
        .position(|p| p.end == cursor && p.start + 1 == cursor && is_bracket(p));
    let on = pieces
        .iter()
        .position(|p| p.start == cursor && is_bracket(p));
    match (before, on) {
        (Some(b), _) if pieces[b].class == Class::Close => Some(b),
        (_, Some(o)) => Some(o),
        (b, None) => b,
    }
}

/// Colours Arr source. With `cursor`, the bracket there and its partner are emphasised.
/// The result has the same display width as `src` (only escape codes are added).
pub fn highlight_code(vocab: &Vocabulary, src: &str, cursor: Option<usize>) -> String {
    let pieces = lex::pieces(src);
    let mut emphasised: Vec<usize> = Vec::new();
    if let Some(c) = cursor
        && let Some(at) = bracket_at_cursor(&pieces, c)
        && let Some(other) = lex::partner(src, &pieces, at)
    {
        emphasised.extend([at, other]);
    }
    // Closing brackets with no opening partner are errors.
    let mut stray: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        match p.class {
            Class::Open => stack.push(i),
            Class::Close => match stack.pop() {
                Some(o) if lex::partner(src, &pieces, o) == Some(i) => {}
                Some(_) | None => stray.push(i),
            },
            _ => {}
        }
    }
    let mut out = String::with_capacity(src.len() * 2);
    let mut at = 0;
    for (i, p) in pieces.iter().enumerate() {
        if p.start < at {
            continue;
        }
        out.push_str(&src[at..p.start]);
        let text = p.text(src);
        let st = if emphasised.contains(&i) {
            Some(style::BRACKET)
        } else if stray.contains(&i) {
            Some(style::ERROR)
        } else {
            piece_style(vocab, src, p)
        };
        match st {
            Some(s) => {
                out.push_str(s);
                out.push_str(text);
                out.push_str(style::RESET);
            }
            None => out.push_str(text),
        }
        at = p.end;
    }
    out.push_str(src.get(at..).unwrap_or(""));
    out
}

/// Colours a whole input line: `:command` lines get the command word coloured and, for the
/// commands that take an expression, the expression coloured as code.
pub fn highlight_line(vocab: &Vocabulary, line: &str, cursor: Option<usize>) -> String {
    if let Some((word, rest_at)) = super::commands::split_command(line) {
        let rest = &line[rest_at..];
        let tail = if super::commands::takes_code(word) {
            highlight_code(vocab, rest, cursor.and_then(|c| c.checked_sub(rest_at)))
        } else {
            rest.to_string()
        };
        return format!(
            "{}{}{}{}{}",
            style::COMMAND,
            &line[..word.len() + 1],
            style::RESET,
            &line[word.len() + 1..rest_at],
            tail
        );
    }
    highlight_code(vocab, line, cursor)
}

/// Colours the prompt.
pub fn highlight_prompt(prompt: &str) -> String {
    format!("\x1b[1;32m{prompt}{}", style::RESET)
}

/// Removes ANSI escape sequences (for tests and width checks).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styled(src: &str, cursor: Option<usize>) -> String {
        highlight_line(&Vocabulary::new(), src, cursor)
    }

    #[test]
    fn colours_keep_the_text() {
        for src in [
            "fn f(x: f64[n]) -> f64 { sum(x) } # c",
            "x = \"open string",
            "a ) b ] $",
            ":type sum(ones(3))",
            ":load \"x.arr",
            "",
            "é = 1",
        ] {
            for cursor in [None, Some(0), Some(src.len())] {
                assert_eq!(strip_ansi(&styled(src, cursor)), src, "{src:?}");
            }
        }
    }

    #[test]
    fn token_classes_get_their_colours() {
        let out = styled("for i in range(3) { x = 1.5 + pi } # note \"s\"", None);
        assert!(out.contains("\x1b[1;35mfor\x1b[0m"));
        assert!(out.contains("\x1b[36mrange\x1b[0m"));
        assert!(out.contains("\x1b[33m1.5\x1b[0m"));
        assert!(out.contains("\x1b[33mpi\x1b[0m"));
        assert!(out.contains("\x1b[90m# note \"s\"\x1b[0m"));
        assert!(out.contains(" x = "), "bound names stay plain: {out:?}");
        let dt = styled("astype(x, f32) + random.normal()", None);
        assert!(dt.contains("\x1b[34mf32\x1b[0m"));
        assert!(dt.contains("\x1b[36mnormal\x1b[0m"));
        let s = styled("print(\"hi\")", None);
        assert!(s.contains("\x1b[32m\"hi\"\x1b[0m"));
        let open = styled("from_npy(\"data/a", None);
        assert!(open.contains("\x1b[32m\"data/a\x1b[0m"));
    }

    #[test]
    fn matching_bracket_is_emphasised() {
        let src = "f(a[1])";
        // Cursor just after the final `)`: it and the `(` after `f` light up.
        let out = styled(src, Some(src.len()));
        assert!(out.starts_with("f\x1b[1;4;34m(\x1b[0m"), "{out:?}");
        assert!(out.ends_with("\x1b[1;4;34m)\x1b[0m"), "{out:?}");
        // Cursor on the `[`.
        let out = styled(src, Some(3));
        assert!(out.contains("\x1b[1;4;34m[\x1b[0m\x1b[33m1\x1b[0m\x1b[1;4;34m]\x1b[0m"));
        assert!(out.starts_with("f(a"), "{out:?}");
        // No cursor, no emphasis.
        assert!(!styled(src, None).contains("1;4;34m"));
    }

    #[test]
    fn stray_closing_bracket_is_an_error() {
        let out = styled("(1]", None);
        assert!(out.contains("\x1b[4;31m]\x1b[0m"), "{out:?}");
        let out = styled("x)", None);
        assert!(out.contains("\x1b[4;31m)\x1b[0m"));
    }

    #[test]
    fn commands_are_coloured() {
        let out = styled(":time sum(x)", None);
        assert!(out.starts_with("\x1b[1;33m:time\x1b[0m "));
        assert!(out.contains("\x1b[36msum\x1b[0m"));
        let help = styled(":help sum", None);
        assert!(help.ends_with(" sum"));
    }
}
