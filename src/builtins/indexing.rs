//! Shape and indexing builtins of LANGUAGE.md §11a: `pad`, `roll`, `repeat` and `tile`
//! as lazy per-axis index maps (`graph::blockops::Remap`: each block reads only the input
//! regions it maps to), `take` as a gather, `meshgrid` and `indices` from broadcasts, and
//! `argwhere` (data-dependent, found block by block like `nonzero`).

use crate::builtins::args::int_list;
use crate::builtins::{Args, Builtin, Group};
use crate::eval::{Evaluator, Flow, R};
use crate::graph::blockops::{AxisMap, BlockOp, PadMode, Remap};
use crate::graph::build;
use crate::graph::node::{FullValue, Node, NodeRef, Op, SliceItem};
use crate::sema::dtype::DType;
use crate::syntax::ast::Span;
use crate::value::{Array, Dim, Num, Value};
use std::rc::Rc;
use std::sync::Arc;

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::Shape,
            run,
        })
    };
    add(
        "pad",
        "x, pad_width, mode=\"constant\", constant_values=0",
        "Pads each axis (modes constant edge reflect symmetric wrap), as NumPy.",
        pad,
    );
    add(
        "roll",
        "x, shift, axis=none",
        "Rolls elements along an axis (the flattened array without axis).",
        roll,
    );
    add(
        "take",
        "x, indices, axis=none",
        "Elements at the given indices along an axis (the flattened array without axis).",
        take,
    );
    add(
        "argwhere",
        "x",
        "The indices of the non-zero elements, one row per element (computed in memory).",
        argwhere,
    );
    add(
        "repeat",
        "x, repeats, axis=none",
        "Repeats each element (the flattened array without axis).",
        repeat,
    );
    add(
        "tile",
        "x, reps",
        "The array repeated reps times along each axis.",
        tile,
    );
    add(
        "meshgrid",
        "*arrays, indexing=\"xy\"",
        "Coordinate arrays from 1-D coordinate vectors (indexing \"xy\" or \"ij\").",
        meshgrid,
    );
    add(
        "indices",
        "shape, dtype=i64",
        "An array of the index grid of a shape, one slab per axis.",
        indices,
    );
}

fn dims(shape: &[usize]) -> Vec<Dim> {
    shape.iter().map(|&d| Some(d)).collect()
}

fn known(x: &Array) -> R<Vec<usize>> {
    x.known_shape().ok_or(Flow::Unknown)
}

fn remap(
    interp: &Evaluator,
    x: &Array,
    name: &'static str,
    axes: Vec<AxisMap>,
    fill: FullValue,
    shape: Vec<usize>,
    chunks: impl FnOnce(&NodeRef) -> Vec<Vec<usize>>,
) -> Value {
    let node = if interp.check {
        None
    } else {
        x.node.clone().map(|n| {
            let chunks = chunks(&n);
            Arc::new(Node {
                op: Op::Block(BlockOp::Remap(Arc::new(Remap { name, axes, fill }))),
                inputs: vec![n.clone()],
                dtype: n.dtype,
                shape: shape.clone(),
                chunks,
            }) as NodeRef
        })
    };
    Value::Array(Array {
        dtype: x.dtype,
        shape: dims(&shape),
        node,
    })
}

/// Flattens an array (for the `axis=none` forms).
fn flat(interp: &Evaluator, x: &Array) -> R<Array> {
    let shape = known(x)?;
    if shape.len() == 1 {
        return Ok(x.clone());
    }
    let n: usize = shape.iter().product();
    Ok(Array {
        dtype: x.dtype,
        shape: vec![Some(n)],
        node: if interp.check {
            None
        } else {
            x.node.clone().map(|nd| build::reshape(nd, vec![n]))
        },
    })
}

