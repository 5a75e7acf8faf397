//! The builtin function table (LANGUAGE.md §11): one entry per builtin with its signature and
//! one-line doc, shared by the evaluator, the checker, the REPL's `:help` and the editors'
//! grammars. Implementations live in one file per group.

pub mod args;
pub mod blocks;
pub mod creation;
pub mod data_dependent;
pub mod einsum;
pub mod elementwise;
pub mod host;
pub mod indexing;
pub mod io;
pub mod linalg;
pub mod linalg_dense;
pub mod linalg_norm;
pub mod reductions;
pub mod shape_ops;
pub mod stats;

pub use args::Args;

use crate::eval::{Evaluator, R, err_label};
use crate::sema::dtype::DType;
use crate::syntax::ast::Span;
use crate::value::{Hint, Num, Value};
use std::rc::Rc;

/// The group a builtin belongs to, for `:help` and docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Creation,
    Random,
    Elementwise,
    Reduction,
    Scan,
    Shape,
    Host,
    Linalg,
    DataDependent,
}

/// One builtin function.
pub struct Builtin {
    /// Its name (`random.normal` for module members).
    pub name: &'static str,
    /// Its parameters as text: `x, axis=none, keepdims=false`; `*rest` collects positionals.
    pub params: &'static str,
    /// One line of documentation.
    pub doc: &'static str,
    /// Its group.
    pub group: Group,
    /// The implementation.
    pub run: fn(&mut Evaluator, &mut Args) -> R<Value>,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<builtin {}>", self.name)
    }
}

/// Every builtin.
pub fn table() -> &'static [Builtin] {
    static TABLE: std::sync::OnceLock<Vec<Builtin>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Vec::new();
        creation::register(&mut t);
        elementwise::register(&mut t);
        reductions::register(&mut t);
        data_dependent::register(&mut t);
        shape_ops::register(&mut t);
        host::register(&mut t);
        linalg::register(&mut t);
        io::register(&mut t);
        blocks::register(&mut t);
        stats::register(&mut t);
        indexing::register(&mut t);
        t
    })
}

/// Finds a builtin by full name.
pub fn find(name: &str) -> Option<&'static Builtin> {
    table().iter().find(|b| b.name == name)
}

/// The constants of the prelude.
pub const CONSTANTS: &[&str] = &["nan", "inf", "pi", "e", "newaxis", "none", "args"];

/// The module namespaces.
pub const MODULES: &[&str] = &["random", "linalg"];

/// Resolves a global name: builtins, constants, dtypes and modules.
pub fn lookup_global(name: &str) -> Option<Value> {
    if let Some(b) = find(name)
        && !name.contains('.')
    {
        return Some(Value::Builtin(b));
    }
    Some(match name {
        "nan" => Value::Num(Num::Float(f64::NAN)),
        "inf" => Value::Num(Num::Float(f64::INFINITY)),
        "pi" => Value::Num(Num::Float(std::f64::consts::PI)),
        "e" => Value::Num(Num::Float(std::f64::consts::E)),
        "newaxis" | "none" => Value::None,
        "random" => Value::Module("random"),
        "linalg" => Value::Module("linalg"),
        _ => {
            return DType::from_name(name)
                .filter(|d| d.name() == name)
                .map(Value::DType);
        }
    })
}

/// Every global name (for suggestions and completion).
pub fn global_names() -> Vec<String> {
    let mut v: Vec<String> = table()
        .iter()
        .filter(|b| !b.name.contains('.'))
        .map(|b| b.name.to_string())
        .collect();
    v.extend(CONSTANTS.iter().map(|s| s.to_string()));
    v.extend(MODULES.iter().map(|s| s.to_string()));
    v.extend(DType::ALL.iter().map(|d| d.name().to_string()));
    v
}

pub use crate::sema::names::suggest;

/// Evaluates `value.name`: array attributes, module members, or a bound method.
pub fn attribute(interp: &mut Evaluator, v: Value, name: &str, span: Span) -> R<Value> {
    if let Value::Module(m) = &v {
        let full = format!("{m}.{name}");
        return match find(&full) {
            Some(b) => Ok(Value::Builtin(b)),
            None => {
                let members: Vec<String> = table()
                    .iter()
                    .filter_map(|b| b.name.strip_prefix(&format!("{m}.")).map(str::to_string))
                    .collect();
                let mut d = crate::syntax::diag::Diagnostic::error(
                    format!("module `{m}` has no member `{name}`"),
                    span,
                )
                .with_label("unknown member");
                if let Some(s) = suggest(name, &members) {
                    d = d.with_note(format!("did you mean `{m}.{s}`?"));
                }
                Err(crate::eval::Flow::Error(Box::new(d)))
            }
        };
    }
    if let Value::Array(a) = &v
        && let Some(attr) = host::array_attribute(interp, a, name)
    {
        return Ok(attr);
    }
    if let Value::Num(n) = &v {
        if name == "T" {
            return Ok(v.clone());
        }
        let scalar = crate::value::Array {
            dtype: crate::sema::dtype::Operand::Weak(n.kind()).default_dtype(),
            shape: Vec::new(),
            node: None,
        };
        if let Some(attr) = host::array_attribute(interp, &scalar, name) {
            return Ok(attr);
        }
    }
    if matches!(v, Value::Unknown(_)) {
        return Ok(Value::Unknown(Hint::Any));
    }
    // Method form: x.f(a) means f(x, a) for builtins and user functions alike.
    match interp.lookup(name) {
        Some(f @ (Value::Builtin(_) | Value::Func(_))) => Ok(Value::Bound(Rc::new((f, v)))),
        _ => {
            let mut names = host::ATTRIBUTES
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>();
            names.extend(global_names());
            let label = match suggest(name, &names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "unknown attribute".into(),
            };
            err_label(
                format!("{} has no attribute or method `{name}`", v.type_name()),
                span,
                label,
            )
        }
    }
}

/// The names editors highlight, as JSON: keywords, builtins (with module members), constants,
/// dtypes, array attributes. Editor grammars are generated from this and tested against it.
pub fn syntax_json() -> String {
    let quote = |v: Vec<String>| -> String {
        let items: Vec<String> = v.iter().map(|s| format!("\"{s}\"")).collect();
        format!("[{}]", items.join(", "))
    };
    let mut builtins: Vec<String> = table().iter().map(|b| b.name.to_string()).collect();
    builtins.sort();
    let mut prelude: Vec<String> = crate::PRELUDE
        .lines()
        .filter_map(|l| l.strip_prefix("fn "))
        .filter_map(|l| l.split('(').next())
        .map(|s| s.trim().to_string())
        .collect();
    prelude.sort();
    let constants: Vec<String> = CONSTANTS
        .iter()
        .filter(|c| **c != "args")
        .map(|s| s.to_string())
        .collect();
    format!(
        "{{\n  \"keywords\": {},\n  \"builtins\": {},\n  \"prelude\": {},\n  \"constants\": {},\n  \"dtypes\": {},\n  \"modules\": {},\n  \"attributes\": {}\n}}",
        quote(
            crate::syntax::lexer::KEYWORDS
                .iter()
                .map(|s| s.to_string())
                .collect()
        ),
        quote(builtins),
        quote(prelude),
        quote(constants),
        quote(DType::ALL.iter().map(|d| d.name().to_string()).collect()),
        quote(MODULES.iter().map(|s| s.to_string()).collect()),
        quote(host::ATTRIBUTES.iter().map(|s| s.to_string()).collect()),
    )
}
