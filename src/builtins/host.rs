//! Host builtins: print, compute, persist, len, range, float, int, str, assert, explain, and
//! the array attributes (shape, ndim, size, dtype, nbytes, chunks, T).

use crate::builtins::{Args, Builtin, Group};
use crate::data::Data;
use crate::eval::ops::{compute_array, force_scalar};
use crate::eval::{Evaluator, Flow, R};
use crate::value::format::{format_array, format_f32, format_f64};
use crate::value::{Array, Hint, Num, Value};
use std::rc::Rc;

/// Attribute names of arrays.
pub const ATTRIBUTES: &[&str] = &["shape", "ndim", "size", "dtype", "nbytes", "chunks", "T"];

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Host,
            run,
        })
    };
    add(
        "print",
        "*values",
        "Prints values separated by spaces (computes lazy arrays).",
        print,
    );
    add(
        "compute",
        "x",
        "Computes a lazy array into memory.",
        compute,
    );
    add(
        "persist",
        "x",
        "Computes an array and keeps its chunks for reuse.",
        compute,
    );
    add(
        "len",
        "x",
        "Length of a list, tuple, string, or an array's first axis.",
        len,
    );
    add(
        "range",
        "start, stop=none, step=1",
        "The integers from start to stop (exclusive).",
        range,
    );
    add("float", "x", "A host float (computes a 0-d array).", float);
    add(
        "int",
        "x",
        "A host integer (computes a 0-d array; floats truncate).",
        int,
    );
    add(
        "str",
        "x",
        "The text form of a value, as print shows it.",
        str_,
    );
    add(
        "assert",
        "cond, msg=\"assertion failed\"",
        "Stops the program with msg if cond is false.",
        assert_,
    );
    add(
        "explain",
        "x, kernels=false, path=none",
        "Prints the plan of a lazy array: nodes, shapes, chunks, memory; with kernels=true, each kernel's text too; with path=, draws it as SVG instead.",
        explain,
    );
}

/// Whether a mask result's length has been shown (computed, or asked with `len`).
pub fn length_revealed(node: &crate::graph::NodeRef) -> bool {
    match &node.op {
        crate::graph::Op::Compress { revealed, .. } => {
            revealed.load(std::sync::atomic::Ordering::Relaxed)
        }
        _ => true,
    }
}

/// Marks a mask result's length as shown.
pub fn reveal_length(node: &crate::graph::NodeRef) {
    if let crate::graph::Op::Compress { revealed, .. } = &node.op {
        revealed.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The attribute `name` of an array, if it is one.
pub fn array_attribute(interp: &Evaluator, a: &Array, name: &str) -> Option<Value> {
    let known = a.known_shape();
    Some(match name {
        "shape" => match known {
            Some(s) => {
                let hidden = a.node.as_ref().is_some_and(|n| !length_revealed(n));
                Value::tuple(
                    s.iter()
                        .enumerate()
                        .map(|(k, &d)| {
                            if hidden && k == 0 {
                                Value::Unknown(Hint::Num(crate::sema::dtype::WeakKind::Int))
                            } else {
                                Value::Num(Num::Int(d as i64))
                            }
                        })
                        .collect(),
                )
            }
            None => Value::Unknown(Hint::Any),
        },
        "ndim" => Value::Num(Num::Int(a.shape.len() as i64)),
        "size" => match known {
            Some(s) => Value::Num(Num::Int(
                crate::sema::size::elements(&s)
                    .map_or(i64::MAX, |n| n.min(i64::MAX as usize) as i64),
            )),
            None => Value::Unknown(Hint::Num(crate::sema::dtype::WeakKind::Int)),
        },
        "nbytes" => match known {
            Some(s) => Value::Num(Num::Int(
                crate::sema::size::elements(&s)
                    .and_then(|n| n.checked_mul(a.dtype.size()))
                    .map_or(i64::MAX, |n| n.min(i64::MAX as usize) as i64),
            )),
            None => Value::Unknown(Hint::Num(crate::sema::dtype::WeakKind::Int)),
        },
        "dtype" => Value::DType(a.dtype),
        "chunks" => match &a.node {
            Some(n) if !interp.check => Value::tuple(
                n.chunks
                    .iter()
                    .map(|c| {
                        Value::tuple(
                            c.iter()
                                .filter(|&&l| l > 0 || c.len() == 1)
                                .map(|&l| Value::Num(Num::Int(l as i64)))
                                .collect(),
                        )
                    })
                    .collect(),
            ),
            _ => Value::Unknown(Hint::Any),
        },
        "T" => crate::builtins::shape_ops::transposed(interp, a),
        _ => return None,
    })
}

fn format_data(data: &Data) -> String {
    let shape = data.shape().to_vec();
    let std = data.clone();
    match &std {
        Data::F64(a) => {
            let a = a.as_standard_layout();
            let s = a.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| format_f64(s[i]))
        }
        Data::F32(a) => {
            let a = a.as_standard_layout();
            let s = a.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| format_f32(s[i]))
        }
        Data::Bool(a) => {
            let a = a.as_standard_layout();
            let s = a.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| {
                if s[i] { "true".into() } else { "false".into() }
            })
        }
        other => with_data!(other, a => {
            let a = a.as_standard_layout();
            let s = a.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| s[i].to_string())
        }),
    }
}

