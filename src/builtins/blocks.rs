//! Block builtins (LANGUAGE.md §11a): `map_blocks` with Arr functions and lambdas,
//! `map_overlap` (halos read from the neighbours' regions, boundary modes as Dask) and
//! `coarsen`. The function is traced once per distinct combination of block shapes into a
//! small graph over placeholder sources (so it is type-checked against every block shape
//! before anything runs), and the executor runs that graph on each block
//! (`exec::blocks`). Registered Rust functions keep their own per-block path.

use crate::builtins::args::int_list;
use crate::builtins::{Args, Builtin, Group};
use crate::eval::ops::scalar_node;
use crate::eval::{Evaluator, Flow, R};
use crate::graph::blockops::{AxisMap, BlockOp, MapBlocks, PadMode, Remap, Template, fresh_id};
use crate::graph::build;
use crate::graph::node::{ArraySource, FullValue, Node, NodeRef, Op, Source};
use crate::kernel::MapOp;
use crate::sema::dtype::{DType, Operand};
use crate::syntax::ast::Span;
use crate::value::{Array, Dim, Num, Value};
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
        "map_blocks",
        "f, *arrays, dtype=none, chunks=none, drop_axis=none, new_axis=none",
        "Applies a function (Arr, lambda or registered Rust) to each block; several arrays are aligned block by block.",
        map_blocks,
    );
    add(
        "map_overlap",
        "f, x, depth=1, boundary=\"reflect\", trim=true",
        "Applies a function to each block extended by `depth` elements of its neighbours (boundary: reflect periodic nearest none or a number), then trims.",
        map_overlap,
    );
    add(
        "coarsen",
        "x, factors, func=none",
        "Reduces non-overlapping windows of `factors` elements per axis with a reduction (mean by default).",
        coarsen,
    );
}

/// A source standing for one block while a function is traced; never read.
#[derive(Debug)]
struct Placeholder;

impl ArraySource for Placeholder {
    fn describe(&self) -> String {
        "block".into()
    }
    fn read(&self, _: &[i64], _: &[i64], _: &[usize]) -> Result<Data, String> {
        Err("a map_blocks placeholder was read (a bug in Arr)".into())
    }
}

use crate::data::Data;

fn placeholder(dtype: DType, shape: &[usize]) -> NodeRef {
    build::source(
        Source::External(Arc::new(Placeholder)),
        dtype,
        shape.to_vec(),
        shape.iter().map(|&n| vec![n]).collect(),
    )
}

fn dims(shape: &[usize]) -> Vec<Dim> {
    shape.iter().map(|&d| Some(d)).collect()
}

/// The array a traced function returned (numbers become 0-d arrays).
fn result_array(interp: &Evaluator, v: Value, span: Span, what: &str) -> R<Array> {
    match v {
        Value::Array(a) => Ok(a),
        Value::Num(n) => {
            let dtype = Operand::Weak(n.kind()).default_dtype();
            Ok(Array {
                dtype,
                shape: Vec::new(),
                node: (!interp.check).then(|| scalar_node(n, dtype)),
            })
        }
        Value::Unknown(_) => Err(Flow::Unknown),
        other => crate::eval::err_label(
            format!("{what} must return an array, not {}", other.type_name()),
            span,
            "in this call",
        ),
    }
}

fn cast_to(a: Array, dtype: Option<DType>) -> Array {
    match dtype {
        Some(d) if d != a.dtype => Array {
            dtype: d,
            shape: a.shape,
            node: a.node.map(|n| build::map(MapOp::Cast, n.dtype, d, vec![n])),
        },
        _ => a,
    }
}

fn callable(args: &Args) -> R<Value> {
    match args.value("f") {
        Some(f @ (Value::Func(_) | Value::Builtin(_) | Value::Bound(_) | Value::Native(_))) => {
            Ok(f.clone())
        }
        Some(Value::Unknown(_)) => Err(Flow::Unknown),
        Some(other) => args.error(
            "f",
            format!(
                "`{}` needs a function, not {}",
                args.name,
                other.type_name()
            ),
            "not a function",
        ),
        None => args.error("f", format!("`{}` needs a function", args.name), "missing"),
    }
}

