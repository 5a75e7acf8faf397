//! Indexing (LANGUAGE.md §7): integers (negative from the end), slices with any step,
//! `newaxis`, `...`; out-of-range indices known before computing are errors. Lists, tuples
//! and strings index like Python.

use crate::eval::{Evaluator, Flow, R, err, err_label};
use crate::graph::build;
use crate::graph::node::SliceItem;
use crate::sema::dtype::DType;
use crate::syntax::ast::{Expr, IndexItem, Span};
use crate::value::{Array, Dim, Hint, Num, Value};
use std::rc::Rc;

/// One index component after evaluation.
enum Ix {
    Int(Option<i64>, Span),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    NewAxis,
    Ellipsis,
    /// A bool mask or an integer index array.
    Array(Array, Span),
}

/// Python's slice arithmetic: (start, step, len) for an axis of length `n`.
pub fn slice_indices(
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
    n: i64,
) -> (i64, i64, usize) {
    let step = step.unwrap_or(1);
    let (lo_clamp, hi_clamp) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let fix = |v: i64| -> i64 {
        let v = if v < 0 { v + n } else { v };
        v.clamp(lo_clamp, hi_clamp)
    };
    let start = start.map(fix).unwrap_or(if step > 0 { 0 } else { n - 1 });
    let stop = stop.map(fix).unwrap_or(if step > 0 { n } else { -1 });
    let len = if step > 0 {
        if stop > start {
            (stop - start + step - 1) / step
        } else {
            0
        }
    } else if start > stop {
        (start - stop + (-step) - 1) / (-step)
    } else {
        0
    };
    (start, step, len.max(0) as usize)
}

fn int_of(interp: &mut Evaluator, e: &Expr) -> R<Option<i64>> {
    let v = interp.eval(e)?;
    match v {
        Value::Num(Num::Int(i)) => Ok(Some(i)),
        Value::Num(Num::Bool(b)) => Ok(Some(b as i64)),
        Value::None => Ok(None),
        Value::Unknown(_) => Ok(None),
        Value::Array(a) if a.shape.is_empty() && (a.dtype.is_int()) => {
            if interp.check {
                return Ok(None);
            }
            match crate::eval::ops::force_scalar(interp, &a, e.span)? {
                Num::Int(i) => Ok(Some(i)),
                _ => err("slice bounds must be integers", e.span),
            }
        }
        other => err_label(
            format!("slice bounds must be integers, not {}", other.type_name()),
            e.span,
            "not an integer",
        ),
    }
}

