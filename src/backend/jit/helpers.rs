//! The Rust functions JIT code calls for operations it does not inline: transcendental
//! math, Python's floor division and modulo, integer powers, rounding, `nan_to_num`. They
//! call exactly the functions the interpreter calls (`backend::scalar`), so results agree
//! bitwise. Integer operands travel widened to 64 bits; the JIT narrows the result.

use crate::backend::scalar::{Arith, FloatMath, nan_to_num_f32, nan_to_num_f64};
use crate::kernel::{BinaryOp, UnaryOp};

/// Unary op codes passed to the helpers (the index in this table).
pub const UNARY_CODES: [UnaryOp; 19] = {
    use UnaryOp::*;
    [
        Cbrt, Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sin, Cos, Tan, Arcsin, Arccos, Arctan,
        Sinh, Cosh, Tanh, Rint, Sign,
    ]
};

/// Binary op codes passed to the helpers.
pub const BINARY_CODES: [BinaryOp; 6] = {
    use BinaryOp::*;
    [Div, FloorDiv, Mod, Pow, Arctan2, Hypot]
};

/// The code of a unary op, if a helper computes it.
pub fn unary_code(op: UnaryOp) -> Option<u32> {
    UNARY_CODES.iter().position(|o| *o == op).map(|p| p as u32)
}

/// The code of a binary op, if a helper computes it.
pub fn binary_code(op: BinaryOp) -> Option<u32> {
    BINARY_CODES.iter().position(|o| *o == op).map(|p| p as u32)
}

fn float_unary<T: FloatMath>(code: u32, a: T) -> T {
    match UNARY_CODES.get(code as usize) {
        Some(UnaryOp::Sign) => T::sign(a),
        Some(op) => T::math(*op, a),
        None => a,
    }
}

fn binary<T: Arith>(code: u32, a: T, b: T) -> T {
    match BINARY_CODES.get(code as usize) {
        Some(BinaryOp::Div) => T::div(a, b),
        Some(BinaryOp::FloorDiv) => T::floordiv(a, b),
        Some(BinaryOp::Mod) => T::modulo(a, b),
        Some(BinaryOp::Pow) => T::pow(a, b),
        _ => a,
    }
}

fn float_binary<T: FloatMath>(code: u32, a: T, b: T) -> T {
    match BINARY_CODES.get(code as usize) {
        Some(BinaryOp::Arctan2) => T::atan2(a, b),
        Some(BinaryOp::Hypot) => T::hypot(a, b),
        _ => binary(code, a, b),
    }
}

/// f64 unary math.
pub extern "C" fn unary_f64(code: u32, a: f64) -> f64 {
    float_unary(code, a)
}

/// f32 unary math.
pub extern "C" fn unary_f32(code: u32, a: f32) -> f32 {
    float_unary(code, a)
}

/// f64 power: `powf`, called without the op-code dispatch of `binary_f64` (a power runs once
/// per element in hot kernels such as Lennard-Jones).
pub extern "C" fn pow_f64(a: f64, b: f64) -> f64 {
    <f64 as Arith>::pow(a, b)
}

/// f32 power (see `pow_f64`).
pub extern "C" fn pow_f32(a: f32, b: f32) -> f32 {
    <f32 as Arith>::pow(a, b)
}

/// f64 floor division, modulo, power, arctan2, hypot.
pub extern "C" fn binary_f64(code: u32, a: f64, b: f64) -> f64 {
    float_binary(code, a, b)
}

/// f32 floor division, modulo, power, arctan2, hypot.
pub extern "C" fn binary_f32(code: u32, a: f32, b: f32) -> f32 {
    float_binary(code, a, b)
}

/// i64 division, floor division, modulo, power (Python's rules, wrapping).
pub extern "C" fn binary_i64(code: u32, a: i64, b: i64) -> i64 {
    binary(code, a, b)
}

/// i32 ops of `binary_i64` (operands and result travel as i64).
pub extern "C" fn binary_i32(code: u32, a: i64, b: i64) -> i64 {
    binary(code, a as i32, b as i32) as i64
}

/// u8 ops of `binary_i64`.
pub extern "C" fn binary_u8(code: u32, a: i64, b: i64) -> i64 {
    binary(code, a as u8, b as u8) as i64
}

/// bool ops of `binary_i64`.
pub extern "C" fn binary_bool(code: u32, a: i64, b: i64) -> i64 {
    binary(code, a != 0, b != 0) as i64
}

/// `round(x, decimals)` in f64.
pub extern "C" fn round_f64(a: f64, decimals: i64) -> f64 {
    f64::round_decimals(a, decimals as i32)
}

/// `round(x, decimals)` in f32.
pub extern "C" fn round_f32(a: f32, decimals: i64) -> f32 {
    f32::round_decimals(a, decimals as i32)
}

/// `nan_to_num` in f64.
pub extern "C" fn nan_to_num_64(a: f64, nan: f64, posinf: f64, neginf: f64) -> f64 {
    nan_to_num_f64(a, nan, posinf, neginf)
}

/// `nan_to_num` in f32.
pub extern "C" fn nan_to_num_32(a: f32, nan: f64, posinf: f64, neginf: f64) -> f32 {
    nan_to_num_f32(a, nan, posinf, neginf)
}
