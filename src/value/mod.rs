//! Host values of the language: numbers, strings, lists, tuples, functions, dtypes and lazy
//! arrays. In check mode arrays carry only dtype and shape, and values that depend on
//! computed data are `Unknown`.

pub mod format;

use crate::graph::NodeRef;
use crate::sema::dtype::{DType, Operand, WeakKind};
use crate::syntax::ast::FnDef;
use crate::syntax::diag::SourceFile;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One dimension: known, or known only after computing (`?`).
pub type Dim = Option<usize>;

/// A host number; literals and host results like `float(x)` are weak (they take the kind of
/// an array they meet).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

impl Num {
    /// The weak kind.
    pub fn kind(self) -> WeakKind {
        match self {
            Num::Bool(_) => WeakKind::Bool,
            Num::Int(_) => WeakKind::Int,
            Num::Float(_) => WeakKind::Float,
        }
    }
    /// As f64.
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Bool(b) => b as i64 as f64,
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
    /// Truthiness.
    pub fn truthy(self) -> bool {
        match self {
            Num::Bool(b) => b,
            Num::Int(i) => i != 0,
            Num::Float(f) => f != 0.0,
        }
    }
}

/// A lazy array value.
#[derive(Clone, Debug)]
pub struct Array {
    /// Element type.
    pub dtype: DType,
    /// Shape (dims may be unknown in check mode).
    pub shape: Vec<Dim>,
    /// The graph node (run mode only).
    pub node: Option<NodeRef>,
}

impl Array {
    /// The promotion operand of this array.
    pub fn operand(&self) -> Operand {
        Operand::Strong(self.dtype)
    }
    /// The known shape, if every dim is known.
    pub fn known_shape(&self) -> Option<Vec<usize>> {
        self.shape.iter().copied().collect()
    }
    /// The type written as in signatures: `f64[3, 4]`.
    pub fn type_text(&self) -> String {
        type_text(self.dtype, &self.shape)
    }
}

pub use crate::sema::dtype::type_text;

/// What is known about a value that check mode cannot compute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hint {
    /// A host number of this kind.
    Num(WeakKind),
    /// Anything.
    Any,
}

/// A user function with the scope it was defined in.
#[derive(Debug)]
pub struct Closure {
    /// Its definition.
    pub def: Rc<FnDef>,
    /// The scope it reads names from.
    pub scope: Scope,
    /// The file it was defined in.
    pub file: SourceFile,
}

/// A variable scope; functions get their own, chained to where they were defined.
#[derive(Debug, Default)]
pub struct ScopeData {
    /// Bindings.
    pub vars: HashMap<String, Value>,
    /// The enclosing scope.
    pub parent: Option<Scope>,
}

/// A shared scope.
pub type Scope = Rc<RefCell<ScopeData>>;

/// A value of the language.
#[derive(Clone, Debug)]
pub enum Value {
    /// `none` (also `newaxis`).
    None,
    /// A host number (weak: it takes the kind of an array it meets).
    Num(Num),
    /// A string.
    Str(Rc<str>),
    /// A list.
    List(Rc<Vec<Value>>),
    /// A tuple.
    Tuple(Rc<Vec<Value>>),
    /// A lazy array.
    Array(Array),
    /// A dtype (`f64`).
    DType(DType),
    /// A user function or lambda.
    Func(Rc<Closure>),
    /// A builtin function.
    Builtin(&'static crate::builtins::Builtin),
    /// A callable with its receiver bound as first argument (`x.sum`).
    Bound(Rc<(Value, Value)>),
    /// A namespace such as `random` or `linalg`.
    Module(&'static str),
    /// A Rust function registered by an embedding program.
    Native(std::sync::Arc<crate::embed::NativeFn>),
    /// Check mode: known only when running.
    Unknown(Hint),
}

impl Value {
    /// The type's name for error messages.
    pub fn type_name(&self) -> String {
        match self {
            Value::None => "none".into(),
            Value::Num(Num::Bool(_)) => "bool".into(),
            Value::Num(Num::Int(_)) => "int".into(),
            Value::Num(Num::Float(_)) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::List(_) => "list".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::Array(a) => a.type_text(),
            Value::DType(_) => "dtype".into(),
            Value::Func(_) | Value::Builtin(_) | Value::Bound(_) => "function".into(),
            Value::Module(m) => format!("module {m}"),
            Value::Native(_) => "function".into(),
            Value::Unknown(_) => "value".into(),
        }
    }

    /// Whether the value is a check-mode unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// A tuple value.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(items))
    }
}