/// Evaluates `target[items]`.
pub fn index(
    interp: &mut Evaluator,
    target: Value,
    items: &[IndexItem],
    tspan: Span,
    span: Span,
) -> R<Value> {
    match &target {
        Value::List(_) | Value::Tuple(_) | Value::Str(_) => {
            return index_sequence(interp, target, items, span);
        }
        Value::Unknown(_) => return Ok(Value::Unknown(Hint::Any)),
        Value::Array(_) => {}
        other => return err(format!("{} cannot be indexed", other.type_name()), tspan),
    }
    let Value::Array(a) = target else {
        unreachable!()
    };
    let mut ixs = Vec::with_capacity(items.len());
    for item in items {
        ixs.push(match item {
            IndexItem::Ellipsis(_) => Ix::Ellipsis,
            IndexItem::Slice {
                start,
                stop,
                step,
                span,
            } => {
                let st = match start {
                    Some(e) => int_of(interp, e)?,
                    None => None,
                };
                let sp = match stop {
                    Some(e) => int_of(interp, e)?,
                    None => None,
                };
                let sz = match step {
                    Some(e) => int_of(interp, e)?,
                    None => None,
                };
                if sz == Some(0) {
                    return err_label("slice step cannot be zero", *span, "step 0");
                }
                Ix::Slice(st, sp, sz)
            }
            IndexItem::Expr(e) => {
                let v = interp.eval(e)?;
                match v {
                    Value::None => Ix::NewAxis,
                    Value::Num(Num::Int(i)) => Ix::Int(Some(i), e.span),
                    Value::Unknown(Hint::Num(_)) => Ix::Int(None, e.span),
                    Value::Array(ix) if ix.shape.is_empty() && ix.dtype.is_int() => {
                        if interp.check {
                            Ix::Int(None, e.span)
                        } else {
                            match crate::eval::ops::force_scalar(interp, &ix, e.span)? {
                                Num::Int(i) => Ix::Int(Some(i), e.span),
                                _ => Ix::Int(None, e.span),
                            }
                        }
                    }
                    Value::Array(ix) => Ix::Array(ix, e.span),
                    Value::Unknown(_) => return Ok(Value::Unknown(Hint::Any)),
                    other => {
                        return err_label(
                            format!("cannot index with {}", other.type_name()),
                            e.span,
                            "not an index",
                        );
                    }
                }
            }
        });
    }
    let n_arrays = ixs.iter().filter(|i| matches!(i, Ix::Array(..))).count();
    if n_arrays > 1 {
        return err_label(
            "only one index array or mask per index is supported",
            span,
            "several index arrays",
        );
    }
    if let Some(pos) = ixs.iter().position(|i| matches!(i, Ix::Array(..))) {
        let Ix::Array(ix, ispan) = ixs.remove(pos) else {
            unreachable!("found above")
        };
        if ix.dtype == DType::Bool {
            if !ixs
                .iter()
                .all(|i| matches!(i, Ix::Slice(None, None, None) | Ix::Ellipsis))
            {
                return err_label(
                    "a mask must be the only index: write x[mask]",
                    ispan,
                    "mask with other indices",
                );
            }
            return mask_index(interp, &a, &ix, ispan);
        }
        if ix.shape.len() != 1 {
            return err_label(
                format!("index arrays must be 1-D, got {}", ix.type_text()),
                ispan,
                "not 1-D",
            );
        }
        if !ix.dtype.is_int() {
            return err_label(
                format!("index arrays must hold integers, not {}", ix.dtype),
                ispan,
                "use astype(idx, i64)",
            );
        }
        // Basic indexing with a full slice where the index array stands, then a gather there.
        let axis_out = ixs[..pos]
            .iter()
            .filter(|i| matches!(i, Ix::Slice(..) | Ix::NewAxis))
            .count();
        let ellipsis_before = ixs[..pos].iter().any(|i| matches!(i, Ix::Ellipsis));
        ixs.insert(pos, Ix::Slice(None, None, None));
        let Value::Array(base) = index_array(interp, &a, ixs, span)? else {
            unreachable!("arrays index to arrays")
        };
        let axis_out = if ellipsis_before {
            // Axes hidden by the ellipsis come before the index array.
            base.shape.len() - (a.shape.len() - pos).min(base.shape.len())
        } else {
            axis_out
        };
        return gather_index(interp, &base, &ix, axis_out, ispan);
    }
    index_array(interp, &a, ixs, span)
}

