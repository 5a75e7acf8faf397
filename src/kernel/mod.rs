//! The kernel IR: a small typed SSA program of scalar operations over one tile of a chunk.
//! Chains of element-wise graph nodes compile into one kernel; backends run kernels.

pub mod philox;

use crate::sema::dtype::DType;

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
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MapOp {
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `where(cond, a, b)`: cond is bool, a and b of the output dtype.
    Where,
    /// `clip(x, lo, hi)`: three operands of the compute dtype.
    Clip,
    /// `round(x, decimals)`.
    Round(i32),
    /// `nan_to_num` with the replacements for nan, +inf and -inf.
    NanToNum(f64, f64, f64),
    /// Conversion to the output dtype.
    Cast,
}

impl MapOp {
    /// The name shown in plans.
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

/// An SSA value number inside one kernel.
pub type ValueId = usize;

/// One instruction of a kernel. Operands of `Apply` already have the compute dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum Instr {
    /// The tile of input `k`.
    Load(usize),
    /// A conversion.
    Cast(ValueId, DType),
    /// An operation computed in `compute` dtype, giving `out` dtype. For `Where`, the first
    /// operand is bool and the others are `compute`.
    Apply {
        op: MapOp,
        args: Vec<ValueId>,
        compute: DType,
        out: DType,
    },
}

/// A fused element-wise program: inputs are tiles of equal length, the result is one tile.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    /// The dtype of each input.
    pub input_dtypes: Vec<DType>,
    /// The instructions, in order; value `i` is the result of instruction `i`.
    pub instrs: Vec<Instr>,
    /// The dtype of each value.
    pub value_dtypes: Vec<DType>,
    /// The value that is the kernel's result.
    pub result: ValueId,
}

impl Kernel {
    /// A kernel with no instructions yet.
    pub fn new(input_dtypes: Vec<DType>) -> Kernel {
        Kernel {
            input_dtypes,
            instrs: Vec::new(),
            value_dtypes: Vec::new(),
            result: 0,
        }
    }

    /// Appends an instruction and returns its value id.
    pub fn push(&mut self, instr: Instr) -> ValueId {
        let dtype = match &instr {
            Instr::Load(k) => self.input_dtypes[*k],
            Instr::Cast(_, d) => *d,
            Instr::Apply { out, .. } => *out,
        };
        self.instrs.push(instr);
        self.value_dtypes.push(dtype);
        self.instrs.len() - 1
    }

    /// Returns `v` converted to `dtype`, adding a cast when needed.
    pub fn cast_to(&mut self, v: ValueId, dtype: DType) -> ValueId {
        if self.value_dtypes[v] == dtype {
            v
        } else {
            self.push(Instr::Cast(v, dtype))
        }
    }

    /// The names of the fused operations, for plans.
    pub fn op_names(&self) -> Vec<String> {
        self.instrs
            .iter()
            .filter_map(|i| match i {
                Instr::Apply { op, .. } => Some(op.name()),
                _ => None,
            })
            .collect()
    }
}
