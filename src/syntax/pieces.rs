//! The editors' view of the compiler's logos lexer: every piece of a line classified
//! (keyword, name, number, string, comment, bracket, ...) so that the REPL's colouring,
//! bracket matching and multi-line check, and completion in the REPL and the language server,
//! all read tokens exactly as the compiler does.

use crate::syntax::lexer::Tok;
use logos::Logos;

/// What a piece of source text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `fn`, `if`, `for`, ...
    Keyword,
    /// `true` / `false`.
    Bool,
    /// An identifier.
    Name,
    /// An integer or float literal.
    Number,
    /// A complete string literal.
    Str,
    /// A string literal still open at the end of its line.
    OpenStr,
    /// A `#` comment.
    Comment,
    /// `(`, `[` or `{`.
    Open,
    /// `)`, `]` or `}`.
    Close,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `=`
    Assign,
    /// A line break that ends a statement.
    Newline,
    /// Any other operator or punctuation.
    Punct,
    /// Text the lexer rejects.
    Error,
}

/// One classified piece of the source, by byte range.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it is.
    pub class: Class,
}

impl Piece {
    /// The piece's text in `src`.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// Whether this piece is code (not a comment).
    pub fn is_code(&self) -> bool {
        self.class != Class::Comment
    }
}

fn class_of(tok: &Tok) -> Class {
    match tok {
        Tok::True | Tok::False => Class::Bool,
        Tok::Fn
        | Tok::Return
        | Tok::If
        | Tok::Else
        | Tok::For
        | Tok::In
        | Tok::Import
        | Tok::And
        | Tok::Or
        | Tok::Not => Class::Keyword,
        Tok::Ident(_) => Class::Name,
        Tok::Int(_) | Tok::Float(_) => Class::Number,
        Tok::Str(_) => Class::Str,
        Tok::LParen | Tok::LBracket | Tok::LBrace => Class::Open,
        Tok::RParen | Tok::RBracket | Tok::RBrace => Class::Close,
        Tok::Dot => Class::Dot,
        Tok::Comma => Class::Comma,
        Tok::Assign => Class::Assign,
        Tok::Newline => Class::Newline,
        _ => Class::Punct,
    }
}

/// Comments inside the text the lexer skipped between two tokens.
fn comments_in_gap(src: &str, from: usize, to: usize, out: &mut Vec<Piece>) {
    let mut at = from;
    while at < to {
        let Some(gap) = src.get(at..to) else { return };
        let Some(hash) = gap.find('#') else { return };
        let start = at + hash;
        let end = src[start..to].find('\n').map_or(to, |i| start + i);
        out.push(Piece {
            start,
            end,
            class: Class::Comment,
        });
        at = end;
    }
}

/// Splits `src` into classified pieces with the compiler's lexer. Never fails: text the lexer
/// rejects becomes `Error` pieces, and a string left open runs to the end of its line as
/// `OpenStr`, after which lexing resumes.
pub fn pieces(src: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset <= src.len() {
        let rest = &src[offset..];
        let mut lex = Tok::lexer(rest);
        let mut last_end = 0;
        let mut resume = None;
        while let Some(result) = lex.next() {
            let span = lex.span();
            comments_in_gap(src, offset + last_end, offset + span.start, &mut out);
            last_end = span.end;
            let (start, end) = (offset + span.start, offset + span.end);
            match result {
                Ok(tok) => out.push(Piece {
                    start,
                    end,
                    class: class_of(&tok),
                }),
                Err(()) => {
                    let text = &rest[span.clone()];
                    let closed = text.len() >= 2 && text.ends_with('"');
                    if text.starts_with('"') && !closed {
                        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
                        out.push(Piece {
                            start,
                            end: line_end,
                            class: Class::OpenStr,
                        });
                        resume = Some(line_end);
                        break;
                    }
                    out.push(Piece {
                        start,
                        end,
                        class: Class::Error,
                    });
                }
            }
        }
        match resume {
            Some(at) if at < src.len() => offset = at,
            Some(_) => break,
            None => {
                comments_in_gap(src, offset + last_end, src.len(), &mut out);
                break;
            }
        }
    }
    out
}

/// The index of the bracket that matches the bracket piece at `index`, if any.
pub fn partner(src: &str, pieces: &[Piece], index: usize) -> Option<usize> {
    let piece = pieces.get(index)?;
    match piece.class {
        Class::Open => {
            let mut depth = 0usize;
            for (i, p) in pieces.iter().enumerate().skip(index) {
                match p.class {
                    Class::Open => depth += 1,
                    Class::Close => {
                        depth -= 1;
                        if depth == 0 {
                            return closes(piece.text(src), p.text(src)).then_some(i);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        Class::Close => {
            let mut depth = 0usize;
            for i in (0..=index).rev() {
                let p = &pieces[i];
                match p.class {
                    Class::Close => depth += 1,
                    Class::Open => {
                        depth -= 1;
                        if depth == 0 {
                            return closes(p.text(src), piece.text(src)).then_some(i);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

/// Whether `close` is the closing bracket of `open`.
fn closes(open: &str, close: &str) -> bool {
    matches!((open, close), ("(", ")") | ("[", "]") | ("{", "}"))
}

/// The indices of the brackets still open at the end of `pieces`, outermost first.
pub fn open_brackets(pieces: &[Piece]) -> Vec<usize> {
    let mut stack = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        match p.class {
            Class::Open => stack.push(i),
            Class::Close => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(src: &str) -> Vec<(String, Class)> {
        pieces(src)
            .iter()
            .map(|p| (p.text(src).to_string(), p.class))
            .collect()
    }

    #[test]
    fn classifies_tokens_and_comments() {
        let got = classes("x = sum(a, axis=0) # total\nfor");
        assert_eq!(got[0], ("x".into(), Class::Name));
        assert_eq!(got[1], ("=".into(), Class::Assign));
        assert_eq!(got[3], ("(".into(), Class::Open));
        assert!(got.contains(&("0".into(), Class::Number)));
        assert!(got.contains(&("# total".into(), Class::Comment)));
        assert_eq!(got.last(), Some(&("for".into(), Class::Keyword)));
    }

    #[test]
    fn open_string_runs_to_end_of_line_and_lexing_resumes() {
        let got = classes("load(\"data/x\nfoo");
        assert!(got.contains(&("\"data/x".into(), Class::OpenStr)));
        assert_eq!(got.last(), Some(&("foo".into(), Class::Name)));
        let closed = classes("\"a b\" + 1");
        assert_eq!(closed[0], ("\"a b\"".into(), Class::Str));
    }

    #[test]
    fn bad_text_is_an_error_piece_not_a_panic() {
        for src in [
            "$",
            "x ! y",
            "\"\\q\"",
            "99999999999999999999999",
            "é(",
            "\\",
        ] {
            let _ = pieces(src);
        }
        assert!(classes("a $ b").iter().any(|(_, c)| *c == Class::Error));
    }

    #[test]
    fn brackets_pair_up() {
        let src = "f(a[1], {2})";
        let p = pieces(src);
        let open = p.iter().position(|x| x.text(src) == "(").unwrap();
        let close = partner(src, &p, open).unwrap();
        assert_eq!(p[close].start, src.len() - 1);
        assert_eq!(partner(src, &p, close), Some(open));
        assert!(open_brackets(&p).is_empty());
        assert_eq!(open_brackets(&pieces("f(a[1,")).len(), 2);
        let bad = "(]";
        assert_eq!(partner(bad, &pieces(bad), 0), None);
    }
}
