//! Linear algebra on chunked arrays (LANGUAGE.md §11a): `@`/`matmul`/`dot` as a blocked
//! product node (`exec::linalg`), `tensordot`, `outer`, `kron`, `trace`, `cov`, `corrcoef`
//! built from it and from ordinary graph ops. `einsum` is in `einsum.rs`, `linalg.norm` in
//! `linalg_norm.rs`, the factorisations and square-matrix routines in `linalg_dense.rs`.

use crate::builtins::{Args, Builtin, Group};
use crate::eval::ops::shape_text;
use crate::eval::{Evaluator, R, err_label};
use crate::exec::linalg::LinalgOp;
use crate::graph::build;
use crate::graph::node::{Node, NodeRef, Op, SliceItem};
use crate::sema::dtype::{DType, promote};
use crate::syntax::ast::{BinOp, Span};
use crate::value::{Array, Dim, Num, Value};
use std::sync::Arc;

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Linalg,
            run,
        })
    };
    add(
        "matmul",
        "a, b",
        "Matrix product (the @ operator): batched and broadcast over leading axes.",
        matmul,
    );
    add(
        "dot",
        "a, b",
        "NumPy's dot: sum over the last axis of a and the second-to-last of b.",
        dot,
    );
    add(
        "outer",
        "a, b",
        "Outer product of the flattened a and b.",
        outer,
    );
    add(
        "tensordot",
        "a, b, axes=2",
        "Sum over the given axes of a and b (an int: the last n of a with the first n of b).",
        tensordot,
    );
    add(
        "trace",
        "x, offset=0",
        "Sum along the diagonal of the first two axes.",
        trace,
    );
    add("kron", "a, b", "Kronecker product.", kron);
    add(
        "cov",
        "x, rowvar=true, ddof=none",
        "Covariance matrix of the variables (rows, or columns with rowvar=false).",
        cov,
    );
    add(
        "corrcoef",
        "x, rowvar=true",
        "Pearson correlation coefficients of the variables.",
        corrcoef,
    );
    crate::builtins::einsum::register(t);
    crate::builtins::linalg_norm::register(t);
    crate::builtins::linalg_dense::register(t);
}

/// Calls a builtin by name with positional and keyword arguments (every argument's span is
/// the call's).
pub fn call(
    interp: &mut Evaluator,
    name: &str,
    pos: Vec<Value>,
    kw: Vec<(&str, Value)>,
    span: Span,
) -> R<Value> {
    let Some(b) = crate::builtins::find(name) else {
        return err_label(format!("internal: no builtin `{name}`"), span, "here");
    };
    let mut args: Vec<crate::eval::signature::RawArg> =
        pos.into_iter().map(|v| (None, v, span)).collect();
    for (k, v) in kw {
        args.push((Some((k.to_string(), span)), v, span));
    }
    interp.call_value(Value::Builtin(b), args, span, span)
}

/// The array of a value that a builtin produced (builtins on arrays give arrays; check mode
/// may give an unknown, which stops the caller with `Flow::Unknown`).
pub fn arr(v: Value) -> R<Array> {
    match v {
        Value::Array(a) => Ok(a),
        Value::Unknown(_) => Err(crate::eval::Flow::Unknown),
        other => err_label(
            format!("internal: expected an array, got {}", other.type_name()),
            Span::default(),
            "here",
        ),
    }
}

/// A binary operator on two values (NumPy's rules, as in the language).
pub fn bin(interp: &mut Evaluator, op: BinOp, x: Value, y: Value, span: Span) -> R<Value> {
    crate::eval::ops::binary(interp, op, x, y, span, span, span)
}

/// An integer value.
pub fn int(i: i64) -> Value {
    Value::Num(Num::Int(i))
}

/// A list of integers.
pub fn ints(v: &[usize]) -> Value {
    Value::List(std::rc::Rc::new(v.iter().map(|&i| int(i as i64)).collect()))
}

fn expand(interp: &Evaluator, a: &Array, positions: &[usize]) -> R<Array> {
    arr(crate::builtins::shape_ops::insert_axes(
        interp, a, positions,
    ))
}