fn mask_index(interp: &Evaluator, a: &Array, mask: &Array, span: Span) -> R<Value> {
    let k = mask.shape.len();
    if k == 0 || k > a.shape.len() {
        return err_label(
            format!(
                "cannot index {} with a mask of {} dimensions",
                a.type_text(),
                k
            ),
            span,
            "mask shape",
        );
    }
    for (d, (m, x)) in mask.shape.iter().zip(&a.shape).enumerate() {
        if let (Some(m), Some(x)) = (m, x)
            && m != x
        {
            return err_label(
                format!(
                    "a mask of shape {} does not match {} (axis {d}: {m} vs {x})",
                    crate::eval::ops::shape_text(&mask.shape),
                    a.type_text()
                ),
                span,
                "mask shape",
            );
        }
    }
    let mut shape: Vec<Dim> = vec![None];
    shape.extend(a.shape[k..].iter().copied());
    if interp.check {
        return Ok(Value::Array(Array {
            dtype: a.dtype,
            shape,
            node: None,
        }));
    }
    let (Some(x), Some(m)) = (a.node.clone(), mask.node.clone()) else {
        return Ok(Value::Array(Array {
            dtype: a.dtype,
            shape,
            node: None,
        }));
    };
    let lead: usize = x.shape[..k].iter().product();
    let (x2, m1) = if k == 1 {
        (x, m)
    } else {
        let mut s2 = vec![lead];
        s2.extend(x.shape[k..].iter().copied());
        (build::reshape(x, s2), build::reshape(m, vec![lead]))
    };
    let m1 = if m1.dtype == DType::Bool {
        m1
    } else {
        build::map(crate::kernel::MapOp::Cast, m1.dtype, DType::Bool, vec![m1])
    };
    if interp.plan_only() {
        return Err(crate::eval::Flow::Unknown);
    }
    let session = interp.session.borrow();
    let node = session.compress(&x2, &m1).map_err(|e| {
        crate::eval::Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
            e.to_string(),
            span,
        )))
    })?;
    let shape = node.shape.iter().map(|&d| Some(d)).collect();
    Ok(Value::Array(Array {
        dtype: a.dtype,
        shape,
        node: Some(node),
    }))
}

fn gather_index(interp: &Evaluator, base: &Array, ix: &Array, axis: usize, span: Span) -> R<Value> {
    let mut shape = base.shape.clone();
    if axis >= shape.len() {
        return err_label(
            "an index array needs an axis to index",
            span,
            "no axis left",
        );
    }
    // An index array written in the program is checked before anything runs.
    if let (Some(n), Some(node)) = (shape[axis], &ix.node)
        && let crate::graph::Op::Source(crate::graph::Source::Data(d)) = &node.op
    {
        for v in d.to_f64_vec() {
            let v = v as i64;
            if v >= n as i64 || v < -(n as i64) {
                return err_label(
                    format!("index {v} is out of range for axis {axis} of size {n}"),
                    span,
                    "out of range",
                );
            }
        }
    }
    shape[axis] = ix.shape[0];
    let node = if interp.check {
        None
    } else {
        base.node
            .clone()
            .zip(ix.node.clone())
            .map(|(x, i)| build::gather(x, i, axis))
    };
    let _ = span;
    Ok(Value::Array(Array {
        dtype: base.dtype,
        shape,
        node,
    }))
}

