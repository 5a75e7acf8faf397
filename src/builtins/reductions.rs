//! Reductions (axis none, int, negative or tuple; keepdims; ddof; nan-variants) and scans.

use crate::builtins::{Args, Builtin, Group};
use crate::eval::{Evaluator, R};
use crate::graph::build;
use crate::graph::node::{ReduceOp, ScanOp};
use crate::value::{Array, Value};

const REDUCTIONS: &[(&str, ReduceOp, &str)] = &[
    ("sum", ReduceOp::Sum, "Sum of elements."),
    ("prod", ReduceOp::Prod, "Product of elements."),
    ("mean", ReduceOp::Mean, "Arithmetic mean."),
    (
        "var",
        ReduceOp::Var,
        "Variance (ddof= for the divisor n - ddof).",
    ),
    (
        "std",
        ReduceOp::Std,
        "Standard deviation (ddof= for the divisor n - ddof).",
    ),
    ("min", ReduceOp::Min, "Minimum (nan wins)."),
    ("max", ReduceOp::Max, "Maximum (nan wins)."),
    (
        "argmin",
        ReduceOp::ArgMin,
        "Index of the minimum (the first nan wins).",
    ),
    (
        "argmax",
        ReduceOp::ArgMax,
        "Index of the maximum (the first nan wins).",
    ),
    ("any", ReduceOp::Any, "Whether any element is non-zero."),
    ("all", ReduceOp::All, "Whether all elements are non-zero."),
    (
        "count_nonzero",
        ReduceOp::CountNonzero,
        "Number of non-zero elements.",
    ),
    ("nansum", ReduceOp::NanSum, "Sum, skipping nan."),
    ("nanprod", ReduceOp::NanProd, "Product, skipping nan."),
    ("nanmean", ReduceOp::NanMean, "Mean, skipping nan."),
    ("nanvar", ReduceOp::NanVar, "Variance, skipping nan."),
    (
        "nanstd",
        ReduceOp::NanStd,
        "Standard deviation, skipping nan.",
    ),
    ("nanmin", ReduceOp::NanMin, "Minimum, skipping nan."),
    ("nanmax", ReduceOp::NanMax, "Maximum, skipping nan."),
];

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    for (name, op, doc) in REDUCTIONS {
        let params = match op {
            ReduceOp::Var | ReduceOp::Std | ReduceOp::NanVar | ReduceOp::NanStd => {
                "x, axis=none, ddof=0, keepdims=false"
            }
            _ => "x, axis=none, keepdims=false",
        };
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Reduction,
            run: reduce,
        });
    }
    for (name, doc) in [
        (
            "nanargmin",
            "Index of the minimum, skipping nan (an all-nan slice is an error).",
        ),
        (
            "nanargmax",
            "Index of the maximum, skipping nan (an all-nan slice is an error).",
        ),
    ] {
        t.push(Builtin {
            name,
            params: "x, axis=none, keepdims=false",
            doc,
            group: Group::Reduction,
            run: nan_arg,
        });
    }
    t.push(Builtin {
        name: "cumsum",
        params: "x, axis=none",
        doc: "Cumulative sum along an axis (flattened when axis is none).",
        group: Group::Scan,
        run: scan,
    });
    t.push(Builtin {
        name: "cumprod",
        params: "x, axis=none",
        doc: "Cumulative product along an axis (flattened when axis is none).",
        group: Group::Scan,
        run: scan,
    });
}