/// `a @ b` on arrays of any dimension (NumPy's matmul rules).
pub fn matmul_values(interp: &mut Evaluator, x: &Value, y: &Value, span: Span) -> R<Value> {
    let (Value::Array(a), Value::Array(b)) = (x, y) else {
        return err_label(
            "`@` needs two arrays",
            span,
            format!("{} @ {}", x.type_name(), y.type_name()),
        );
    };
    let both = format!("{} @ {}", a.type_text(), b.type_text());
    let (na, nb) = (a.shape.len(), b.shape.len());
    if na == 0 || nb == 0 {
        return err_label(
            format!("matmul needs arrays of at least one dimension, got {both}"),
            span,
            both,
        );
    }
    let k_a = a.shape[na - 1];
    let k_b = if nb == 1 { b.shape[0] } else { b.shape[nb - 2] };
    if let (Some(p), Some(q)) = (k_a, k_b)
        && p != q
    {
        return err_label(
            format!(
                "matmul: {} @ {} contracts {p} with {q}",
                a.type_text(),
                b.type_text()
            ),
            span,
            format!("{both}: inner dimensions {p} and {q} differ"),
        );
    }
    let batch_a = &a.shape[..na.saturating_sub(2)];
    let batch_b = &b.shape[..nb.saturating_sub(2)];
    let Some(batch) = crate::eval::ops::broadcast(batch_a, batch_b) else {
        return err_label(
            format!(
                "matmul: cannot broadcast the leading axes {} and {} of {both}",
                shape_text(batch_a),
                shape_text(batch_b)
            ),
            span,
            both,
        );
    };
    let dtype = promote(a.dtype, b.dtype);
    let m: Dim = if na == 1 { Some(1) } else { a.shape[na - 2] };
    let n: Dim = if nb == 1 { Some(1) } else { b.shape[nb - 1] };
    let mut shape: Vec<Dim> = batch.clone();
    if na > 1 {
        shape.push(m);
    }
    if nb > 1 {
        shape.push(n);
    }
    let (Some(_), Some(_)) = (&a.node, &b.node) else {
        return Ok(Value::Array(Array {
            dtype,
            shape,
            node: None,
        }));
    };
    if interp.check {
        return Ok(Value::Array(Array {
            dtype,
            shape,
            node: None,
        }));
    }
    // Lay both out as (batch.., m, k) and (batch.., k, n).
    let a2 = if na == 1 {
        expand(interp, a, &[0])?
    } else {
        a.clone()
    };
    let b2 = if nb == 1 {
        expand(interp, b, &[1])?
    } else {
        b.clone()
    };
    let (Some(an), Some(bn)) = (a2.node, b2.node) else {
        return Err(crate::eval::Flow::Unknown);
    };
    let node = matmul_node(an, bn, dtype);
    // Drop the axes a 1-D operand added.
    let nd = node.shape.len();
    let mut items = Vec::new();
    for k in 0..nd {
        if (k == nd - 2 && na == 1) || (k == nd - 1 && nb == 1) {
            items.push(SliceItem::Fix { axis: k, index: 0 });
        } else {
            items.push(SliceItem::Take {
                axis: k,
                start: 0,
                step: 1,
                len: node.shape[k],
            });
        }
    }
    let node = if na == 1 || nb == 1 {
        build::slice(node, items)
    } else {
        node
    };
    Ok(Value::Array(Array {
        dtype,
        shape: node.shape.iter().map(|&d| Some(d)).collect(),
        node: Some(node),
    }))
}

/// The product node of `a` (batch.., m, k) and `b` (batch.., k, n), broadcasting the batch
/// axes (shapes checked by the caller).
pub fn matmul_node(a: NodeRef, b: NodeRef, dtype: DType) -> NodeRef {
    let (na, nb) = (a.shape.len(), b.shape.len());
    let batch = build::broadcast_shapes(&[&a.shape[..na - 2], &b.shape[..nb - 2]]);
    let widen = |x: NodeRef, nx: usize| {
        if x.shape[..nx - 2] == batch[..] {
            x
        } else {
            let mut s = batch.clone();
            s.extend_from_slice(&x.shape[nx - 2..]);
            build::broadcast_to(x, s)
        }
    };
    let a = widen(a, na);
    let b = widen(b, nb);
    let nd = batch.len() + 2;
    let mut shape = batch.clone();
    shape.push(a.shape[nd - 2]);
    shape.push(b.shape[nd - 1]);
    let mut chunks: Vec<Vec<usize>> = a.chunks[..nd - 2].to_vec();
    chunks.push(a.chunks[nd - 2].clone());
    chunks.push(b.chunks[nd - 1].clone());
    Arc::new(Node {
        op: Op::Linalg(LinalgOp::MatMul),
        inputs: vec![a, b],
        dtype,
        shape,
        chunks,
    })
}