fn reshaped(interp: &Evaluator, x: &Array, shape: Vec<usize>) -> Array {
    Array {
        dtype: x.dtype,
        shape: dims(&shape),
        node: if interp.check {
            None
        } else {
            x.node.clone().map(|nd| {
                if nd.shape == shape {
                    nd
                } else {
                    build::reshape(nd, shape)
                }
            })
        },
    }
}

/// `(before, after)` per axis from NumPy's `pad_width` forms.
fn pad_widths(args: &Args, nd: usize) -> R<Vec<(usize, usize)>> {
    let v = args.value("pad_width").cloned().unwrap_or(Value::None);
    let bad = |m: String| args.error::<Vec<(usize, usize)>>("pad_width", m, "bad pad_width");
    let pairs: Vec<(i64, i64)> = match &v {
        Value::Num(Num::Int(n)) => vec![(*n, *n); nd],
        Value::List(items) | Value::Tuple(items) => {
            if items.iter().all(|i| matches!(i, Value::Num(_))) {
                let l = int_list(&v).or_else(|m| bad(m).map(|_| Vec::new()))?;
                match l.as_slice() {
                    [a] => vec![(*a, *a); nd],
                    [a, b] => vec![(*a, *b); nd],
                    _ => {
                        return bad(format!(
                            "pad_width {l:?} needs one or two numbers, or a pair per axis"
                        ));
                    }
                }
            } else {
                let mut out = Vec::new();
                for it in items.iter() {
                    let l = int_list(it).or_else(|m| bad(m).map(|_| Vec::new()))?;
                    match l.as_slice() {
                        [a] => out.push((*a, *a)),
                        [a, b] => out.push((*a, *b)),
                        _ => return bad("each axis needs (before, after)".into()),
                    }
                }
                if out.len() == 1 {
                    vec![out[0]; nd]
                } else {
                    out
                }
            }
        }
        Value::Unknown(_) => return Err(Flow::Unknown),
        other => {
            return bad(format!(
                "pad_width must be an int or a list, not {}",
                other.type_name()
            ));
        }
    };
    if pairs.len() != nd {
        return bad(format!(
            "pad_width has {} pairs but x has {nd} axes",
            pairs.len()
        ));
    }
    if pairs.iter().any(|&(a, b)| a < 0 || b < 0) {
        return bad("pad widths must not be negative".into());
    }
    Ok(pairs
        .into_iter()
        .map(|(a, b)| (a as usize, b as usize))
        .collect())
}

fn fill_of(n: Num) -> FullValue {
    match n {
        Num::Int(i) => FullValue::Int(i),
        Num::Float(f) => FullValue::Float(f),
        Num::Bool(b) => FullValue::Bool(b),
    }
}

fn pad(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let shape = known(&x)?;
    let nd = shape.len();
    let widths = pad_widths(args, nd)?;
    let mode = match args.string("mode")?.as_deref() {
        None | Some("constant") => PadMode::Constant,
        Some("edge") => PadMode::Edge,
        Some("reflect") => PadMode::Reflect,
        Some("symmetric") => PadMode::Symmetric,
        Some("wrap") => PadMode::Wrap,
        Some(other) => {
            return args.error(
                "mode",
                format!("unknown pad mode \"{other}\"; use \"constant\", \"edge\", \"reflect\", \"symmetric\" or \"wrap\""),
                "unknown mode",
            );
        }
    };
    let value = args.num("constant_values")?.unwrap_or(Num::Int(0));
    // NumPy refuses a fill its array cannot hold (300 in u8, nan in an integer array).
    crate::builtins::args::host_cast(value, x.dtype).or_else(|m| {
        args.error(
            "constant_values",
            m,
            format!("not representable in {}", x.dtype),
        )
    })?;
    let fill = fill_of(value);
    for (k, (&n, &(b, a))) in shape.iter().zip(&widths).enumerate() {
        if n == 0 && b + a > 0 && mode != PadMode::Constant {
            return args.error(
                "x",
                format!("can't extend empty axis {k} using modes other than 'constant'"),
                "empty axis",
            );
        }
    }
    let out: Vec<usize> = shape
        .iter()
        .zip(&widths)
        .map(|(&n, &(b, a))| {
            crate::sema::size::add(b, n).and_then(|s| crate::sema::size::add(s, a))
        })
        .collect::<Result<_, _>>()
        .or_else(|m| args.error("pad_width", m, "too wide"))?;
    let axes = shape
        .iter()
        .zip(&widths)
        .map(|(&n, &(before, after))| {
            if before + after == 0 {
                AxisMap::Same
            } else {
                AxisMap::Pad { before, n, mode }
            }
        })
        .collect();
    let w = widths.clone();
    Ok(remap(interp, &x, "pad", axes, fill, out, move |n| {
        n.chunks
            .iter()
            .zip(&w)
            .map(|(c, &(b, a))| {
                let mut v = Vec::new();
                if b > 0 {
                    v.push(b);
                }
                v.extend(c.iter().copied().filter(|&l| l > 0));
                if a > 0 {
                    v.push(a);
                }
                if v.is_empty() {
                    v.push(0);
                }
                v
            })
            .collect()
    }))
}