/// Formats an array; a summarised one (over 1000 elements) computes only the entries shown.
fn format_array_value(interp: &Evaluator, a: &Array, span: crate::syntax::ast::Span) -> R<String> {
    use crate::value::format::{EDGE_ITEMS, SUMMARY_THRESHOLD};
    let (Some(shape), Some(node)) = (a.known_shape(), &a.node) else {
        return Err(Flow::Unknown);
    };
    let total: usize = shape.iter().product();
    if total <= SUMMARY_THRESHOLD {
        return Ok(format_data(&compute_array(interp, a, span)?));
    }
    // Keep the first and last EDGE_ITEMS of every long axis: concatenate those two slices.
    let mut corner = node.clone();
    for (axis, &n) in shape.iter().enumerate() {
        if n <= 2 * EDGE_ITEMS {
            continue;
        }
        let take = |start: i64| crate::graph::node::SliceItem::Take {
            axis,
            start,
            step: 1,
            len: EDGE_ITEMS,
        };
        let items = |start: i64| -> Vec<crate::graph::node::SliceItem> {
            (0..shape.len())
                .map(|k| {
                    if k == axis {
                        take(start)
                    } else {
                        crate::graph::node::SliceItem::Take {
                            axis: k,
                            start: 0,
                            step: 1,
                            len: corner.shape[k],
                        }
                    }
                })
                .collect()
        };
        let head = crate::graph::build::slice(corner.clone(), items(0));
        let tail = crate::graph::build::slice(corner.clone(), items((n - EDGE_ITEMS) as i64));
        corner = crate::graph::build::concat(vec![head, tail], axis);
    }
    let small = Array {
        dtype: a.dtype,
        shape: corner.shape.iter().map(|&d| Some(d)).collect(),
        node: Some(corner),
    };
    let data = compute_array(interp, &small, span)?;
    let small_shape = data.shape().to_vec();
    let small_strides = crate::data::strides(&small_shape);
    let big_strides = crate::data::strides(&shape);
    // Maps a flat index of the whole array to the computed corner array.
    let to_small = |flat: usize| -> usize {
        let mut rest = flat;
        let mut out = 0;
        for k in 0..shape.len() {
            let i = rest / big_strides[k];
            rest %= big_strides[k];
            let j = if shape[k] <= 2 * EDGE_ITEMS || i < EDGE_ITEMS {
                i
            } else {
                i - (shape[k] - 2 * EDGE_ITEMS)
            };
            out += j * small_strides[k];
        }
        out
    };
    let text = match &data {
        Data::F64(x) => {
            let x = x.as_standard_layout();
            let s = x.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| format_f64(s[to_small(i)]))
        }
        Data::F32(x) => {
            let x = x.as_standard_layout();
            let s = x.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| format_f32(s[to_small(i)]))
        }
        Data::Bool(x) => {
            let x = x.as_standard_layout();
            let s = x.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| {
                if s[to_small(i)] {
                    "true".into()
                } else {
                    "false".into()
                }
            })
        }
        other => with_data!(other, x => {
            let x = x.as_standard_layout();
            let s = x.as_slice().unwrap_or(&[]);
            format_array(&shape, &mut |i| s[to_small(i)].to_string())
        }),
    };
    Ok(text)
}