fn matmul(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = Value::Array(args.array("a")?);
    let b = Value::Array(args.array("b")?);
    matmul_values(interp, &a, &b, args.span)
}

fn dot(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("a")?;
    let b = args.array("b")?;
    let span = args.span;
    if a.shape.is_empty() || b.shape.is_empty() {
        return bin(interp, BinOp::Mul, Value::Array(a), Value::Array(b), span);
    }
    if b.shape.len() <= 2 {
        return matmul_values(interp, &Value::Array(a), &Value::Array(b), span);
    }
    // N-D: the last axis of a with the second-to-last of b.
    let (na, nb) = (a.shape.len(), b.shape.len());
    tensordot_arrays(interp, &a, &b, &[na - 1], &[nb - 2], span)
}

fn outer(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("a")?;
    let b = args.array("b")?;
    let span = args.span;
    let a = arr(call(interp, "ravel", vec![Value::Array(a)], vec![], span)?)?;
    let b = arr(call(interp, "ravel", vec![Value::Array(b)], vec![], span)?)?;
    let a2 = expand(interp, &a, &[1])?;
    bin(interp, BinOp::Mul, Value::Array(a2), Value::Array(b), span)
}

/// Parses `axes=` of tensordot: an int n, or a pair of lists (or ints).
fn tensordot_axes(args: &Args, na: usize, nb: usize) -> R<(Vec<usize>, Vec<usize>)> {
    let norm = |v: i64, n: usize| -> R<usize> { args.axis_value("axes", v, n) };
    match args.value("axes") {
        None => tensordot_axes_n(args, 2, na, nb),
        Some(Value::Num(Num::Int(k))) => tensordot_axes_n(args, *k, na, nb),
        Some(Value::List(items)) | Some(Value::Tuple(items)) if items.len() == 2 => {
            let side = |v: &Value, n: usize| -> R<Vec<usize>> {
                let list = match v {
                    Value::Num(Num::Int(i)) => vec![*i],
                    other => crate::builtins::args::int_list(other)
                        .or_else(|m| args.error("axes", m, "expected a list of axes"))?,
                };
                list.iter().map(|&i| norm(i, n)).collect()
            };
            Ok((side(&items[0], na)?, side(&items[1], nb)?))
        }
        Some(_) => args.error(
            "axes",
            "tensordot axes must be an int or a pair of lists of axes",
            "bad axes",
        ),
    }
}

fn tensordot_axes_n(args: &Args, k: i64, na: usize, nb: usize) -> R<(Vec<usize>, Vec<usize>)> {
    if k < 0 || k as usize > na || k as usize > nb {
        return args.error(
            "axes",
            format!("tensordot axes={k} needs 0 <= axes <= {}", na.min(nb)),
            "out of range",
        );
    }
    let k = k as usize;
    Ok(((na - k..na).collect(), (0..k).collect()))
}

fn tensordot(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let a = args.array("a")?;
    let b = args.array("b")?;
    let (ax_a, ax_b) = tensordot_axes(args, a.shape.len(), b.shape.len())?;
    if ax_a.len() != ax_b.len() {
        return args.error(
            "axes",
            format!(
                "tensordot: {} axes of a but {} of b",
                ax_a.len(),
                ax_b.len()
            ),
            "the lists differ in length",
        );
    }
    let dup = |v: &[usize]| (1..v.len()).any(|i| v[..i].contains(&v[i]));
    if dup(&ax_a) || dup(&ax_b) {
        return args.error("axes", "tensordot: an axis is repeated", "repeated axis");
    }
    tensordot_arrays(interp, &a, &b, &ax_a, &ax_b, args.span)
}