fn reduce(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let op = REDUCTIONS
        .iter()
        .find(|(n, _, _)| *n == args.name)
        .map(|(_, o, _)| *o)
        .unwrap_or(ReduceOp::Sum);
    let x = args.array("x")?;
    let ndim = x.shape.len();
    let is_arg = matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax);
    if is_arg
        && let Some(list) = args.ints("axis")?
        && (list.len() != 1 || matches!(args.value("axis"), Some(Value::Tuple(_) | Value::List(_))))
    {
        return args.error(
            "axis",
            format!("`{}` takes a single axis or none", args.name),
            "one axis",
        );
    }
    let axes = args.axes("axis", ndim)?;
    let keepdims = args.flag("keepdims", false)?;
    let ddof = args.float("ddof")?.unwrap_or(0.0);
    let no_identity = matches!(
        op,
        ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
    );
    if no_identity && axes.iter().any(|&a| x.shape[a] == Some(0)) {
        return args.error(
            "x",
            format!("`{}` of an empty array has no value", args.name),
            format!("{} has a zero-length axis", x.type_text()),
        );
    }
    let mut shape = Vec::new();
    for (k, d) in x.shape.iter().enumerate() {
        if axes.contains(&k) {
            if keepdims {
                shape.push(Some(1));
            }
        } else {
            shape.push(*d);
        }
    }
    let dtype = op.result_dtype(x.dtype);
    let node = if interp.check {
        None
    } else {
        x.node
            .clone()
            .map(|n| build::reduce(op, n, axes, keepdims, ddof))
    };
    Ok(Value::Array(Array { dtype, shape, node }))
}

/// nanargmin/nanargmax: argmin of x with nan as +inf (argmax: -inf); a slice that is all
/// nan has no answer, so computing it fails (NumPy: "All-NaN slice encountered").
fn nan_arg(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    use crate::builtins::linalg::{arr, call};
    use crate::value::Num;
    let x = args.array("x")?;
    let span = args.span;
    let (base, fill) = if args.name == "nanargmin" {
        ("argmin", f64::INFINITY)
    } else {
        ("argmax", f64::NEG_INFINITY)
    };
    let axis = args.value("axis").cloned().unwrap_or(Value::None);
    let keepdims = args
        .value("keepdims")
        .cloned()
        .unwrap_or(Value::Num(Num::Bool(false)));
    let xv = Value::Array(x.clone());
    if !x.dtype.is_float() {
        return call(
            interp,
            base,
            vec![xv],
            vec![("axis", axis), ("keepdims", keepdims)],
            span,
        );
    }
    let nan = call(interp, "isnan", vec![xv.clone()], vec![], span)?;
    let masked = call(
        interp,
        "where",
        vec![nan.clone(), Value::Num(Num::Float(fill)), xv],
        vec![],
        span,
    )?;
    let result = arr(call(
        interp,
        base,
        vec![masked],
        vec![("axis", axis.clone()), ("keepdims", keepdims.clone())],
        span,
    )?)?;
    let all_nan = arr(call(
        interp,
        "all",
        vec![nan],
        vec![("axis", axis), ("keepdims", keepdims)],
        span,
    )?)?;
    let node = match (&result.node, &all_nan.node) {
        (Some(r), Some(a)) if !interp.check => Some(build::guard(
            r.clone(),
            a.clone(),
            "All-NaN slice encountered",
        )),
        _ => None,
    };
    Ok(Value::Array(Array { node, ..result }))
}

fn scan(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let op = if args.name == "cumsum" {
        ScanOp::CumSum
    } else {
        ScanOp::CumProd
    };
    let mut x = args.array("x")?;
    let axis = match args.int("axis")? {
        Some(a) => args.axis_value("axis", a, x.shape.len())?,
        None => {
            // Flatten first, as NumPy does.
            let n = x.shape.iter().try_fold(1usize, |acc, d| d.map(|d| acc * d));
            x = Array {
                dtype: x.dtype,
                shape: vec![n],
                node: if interp.check {
                    None
                } else {
                    x.node
                        .clone()
                        .zip(n)
                        .map(|(node, n)| build::reshape(node, vec![n]))
                },
            };
            0
        }
    };
    let node = if interp.check {
        None
    } else {
        x.node.clone().map(|n| build::scan(op, n, axis))
    };
    Ok(Value::Array(Array {
        dtype: x.dtype.sum_type(),
        shape: x.shape.clone(),
        node,
    }))
}
