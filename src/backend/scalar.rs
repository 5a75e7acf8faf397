//! Scalar semantics of every element-wise op for every dtype (NumPy's rules: wrapping
//! integers, Python-style floor division and modulo, integer division by zero giving 0,
//! nan-propagating minimum and maximum). Backends share these definitions.

use crate::data::Element;

/// Arithmetic every element type supports.
pub trait Arith: Element + PartialOrd {
    /// `a + b` (wrapping for integers, `or` for bool).
    fn add(a: Self, b: Self) -> Self;
    /// `a - b` (wrapping).
    fn sub(a: Self, b: Self) -> Self;
    /// `a * b` (wrapping for integers, `and` for bool).
    fn mul(a: Self, b: Self) -> Self;
    /// `a / b`.
    fn div(a: Self, b: Self) -> Self;
    /// `a // b`, flooring; integer division by zero gives 0.
    fn floordiv(a: Self, b: Self) -> Self;
    /// `a % b` with the divisor's sign; integer modulo by zero gives 0.
    fn modulo(a: Self, b: Self) -> Self;
    /// `a ** b`.
    fn pow(a: Self, b: Self) -> Self;
    /// `-a` (wrapping).
    fn neg(a: Self) -> Self;
    /// `|a|` (wrapping).
    fn abs(a: Self) -> Self;
    /// -1, 0 or 1 (nan stays nan).
    fn sign(a: Self) -> Self;
    /// Whether the value is nan.
    fn is_nan(a: Self) -> bool;
    /// Bitwise operations (integers and bool only; floats never reach them).
    fn bitand(a: Self, b: Self) -> Self;
    /// Bitwise or.
    fn bitor(a: Self, b: Self) -> Self;
    /// Bitwise xor.
    fn bitxor(a: Self, b: Self) -> Self;
    /// Bitwise not.
    fn invert(a: Self) -> Self;
}

/// The smaller, nan winning.
pub fn minimum<T: Arith>(a: T, b: T) -> T {
    if T::is_nan(a) || (!T::is_nan(b) && a <= b) {
        a
    } else {
        b
    }
}

/// The larger, nan winning.
pub fn maximum<T: Arith>(a: T, b: T) -> T {
    if T::is_nan(a) || a >= b { a } else { b }
}

