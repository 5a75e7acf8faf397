//! The logos lexer, plus the layer that turns newlines into statement separators only where
//! they end a statement (not inside `()` or `[]`).

use logos::Logos;

/// One token of Arr source.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\f]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
#[logos(skip r"\\\n")]
pub enum Tok {
    #[token("fn")]
    Fn,
    #[token("return")]
    Return,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("import")]
    Import,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),
    #[regex(r"[0-9][0-9_]*", |lex| parse_int(lex.slice(), 10))]
    #[regex(r"0[xX][0-9a-fA-F_]+", |lex| parse_int(&lex.slice()[2..], 16))]
    Int(i64),
    #[regex(r"[0-9][0-9_]*\.[0-9_]*([eE][+-]?[0-9]+)?", |lex| parse_float(lex.slice()))]
    #[regex(r"\.[0-9][0-9_]*([eE][+-]?[0-9]+)?", |lex| parse_float(lex.slice()))]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+", |lex| parse_float(lex.slice()))]
    Float(f64),
    #[regex(r#""([^"\\\n]|\\.)*""#, |lex| unescape(lex.slice()))]
    Str(String),
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("@")]
    At,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("||")]
    PipePipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("=")]
    Assign,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("->")]
    Arrow,
    #[token("?")]
    Question,
    #[token("\n")]
    Newline,
}

fn parse_int(digits: &str, radix: u32) -> Option<i64> {
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    i64::from_str_radix(&clean, radix).ok()
}

fn parse_float(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    clean.parse().ok()
}

fn unescape(quoted: &str) -> Option<String> {
    let inner = &quoted[1..quoted.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            _ => return None,
        }
    }
    Some(out)
}

impl Tok {
    /// A short human description used in syntax errors.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("name `{s}`"),
            Tok::Int(i) => format!("integer `{i}`"),
            Tok::Float(f) => format!("number `{f}`"),
            Tok::Str(_) => "string".into(),
            Tok::Newline => "end of line".into(),
            other => format!("`{}`", other.text()),
        }
    }

    /// The source text of a fixed token.
    pub fn text(&self) -> &'static str {
        match self {
            Tok::Fn => "fn",
            Tok::Return => "return",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::For => "for",
            Tok::In => "in",
            Tok::Import => "import",
            Tok::True => "true",
            Tok::False => "false",
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Not => "not",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::SlashSlash => "//",
            Tok::Percent => "%",
            Tok::StarStar => "**",
            Tok::At => "@",
            Tok::Amp => "&",
            Tok::Pipe => "|",
            Tok::PipePipe => "||",
            Tok::Caret => "^",
            Tok::Tilde => "~",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Assign => "=",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Semi => ";",
            Tok::Dot => ".",
            Tok::Ellipsis => "...",
            Tok::Arrow => "->",
            Tok::Question => "?",
            Tok::Newline => "\\n",
            Tok::Ident(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) => "",
        }
    }
}

/// The language's keywords, as the lexer knows them (also exported for editor grammars).
pub const KEYWORDS: &[&str] = &[
    "fn", "return", "if", "else", "for", "in", "import", "true", "false", "and", "or", "not",
];

/// A lexing failure at a byte range.
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    /// Where the bad text is.
    pub start: usize,
    /// One past its end.
    pub end: usize,
    /// What is wrong.
    pub message: String,
}

/// Tokens with byte positions, as the lalrpop parser consumes them.
pub type Spanned = Result<(usize, Tok, usize), LexError>;

/// The deepest nesting of `()`, `[]` and `{}` a program may have (Python's parser stops at
/// 200): deeper input is refused with a clear error rather than exhausting the stack of
/// the passes that walk the syntax tree.
pub const MAX_NESTING: usize = 256;

/// Lexes `src` fully, dropping newlines nested in `()` or `[]` and collapsing runs of
/// separators, so the grammar sees a newline only where it can end a statement.
pub fn tokens(src: &str) -> Vec<Spanned> {
    let mut out = Vec::new();
    let mut nesting: Vec<Tok> = Vec::new();
    let mut lex = Tok::lexer(src);
    while let Some(result) = lex.next() {
        let span = lex.span();
        let tok = match result {
            Ok(tok) => tok,
            Err(()) => {
                let text = &src[span.clone()];
                let message = if text.starts_with('"') {
                    "unterminated or malformed string literal".to_string()
                } else if text.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    format!("malformed number `{text}`")
                } else {
                    format!("unexpected character `{text}`")
                };
                out.push(Err(LexError {
                    start: span.start,
                    end: span.end,
                    message,
                }));
                return out;
            }
        };
        match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace if nesting.len() >= MAX_NESTING => {
                out.push(Err(LexError {
                    start: span.start,
                    end: span.end,
                    message: format!(
                        "brackets nested deeper than {MAX_NESTING} levels; name the inner parts"
                    ),
                }));
                return out;
            }
            Tok::LParen | Tok::LBracket | Tok::LBrace => nesting.push(tok.clone()),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                nesting.pop();
            }
            Tok::Newline => {
                let in_group = matches!(nesting.last(), Some(Tok::LParen | Tok::LBracket));
                if in_group {
                    continue;
                }
            }
            _ => {}
        }
        out.push(Ok((span.start, tok, span.end)));
    }
    // Numbers that overflow or strings with bad escapes come back from the callbacks as
    // logos errors above; nothing else can fail here.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        tokens(src).into_iter().map(|t| t.unwrap().1).collect()
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("42 1_000 0x1f 1.5 1e-6 2. .5"),
            vec![
                Tok::Int(42),
                Tok::Int(1000),
                Tok::Int(31),
                Tok::Float(1.5),
                Tok::Float(1e-6),
                Tok::Float(2.0),
                Tok::Float(0.5)
            ]
        );
    }

    #[test]
    fn newlines_inside_parens_vanish() {
        assert_eq!(
            kinds("f(1,\n2)\n"),
            vec![
                Tok::Ident("f".into()),
                Tok::LParen,
                Tok::Int(1),
                Tok::Comma,
                Tok::Int(2),
                Tok::RParen,
                Tok::Newline
            ]
        );
        assert!(kinds("{\n}").contains(&Tok::Newline));
    }

    #[test]
    fn strings_and_comments() {
        assert_eq!(
            kinds("\"a\\n\\\"b\" # comment"),
            vec![Tok::Str("a\n\"b".into())]
        );
        assert!(tokens("\"open").last().unwrap().is_err());
    }
}