/// The text `print` shows for a value (computing arrays).
pub fn display(
    interp: &Evaluator,
    v: &Value,
    span: crate::syntax::ast::Span,
    nested: bool,
) -> R<String> {
    Ok(match v {
        Value::None => "none".into(),
        Value::Num(Num::Bool(b)) => b.to_string(),
        Value::Num(Num::Int(i)) => i.to_string(),
        Value::Num(Num::Float(f)) => format_f64(*f),
        Value::Str(s) => {
            if nested {
                format!("{:?}", s.as_ref())
            } else {
                s.to_string()
            }
        }
        Value::List(items) => {
            let parts = items
                .iter()
                .map(|i| display(interp, i, span, true))
                .collect::<R<Vec<_>>>()?;
            format!("[{}]", parts.join(", "))
        }
        Value::Tuple(items) => {
            let parts = items
                .iter()
                .map(|i| display(interp, i, span, true))
                .collect::<R<Vec<_>>>()?;
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Value::DType(d) => d.name().into(),
        Value::Func(c) => format!("<fn {}>", c.def.name),
        Value::Builtin(b) => format!("<builtin {}>", b.name),
        Value::Bound(p) => format!("<method of {}>", p.1.type_name()),
        Value::Module(m) => format!("<module {m}>"),
        Value::Native(f) => format!("<rust fn {}>", f.name),
        // A dimension not known until computed (a mask's length) shows as `?`.
        Value::Unknown(Hint::Num(crate::sema::dtype::WeakKind::Int)) if !interp.check => "?".into(),
        Value::Unknown(_) => return Err(Flow::Unknown),
        Value::Array(a) => format_array_value(interp, a, span)?,
    })
}

fn print(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let values = args.rest("values");
    if interp.check {
        return Ok(Value::None);
    }
    if interp.session.borrow().explain_only {
        for v in &values {
            if let Value::Array(a) = v
                && let Some(n) = &a.node
            {
                explain_plan(interp, n, args)?;
            }
        }
        return Ok(Value::None);
    }
    let values = compute_together(interp, values, args.span)?;
    let parts = values
        .iter()
        .map(|v| display(interp, v, args.span, false))
        .collect::<R<Vec<_>>>()?;
    let line = format!("{}\n", parts.join(" "));
    interp.session.borrow().write(&line);
    Ok(Value::None)
}

/// When `print` shows several single values computed by reductions (`x.sum(), x.mean(),
/// x.std()`), they are computed in one plan — reductions of the same input in one pass —
/// and shown from memory.
fn compute_together(
    interp: &Evaluator,
    values: Vec<Value>,
    span: crate::syntax::ast::Span,
) -> R<Vec<Value>> {
    let scalar_reduction = |v: &Value| match v {
        Value::Array(a) => a
            .node
            .as_ref()
            .is_some_and(|n| n.size() == 1 && matches!(n.op, crate::graph::Op::Reduce { .. })),
        _ => false,
    };
    let picked: Vec<usize> = (0..values.len())
        .filter(|&i| scalar_reduction(&values[i]))
        .collect();
    if picked.len() < 2 {
        return Ok(values);
    }
    let nodes: Vec<crate::graph::NodeRef> = picked
        .iter()
        .filter_map(|&i| match &values[i] {
            Value::Array(a) => a.node.clone(),
            _ => None,
        })
        .collect();
    let data = interp.session.borrow().compute_many(&nodes).map_err(|e| {
        Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
            e.to_string(),
            span,
        )))
    })?;
    let mut values = values;
    for (&i, d) in picked.iter().zip(data) {
        if let Value::Array(a) = &values[i] {
            let chunks = a
                .node
                .as_ref()
                .map(|n| n.chunks.clone())
                .unwrap_or_default();
            values[i] = Value::Array(Array {
                dtype: a.dtype,
                shape: a.shape.clone(),
                node: Some(crate::exec::data_node(d, chunks)),
            });
        }
    }
    Ok(values)
}

