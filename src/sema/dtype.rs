//! Element types and NumPy 2 promotion, including weak (literal) scalars.

use std::fmt;

/// An element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I32,
    I64,
    F32,
    F64,
}

impl DType {
    /// Every dtype, in promotion order.
    pub const ALL: [DType; 6] = [
        DType::Bool,
        DType::U8,
        DType::I32,
        DType::I64,
        DType::F32,
        DType::F64,
    ];

    /// The name used in source and printing.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "u8",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// Parses a dtype name; NumPy spellings are accepted too.
    pub fn from_name(name: &str) -> Option<DType> {
        Some(match name {
            "bool" => DType::Bool,
            "u8" | "uint8" => DType::U8,
            "i32" | "int32" => DType::I32,
            "i64" | "int64" | "int" => DType::I64,
            "f32" | "float32" => DType::F32,
            "f64" | "float64" | "float" => DType::F64,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 => 1,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    /// Whether this is `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// Whether this is an integer type (not bool).
    pub fn is_int(self) -> bool {
        matches!(self, DType::U8 | DType::I32 | DType::I64)
    }

    /// The float type that math functions of this type compute in (NumPy would use f16
    /// for bool and u8; Arr has no f16 and uses f32).
    pub fn float_of(self) -> DType {
        match self {
            DType::Bool | DType::U8 | DType::F32 => DType::F32,
            DType::I32 | DType::I64 | DType::F64 => DType::F64,
        }
    }

    /// The accumulator type of sums, products and scans (NumPy's rule).
    pub fn sum_type(self) -> DType {
        match self {
            DType::Bool | DType::U8 | DType::I32 => DType::I64,
            other => other,
        }
    }

    /// Whether an integer literal `v` fits this integer type.
    /// The integers this dtype holds, for the integer dtypes (`None` otherwise; `i64` holds
    /// every host integer).
    pub fn int_range(self) -> Option<(i64, i64)> {
        match self {
            DType::U8 => Some((0, 255)),
            DType::I32 => Some((i32::MIN as i64, i32::MAX as i64)),
            DType::I64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }

    pub fn holds_int(self, v: i64) -> bool {
        match self {
            DType::U8 => (0..=255).contains(&v),
            DType::I32 => i32::try_from(v).is_ok(),
            _ => true,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Promotes two (strong) dtypes as NumPy 2 does.
pub fn promote(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    match (lo, hi) {
        (Bool, x) => x,
        (U8, I32) => I32,
        (U8, I64) | (I32, I64) => I64,
        (U8, F32) => F32,
        (I32 | I64, F32) => F64,
        (_, F64) => F64,
        (F32, _) | (_, _) => hi,
    }
}

/// The kind of a weak (literal) scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakKind {
    Bool,
    Int,
    Float,
}

/// The type of an operand for promotion: a strong dtype, or a literal's weak kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Strong(DType),
    Weak(WeakKind),
}

impl Operand {
    /// The dtype a lone weak operand takes.
    pub fn default_dtype(self) -> DType {
        match self {
            Operand::Strong(d) => d,
            Operand::Weak(WeakKind::Bool) => DType::Bool,
            Operand::Weak(WeakKind::Int) => DType::I64,
            Operand::Weak(WeakKind::Float) => DType::F64,
        }
    }
}

/// Promotes two operands, returning the result operand (weak if both are weak).
pub fn promote_operands(a: Operand, b: Operand) -> Operand {
    use Operand::*;
    match (a, b) {
        (Strong(x), Strong(y)) => Strong(promote(x, y)),
        (Weak(x), Weak(y)) => Weak(match (x, y) {
            (WeakKind::Float, _) | (_, WeakKind::Float) => WeakKind::Float,
            (WeakKind::Int, _) | (_, WeakKind::Int) => WeakKind::Int,
            _ => WeakKind::Bool,
        }),
        (Strong(s), Weak(w)) | (Weak(w), Strong(s)) => Strong(match (s, w) {
            (s, WeakKind::Bool) => s,
            (DType::Bool, WeakKind::Int) => DType::I64,
            (s, WeakKind::Int) => s,
            (s, WeakKind::Float) if s.is_float() => s,
            (_, WeakKind::Float) => DType::F64,
        }),
    }
}

/// `f64[3, ?]` or `f64` for a 0-d array.
pub fn type_text(dtype: DType, shape: &[Option<usize>]) -> String {
    if shape.is_empty() {
        return dtype.name().to_string();
    }
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.map(|n| n.to_string()).unwrap_or_else(|| "?".into()))
        .collect();
    format!("{}[{}]", dtype.name(), dims.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn numpy2_table() {
        assert_eq!(promote(I32, F32), F64);
        assert_eq!(promote(U8, F32), F32);
        assert_eq!(promote(U8, I32), I32);
        assert_eq!(promote(Bool, U8), U8);
        assert_eq!(promote(F32, F64), F64);
        assert_eq!(promote(I64, F32), F64);
    }

    #[test]
    fn weak_literals() {
        let w = |k| Operand::Weak(k);
        let s = Operand::Strong;
        assert_eq!(promote_operands(s(F32), w(WeakKind::Float)), s(F32));
        assert_eq!(promote_operands(s(I32), w(WeakKind::Int)), s(I32));
        assert_eq!(promote_operands(s(I64), w(WeakKind::Float)), s(F64));
        assert_eq!(promote_operands(s(Bool), w(WeakKind::Int)), s(I64));
        assert_eq!(
            promote_operands(w(WeakKind::Int), w(WeakKind::Float)),
            w(WeakKind::Float)
        );
    }
}