/// `tensordot` over the given axes: moves the contracted axes together, reshapes both to
/// matrices (only when needed) and takes one blocked product.
pub fn tensordot_arrays(
    interp: &mut Evaluator,
    a: &Array,
    b: &Array,
    ax_a: &[usize],
    ax_b: &[usize],
    span: Span,
) -> R<Value> {
    for (&i, &j) in ax_a.iter().zip(ax_b) {
        if let (Some(p), Some(q)) = (a.shape[i], b.shape[j])
            && p != q
        {
            let both = format!("tensordot({}, {})", a.type_text(), b.type_text());
            return err_label(
                format!("{both}: axis {i} of a has length {p} but axis {j} of b has {q}"),
                span,
                both,
            );
        }
    }
    let free_a: Vec<usize> = (0..a.shape.len()).filter(|k| !ax_a.contains(k)).collect();
    let free_b: Vec<usize> = (0..b.shape.len()).filter(|k| !ax_b.contains(k)).collect();
    let dim = |s: &[Dim], axes: &[usize]| -> Option<usize> {
        axes.iter().map(|&k| s[k]).product::<Option<usize>>()
    };
    let mut out_shape: Vec<Dim> = free_a.iter().map(|&k| a.shape[k]).collect();
    out_shape.extend(free_b.iter().map(|&k| b.shape[k]));
    let dtype = promote(a.dtype, b.dtype);
    let (Some(m), Some(kk), Some(n)) = (
        dim(&a.shape, &free_a),
        dim(&a.shape, ax_a),
        dim(&b.shape, &free_b),
    ) else {
        return Ok(Value::Array(Array {
            dtype,
            shape: out_shape,
            node: None,
        }));
    };
    // a -> (free_a.., contracted..) -> (m, k); b -> (contracted.., free_b..) -> (k, n).
    let mut perm_a = free_a.clone();
    perm_a.extend_from_slice(ax_a);
    let mut perm_b = ax_b.to_vec();
    perm_b.extend_from_slice(&free_b);
    let a2 = to_matrix(interp, a, &perm_a, m, kk, span)?;
    let b2 = to_matrix(interp, b, &perm_b, kk, n, span)?;
    let p = arr(matmul_values(
        interp,
        &Value::Array(a2),
        &Value::Array(b2),
        span,
    )?)?;
    if p.shape == out_shape {
        return Ok(Value::Array(p));
    }
    let dims: Vec<usize> = out_shape.iter().map(|d| d.unwrap_or(0)).collect();
    call(
        interp,
        "reshape",
        vec![Value::Array(p), ints(&dims)],
        vec![],
        span,
    )
}

/// `x` with axes permuted by `perm`, as a (rows, cols) matrix.
fn to_matrix(
    interp: &mut Evaluator,
    x: &Array,
    perm: &[usize],
    rows: usize,
    cols: usize,
    span: Span,
) -> R<Array> {
    let identity = perm.iter().enumerate().all(|(i, &p)| i == p);
    let t = if identity {
        x.clone()
    } else {
        arr(call(
            interp,
            "transpose",
            vec![Value::Array(x.clone()), ints(perm)],
            vec![],
            span,
        )?)?
    };
    if t.shape == [Some(rows), Some(cols)] {
        return Ok(t);
    }
    arr(call(
        interp,
        "reshape",
        vec![Value::Array(t), ints(&[rows, cols])],
        vec![],
        span,
    )?)
}

fn trace(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    if x.shape.len() < 2 {
        return args.error(
            "x",
            format!("trace needs at least 2 dimensions, got {}", x.type_text()),
            "fewer than 2 axes",
        );
    }
    let offset = args.int_or("offset", 0)?;
    let span = args.span;
    let d = call(
        interp,
        "diagonal",
        vec![Value::Array(x)],
        vec![("offset", int(offset))],
        span,
    )?;
    call(interp, "sum", vec![d], vec![("axis", int(-1))], span)
}

fn kron(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let mut a = args.array("a")?;
    let mut b = args.array("b")?;
    let span = args.span;
    // Same number of axes (leading ones added), then a[i, newaxis, j, newaxis] * b[newaxis, ..].
    let nd = a.shape.len().max(b.shape.len());
    while a.shape.len() < nd {
        a = expand(interp, &a, &[0])?;
    }
    while b.shape.len() < nd {
        b = expand(interp, &b, &[0])?;
    }
    let pa: Vec<usize> = (0..nd).map(|k| 2 * k + 1).collect();
    let pb: Vec<usize> = (0..nd).map(|k| 2 * k).collect();
    let a2 = expand(interp, &a, &pa)?;
    let b2 = expand(interp, &b, &pb)?;
    let p = arr(bin(
        interp,
        BinOp::Mul,
        Value::Array(a2),
        Value::Array(b2),
        span,
    )?)?;
    let dims: Option<Vec<usize>> = (0..nd).map(|k| Some(a.shape[k]? * b.shape[k]?)).collect();
    let Some(dims) = dims else {
        return Ok(Value::Array(Array {
            dtype: p.dtype,
            shape: (0..nd).map(|k| Some(a.shape[k]? * b.shape[k]?)).collect(),
            node: None,
        }));
    };
    call(
        interp,
        "reshape",
        vec![Value::Array(p), ints(&dims)],
        vec![],
        span,
    )
}

