//! `linalg.norm` (LANGUAGE.md §11a): vector norms of every `ord` along any axis and matrix
//! norms over a pair of axes, built from streaming reductions (so `x / linalg.norm(x,
//! axis=1, keepdims=true)` over a larger-than-memory array never holds more than a few
//! blocks). The spectral norms (`ord=2`, `-2`, `"nuc"`) need each matrix's singular values
//! and compute the stack of matrices in memory (`linalg_dense.rs`).

use crate::builtins::linalg::{arr, bin, call, ints};
use crate::builtins::{Args, Builtin, Group};
use crate::eval::{Evaluator, R};
use crate::syntax::ast::{BinOp, Span};
use crate::value::{Array, Num, Value};

/// Adds `linalg.norm`.
pub fn register(t: &mut Vec<Builtin>) {
    t.push(Builtin {
        name: "linalg.norm",
        params: "x, ord=none, axis=none, keepdims=false",
        doc: "Vector or matrix norm (NumPy's ords) along an axis or a pair of axes.",
        group: Group::Linalg,
        run: norm,
    });
}

/// The `ord` of a norm.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ord {
    Default,
    Fro,
    Nuc,
    Num(f64),
}

fn parse_ord(args: &Args) -> R<Ord> {
    match args.value("ord") {
        None => Ok(Ord::Default),
        Some(Value::Str(s)) if &**s == "fro" => Ok(Ord::Fro),
        Some(Value::Str(s)) if &**s == "nuc" => Ok(Ord::Nuc),
        Some(Value::Str(s)) => args.error(
            "ord",
            format!("invalid norm order \"{s}\" (expected \"fro\", \"nuc\" or a number)"),
            "unknown ord",
        ),
        Some(Value::Num(n)) => Ok(Ord::Num(n.as_f64())),
        Some(Value::Unknown(_)) => Err(crate::eval::Flow::Unknown),
        Some(other) => args.error(
            "ord",
            format!(
                "norm ord must be a number or a string, not {}",
                other.type_name()
            ),
            "bad ord",
        ),
    }
}

fn truth(b: bool) -> Value {
    Value::Num(Num::Bool(b))
}

fn float(f: f64) -> Value {
    Value::Num(Num::Float(f))
}

fn norm(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let ord = parse_ord(args)?;
    let keepdims = args.flag("keepdims", false)?;
    let span = args.span;
    let nd = x.shape.len();
    let axes: Option<Vec<usize>> = match args.value("axis") {
        None => None,
        Some(Value::Num(Num::Int(a))) => Some(vec![args.axis_value("axis", *a, nd)?]),
        Some(v @ (Value::List(_) | Value::Tuple(_))) => {
            let list = crate::builtins::args::int_list(v)
                .or_else(|m| args.error("axis", m, "expected axes"))?;
            let axes: Vec<usize> = list
                .iter()
                .map(|&a| args.axis_value("axis", a, nd))
                .collect::<R<_>>()?;
            if axes.len() == 2 && axes[0] == axes[1] {
                return args.error("axis", "duplicate axes given to norm", "repeated axis");
            }
            if axes.is_empty() || axes.len() > 2 {
                return args.error(
                    "axis",
                    "improper number of dimensions to norm",
                    "1 or 2 axes",
                );
            }
            Some(axes)
        }
        Some(Value::Unknown(_)) => return Err(crate::eval::Flow::Unknown),
        Some(other) => {
            return args.error(
                "axis",
                format!(
                    "axis must be an int or a pair of ints, not {}",
                    other.type_name()
                ),
                "bad axis",
            );
        }
    };
    // Floats stay; everything else becomes f64 (NumPy's norm converts to float).
    let x = if x.dtype.is_float() {
        x
    } else {
        arr(call(
            interp,
            "astype",
            vec![Value::Array(x), Value::str("f64")],
            vec![],
            span,
        )?)?
    };
    let axes = match axes {
        Some(a) => a,
        None => {
            if ord == Ord::Default {
                // The 2-norm of the flattened array.
                let all: Vec<usize> = (0..nd).collect();
                return sum_sq_root(interp, &x, &all, keepdims, span);
            }
            if nd != 1 && nd != 2 {
                return args.error(
                    "x",
                    format!(
                        "norm with ord needs a 1-D or 2-D array when axis is none, got {}",
                        x.type_text()
                    ),
                    "improper number of dimensions",
                );
            }
            (0..nd).collect()
        }
    };
    if axes.len() == 1 {
        vector_norm(interp, args, &x, ord, axes[0], keepdims)
    } else {
        matrix_norm(interp, args, &x, ord, axes[0], axes[1], keepdims)
    }
}