fn roll(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let shape = known(&x)?;
    let shifts = args.ints("shift")?.unwrap_or_default();
    let axes: Option<Vec<usize>> = match args.ints("axis")? {
        None => None,
        Some(l) => Some(
            l.iter()
                .map(|&a| args.axis_value("axis", a, shape.len()))
                .collect::<R<_>>()?,
        ),
    };
    let Some(axes) = axes else {
        let [s] = shifts.as_slice() else {
            return args.error(
                "shift",
                "without axis=, shift must be one integer",
                "several shifts",
            );
        };
        let f = flat(interp, &x)?;
        let n = shape.iter().product::<usize>();
        let rolled = roll_axes(interp, &f, &[(0, *s)], &[n]);
        let Value::Array(r) = rolled else {
            return Err(Flow::Unknown);
        };
        return Ok(Value::Array(reshaped(interp, &r, shape)));
    };
    let pairs: Vec<(usize, i64)> = if shifts.len() == axes.len() {
        axes.iter().copied().zip(shifts.iter().copied()).collect()
    } else if shifts.len() == 1 {
        axes.iter().map(|&a| (a, shifts[0])).collect()
    } else {
        return args.error(
            "shift",
            "shift and axis need the same number of entries",
            "length mismatch",
        );
    };
    Ok(roll_axes(interp, &x, &pairs, &shape))
}

fn roll_axes(interp: &Evaluator, x: &Array, pairs: &[(usize, i64)], shape: &[usize]) -> Value {
    let mut total = vec![0i64; shape.len()];
    for &(a, s) in pairs {
        total[a] += s;
    }
    let axes = shape
        .iter()
        .zip(&total)
        .map(|(&n, &s)| {
            if n == 0 || s.rem_euclid(n as i64) == 0 {
                AxisMap::Same
            } else {
                AxisMap::Roll {
                    shift: s.rem_euclid(n as i64) as usize,
                    n,
                }
            }
        })
        .collect();
    remap(
        interp,
        x,
        "roll",
        axes,
        FullValue::Int(0),
        shape.to_vec(),
        |n| n.chunks.clone(),
    )
}