/// The variables-by-observations matrix of `cov`/`corrcoef`, as float, centred, with the
/// number of observations.
fn centred(interp: &mut Evaluator, args: &Args, rowvar: bool) -> R<(Array, Dim)> {
    let x = args.array("x")?;
    let span = args.span;
    if x.shape.is_empty() || x.shape.len() > 2 {
        return args.error(
            "x",
            format!("cov needs a 1-D or 2-D array, got {}", x.type_text()),
            "not 1-D or 2-D",
        );
    }
    let mut x = if x.shape.len() == 1 {
        expand(interp, &x, &[0])?
    } else {
        x
    };
    if !rowvar && x.shape.len() == 2 && args.array("x")?.shape.len() == 2 {
        x = arr(call(
            interp,
            "transpose",
            vec![Value::Array(x)],
            vec![],
            span,
        )?)?;
    }
    // NumPy computes covariances in f64 whatever the input.
    if x.dtype != DType::F64 {
        x = arr(call(
            interp,
            "astype",
            vec![Value::Array(x), Value::str("f64")],
            vec![],
            span,
        )?)?;
    }
    let mean = call(
        interp,
        "mean",
        vec![Value::Array(x.clone())],
        vec![("axis", int(1)), ("keepdims", Value::Num(Num::Bool(true)))],
        span,
    )?;
    let c = arr(bin(
        interp,
        BinOp::Sub,
        Value::Array(x.clone()),
        mean,
        span,
    )?)?;
    let n = c.shape[1];
    Ok((c, n))
}

/// `c @ c.T / (n - ddof)`.
fn cov_of(interp: &mut Evaluator, c: Array, n: Dim, ddof: i64, span: Span) -> R<Value> {
    let ct = call(
        interp,
        "transpose",
        vec![Value::Array(c.clone())],
        vec![],
        span,
    )?;
    let p = matmul_values(interp, &Value::Array(c), &ct, span)?;
    let denom = n.map(|n| n as f64 - ddof as f64).unwrap_or(1.0);
    bin(interp, BinOp::Div, p, Value::Num(Num::Float(denom)), span)
}

fn cov(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let rowvar = args.flag("rowvar", true)?;
    let ddof = args.int_or("ddof", 1)?;
    let one_d = args.array("x")?.shape.len() == 1;
    let (c, n) = centred(interp, args, rowvar)?;
    let v = cov_of(interp, c, n, ddof, args.span)?;
    if one_d {
        return squeeze_all(interp, v, args.span);
    }
    Ok(v)
}

fn squeeze_all(interp: &mut Evaluator, v: Value, span: Span) -> R<Value> {
    call(interp, "squeeze", vec![v], vec![], span)
}

fn corrcoef(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let rowvar = args.flag("rowvar", true)?;
    let span = args.span;
    let one_d = args.array("x")?.shape.len() == 1;
    let (c, n) = centred(interp, args, rowvar)?;
    let v = arr(cov_of(interp, c, n, 1, span)?)?;
    // c / sqrt(outer(d, d)), with d the diagonal; clipped to [-1, 1] as NumPy does.
    let d = call(
        interp,
        "diagonal",
        vec![Value::Array(v.clone())],
        vec![],
        span,
    )?;
    let sd = call(interp, "sqrt", vec![d], vec![], span)?;
    let sd = arr(sd)?;
    let col = expand(interp, &sd, &[1])?;
    let r = bin(interp, BinOp::Div, Value::Array(v), Value::Array(col), span)?;
    let r = bin(interp, BinOp::Div, r, Value::Array(sd), span)?;
    let r = call(
        interp,
        "clip",
        vec![r, Value::Num(Num::Float(-1.0)), Value::Num(Num::Float(1.0))],
        vec![],
        span,
    )?;
    if one_d {
        return squeeze_all(interp, r, span);
    }
    Ok(r)
}