macro_rules! int_arith {
    ($t:ty) => {
        impl Arith for $t {
            fn add(a: Self, b: Self) -> Self {
                a.wrapping_add(b)
            }
            fn sub(a: Self, b: Self) -> Self {
                a.wrapping_sub(b)
            }
            fn mul(a: Self, b: Self) -> Self {
                a.wrapping_mul(b)
            }
            fn div(a: Self, b: Self) -> Self {
                Self::floordiv(a, b)
            }
            #[allow(unused_comparisons)]
            fn floordiv(a: Self, b: Self) -> Self {
                if b == 0 {
                    return 0;
                }
                let q = a.wrapping_div(b);
                if (a.wrapping_rem(b) != 0) && ((a < 0) != (b < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[allow(unused_comparisons)]
            fn modulo(a: Self, b: Self) -> Self {
                if b == 0 {
                    return 0;
                }
                let r = a.wrapping_rem(b);
                if r != 0 && ((r < 0) != (b < 0)) {
                    r.wrapping_add(b)
                } else {
                    r
                }
            }
            #[allow(unused_comparisons)]
            fn pow(a: Self, b: Self) -> Self {
                if b < 0 {
                    // NumPy refuses negative integer powers; Arr gives the truncated value.
                    return match a as i64 {
                        1 => 1 as $t,
                        -1 => {
                            if (b as i64) % 2 == 0 {
                                1 as $t
                            } else {
                                a
                            }
                        }
                        _ => 0,
                    };
                }
                let mut result: Self = 1;
                let mut base = a;
                let mut e = b as u64;
                while e > 0 {
                    if e & 1 == 1 {
                        result = result.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                result
            }
            fn neg(a: Self) -> Self {
                (0 as $t).wrapping_sub(a)
            }
            #[allow(unused_comparisons)]
            fn abs(a: Self) -> Self {
                if a < 0 { Self::neg(a) } else { a }
            }
            #[allow(unused_comparisons)]
            fn sign(a: Self) -> Self {
                if a > 0 {
                    1
                } else if a < 0 {
                    Self::neg(1)
                } else {
                    0
                }
            }
            fn is_nan(_: Self) -> bool {
                false
            }
            fn bitand(a: Self, b: Self) -> Self {
                a & b
            }
            fn bitor(a: Self, b: Self) -> Self {
                a | b
            }
            fn bitxor(a: Self, b: Self) -> Self {
                a ^ b
            }
            fn invert(a: Self) -> Self {
                !a
            }
        }
    };
}
int_arith!(u8);
int_arith!(i32);
int_arith!(i64);

macro_rules! float_arith {
    ($t:ty) => {
        impl Arith for $t {
            fn add(a: Self, b: Self) -> Self {
                a + b
            }
            fn sub(a: Self, b: Self) -> Self {
                a - b
            }
            fn mul(a: Self, b: Self) -> Self {
                a * b
            }
            fn div(a: Self, b: Self) -> Self {
                a / b
            }
            fn floordiv(a: Self, b: Self) -> Self {
                float_divmod(a as f64, b as f64).0 as $t
            }
            fn modulo(a: Self, b: Self) -> Self {
                float_divmod(a as f64, b as f64).1 as $t
            }
            fn pow(a: Self, b: Self) -> Self {
                a.powf(b)
            }
            fn neg(a: Self) -> Self {
                -a
            }
            fn abs(a: Self) -> Self {
                a.abs()
            }
            fn sign(a: Self) -> Self {
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else if a.is_nan() {
                    a
                } else {
                    0.0
                }
            }
            fn is_nan(a: Self) -> bool {
                a.is_nan()
            }
            fn bitand(a: Self, _: Self) -> Self {
                a
            }
            fn bitor(a: Self, _: Self) -> Self {
                a
            }
            fn bitxor(a: Self, _: Self) -> Self {
                a
            }
            fn invert(a: Self) -> Self {
                a
            }
        }
    };
}
float_arith!(f32);
float_arith!(f64);

impl Arith for bool {
    fn add(a: Self, b: Self) -> Self {
        a | b
    }
    fn sub(a: Self, b: Self) -> Self {
        a ^ b
    }
    fn mul(a: Self, b: Self) -> Self {
        a & b
    }
    fn div(a: Self, _: Self) -> Self {
        a
    }
    fn floordiv(a: Self, b: Self) -> Self {
        a & b
    }
    fn modulo(_: Self, _: Self) -> Self {
        false
    }
    fn pow(a: Self, b: Self) -> Self {
        a | !b
    }
    fn neg(a: Self) -> Self {
        a
    }
    fn abs(a: Self) -> Self {
        a
    }
    fn sign(a: Self) -> Self {
        a
    }
    fn is_nan(_: Self) -> bool {
        false
    }
    fn bitand(a: Self, b: Self) -> Self {
        a & b
    }
    fn bitor(a: Self, b: Self) -> Self {
        a | b
    }
    fn bitxor(a: Self, b: Self) -> Self {
        a ^ b
    }
    fn invert(a: Self) -> Self {
        !a
    }
}

/// NumPy's `divmod` for floats: the floored quotient and the modulo with the divisor's sign.
pub fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    if b == 0.0 {
        return (a / b, a % b);
    }
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}

/// Float math functions shared by f32 and f64.
pub trait FloatMath: Arith {
    /// Applies a float math function by name of op.
    fn math(op: crate::kernel::UnaryOp, a: Self) -> Self;
    /// Two-argument arctangent.
    fn atan2(a: Self, b: Self) -> Self;
    /// Hypotenuse.
    fn hypot(a: Self, b: Self) -> Self;
    /// Round half to even at `decimals` places.
    fn round_decimals(a: Self, decimals: i32) -> Self;
}

macro_rules! float_math {
    ($t:ty) => {
        impl FloatMath for $t {
            fn math(op: crate::kernel::UnaryOp, a: Self) -> Self {
                use crate::kernel::UnaryOp::*;
                match op {
                    Sqrt => a.sqrt(),
                    Cbrt => a.cbrt(),
                    Exp => a.exp(),
                    Exp2 => a.exp2(),
                    Expm1 => a.exp_m1(),
                    Log => a.ln(),
                    Log2 => a.log2(),
                    Log10 => a.log10(),
                    Log1p => a.ln_1p(),
                    Sin => a.sin(),
                    Cos => a.cos(),
                    Tan => a.tan(),
                    Arcsin => a.asin(),
                    Arccos => a.acos(),
                    Arctan => a.atan(),
                    Sinh => a.sinh(),
                    Cosh => a.cosh(),
                    Tanh => a.tanh(),
                    Floor => a.floor(),
                    Ceil => a.ceil(),
                    Trunc => a.trunc(),
                    Rint => a.round_ties_even(),
                    _ => a,
                }
            }
            fn atan2(a: Self, b: Self) -> Self {
                a.atan2(b)
            }
            fn hypot(a: Self, b: Self) -> Self {
                a.hypot(b)
            }
            fn round_decimals(a: Self, decimals: i32) -> Self {
                if decimals >= 0 {
                    let f = (10.0 as $t).powi(decimals);
                    (a * f).round_ties_even() / f
                } else {
                    let f = (10.0 as $t).powi(-decimals);
                    (a / f).round_ties_even() * f
                }
            }
        }
    };
}
float_math!(f32);
float_math!(f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_floor_and_mod() {
        assert_eq!(i64::floordiv(-7, 2), -4);
        assert_eq!(i64::modulo(-7, 2), 1);
        assert_eq!(i64::modulo(7, -2), -1);
        assert_eq!(i64::floordiv(7, 0), 0);
        assert_eq!(i64::modulo(7, 0), 0);
        assert_eq!(f64::floordiv(-7.0, 2.0), -4.0);
        assert_eq!(f64::modulo(-7.5, 2.0), 0.5);
        assert!(f64::modulo(1.0, 0.0).is_nan());
        assert_eq!(i64::pow(3, 4), 81);
        assert_eq!(u8::neg(1), 255);
    }

    #[test]
    fn nan_propagates() {
        assert!(maximum(f64::NAN, 1.0).is_nan());
        assert!(maximum(1.0, f64::NAN).is_nan());
        assert!(minimum(1.0, f64::NAN).is_nan());
        assert_eq!(f64::round_decimals(2.5, 0), 2.0);
        assert_eq!(f64::round_decimals(1234.0, -2), 1200.0);
    }
}