fn abs(interp: &mut Evaluator, x: &Array, span: Span) -> R<Value> {
    call(interp, "abs", vec![Value::Array(x.clone())], vec![], span)
}

fn reduce(
    interp: &mut Evaluator,
    name: &str,
    x: Value,
    axes: &[usize],
    keepdims: bool,
    span: Span,
) -> R<Value> {
    call(
        interp,
        name,
        vec![x],
        vec![("axis", ints(axes)), ("keepdims", truth(keepdims))],
        span,
    )
}

/// `sqrt(sum(x * x, axes))`.
fn sum_sq_root(
    interp: &mut Evaluator,
    x: &Array,
    axes: &[usize],
    keepdims: bool,
    span: Span,
) -> R<Value> {
    let sq = bin(
        interp,
        BinOp::Mul,
        Value::Array(x.clone()),
        Value::Array(x.clone()),
        span,
    )?;
    let s = reduce(interp, "sum", sq, axes, keepdims, span)?;
    call(interp, "sqrt", vec![s], vec![], span)
}

fn vector_norm(
    interp: &mut Evaluator,
    args: &Args,
    x: &Array,
    ord: Ord,
    axis: usize,
    keepdims: bool,
) -> R<Value> {
    let span = args.span;
    let p = match ord {
        Ord::Default => 2.0,
        Ord::Num(p) => p,
        Ord::Fro | Ord::Nuc => {
            return args.error(
                "ord",
                "\"fro\" and \"nuc\" are matrix norms; give two axes",
                "invalid norm order for vectors",
            );
        }
    };
    if p == 2.0 {
        return sum_sq_root(interp, x, &[axis], keepdims, span);
    }
    if p.is_infinite() {
        let a = abs(interp, x, span)?;
        let name = if p > 0.0 { "max" } else { "min" };
        return reduce(interp, name, a, &[axis], keepdims, span);
    }
    if p == 0.0 {
        let nz = bin(
            interp,
            BinOp::Ne,
            Value::Array(x.clone()),
            Value::Num(Num::Int(0)),
            span,
        )?;
        let f = call(
            interp,
            "astype",
            vec![nz, Value::str(x.dtype.name())],
            vec![],
            span,
        )?;
        return reduce(interp, "sum", f, &[axis], keepdims, span);
    }
    let a = abs(interp, x, span)?;
    if p == 1.0 {
        return reduce(interp, "sum", a, &[axis], keepdims, span);
    }
    let ap = bin(interp, BinOp::Pow, a, float(p), span)?;
    let s = reduce(interp, "sum", ap, &[axis], keepdims, span)?;
    bin(interp, BinOp::Pow, s, float(1.0 / p), span)
}

fn matrix_norm(
    interp: &mut Evaluator,
    args: &Args,
    x: &Array,
    ord: Ord,
    row: usize,
    col: usize,
    keepdims: bool,
) -> R<Value> {
    let span = args.span;
    let value = match ord {
        Ord::Default | Ord::Fro => return sum_sq_root(interp, x, &[row, col], keepdims, span),
        Ord::Nuc => crate::builtins::linalg_dense::spectral_norm(interp, x, row, col, 0, span)?,
        Ord::Num(p) if p == 2.0 || p == -2.0 => {
            crate::builtins::linalg_dense::spectral_norm(interp, x, row, col, p as i64, span)?
        }
        Ord::Num(p) if p == 1.0 || p == -1.0 || p.is_infinite() => {
            // 1: the largest column sum; inf: the largest row sum (min for negative ords).
            let (sum_axis, mut other) = if p.abs() == 1.0 {
                (row, col)
            } else {
                (col, row)
            };
            if other > sum_axis {
                other -= 1;
            }
            let a = abs(interp, x, span)?;
            let s = reduce(interp, "sum", a, &[sum_axis], false, span)?;
            let name = if p > 0.0 { "max" } else { "min" };
            reduce(interp, name, s, &[other], false, span)?
        }
        Ord::Num(p) => {
            return args.error(
                "ord",
                format!("invalid norm order {p} for matrices"),
                "matrix ords: \"fro\", \"nuc\", 1, -1, 2, -2, inf, -inf",
            );
        }
    };
    if !keepdims {
        return Ok(value);
    }
    let mut pos = vec![row, col];
    pos.sort_unstable();
    let v = arr(value)?;
    Ok(Value::Array(arr(crate::builtins::shape_ops::insert_axes(
        interp, &v, &pos,
    ))?))
}