fn take(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x0 = args.array("x")?;
    let (x, axis) = match args.int("axis")? {
        None => (flat(interp, &x0)?, 0),
        Some(a) => {
            let nd = x0.shape.len();
            (x0.clone(), args.axis_value("axis", a, nd)?)
        }
    };
    let shape = known(&x)?;
    let n = shape[axis] as i64;
    let idx_v = args.value("indices").cloned().unwrap_or(Value::None);
    if let Value::Num(Num::Int(i)) = idx_v {
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return args.error(
                "indices",
                format!("index {i} is out of bounds for axis {axis} with size {n}"),
                "out of range",
            );
        }
        let items = (0..shape.len())
            .map(|k| {
                if k == axis {
                    SliceItem::Fix {
                        axis: k,
                        index: j as usize,
                    }
                } else {
                    SliceItem::Take {
                        axis: k,
                        start: 0,
                        step: 1,
                        len: shape[k],
                    }
                }
            })
            .collect();
        let mut out_shape = shape.clone();
        out_shape.remove(axis);
        return Ok(Value::Array(Array {
            dtype: x.dtype,
            shape: dims(&out_shape),
            node: if interp.check {
                None
            } else {
                x.node.clone().map(|nd| build::slice(nd, items))
            },
        }));
    }
    let idx = args.array("indices")?;
    if idx.dtype.is_float() || idx.dtype == DType::Bool {
        return args.error(
            "indices",
            format!("indices must be integers, not {}", idx.dtype),
            "not integers",
        );
    }
    if idx.shape.len() != 1 {
        return args.error(
            "indices",
            format!("take needs 1-D indices here, not {}", idx.type_text()),
            "not 1-D",
        );
    }
    if let Value::List(_) | Value::Tuple(_) = idx_v
        && let Ok(list) = int_list(&idx_v)
        && let Some(bad) = list.iter().find(|&&i| i < -n || i >= n)
    {
        return args.error(
            "indices",
            format!("index {bad} is out of bounds for axis {axis} with size {n}"),
            "out of range",
        );
    }
    let mut out_shape: Vec<Dim> = dims(&shape);
    out_shape[axis] = idx.shape[0];
    let node = if interp.check {
        None
    } else {
        match (x.node.clone(), idx.node.clone()) {
            (Some(xn), Some(inode)) => Some(build::gather(xn, inode, axis)),
            _ => return Err(Flow::Unknown),
        }
    };
    Ok(Value::Array(Array {
        dtype: x.dtype,
        shape: out_shape,
        node,
    }))
}

fn argwhere(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    if interp.check {
        return Ok(Value::Array(Array {
            dtype: DType::I64,
            shape: vec![None, Some(nd)],
            node: None,
        }));
    }
    let Some((shape, hits)) = crate::builtins::data_dependent::nonzero_positions(interp, args, &x)?
    else {
        return Err(crate::eval::Flow::Unknown);
    };
    let st = crate::data::strides(&shape);
    let mut v = Vec::with_capacity(hits.len() * nd);
    for &f in &hits {
        for k in 0..nd {
            v.push((f as usize / st[k] % shape[k]) as i64);
        }
    }
    let out = crate::data::Data::I64(
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[hits.len(), nd]), v)
            .expect("one row per element"),
    );
    let chunks = crate::graph::chunks::auto(&[hits.len(), nd], 8);
    Ok(Value::Array(Array {
        dtype: DType::I64,
        shape: vec![Some(hits.len()), Some(nd)],
        node: Some(crate::exec::data_node(out, chunks)),
    }))
}