fn index_array(interp: &Evaluator, a: &Array, mut ixs: Vec<Ix>, span: Span) -> R<Value> {
    let consumed = ixs
        .iter()
        .filter(|i| matches!(i, Ix::Int(..) | Ix::Slice(..)))
        .count();
    let n_ell = ixs.iter().filter(|i| matches!(i, Ix::Ellipsis)).count();
    if n_ell > 1 {
        return err("an index can only have one `...`", span);
    }
    let ndim = a.shape.len();
    if consumed > ndim {
        return err_label(
            format!(
                "too many indices: {} given for an array with {} dimensions",
                consumed, ndim
            ),
            span,
            a.type_text(),
        );
    }
    let fill = ndim - consumed;
    let full = || Ix::Slice(None, None, None);
    if let Some(pos) = ixs.iter().position(|i| matches!(i, Ix::Ellipsis)) {
        ixs.remove(pos);
        for _ in 0..fill {
            ixs.insert(pos, full());
        }
    } else {
        for _ in 0..fill {
            ixs.push(full());
        }
    }
    let mut items = Vec::new();
    let mut shape: Vec<Dim> = Vec::new();
    let mut axis = 0;
    for ix in ixs {
        match ix {
            Ix::NewAxis => {
                items.push(SliceItem::NewAxis);
                shape.push(Some(1));
            }
            Ix::Int(i, ispan) => {
                let n = a.shape[axis];
                let idx = match (i, n) {
                    (Some(i), Some(n)) => {
                        let j = if i < 0 { i + n as i64 } else { i };
                        if j < 0 || j >= n as i64 {
                            return err_label(
                                format!("index {i} is out of range for axis {axis} of size {n}"),
                                ispan,
                                "out of range",
                            );
                        }
                        j as usize
                    }
                    _ => 0,
                };
                items.push(SliceItem::Fix { axis, index: idx });
                axis += 1;
            }
            Ix::Slice(st, sp, sz) => {
                match a.shape[axis] {
                    Some(n) => {
                        let (start, step, len) = slice_indices(st, sp, sz, n as i64);
                        items.push(SliceItem::Take {
                            axis,
                            start,
                            step,
                            len,
                        });
                        shape.push(Some(len));
                    }
                    None => {
                        items.push(SliceItem::Take {
                            axis,
                            start: 0,
                            step: 1,
                            len: 0,
                        });
                        shape.push(None);
                    }
                }
                axis += 1;
            }
            Ix::Ellipsis | Ix::Array(..) => {}
        }
    }
    let node = if interp.check {
        None
    } else {
        a.node.clone().map(|n| build::slice(n, items))
    };
    Ok(Value::Array(Array {
        dtype: a.dtype,
        shape,
        node,
    }))
}

/// `a[i]` along the first axis (used by `for` over arrays).
pub fn take_first_axis(interp: &Evaluator, a: &Array, i: usize, span: Span) -> R<Value> {
    index_array(interp, a, vec![Ix::Int(Some(i as i64), span)], span)
}

fn index_sequence(
    interp: &mut Evaluator,
    target: Value,
    items: &[IndexItem],
    span: Span,
) -> R<Value> {
    if items.len() != 1 {
        return err("lists, tuples and strings take one index", span);
    }
    let seq: Vec<Value> = match &target {
        Value::List(v) | Value::Tuple(v) => v.as_ref().clone(),
        Value::Str(s) => s.chars().map(|c| Value::str(&c.to_string())).collect(),
        _ => unreachable!("index_sequence is called on sequences"),
    };
    let n = seq.len() as i64;
    match &items[0] {
        IndexItem::Expr(e) => {
            let Some(i) = int_of(interp, e)? else {
                return Err(Flow::Unknown).or(Ok(Value::Unknown(Hint::Any)));
            };
            let j = if i < 0 { i + n } else { i };
            if j < 0 || j >= n {
                return err_label(
                    format!(
                        "index {i} is out of range for a {} of length {n}",
                        target.type_name()
                    ),
                    e.span,
                    "out of range",
                );
            }
            Ok(seq[j as usize].clone())
        }
        IndexItem::Slice {
            start, stop, step, ..
        } => {
            let st = match start {
                Some(e) => int_of(interp, e)?,
                None => None,
            };
            let sp = match stop {
                Some(e) => int_of(interp, e)?,
                None => None,
            };
            let sz = match step {
                Some(e) => int_of(interp, e)?,
                None => None,
            };
            if sz == Some(0) {
                return err("slice step cannot be zero", span);
            }
            let (start, step, len) = slice_indices(st, sp, sz, n);
            let picked: Vec<Value> = (0..len)
                .map(|k| seq[(start + step * k as i64) as usize].clone())
                .collect();
            Ok(match target {
                Value::Tuple(_) => Value::tuple(picked),
                Value::Str(_) => Value::str(
                    &picked
                        .iter()
                        .map(|v| {
                            if let Value::Str(s) = v {
                                s.to_string()
                            } else {
                                String::new()
                            }
                        })
                        .collect::<String>(),
                ),
                _ => Value::List(Rc::new(picked)),
            })
        }
        IndexItem::Ellipsis(s) => err("`...` cannot index a list", *s),
    }
}
