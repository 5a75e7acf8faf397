//! The front end: the logos lexer, the lalrpop parser, the AST with spans, and diagnostics.

pub mod ast;
pub mod diag;
pub mod lexer;
pub mod parser;
pub mod pieces;
pub mod source;

pub use diag::{Diagnostic, SourceFile};
pub use parser::parse_program;
