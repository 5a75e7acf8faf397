//! The parser entry point: runs the lalrpop-generated parser over the lexer's tokens and turns
//! its failures into diagnostics.

use crate::syntax::ast::{BinOp, Block, Expr, ExprKind, FnDef, Param, Program, Span, UnOp};
use crate::syntax::diag::Diagnostic;
use crate::syntax::lexer::{self, LexError, Tok};
use lalrpop_util::ParseError;
use std::rc::Rc;

#[allow(clippy::all, clippy::pedantic, unused, missing_docs)]
mod generated {
    lalrpop_util::lalrpop_mod!(pub arr, "/arr.rs");
}

/// Builds a binary expression node.
pub fn bin(op: BinOp, a: Expr, b: Expr, l: usize, r: usize) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
        span: Span::new(l, r),
    }
}

/// Builds a lambda's function definition.
pub fn lambda(params: Vec<Param>, body: Block, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Lambda(Rc::new(FnDef {
            name: "<lambda>".into(),
            params,
            ret: None,
            body,
            span,
        })),
        span,
    }
}

/// Negation, folding `-literal` into the literal so `-9223372036854775808` and weak literals work.
pub fn neg_or_literal(a: Expr, l: usize, r: usize) -> Expr {
    let span = Span::new(l, r);
    match a.kind {
        ExprKind::Int(v) => Expr {
            kind: ExprKind::Int(v.wrapping_neg()),
            span,
        },
        ExprKind::Float(v) => Expr {
            kind: ExprKind::Float(-v),
            span,
        },
        kind => Expr {
            kind: ExprKind::Unary(UnOp::Neg, Box::new(Expr { kind, span: a.span })),
            span,
        },
    }
}

/// Parses a whole program.
pub fn parse_program(src: &str) -> Result<Program, Box<Diagnostic>> {
    let tokens = lexer::tokens(src);
    let parser = generated::arr::ProgramParser::new();
    parser
        .parse(tokens)
        .map_err(|e| Box::new(parse_error_to_diag(e, src)))
}

fn parse_error_to_diag(err: ParseError<usize, Tok, LexError>, src: &str) -> Diagnostic {
    match err {
        ParseError::InvalidToken { location } => {
            Diagnostic::error("invalid token", Span::new(location, location + 1))
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let at = location.min(src.len());
            Diagnostic::error("unexpected end of input", Span::new(at, at))
                .with_label(expected_text(&expected))
        }
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => Diagnostic::error(format!("unexpected {}", tok.describe()), Span::new(l, r))
            .with_label(expected_text(&expected)),
        ParseError::ExtraToken { token: (l, tok, r) } => {
            Diagnostic::error(format!("unexpected {}", tok.describe()), Span::new(l, r))
        }
        ParseError::User { error } => {
            Diagnostic::error(error.message, Span::new(error.start, error.end))
        }
    }
}

fn expected_text(expected: &[String]) -> String {
    let mut names: Vec<String> = expected
        .iter()
        .map(|e| match e.as_str() {
            "NL" => "end of line".to_string(),
            "Ident" => "a name".to_string(),
            "Int" => "an integer".to_string(),
            "Float" => "a number".to_string(),
            "Str" => "a string".to_string(),
            other => other.replace('"', "`"),
        })
        .collect();
    names.dedup();
    if names.len() > 8 {
        return "expected an expression or statement here".into();
    }
    match names.len() {
        0 => String::new(),
        1 => format!("expected {}", names[0]),
        _ => format!("expected one of {}", names.join(", ")),
    }
}