fn compute(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("x")?;
    if interp.check {
        return Ok(Value::Array(a));
    }
    if interp.session.borrow().explain_only {
        return Ok(Value::Array(a));
    }
    let data = compute_array(interp, &a, args.span)?;
    let chunks = a
        .node
        .as_ref()
        .map(|n| n.chunks.clone())
        .unwrap_or_default();
    Ok(Value::Array(Array {
        dtype: a.dtype,
        shape: a.shape.clone(),
        node: Some(crate::exec::data_node(data, chunks)),
    }))
}

fn len(_interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let Some(v) = args.value("x") else {
        return args.error("x", "len needs a value", "missing");
    };
    Ok(match v {
        Value::List(l) | Value::Tuple(l) => Value::Num(Num::Int(l.len() as i64)),
        Value::Str(s) => Value::Num(Num::Int(s.chars().count() as i64)),
        Value::Array(a) => match a.shape.first() {
            None => return args.error("x", "len() of a 0-d array", "0-d array"),
            Some(Some(n)) => {
                if let Some(node) = &a.node {
                    reveal_length(node);
                }
                Value::Num(Num::Int(*n as i64))
            }
            Some(None) => return Err(Flow::Unknown),
        },
        Value::Unknown(_) => return Err(Flow::Unknown),
        other => return args.error("x", format!("len() of {}", other.type_name()), "no length"),
    })
}

/// Longest list `range` builds.
const MAX_RANGE: i64 = 100_000_000;

fn range(_interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.int_or("start", 0)?;
    let (start, stop) = match args.int("stop")? {
        Some(s) => (a, s),
        None => (0, a),
    };
    let step = args.int_or("step", 1)?;
    if step == 0 {
        return args.error("step", "range step cannot be zero", "step 0");
    }
    let n = if step > 0 {
        (stop - start + step - 1) / step
    } else {
        (start - stop - step - 1) / (-step)
    }
    .max(0);
    if n > MAX_RANGE {
        return args.error(
            "stop",
            format!("range of {n} numbers is too long for a host list"),
            "use arange for arrays",
        );
    }
    Ok(Value::List(Rc::new(
        (0..n)
            .map(|i| Value::Num(Num::Int(start + i * step)))
            .collect(),
    )))
}

fn host_number(interp: &Evaluator, args: &Args) -> R<Num> {
    let Some(v) = args.value("x") else {
        return args.error("x", format!("{} needs a value", args.name), "missing");
    };
    match v {
        Value::Num(n) => Ok(*n),
        Value::Str(s) => match s.trim().parse::<f64>() {
            Ok(f) if args.name == "float" => Ok(Num::Float(f)),
            Ok(f) if f.fract() == 0.0 && s.trim().parse::<i64>().is_ok() => Ok(Num::Int(f as i64)),
            _ => args.error(
                "x",
                format!("cannot convert \"{s}\" to {}", args.name),
                "not a number",
            ),
        },
        Value::Array(a) => {
            if a.shape.iter().any(|d| *d != Some(1)) {
                return args.error(
                    "x",
                    format!(
                        "{}() needs a single value, got {}",
                        args.name,
                        a.type_text()
                    ),
                    "not a scalar",
                );
            }
            if interp.session.borrow().explain_only {
                // `arr explain`: show the plan of the computation this would force, and go
                // on with the value unknown (as checking does) instead of computing it.
                if let Some(n) = &a.node {
                    explain_plan(interp, n, args)?;
                }
                return Err(Flow::Unknown);
            }
            force_scalar(interp, a, args.span)
        }
        Value::Unknown(_) => Err(Flow::Unknown),
        other => args.error(
            "x",
            format!("cannot convert {} to {}", other.type_name(), args.name),
            "not a number",
        ),
    }
}

fn float(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    match host_number(interp, args) {
        Ok(n) => Ok(Value::Num(Num::Float(n.as_f64()))),
        Err(Flow::Unknown) => Ok(Value::Unknown(Hint::Num(
            crate::sema::dtype::WeakKind::Float,
        ))),
        Err(e) => Err(e),
    }
}