fn to_array(v: &Value, args: &Args) -> R<Array> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::Num(n) => {
            let dtype = Operand::Weak(n.kind()).default_dtype();
            Ok(Array {
                dtype,
                shape: Vec::new(),
                node: Some(scalar_node(*n, dtype)),
            })
        }
        Value::Unknown(_) => Err(Flow::Unknown),
        other => args.error(
            "arrays",
            format!("`{}` needs arrays, not {}", args.name, other.type_name()),
            "not an array",
        ),
    }
}

/// What the traced function is called with and what is done to its result.
type Body<'a> = dyn FnMut(&mut Evaluator, Vec<Value>) -> R<Value> + 'a;

/// Every combination of one value per axis.
fn product(options: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for opts in options {
        let mut next = Vec::new();
        for p in &out {
            for &o in opts {
                let mut q = p.clone();
                q.push(o);
                next.push(q);
            }
        }
        out = next;
    }
    out
}

/// Distinct block combinations traced at most.
const MAX_TEMPLATES: usize = 256;

/// A traced block op, ready to become a node.
struct Traced {
    templates: Vec<Template>,
    /// Per output axis: block length out for each block.
    out_chunks: Vec<Vec<usize>>,
    dtype: DType,
}

/// Traces `body` on every combination of block shapes. `grids[k]` is the input-space grid
/// of axis `k`; `in_axes[i][a]` the input-space axis of input `i`'s axis `a` (`None`: a
/// broadcast axis of length 1); `dropped[k]` whether axis `k` is whole in every block and
/// gone from the result; `new_axes` the output positions of new axes. `halo[k][j]` is added
/// to block `j`'s length on axis `k` before the body sees it and trimmed after.
#[allow(clippy::too_many_arguments)]
fn trace(
    interp: &mut Evaluator,
    args: &Args,
    inputs: &[NodeRef],
    grids: &[Vec<usize>],
    in_axes: &[Vec<Option<usize>>],
    dropped: &[bool],
    new_axes: &[usize],
    dtype: Option<DType>,
    body: &mut Body<'_>,
) -> R<Traced> {
    let nd = grids.len();
    let out_nd = nd - dropped.iter().filter(|d| **d).count() + new_axes.len();
    // Output position of each kept input-space axis.
    let mut kept_pos = vec![usize::MAX; nd];
    {
        let mut pos = (0..out_nd).filter(|p| !new_axes.contains(p));
        for k in 0..nd {
            if !dropped[k] {
                kept_pos[k] = pos.next().unwrap_or(usize::MAX);
            }
        }
    }
    let options: Vec<Vec<usize>> = grids
        .iter()
        .map(|g| {
            let mut v = g.clone();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let combos = product(&options);
    if combos.len() > MAX_TEMPLATES {
        return args.error(
            "f",
            format!(
                "the blocks come in {} different shapes (more than {MAX_TEMPLATES}); rechunk to a regular grid",
                combos.len()
            ),
            "too many block shapes",
        );
    }
    let mut templates = Vec::new();
    let mut out_len: Vec<std::collections::HashMap<usize, usize>> = vec![Default::default(); nd];
    let mut new_len: Vec<Option<usize>> = vec![None; out_nd];
    let mut out_dtype = None;
    for combo in combos {
        let mut placeholders = Vec::new();
        let mut values = Vec::new();
        let mut in_shapes = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            let shape: Vec<usize> = in_axes[i]
                .iter()
                .map(|a| a.map_or(1, |k| combo[k]))
                .collect();
            let ph = placeholder(input.dtype, &shape);
            values.push(Value::Array(Array {
                dtype: input.dtype,
                shape: dims(&shape),
                node: Some(ph.clone()),
            }));
            placeholders.push(ph);
            in_shapes.push(shape);
        }
        let r = body(interp, values)?;
        let r = cast_to(result_array(interp, r, args.span, args.name)?, dtype);
        let block_text = crate::value::type_text(inputs[0].dtype, &dims(&in_shapes[0]));
        let Some(shape) = r.known_shape() else {
            return args.error(
                "f",
                format!("the function's result on a block of {block_text} has an unknown length"),
                "data-dependent block shape",
            );
        };
        if shape.len() != out_nd {
            return args.error(
                "f",
                format!(
                    "the function returns {} for a block of {block_text}, but {out_nd} dimension(s) were expected{}",
                    r.type_text(),
                    if shape.len() < out_nd { " (use drop_axis=)" } else { " (use new_axis=)" }
                ),
                "result has the wrong number of dimensions",
            );
        }
        for k in 0..nd {
            if dropped[k] {
                continue;
            }
            let got = shape[kept_pos[k]];
            if let Some(&prev) = out_len[k].get(&combo[k])
                && prev != got
            {
                return args.error(
                    "f",
                    format!("the function's result length on axis {k} depends on more than that axis's block length"),
                    "inconsistent block shapes",
                );
            }
            out_len[k].insert(combo[k], got);
        }
        for &p in new_axes {
            if new_len[p].is_some_and(|l| l != shape[p]) {
                return args.error(
                    "new_axis",
                    "the new axis has different lengths for different blocks",
                    "inconsistent",
                );
            }
            new_len[p] = Some(shape[p]);
        }
        out_dtype = Some(r.dtype);
        let Some(result) = r.node else {
            return Err(Flow::Unknown);
        };
        // The traced graph is optimised once here (fused into kernels, slices pushed to
        // the block), so each block runs the optimised function.
        let mut config = interp.session.borrow().exec.clone();
        config.memory_limit = 1 << 60;
        config.threads = 1;
        let result = match config.plan(&result) {
            Ok(plan) => plan.root,
            Err(e) => {
                return args.error(
                    "f",
                    format!("cannot plan the function: {e}"),
                    "in this function",
                );
            }
        };
        templates.push(Template {
            in_shapes,
            placeholders,
            result,
        });
    }
    let mut out_chunks = vec![Vec::new(); out_nd];
    for k in 0..nd {
        if !dropped[k] {
            out_chunks[kept_pos[k]] = grids[k].iter().map(|c| out_len[k][c]).collect();
        }
    }
    for &p in new_axes {
        out_chunks[p] = vec![new_len[p].unwrap_or(1)];
    }
    Ok(Traced {
        templates,
        out_chunks,
        dtype: out_dtype.unwrap_or(DType::F64),
    })
}

/// Output chunks from `chunks=`: an int per axis (every block) or a list per axis.
fn check_chunks_kw(args: &Args, got: &[Vec<usize>]) -> R<()> {
    let Some(v) = args.value("chunks") else {
        return Ok(());
    };
    let items: Vec<Value> = match v {
        Value::List(l) | Value::Tuple(l) => l.as_ref().clone(),
        Value::Num(_) => vec![v.clone()],
        Value::Unknown(_) => return Err(Flow::Unknown),
        other => {
            return args.error(
                "chunks",
                format!("chunks= must be a list, not {}", other.type_name()),
                "bad chunks",
            );
        }
    };
    if items.len() != got.len() {
        return args.error(
            "chunks",
            format!(
                "chunks= has {} axes but the result has {}",
                items.len(),
                got.len()
            ),
            "wrong number of axes",
        );
    }
    for (k, (item, g)) in items.iter().zip(got).enumerate() {
        let want: Vec<usize> = match item {
            Value::Num(Num::Int(c)) => vec![*c as usize; g.len()],
            _ => int_list(item)
                .or_else(|m| args.error("chunks", m, "bad chunks"))?
                .into_iter()
                .map(|c| c as usize)
                .collect(),
        };
        if &want != g {
            return args.error(
                "chunks",
                format!("the function's blocks have lengths {g:?} on axis {k}, but chunks= says {want:?}"),
                "disagrees with the function's result",
            );
        }
    }
    Ok(())
}

fn map_blocks(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let f = callable(args)?;
    let values = args.rest("arrays");
    if values.is_empty() {
        return args.error("f", "`map_blocks` needs at least one array", "no arrays");
    }
    if let Value::Native(_) = f {
        let raw = values.into_iter().map(|v| (None, v, args.span)).collect();
        return interp.call_value(f, raw, args.span, args.span);
    }
    let arrays: Vec<Array> = values.iter().map(|v| to_array(v, args)).collect::<R<_>>()?;
    let dtype = args.dtype("dtype")?;
    let shapes: Vec<Vec<usize>> = arrays
        .iter()
        .map(|a| a.known_shape().ok_or(Flow::Unknown))
        .collect::<R<_>>()?;
    let nd = shapes.iter().map(Vec::len).max().unwrap_or(0);
    // The broadcast length of each input-space axis.
    let mut lens = vec![1usize; nd];
    for s in &shapes {
        for (a, &n) in s.iter().enumerate() {
            let k = a + nd - s.len();
            if n != 1 && lens[k] != 1 && lens[k] != n {
                return args.error(
                    "arrays",
                    format!(
                        "map_blocks cannot align the arrays: lengths {} and {n} on axis {k}",
                        lens[k]
                    ),
                    "shapes do not broadcast",
                );
            }
            if n != 1 {
                lens[k] = n;
            }
        }
    }
    let norm = |name: &str, list: Option<Vec<i64>>, bound: usize| -> R<Vec<usize>> {
        let mut out = Vec::new();
        for a in list.unwrap_or_default() {
            out.push(args.axis_value(name, a, bound)?);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    };
    let drop_axis = norm("drop_axis", args.ints("drop_axis")?, nd)?;
    let out_nd_guess = nd - drop_axis.len() + args.ints("new_axis")?.map_or(0, |v| v.len());
    let new_axes = norm("new_axis", args.ints("new_axis")?, out_nd_guess)?;
    let dropped: Vec<bool> = (0..nd).map(|k| drop_axis.contains(&k)).collect();
    if interp.check {
        // Chunk grids are known only when running: check the function on whole arrays.
        let vals: Vec<Value> = arrays.iter().map(|a| Value::Array(a.clone())).collect();
        let raw = vals.into_iter().map(|v| (None, v, args.span)).collect();
        let r = interp.call_value(f, raw, args.span_of("f"), args.span)?;
        let r = cast_to(
            result_array(interp, r, args.span, "map_blocks' function")?,
            dtype,
        );
        let out_nd = nd - drop_axis.len() + new_axes.len();
        if r.shape.len() != out_nd {
            return args.error(
                "f",
                format!(
                    "the function returns {} for arrays of {}, but {out_nd} dimension(s) were expected{}",
                    r.type_text(),
                    arrays[0].type_text(),
                    if r.shape.len() < out_nd { " (use drop_axis=)" } else { " (use new_axis=)" }
                ),
                "result has the wrong number of dimensions",
            );
        }
        let mut shape = Vec::with_capacity(out_nd);
        let mut kept = (0..nd).filter(|k| !dropped[*k]);
        for p in 0..out_nd {
            if new_axes.contains(&p) {
                shape.push(r.shape[p]);
            } else {
                let k = kept.next().unwrap_or(0);
                shape.push(if r.shape[p] == Some(lens[k]) {
                    Some(lens[k])
                } else {
                    None
                });
            }
        }
        return Ok(Value::Array(Array {
            dtype: r.dtype,
            shape,
            node: None,
        }));
    }
    let mut nodes: Vec<NodeRef> = arrays
        .iter()
        .map(|a| a.node.clone().ok_or(Flow::Unknown))
        .collect::<R<_>>()?;
    // The grid of each axis: the first input spanning it; dropped axes are whole.
    let grids: Vec<Vec<usize>> = (0..nd)
        .map(|k| {
            if dropped[k] || lens[k] == 1 {
                return vec![lens[k]];
            }
            nodes
                .iter()
                .find_map(|n| {
                    let off = nd - n.shape.len();
                    (k >= off && n.shape[k - off] == lens[k]).then(|| n.chunks[k - off].clone())
                })
                .unwrap_or_else(|| vec![lens[k]])
        })
        .collect();
    let mut in_axes = Vec::new();
    for n in nodes.iter_mut() {
        let off = nd - n.shape.len();
        let mut want = n.chunks.clone();
        let mut axes = Vec::new();
        for (a, w) in want.iter_mut().enumerate() {
            let k = a + off;
            if n.shape[a] == lens[k] && lens[k] != 1 {
                *w = grids[k].clone();
                axes.push(Some(k));
            } else {
                *w = vec![n.shape[a]];
                axes.push(None);
            }
        }
        if want != n.chunks {
            *n = build::rechunk(n.clone(), want);
        }
        in_axes.push(axes);
    }
    let fspan = args.span_of("f");
    let span = args.span;
    let mut body = |interp: &mut Evaluator, vals: Vec<Value>| -> R<Value> {
        let raw = vals.into_iter().map(|v| (None, v, span)).collect();
        interp.call_value(f.clone(), raw, fspan, span)
    };
    let traced = trace(
        interp, args, &nodes, &grids, &in_axes, &dropped, &new_axes, dtype, &mut body,
    )?;
    check_chunks_kw(args, &traced.out_chunks)?;
    // Output block index of each input axis.
    let mut kept_pos = vec![None; nd];
    {
        let out_nd = traced.out_chunks.len();
        let mut pos = (0..out_nd).filter(|p| !new_axes.contains(p));
        for k in 0..nd {
            if !dropped[k] {
                kept_pos[k] = pos.next();
            }
        }
    }
    let axis_map = in_axes
        .iter()
        .map(|axes| axes.iter().map(|a| a.and_then(|k| kept_pos[k])).collect())
        .collect();
    Ok(block_node(
        format!("map_blocks({})", f.type_name()),
        nodes,
        axis_map,
        traced,
        Vec::new(),
    ))
}

fn block_node(
    name: String,
    inputs: Vec<NodeRef>,
    axis_map: Vec<Vec<Option<usize>>>,
    traced: Traced,
    trim: Vec<Vec<(usize, usize)>>,
) -> Value {
    let chunks: Vec<Vec<usize>> = if trim.is_empty() {
        traced.out_chunks
    } else {
        traced
            .out_chunks
            .iter()
            .zip(&trim)
            .map(|(c, t)| c.iter().zip(t).map(|(&l, &(b, a))| l - b - a).collect())
            .collect()
    };
    let shape: Vec<usize> = chunks.iter().map(|c| c.iter().sum()).collect();
    let node = Arc::new(Node {
        op: Op::Block(BlockOp::MapBlocks(Arc::new(MapBlocks {
            name,
            id: fresh_id(),
            axis_map,
            templates: traced.templates,
            trim,
        }))),
        inputs,
        dtype: traced.dtype,
        shape: shape.clone(),
        chunks,
    });
    Value::Array(Array {
        dtype: traced.dtype,
        shape: dims(&shape),
        node: Some(node),
    })
}

/// A boundary of `map_overlap`: a mode, or a constant.
fn boundary(args: &Args) -> R<(Option<PadMode>, FullValue)> {
    match args.value("boundary") {
        None => Ok((Some(PadMode::Symmetric), FullValue::Int(0))),
        Some(Value::Str(s)) => Ok(match &**s {
            "reflect" => (Some(PadMode::Symmetric), FullValue::Int(0)),
            "periodic" => (Some(PadMode::Wrap), FullValue::Int(0)),
            "nearest" => (Some(PadMode::Edge), FullValue::Int(0)),
            "none" => (None, FullValue::Int(0)),
            "constant" => (Some(PadMode::Constant), FullValue::Int(0)),
            other => {
                return args.error(
                    "boundary",
                    format!("unknown boundary \"{other}\"; use \"reflect\", \"periodic\", \"nearest\", \"none\" or a number"),
                    "unknown boundary",
                );
            }
        }),
        Some(Value::Num(Num::Float(f))) => Ok((Some(PadMode::Constant), FullValue::Float(*f))),
        Some(Value::Num(Num::Int(i))) => Ok((Some(PadMode::Constant), FullValue::Int(*i))),
        Some(Value::Num(Num::Bool(b))) => Ok((Some(PadMode::Constant), FullValue::Bool(*b))),
        Some(Value::Unknown(_)) => Err(Flow::Unknown),
        Some(other) => args.error(
            "boundary",
            format!(
                "boundary must be a string or a number, not {}",
                other.type_name()
            ),
            "bad boundary",
        ),
    }
}

fn per_axis(args: &Args, name: &str, nd: usize, default: i64) -> R<Vec<usize>> {
    let list = args.ints(name)?.unwrap_or_else(|| vec![default]);
    let list = if list.len() == 1 && nd != 1 {
        vec![list[0]; nd]
    } else {
        list
    };
    if list.len() != nd {
        return args.error(
            name,
            format!(
                "{name} has {} entries but the array has {nd} axes",
                list.len()
            ),
            "wrong length",
        );
    }
    if let Some(bad) = list.iter().find(|&&d| d < 0) {
        return args.error(
            name,
            format!("{name} must not be negative, got {bad}"),
            "negative",
        );
    }
    Ok(list.into_iter().map(|d| d as usize).collect())
}

fn map_overlap(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let f = callable(args)?;
    let x = args.array("x")?;
    let shape = x.known_shape().ok_or(Flow::Unknown)?;
    let nd = shape.len();
    let depth = per_axis(args, "depth", nd, 1)?;
    let (mode, fill) = boundary(args)?;
    let trim = args.flag("trim", true)?;
    if interp.check {
        let raw = vec![(None, Value::Array(x.clone()), args.span)];
        let r = interp.call_value(f, raw, args.span_of("f"), args.span)?;
        let r = result_array(interp, r, args.span, "map_overlap's function")?;
        if r.shape.len() != nd {
            return args.error(
                "f",
                format!("the function returns {} for blocks of {}; map_overlap needs the same number of dimensions", r.type_text(), x.type_text()),
                "result has the wrong number of dimensions",
            );
        }
        return Ok(Value::Array(Array {
            dtype: r.dtype,
            shape: if trim {
                x.shape.clone()
            } else {
                vec![None; nd]
            },
            node: None,
        }));
    }
    let Some(node) = x.node.clone() else {
        return Err(Flow::Unknown);
    };
    let mut axes = Vec::with_capacity(nd);
    let mut halos_all = Vec::with_capacity(nd);
    let mut grid = Vec::with_capacity(nd);
    for k in 0..nd {
        let blocks = node.chunks[k].clone();
        let d = depth[k];
        let smallest = blocks.iter().copied().min().unwrap_or(0);
        if d > smallest {
            return args.error(
                "depth",
                format!("depth {d} on axis {k} is larger than the smallest block ({smallest}) of x; rechunk x to larger blocks"),
                "depth larger than a block",
            );
        }
        let nb = blocks.len();
        let halos: Vec<(usize, usize)> = (0..nb)
            .map(|j| match mode {
                None => (if j == 0 { 0 } else { d }, if j + 1 == nb { 0 } else { d }),
                Some(_) => (d, d),
            })
            .collect();
        grid.push(
            blocks
                .iter()
                .zip(&halos)
                .map(|(&c, &(b, a))| b + c + a)
                .collect::<Vec<_>>(),
        );
        axes.push(if d == 0 {
            AxisMap::Same
        } else {
            AxisMap::Overlap {
                blocks,
                halos: halos.clone(),
                n: shape[k],
                mode: mode.unwrap_or(PadMode::Constant),
            }
        });
        halos_all.push(halos);
    }
    let extended = Arc::new(Node {
        op: Op::Block(BlockOp::Remap(Arc::new(Remap {
            name: "overlap",
            axes,
            fill,
        }))),
        inputs: vec![node.clone()],
        dtype: node.dtype,
        shape: grid.iter().map(|c| c.iter().sum()).collect(),
        chunks: grid.clone(),
    });
    let fspan = args.span_of("f");
    let span = args.span;
    let mut body = |interp: &mut Evaluator, vals: Vec<Value>| -> R<Value> {
        let raw = vals.into_iter().map(|v| (None, v, span)).collect();
        interp.call_value(f.clone(), raw, fspan, span)
    };
    let in_axes = vec![(0..nd).map(Some).collect::<Vec<_>>()];
    let traced = trace(
        interp,
        args,
        std::slice::from_ref(&extended),
        &grid,
        &in_axes,
        &vec![false; nd],
        &[],
        None,
        &mut body,
    )?;
    if trim && traced.out_chunks != grid {
        return args.error(
            "f",
            "with trim=true the function must keep each block's shape",
            "changes the block shape",
        );
    }
    let trims = if trim { halos_all } else { Vec::new() };
    Ok(block_node(
        "map_overlap".into(),
        vec![extended],
        in_axes,
        traced,
        trims,
    ))
}

fn coarsen(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let shape = x.known_shape().ok_or(Flow::Unknown)?;
    let nd = shape.len();
    let factors = per_axis(args, "factors", nd, 1)?;
    for (k, (&n, &f)) in shape.iter().zip(&factors).enumerate() {
        if f == 0 || !n.is_multiple_of(f) {
            return args.error(
                "factors",
                format!("axis {k} has length {n}, which the factor {f} does not divide"),
                "not divisible",
            );
        }
    }
    let func = match args.value("func") {
        Some(v) => v.clone(),
        None => crate::builtins::lookup_global("mean").unwrap_or(Value::None),
    };
    let span = args.span;
    let fspan = args.span_of("func");
    let reduce_axes = Value::tuple(
        (0..nd)
            .map(|k| Value::Num(Num::Int(2 * k as i64 + 1)))
            .collect(),
    );
    let mut body = |interp: &mut Evaluator, vals: Vec<Value>| -> R<Value> {
        let Value::Array(b) = &vals[0] else {
            return Err(Flow::Unknown);
        };
        let bshape = b.known_shape().ok_or(Flow::Unknown)?;
        let split: Vec<usize> = bshape
            .iter()
            .zip(&factors)
            .flat_map(|(&n, &f)| [n / f, f])
            .collect();
        let reshaped = Value::Array(Array {
            dtype: b.dtype,
            shape: dims(&split),
            node: b.node.clone().map(|n| build::reshape(n, split.clone())),
        });
        let raw = vec![
            (None, reshaped, span),
            (Some(("axis".to_string(), span)), reduce_axes.clone(), span),
        ];
        interp.call_value(func.clone(), raw, fspan, span)
    };
    if interp.check {
        let v = body(interp, vec![Value::Array(x.clone())])?;
        let r = result_array(interp, v, span, "coarsen's func")?;
        return Ok(Value::Array(Array {
            dtype: r.dtype,
            shape: shape
                .iter()
                .zip(&factors)
                .map(|(&n, &f)| Some(n / f))
                .collect(),
            node: None,
        }));
    }
    let Some(node) = x.node.clone() else {
        return Err(Flow::Unknown);
    };
    // Blocks that are whole multiples of the factors.
    let grid: Vec<Vec<usize>> = node
        .chunks
        .iter()
        .zip(&factors)
        .zip(&shape)
        .map(|((c, &f), &n)| {
            let first = c.first().copied().unwrap_or(n);
            let len = (first.div_ceil(f) * f).clamp(f, n.max(f));
            crate::graph::chunks::regular(n, len)
        })
        .collect();
    let input = if grid == node.chunks {
        node
    } else {
        build::rechunk(node, grid.clone())
    };
    let in_axes = vec![(0..nd).map(Some).collect::<Vec<_>>()];
    let traced = trace(
        interp,
        args,
        std::slice::from_ref(&input),
        &grid,
        &in_axes,
        &vec![false; nd],
        &[],
        None,
        &mut body,
    )?;
    Ok(block_node(
        "coarsen".into(),
        vec![input],
        in_axes,
        traced,
        Vec::new(),
    ))
}
