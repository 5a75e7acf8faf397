//! Element-wise builtins: math functions, minimum/maximum, arctan2, hypot, where, clip,
//! round, nan_to_num, isnan/isinf/isfinite and astype. On host numbers they compute at once.

use crate::builtins::{Args, Builtin, Group};
use crate::eval::ops::{self, Operand2, binary_arrays, map_values, promote_checked};
use crate::eval::{Evaluator, Flow, R};
use crate::kernel::{BinaryOp, MapOp, UnaryOp};
use crate::sema::dtype::DType;
use crate::value::{Array, Num, Value};

const UNARY: &[(&str, UnaryOp, &str)] = &[
    ("abs", UnaryOp::Abs, "Absolute value."),
    ("sign", UnaryOp::Sign, "-1, 0 or 1 by sign (nan stays nan)."),
    ("sqrt", UnaryOp::Sqrt, "Square root."),
    ("cbrt", UnaryOp::Cbrt, "Cube root."),
    ("exp", UnaryOp::Exp, "e to the x."),
    ("exp2", UnaryOp::Exp2, "2 to the x."),
    ("expm1", UnaryOp::Expm1, "exp(x) - 1, accurate near 0."),
    ("log", UnaryOp::Log, "Natural logarithm."),
    ("log2", UnaryOp::Log2, "Base-2 logarithm."),
    ("log10", UnaryOp::Log10, "Base-10 logarithm."),
    ("log1p", UnaryOp::Log1p, "log(1 + x), accurate near 0."),
    ("sin", UnaryOp::Sin, "Sine."),
    ("cos", UnaryOp::Cos, "Cosine."),
    ("tan", UnaryOp::Tan, "Tangent."),
    ("arcsin", UnaryOp::Arcsin, "Inverse sine."),
    ("arccos", UnaryOp::Arccos, "Inverse cosine."),
    ("arctan", UnaryOp::Arctan, "Inverse tangent."),
    ("sinh", UnaryOp::Sinh, "Hyperbolic sine."),
    ("cosh", UnaryOp::Cosh, "Hyperbolic cosine."),
    ("tanh", UnaryOp::Tanh, "Hyperbolic tangent."),
    ("floor", UnaryOp::Floor, "Round toward -inf."),
    ("ceil", UnaryOp::Ceil, "Round toward +inf."),
    ("trunc", UnaryOp::Trunc, "Round toward zero."),
    (
        "rint",
        UnaryOp::Rint,
        "Round to the nearest integer, ties to even.",
    ),
    ("isnan", UnaryOp::IsNan, "Whether each element is nan."),
    (
        "isinf",
        UnaryOp::IsInf,
        "Whether each element is +inf or -inf.",
    ),
    (
        "isfinite",
        UnaryOp::IsFinite,
        "Whether each element is finite.",
    ),
];

const BINARY: &[(&str, BinaryOp, &str)] = &[
    (
        "minimum",
        BinaryOp::Minimum,
        "Element-wise minimum (nan wins).",
    ),
    (
        "maximum",
        BinaryOp::Maximum,
        "Element-wise maximum (nan wins).",
    ),
    ("arctan2", BinaryOp::Arctan2, "Angle of the point (x2, x1)."),
    (
        "hypot",
        BinaryOp::Hypot,
        "sqrt(x1**2 + x2**2) without overflow.",
    ),
];

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    for (name, _, doc) in UNARY {
        t.push(Builtin {
            name,
            params: "x",
            doc,
            group: Group::Elementwise,
            run: unary,
        });
    }
    for (name, _, doc) in BINARY {
        t.push(Builtin {
            name,
            params: "x1, x2",
            doc,
            group: Group::Elementwise,
            run: binary,
        });
    }
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Elementwise,
            run,
        })
    };
    add(
        "where",
        "condition, x, y",
        "x where condition is true, else y.",
        where_,
    );
    add(
        "clip",
        "x, a_min=none, a_max=none",
        "Limits values to [a_min, a_max].",
        clip,
    );
    add(
        "round",
        "x, decimals=0",
        "Rounds to the given decimals, ties to even.",
        round,
    );
    add(
        "nan_to_num",
        "x, nan=0.0, posinf=none, neginf=none",
        "Replaces nan and infinities with finite numbers.",
        nan_to_num,
    );
    add("astype", "x, dtype", "Converts to another dtype.", astype);
}