fn repeat(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x0 = args.array("x")?;
    let (x, axis) = match args.int("axis")? {
        None => (flat(interp, &x0)?, 0),
        Some(a) => {
            let nd = x0.shape.len();
            (x0.clone(), args.axis_value("axis", a, nd)?)
        }
    };
    let shape = known(&x)?;
    let n = shape[axis];
    let reps = args.ints("repeats")?.unwrap_or_default();
    if let Some(bad) = reps.iter().find(|&&r| r < 0) {
        return args.error(
            "repeats",
            format!("repeats may not contain negative values, got {bad}"),
            "negative",
        );
    }
    let mut out = shape.clone();
    // One count for every element: index `i` reads `i / r`, with no table as long as the
    // axis (so the call returns at once whatever the length).
    if let [r] = reps.as_slice()
        && n != 1
    {
        let r = *r as usize;
        out[axis] =
            crate::sema::size::mul(n, r).or_else(|m| args.error("repeats", m, "too many"))?;
        let axes = (0..shape.len())
            .map(|k| {
                if k == axis {
                    AxisMap::RepeatEach { r: r.max(1) }
                } else {
                    AxisMap::Same
                }
            })
            .collect();
        let total = out[axis];
        return Ok(remap(
            interp,
            &x,
            "repeat",
            axes,
            FullValue::Int(0),
            out,
            move |nd| {
                let mut c = nd.chunks.clone();
                let lens: Vec<usize> = nd.chunks[axis]
                    .iter()
                    .filter(|&&l| l > 0)
                    .map(|&l| l * r)
                    .filter(|&l| l > 0)
                    .collect();
                c[axis] = if lens.is_empty() { vec![total] } else { lens };
                c
            },
        ));
    }
    let reps: Vec<i64> = match reps.as_slice() {
        [r] => vec![*r; n],
        l if l.len() == n => l.to_vec(),
        l => {
            return args.error(
                "repeats",
                format!("repeats has {} entries but the axis has {n}", l.len()),
                "length mismatch",
            );
        }
    };
    let mut ends = Vec::with_capacity(n);
    let mut acc = 0usize;
    for &r in &reps {
        acc = crate::sema::size::add(acc, r as usize)
            .or_else(|m| args.error("repeats", m, "too many"))?;
        ends.push(acc);
    }
    out[axis] = acc;
    let ends = Arc::new(ends);
    let axes = (0..shape.len())
        .map(|k| {
            if k == axis {
                AxisMap::Repeat { ends: ends.clone() }
            } else {
                AxisMap::Same
            }
        })
        .collect();
    let e2 = ends.clone();
    Ok(remap(
        interp,
        &x,
        "repeat",
        axes,
        FullValue::Int(0),
        out,
        move |nd| {
            let mut c = nd.chunks.clone();
            let mut lens = Vec::new();
            let mut lo = 0usize;
            for &len in &nd.chunks[axis] {
                let hi = lo + len;
                let start = if lo == 0 { 0 } else { e2[lo - 1] };
                let end = if hi == 0 { 0 } else { e2[hi - 1] };
                if end > start {
                    lens.push(end - start);
                }
                lo = hi;
            }
            if lens.is_empty() {
                lens.push(0);
            }
            c[axis] = lens;
            c
        },
    ))
}

fn tile(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let shape = known(&x)?;
    let reps = args.ints("reps")?.unwrap_or_default();
    if let Some(bad) = reps.iter().find(|&&r| r < 0) {
        return args.error(
            "reps",
            format!("reps may not be negative, got {bad}"),
            "negative",
        );
    }
    let d = shape.len().max(reps.len());
    let mut full_shape = vec![1usize; d - shape.len()];
    full_shape.extend(&shape);
    let mut full_reps = vec![1usize; d - reps.len()];
    full_reps.extend(reps.iter().map(|&r| r as usize));
    let x = reshaped(interp, &x, full_shape.clone());
    let out: Vec<usize> = full_shape
        .iter()
        .zip(&full_reps)
        .map(|(&n, &r)| crate::sema::size::mul(n, r))
        .collect::<Result<_, _>>()
        .or_else(|m| args.error("reps", m, "too many"))?;
    let axes = full_shape
        .iter()
        .zip(&full_reps)
        .map(|(&n, &r)| {
            if r == 1 || n == 0 {
                AxisMap::Same
            } else {
                AxisMap::Tile { n }
            }
        })
        .collect();
    let reps2 = full_reps.clone();
    Ok(remap(
        interp,
        &x,
        "tile",
        axes,
        FullValue::Int(0),
        out.clone(),
        move |nd| {
            nd.chunks
                .iter()
                .zip(&reps2)
                .zip(&out)
                .map(|((c, &r), &total)| {
                    if r == 1 {
                        c.clone()
                    } else if c.len() == 1 || r == 0 {
                        vec![total]
                    } else if r.saturating_mul(c.len()) > crate::graph::chunks::MAX_BLOCKS_PER_AXIS
                    {
                        // Too many copies of the grid to list: regular blocks of the
                        // largest input block (the grid stays proportional to blocks).
                        crate::graph::chunks::regular(total, c.iter().copied().max().unwrap_or(1))
                    } else {
                        (0..r).flat_map(|_| c.iter().copied()).collect()
                    }
                })
                .collect()
        },
    ))
}

