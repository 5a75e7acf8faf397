//! The abstract syntax tree of Arr programs; every node carries the byte span it came from.

use std::rc::Rc;

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMul,
    BitAnd,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
    /// Whether this is a comparison (which may not be chained).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

/// A prefix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

/// Short-circuit host logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicOp {
    And,
    Or,
}

/// An expression with its span.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

/// One component of an index expression `x[...]`.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum IndexItem {
    /// A plain expression: an integer, `newaxis`, a mask or an index array.
    Expr(Expr),
    /// `a:b:s`, any part optional.
    Slice {
        start: Option<Expr>,
        stop: Option<Expr>,
        step: Option<Expr>,
        span: Span,
    },
    /// `...`
    Ellipsis(Span),
}

/// A call argument, positional or keyword.
#[derive(Clone, Debug)]
pub struct Arg {
    /// The keyword, if written `name=value`.
    pub name: Option<(String, Span)>,
    /// The value.
    pub value: Expr,
}

/// The kinds of expressions.
#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Name(String),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    /// `[elt for name in iter if cond]`
    ListComp {
        elt: Box<Expr>,
        targets: Vec<(String, Span)>,
        iter: Box<Expr>,
        cond: Option<Box<Expr>>,
    },
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Logic(LogicOp, Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Arg>),
    Index(Box<Expr>, Vec<IndexItem>),
    Attr(Box<Expr>, String, Span),
    Lambda(Rc<FnDef>),
    If(Box<Expr>, Block, Option<Block>),
    Block(Block),
}

/// A sequence of statements; its value is the last expression statement's.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// The statements.
    pub stmts: Vec<Stmt>,
    /// The braces' span.
    pub span: Span,
}

/// A type annotation: `f64[n, 3]`, `f64`, `str`, ...
#[derive(Clone, Debug)]
pub struct TypeExpr {
    /// The element type or other type name.
    pub name: String,
    /// The dimensions, when written with brackets.
    pub dims: Option<Vec<DimExpr>>,
    /// Where it is.
    pub span: Span,
}

/// One dimension of a type annotation.
#[derive(Clone, Debug, PartialEq)]
pub enum DimExpr {
    Fixed(usize),
    Named(String),
    Unknown,
    Ellipsis,
}

/// A function parameter.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its type, when given.
    pub ty: Option<TypeExpr>,
    /// Its default, when given.
    pub default: Option<Expr>,
    /// Where it is.
    pub span: Span,
}

/// A function or lambda definition.
#[derive(Clone, Debug)]
pub struct FnDef {
    /// The name (`<lambda>` for lambdas).
    pub name: String,
    /// The parameters.
    pub params: Vec<Param>,
    /// The declared result type.
    pub ret: Option<TypeExpr>,
    /// The body.
    pub body: Block,
    /// The whole definition's span.
    pub span: Span,
}

/// A statement with its span.
#[derive(Clone, Debug)]
pub struct Stmt {
    /// What kind of statement.
    pub kind: StmtKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of statements.
#[derive(Clone, Debug)]
pub enum StmtKind {
    Expr(Expr),
    Assign(Vec<(String, Span)>, Expr),
    Fn(Rc<FnDef>),
    Return(Option<Expr>),
    For(Vec<(String, Span)>, Expr, Block),
    Import(String),
}

/// A parsed file.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// The top-level statements.
    pub stmts: Vec<Stmt>,
}