fn host_unary(op: UnaryOp, n: Num) -> Num {
    use crate::scalar::{Arith, FloatMath};
    let f = n.as_f64();
    match op {
        UnaryOp::IsNan => Num::Bool(f.is_nan()),
        UnaryOp::IsInf => Num::Bool(f.is_infinite()),
        UnaryOp::IsFinite => Num::Bool(f.is_finite()),
        UnaryOp::Abs | UnaryOp::Sign => match n {
            Num::Int(i) => Num::Int(if op == UnaryOp::Abs {
                i.wrapping_abs()
            } else {
                i.signum()
            }),
            Num::Bool(b) => Num::Bool(b),
            Num::Float(x) => Num::Float(if op == UnaryOp::Abs {
                x.abs()
            } else {
                <f64 as Arith>::sign(x)
            }),
        },
        _ => Num::Float(<f64 as FloatMath>::math(op, f)),
    }
}

fn unary(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let op = UNARY
        .iter()
        .find(|(n, _, _)| *n == args.name)
        .map(|(_, o, _)| *o)
        .unwrap_or(UnaryOp::Abs);
    match args.operand("x")? {
        Operand2::Weak(Some(n), _) => Ok(Value::Num(host_unary(op, n))),
        Operand2::Weak(None, _) => Err(Flow::Unknown),
        Operand2::Arr(a) => {
            if a.dtype == DType::Bool && matches!(op, UnaryOp::Sign) {
                return args.error("x", "sign is not defined for bool arrays", "bool");
            }
            let rounding = matches!(
                op,
                UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Rint
            );
            if rounding && !a.dtype.is_float() {
                // NumPy 2 keeps integer dtypes for these; they are the identity on integers.
                return Ok(Value::Array(a));
            }
            Ok(ops::unary_array(interp, op, &a))
        }
    }
}

fn binary(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let op = BINARY
        .iter()
        .find(|(n, _, _)| *n == args.name)
        .map(|(_, o, _)| *o)
        .unwrap_or(BinaryOp::Minimum);
    let a = args.operand("x1")?;
    let b = args.operand("x2")?;
    if let (Operand2::Weak(Some(x), _), Operand2::Weak(Some(y), _)) = (&a, &b) {
        let (p, q) = (x.as_f64(), y.as_f64());
        return Ok(Value::Num(match op {
            BinaryOp::Minimum | BinaryOp::Maximum => {
                let pick_first = if p.is_nan() {
                    true
                } else if q.is_nan() {
                    false
                } else if op == BinaryOp::Minimum {
                    p <= q
                } else {
                    p >= q
                };
                if pick_first { *x } else { *y }
            }
            BinaryOp::Arctan2 => Num::Float(p.atan2(q)),
            _ => Num::Float(p.hypot(q)),
        }));
    }
    binary_arrays(interp, op, &a, &b, args.span, args.name)
}

fn where_(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let c = args.operand("condition")?;
    let x = args.operand("x")?;
    let y = args.operand("y")?;
    let texts = |o: &Operand2| match o {
        Operand2::Arr(a) => a.type_text(),
        _ => "scalar".into(),
    };
    let shape_of = |o: &Operand2| match o {
        Operand2::Arr(a) => a.shape.clone(),
        _ => Vec::new(),
    };
    let Some(shape) = ops::broadcast(&shape_of(&c), &shape_of(&x))
        .and_then(|s| ops::broadcast(&s, &shape_of(&y)))
    else {
        return args.error(
            "condition",
            format!(
                "cannot broadcast {}, {} and {} together",
                texts(&c),
                texts(&x),
                texts(&y)
            ),
            "in this where",
        );
    };
    let out = promote_checked(&[&x, &y], args.span)?;
    Ok(map_values(
        interp,
        MapOp::Where,
        out,
        out,
        &[c, x, y],
        shape,
    ))
}

