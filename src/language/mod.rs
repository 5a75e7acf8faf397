//! The language's vocabulary for the faces (REPL, language server, dashboard, `arr
//! --dump-syntax`): the builtin table with its docs, constants, modules, attributes,
//! keywords, dtypes, the lexer's tokens, the syntax tree and its parser, and source spans. The faces use this module, the
//! crate root (`Session`) and `value` — never the compiler's internals directly (DESIGN §2;
//! `tests/integration/layers.rs`).

pub mod complete;

pub use crate::builtins::host::ATTRIBUTES;
pub use crate::builtins::{
    Builtin, CONSTANTS, Group, MODULES, find, global_names, lookup_global, suggest, syntax_json,
    table,
};
pub use crate::sema::dtype::{DType, WeakKind};
pub use crate::syntax::ast::Span;
pub use crate::syntax::diag::Diagnostic;
pub use crate::syntax::diag::SourceFile;
pub use crate::syntax::lexer::{KEYWORDS, Tok};
pub use crate::syntax::{ast, parse_program, pieces};
