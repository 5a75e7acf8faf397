//! The kernel IR: the element-wise operations (`UnaryOp`, `BinaryOp`, `MapOp`) shared by the
//! graph and the kernels, and the loop-nest kernel (`ir.rs`) every backend runs: one kernel
//! describes everything one task does to one strided region of a chunk.

pub mod ir;
pub mod lower;
pub mod philox;
pub mod random_ir;
pub mod text;

pub use ir::{Instr, Kernel, RandomDist, Scalar, Sink, ValueId};

/// Element-wise operations of one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Pos,
    Abs,
    Sign,
    Invert,
    Sqrt,
    Cbrt,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Floor,
    Ceil,
    Trunc,
    Rint,
    IsNan,
    IsInf,
    IsFinite,
}

impl UnaryOp {
    /// Whether the op is a float math function (integers are computed as floats).
    pub fn is_float_math(self) -> bool {
        use UnaryOp::*;
        matches!(
            self,
            Sqrt | Cbrt
                | Exp
                | Exp2
                | Expm1
                | Log
                | Log2
                | Log10
                | Log1p
                | Sin
                | Cos
                | Tan
                | Arcsin
                | Arccos
                | Arctan
                | Sinh
                | Cosh
                | Tanh
        )
    }

    /// Whether the op returns `bool` whatever its input.
    pub fn is_predicate(self) -> bool {
        matches!(self, UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite)
    }

    /// The name shown in plans.
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

/// Element-wise operations of two operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Minimum,
    Maximum,
    Arctan2,
    Hypot,
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

impl BinaryOp {
    /// Whether the op compares and returns `bool`.
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    /// The name shown in plans.
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }
}

/// One element-wise operation of a map node or kernel instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapOp {
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `where(cond, a, b)`: cond is bool, a and b of the output dtype.
    Where,
    /// `clip(x, lo, hi)`: three operands of the compute dtype.
    Clip,
    /// `round(x, decimals)`.
    Round(i32),
    /// `nan_to_num` with the replacements for nan, +inf and -inf, as f64 bit patterns (so
    /// the op, and every kernel holding it, is `Hash + Eq`).
    NanToNum(u64, u64, u64),
    /// Conversion to the output dtype.
    Cast,
}

impl MapOp {
    /// The name shown in plans and in kernel text.
    pub fn name(&self) -> String {
        match self {
            MapOp::Unary(u) => u.name(),
            MapOp::Binary(b) => b.name(),
            MapOp::Where => "where".into(),
            MapOp::Clip => "clip".into(),
            MapOp::Round(d) => format!("round({d})"),
            MapOp::NanToNum(..) => "nan_to_num".into(),
            MapOp::Cast => "astype".into(),
        }
    }
}