fn call(interp: &mut Evaluator, name: &str, pos: Vec<Value>, span: Span) -> R<Value> {
    let f = crate::builtins::lookup_global(name).unwrap_or(Value::None);
    let raw = pos.into_iter().map(|v| (None, v, span)).collect();
    interp.call_value(f, raw, span, span)
}

fn int_values(v: &[usize]) -> Value {
    Value::List(Rc::new(
        v.iter().map(|&d| Value::Num(Num::Int(d as i64))).collect(),
    ))
}

fn meshgrid(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let span = args.span;
    let xs: Vec<Array> = args
        .rest("arrays")
        .iter()
        .map(|v| match v {
            Value::Array(a) => Ok(a.clone()),
            Value::List(_) | Value::Tuple(_) => crate::builtins::args::list_to_array(v, None, span),
            Value::Unknown(_) => Err(Flow::Unknown),
            other => args.error(
                "arrays",
                format!("meshgrid needs 1-D arrays, not {}", other.type_name()),
                "not an array",
            ),
        })
        .collect::<R<_>>()?;
    let ij = match args.string("indexing")?.as_deref() {
        None | Some("xy") => false,
        Some("ij") => true,
        Some(other) => {
            return args.error(
                "indexing",
                format!("indexing must be \"xy\" or \"ij\", not \"{other}\""),
                "unknown indexing",
            );
        }
    };
    let lens: Vec<usize> = xs
        .iter()
        .map(|a| {
            let s = known(a)?;
            if s.len() != 1 {
                return args.error(
                    "arrays",
                    format!("meshgrid needs 1-D arrays, not {}", a.type_text()),
                    "not 1-D",
                );
            }
            Ok(s[0])
        })
        .collect::<R<_>>()?;
    let nd = xs.len();
    let mut out_shape = lens.clone();
    if !ij && nd >= 2 {
        out_shape.swap(0, 1);
    }
    let mut outs = Vec::with_capacity(nd);
    for (i, a) in xs.iter().enumerate() {
        let pos = if !ij && nd >= 2 && i < 2 { 1 - i } else { i };
        let mut s = vec![1usize; nd];
        s[pos] = lens[i];
        let r = Value::Array(reshaped(interp, a, s));
        outs.push(call(
            interp,
            "broadcast_to",
            vec![r, int_values(&out_shape)],
            span,
        )?);
    }
    Ok(Value::tuple(outs))
}

fn indices(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let span = args.span;
    let shape = args.shape("shape")?;
    let dtype = args.dtype("dtype")?.unwrap_or(DType::I64);
    let nd = shape.len();
    let mut slabs = Vec::with_capacity(nd);
    for (k, &n) in shape.iter().enumerate() {
        let r = call(interp, "arange", vec![Value::Num(Num::Int(n as i64))], span)?;
        let Value::Array(r) = r else {
            return Err(Flow::Unknown);
        };
        let mut s = vec![1usize; nd];
        s[k] = n;
        let r = Value::Array(reshaped(interp, &r, s));
        let b = call(interp, "broadcast_to", vec![r, int_values(&shape)], span)?;
        slabs.push(b);
    }
    let stacked = call(interp, "stack", vec![Value::List(Rc::new(slabs))], span)?;
    call(interp, "astype", vec![stacked, Value::DType(dtype)], span)
}