fn int(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    match host_number(interp, args) {
        Ok(Num::Float(f)) => {
            if !f.is_finite()
                || f.trunc() >= 9.223_372_036_854_776e18
                || f.trunc() < -9.223_372_036_854_776e18
            {
                return args.error(
                    "x",
                    format!("cannot convert {} to int", format_f64(f)),
                    "not finite",
                );
            }
            Ok(Value::Num(Num::Int(f.trunc() as i64)))
        }
        Ok(Num::Bool(b)) => Ok(Value::Num(Num::Int(b as i64))),
        Ok(n) => Ok(Value::Num(n)),
        Err(Flow::Unknown) => Ok(Value::Unknown(Hint::Num(crate::sema::dtype::WeakKind::Int))),
        Err(e) => Err(e),
    }
}

fn str_(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let Some(v) = args.value("x") else {
        return Ok(Value::str("none"));
    };
    if interp.check && matches!(v, Value::Array(_)) {
        return Ok(Value::Unknown(Hint::Any));
    }
    Ok(Value::str(&display(interp, v, args.span, false)?))
}

fn assert_(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let Some(c) = args.get("cond").cloned() else {
        return args.error("cond", "assert needs a condition", "missing");
    };
    if interp.check {
        // An assertion is a run-time event: output before it still happens.
        return Ok(Value::None);
    }
    let truth = interp.truth(&c.value, c.span)?;
    if truth == Some(false) {
        let text = match args.string("msg")? {
            Some(msg) if msg != "assertion failed" => format!("assertion failed: {msg}"),
            _ => "assertion failed".to_string(),
        };
        return crate::eval::err_label(text, args.span, "this assertion");
    }
    Ok(Value::None)
}

fn explain(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("x")?;
    let path = args.string("path")?;
    if let Some(p) = &path {
        let p = std::path::Path::new(p);
        if p.extension().and_then(|e| e.to_str()) != Some("svg") {
            return args.error(
                "path",
                "explain draws SVG: `path=` must end in .svg",
                "not .svg",
            );
        }
        crate::io::check_target(p, false)
            .or_else(|m| args.error("path", m, "cannot write here"))?;
    }
    let kernels = args.flag("kernels", false)?;
    if interp.check {
        return Ok(Value::None);
    }
    let Some(n) = &a.node else {
        return Ok(Value::None);
    };
    match path {
        // `arr explain` writes nothing: the plan is shown instead of drawn to the file.
        Some(_) if interp.explaining() => explain_plan(interp, n, args)?,
        Some(p) => {
            let svg = crate::exec::plan_svg::explain_svg(n, &interp.session.borrow().exec);
            // Under MPI, rank 0 writes and every rank gets its outcome.
            let written = crate::io::store_collectively(&interp.io_env(), &[], || {
                svg.and_then(|svg| {
                    crate::io::atomic::write_file(std::path::Path::new(&p), svg.as_bytes())
                })
            });
            if let Err(m) = written {
                return args.error("path", m, "while writing this");
            }
        }
        None if kernels => {
            let mut config = interp.session.borrow().exec.clone();
            config.explain_kernels = true;
            let text = crate::exec::plan::explain_text(n, &config);
            interp.session.borrow().write(&text);
        }
        None => explain_plan(interp, n, args)?,
    }
    Ok(Value::None)
}

/// Writes the plan of `n` (`explain`, and `arr explain` at every computation); under
/// `arr explain --svg OUT.svg` also draws it, to OUT.svg first and OUT-2.svg, ... after.
pub(crate) fn explain_plan(interp: &Evaluator, n: &crate::graph::NodeRef, args: &Args) -> R<()> {
    let session = interp.session.borrow();
    session.write(&crate::exec::plan::explain_text(n, &session.exec));
    let Some(out) = &session.explain_svg else {
        return Ok(());
    };
    let k = session.explain_drawn.get() + 1;
    session.explain_drawn.set(k);
    let path = if k == 1 {
        out.clone()
    } else {
        let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("plan");
        out.with_file_name(format!("{stem}-{k}.svg"))
    };
    let written = crate::io::store_collectively(&interp.io_env(), &[], || {
        crate::exec::plan_svg::explain_svg(n, &session.exec)
            .and_then(|svg| crate::io::atomic::write_file(&path, svg.as_bytes()))
    });
    match written {
        Ok(()) => Ok(()),
        Err(m) => args.error(
            "x",
            format!("cannot draw the plan to {}: {m}", path.display()),
            "while drawing this plan",
        ),
    }
}