fn clip(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.operand("x")?;
    let lo = args
        .get("a_min")
        .map(|_| args.operand("a_min"))
        .transpose()?;
    let hi = args
        .get("a_max")
        .map(|_| args.operand("a_max"))
        .transpose()?;
    let Operand2::Arr(xa) = &x else {
        return args.error("x", "clip needs an array", "not an array");
    };
    // NumPy 2: an integer bound beyond the integer dtype's range on its own side (a lower
    // bound below the smallest value, an upper one above the largest) constrains nothing, so
    // it is clipped to that end of the range; one beyond the other end stays an error.
    let bound_dtype = {
        let present: Vec<&Operand2> = [Some(&x), lo.as_ref(), hi.as_ref()]
            .into_iter()
            .flatten()
            .collect();
        ops::promote_all(&present)
    };
    let saturate = |bound: Option<Operand2>, upper: bool| match (bound, bound_dtype.int_range()) {
        (Some(Operand2::Weak(Some(Num::Int(v)), kind)), Some((min, max)))
            if (upper && v > max) || (!upper && v < min) =>
        {
            Some(Operand2::Weak(
                Some(Num::Int(if upper { max } else { min })),
                kind,
            ))
        }
        (bound, _) => bound,
    };
    let (lo, hi) = (saturate(lo, false), saturate(hi, true));
    let (lo, hi) = match (lo, hi) {
        (None, None) => return Ok(Value::Array(xa.clone())),
        (Some(l), None) => {
            return binary_arrays(interp, BinaryOp::Maximum, &x, &l, args.span, "clip");
        }
        (None, Some(h)) => {
            return binary_arrays(interp, BinaryOp::Minimum, &x, &h, args.span, "clip");
        }
        (Some(l), Some(h)) => (l, h),
    };
    let dtype = promote_checked(&[&x, &lo, &hi], args.span)?;
    let shape_of = |o: &Operand2| match o {
        Operand2::Arr(a) => a.shape.clone(),
        _ => Vec::new(),
    };
    let Some(shape) =
        ops::broadcast(&xa.shape, &shape_of(&lo)).and_then(|s| ops::broadcast(&s, &shape_of(&hi)))
    else {
        return args.error(
            "a_min",
            "clip bounds do not broadcast with x",
            "shape mismatch",
        );
    };
    Ok(map_values(
        interp,
        MapOp::Clip,
        dtype,
        dtype,
        &[x, lo, hi],
        shape,
    ))
}

fn round(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let decimals = args.int_or("decimals", 0)? as i32;
    match args.operand("x")? {
        Operand2::Weak(Some(n), _) => Ok(Value::Num(match n {
            Num::Float(f) => Num::Float(<f64 as crate::scalar::FloatMath>::round_decimals(
                f, decimals,
            )),
            other => other,
        })),
        Operand2::Weak(None, _) => Err(Flow::Unknown),
        Operand2::Arr(a) => {
            if !a.dtype.is_float() && decimals >= 0 {
                return Ok(Value::Array(a));
            }
            let d = if a.dtype.is_float() {
                a.dtype
            } else {
                DType::F64
            };
            let out = map_values(
                interp,
                MapOp::Round(decimals),
                d,
                d,
                &[Operand2::Arr(a.clone())],
                a.shape.clone(),
            );
            if a.dtype.is_float() {
                Ok(out)
            } else if let Value::Array(r) = out {
                Ok(cast(interp, &r, a.dtype))
            } else {
                Ok(out)
            }
        }
    }
}

fn nan_to_num(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("x")?;
    if !a.dtype.is_float() {
        return Ok(Value::Array(a));
    }
    let big = if a.dtype == DType::F32 {
        f32::MAX as f64
    } else {
        f64::MAX
    };
    let nan = args.float("nan")?.unwrap_or(0.0);
    let posinf = args.float("posinf")?.unwrap_or(big);
    let neginf = args.float("neginf")?.unwrap_or(-big);
    Ok(map_values(
        interp,
        MapOp::NanToNum(nan.to_bits(), posinf.to_bits(), neginf.to_bits()),
        a.dtype,
        a.dtype,
        &[Operand2::Arr(a.clone())],
        a.shape.clone(),
    ))
}

/// Converts an array to another dtype.
pub fn cast(interp: &Evaluator, a: &Array, dtype: DType) -> Value {
    if a.dtype == dtype {
        return Value::Array(a.clone());
    }
    map_values(
        interp,
        MapOp::Cast,
        a.dtype,
        dtype,
        &[Operand2::Arr(a.clone())],
        a.shape.clone(),
    )
}

fn astype(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let Some(d) = args.dtype("dtype")? else {
        return args.error("dtype", "astype needs a dtype", "missing");
    };
    match args.operand("x")? {
        Operand2::Arr(a) => Ok(cast(interp, &a, d)),
        Operand2::Weak(n, k) => {
            let a = Array {
                dtype: crate::sema::dtype::Operand::Weak(k).default_dtype(),
                shape: Vec::new(),
                node: n.map(|n| {
                    ops::scalar_node(n, crate::sema::dtype::Operand::Weak(k).default_dtype())
                }),
            };
            Ok(cast(interp, &a, d))
        }
    }
}
