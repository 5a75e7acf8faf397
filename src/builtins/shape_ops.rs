//! Shape builtins: reshape, transpose, swapaxes, moveaxis, squeeze, expand_dims, ravel,
//! broadcast_to, stack, concatenate, flip, triu, tril, diagonal and rechunk.

use crate::builtins::args::int_list;
use crate::builtins::{Args, Builtin, Group};
use crate::eval::ops::{self, Operand2, map_values};
use crate::eval::{Evaluator, Flow, R};
use crate::graph::build;
use crate::graph::node::{SliceItem, Source};
use crate::kernel::MapOp;
use crate::sema::dtype::{DType, Operand, promote_operands};
use crate::value::{Array, Dim, Value};

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
        "reshape",
        "x, *shape",
        "Gives a new shape with the same elements (one dimension may be -1).",
        reshape,
    );
    add(
        "transpose",
        "x, *axes",
        "Permutes the axes (reverses them by default).",
        transpose,
    );
    add("swapaxes", "x, axis1, axis2", "Swaps two axes.", swapaxes);
    add(
        "moveaxis",
        "x, source, destination",
        "Moves axes to new positions.",
        moveaxis,
    );
    add(
        "squeeze",
        "x, axis=none",
        "Removes axes of length one.",
        squeeze,
    );
    add(
        "expand_dims",
        "x, axis",
        "Inserts axes of length one.",
        expand_dims,
    );
    add("ravel", "x", "Flattens to one dimension.", ravel);
    add(
        "broadcast_to",
        "x, shape",
        "Broadcasts to a shape without copying.",
        broadcast_to,
    );
    add(
        "stack",
        "arrays, axis=0",
        "Joins arrays of one shape along a new axis.",
        stack,
    );
    add(
        "concatenate",
        "arrays, axis=0",
        "Joins arrays along an existing axis.",
        concatenate,
    );
    add(
        "flip",
        "x, axis=none",
        "Reverses the order of elements along axes.",
        flip,
    );
    add("triu", "x, k=0", "Zeros below the k-th diagonal.", triu);
    add("tril", "x, k=0", "Zeros above the k-th diagonal.", tril);
    add(
        "diagonal",
        "x, offset=0, axis1=0, axis2=1",
        "The diagonal of two axes, as the last axis.",
        diagonal,
    );
    add(
        "rechunk",
        "x, chunks",
        "The same array cut into new blocks.",
        rechunk,
    );
}

fn known(x: &Array) -> R<Vec<usize>> {
    x.known_shape().ok_or(Flow::Unknown)
}

fn with_node(
    interp: &Evaluator,
    x: &Array,
    shape: Vec<Dim>,
    dtype: DType,
    f: impl FnOnce(crate::graph::NodeRef) -> crate::graph::NodeRef,
) -> Value {
    let node = if interp.check {
        None
    } else {
        x.node.clone().map(f)
    };
    Value::Array(Array { dtype, shape, node })
}

/// Reshapes an array (used by `reshape`, `ravel` and others).
pub fn reshape_to(interp: &Evaluator, args: &Args, x: &Array, want: Vec<i64>) -> R<Value> {
    let shape = known(x)?;
    let total: usize = shape.iter().product();
    let n_unknown = want.iter().filter(|&&d| d == -1).count();
    if n_unknown > 1 || want.iter().any(|&d| d < -1) {
        return args.error(
            "shape",
            "a shape may have one -1 and no other negative sizes",
            "bad shape",
        );
    }
    let known_dims: Vec<usize> = want
        .iter()
        .filter(|&&d| d >= 0)
        .map(|&d| d as usize)
        .collect();
    // The new shape's size is checked before it is compared: a product that wraps could
    // match the old size.
    if let Err(m) = crate::sema::size::check(x.dtype, &known_dims) {
        return args.error("shape", m, "too big");
    }
    let known_part: usize = known_dims.iter().product();
    let mut out: Vec<usize> = Vec::with_capacity(want.len());
    for &d in &want {
        out.push(if d == -1 {
            if known_part == 0 || !total.is_multiple_of(known_part) {
                return args.error(
                    "shape",
                    format!("cannot reshape {} into {:?}", x.type_text(), want),
                    format!("{total} elements"),
                );
            }
            total / known_part
        } else {
            d as usize
        });
    }
    if out.iter().product::<usize>() != total {
        let text = ops::shape_text(&out.iter().map(|&d| Some(d)).collect::<Vec<_>>());
        return args.error(
            "shape",
            format!(
                "cannot reshape {} ({total} elements) into shape {text}",
                x.type_text()
            ),
            format!("{} elements", out.iter().product::<usize>()),
        );
    }
    let dims = out.iter().map(|&d| Some(d)).collect();
    Ok(with_node(interp, x, dims, x.dtype, |n| {
        build::reshape(n, out)
    }))
}

fn rest_ints(args: &Args, name: &str) -> R<Option<Vec<i64>>> {
    let rest = args.rest(name);
    match rest.as_slice() {
        [] => Ok(None),
        [Value::Unknown(_)] => Err(Flow::Unknown),
        [one @ (Value::List(_) | Value::Tuple(_))] => int_list(one)
            .map(Some)
            .or_else(|m| args.error("x", m, "bad list")),
        many => {
            let list = Value::List(std::rc::Rc::new(many.to_vec()));
            int_list(&list)
                .map(Some)
                .or_else(|m| args.error("x", m, "bad list"))
        }
    }
}

fn reshape(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let Some(want) = rest_ints(args, "shape")? else {
        return args.error("x", "reshape needs a shape", "missing shape");
    };
    reshape_to(interp, args, &x, want)
}

fn ravel(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    reshape_to(interp, args, &x, vec![-1])
}

fn permute(interp: &Evaluator, x: &Array, perm: Vec<usize>) -> Value {
    let shape = perm.iter().map(|&p| x.shape[p]).collect();
    with_node(interp, x, shape, x.dtype, |n| build::transpose(n, perm))
}

/// Transposes an array (reverses its axes).
pub fn transposed(interp: &Evaluator, x: &Array) -> Value {
    let perm: Vec<usize> = (0..x.shape.len()).rev().collect();
    permute(interp, x, perm)
}

fn transpose(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    let perm = match rest_ints(args, "axes")? {
        None => (0..nd).rev().collect(),
        Some(list) => {
            if list.len() != nd {
                return args.error(
                    "x",
                    format!("transpose needs {nd} axes, got {}", list.len()),
                    "wrong number of axes",
                );
            }
            let perm: Vec<usize> = list
                .iter()
                .map(|&a| args.axis_value("x", a, nd))
                .collect::<R<_>>()?;
            let mut sorted = perm.clone();
            sorted.sort_unstable();
            if sorted != (0..nd).collect::<Vec<_>>() {
                return args.error(
                    "x",
                    format!("{list:?} is not a permutation of the axes"),
                    "repeated axis",
                );
            }
            perm
        }
    };
    Ok(permute(interp, &x, perm))
}

fn swapaxes(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    let a = args.axis_value("axis1", args.int_or("axis1", 0)?, nd)?;
    let b = args.axis_value("axis2", args.int_or("axis2", 0)?, nd)?;
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.swap(a, b);
    Ok(permute(interp, &x, perm))
}

fn moveaxis(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    let src = args.ints("source")?.unwrap_or_default();
    let dst = args.ints("destination")?.unwrap_or_default();
    if src.len() != dst.len() {
        return args.error(
            "destination",
            "source and destination need the same number of axes",
            "length mismatch",
        );
    }
    let src: Vec<usize> = src
        .iter()
        .map(|&a| args.axis_value("source", a, nd))
        .collect::<R<_>>()?;
    let dst: Vec<usize> = dst
        .iter()
        .map(|&a| args.axis_value("destination", a, nd))
        .collect::<R<_>>()?;
    let mut order: Vec<usize> = (0..nd).filter(|k| !src.contains(k)).collect();
    let mut pairs: Vec<(usize, usize)> = dst.iter().copied().zip(src.iter().copied()).collect();
    pairs.sort_unstable();
    for (d, s) in pairs {
        order.insert(d.min(order.len()), s);
    }
    Ok(permute(interp, &x, order))
}

fn slice_value(interp: &Evaluator, x: &Array, items: Vec<SliceItem>, shape: Vec<Dim>) -> Value {
    with_node(interp, x, shape, x.dtype, |n| build::slice(n, items))
}

fn squeeze(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    let axes: Vec<usize> = match args.ints("axis")? {
        None => (0..nd).filter(|&k| x.shape[k] == Some(1)).collect(),
        Some(list) => {
            let axes: Vec<usize> = list
                .iter()
                .map(|&a| args.axis_value("axis", a, nd))
                .collect::<R<_>>()?;
            for &a in &axes {
                if x.shape[a].is_some_and(|d| d != 1) {
                    return args.error(
                        "axis",
                        format!(
                            "cannot squeeze axis {a} of length {}",
                            x.shape[a].unwrap_or(0)
                        ),
                        "not length 1",
                    );
                }
            }
            axes
        }
    };
    let mut items = Vec::new();
    let mut shape = Vec::new();
    for k in 0..nd {
        if axes.contains(&k) {
            items.push(SliceItem::Fix { axis: k, index: 0 });
        } else {
            items.push(SliceItem::Take {
                axis: k,
                start: 0,
                step: 1,
                len: x.shape[k].unwrap_or(0),
            });
            shape.push(x.shape[k]);
        }
    }
    Ok(slice_value(interp, &x, items, shape))
}

/// Inserts new axes at the given output positions.
pub fn insert_axes(interp: &Evaluator, x: &Array, positions: &[usize]) -> Value {
    let out_nd = x.shape.len() + positions.len();
    let mut items = Vec::new();
    let mut shape = Vec::new();
    let mut axis = 0;
    for k in 0..out_nd {
        if positions.contains(&k) {
            items.push(SliceItem::NewAxis);
            shape.push(Some(1));
        } else {
            items.push(SliceItem::Take {
                axis,
                start: 0,
                step: 1,
                len: x.shape[axis].unwrap_or(0),
            });
            shape.push(x.shape[axis]);
            axis += 1;
        }
    }
    slice_value(interp, x, items, shape)
}

fn expand_dims(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let list = args.ints("axis")?.unwrap_or_default();
    let out_nd = x.shape.len() + list.len();
    let mut positions: Vec<usize> = list
        .iter()
        .map(|&a| args.axis_value("axis", a, out_nd))
        .collect::<R<_>>()?;
    positions.sort_unstable();
    positions.dedup();
    if positions.len() != list.len() {
        return args.error("axis", "repeated axis in expand_dims", "repeated");
    }
    Ok(insert_axes(interp, &x, &positions))
}

fn broadcast_to(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let shape = args.shape("shape")?;
    let dims: Vec<Dim> = shape.iter().map(|&d| Some(d)).collect();
    let ok = shape.len() >= x.shape.len()
        && x.shape
            .iter()
            .rev()
            .zip(shape.iter().rev())
            .all(|(a, &b)| a.is_none_or(|a| a == 1 || a == b));
    if !ok {
        return args.error(
            "shape",
            format!(
                "cannot broadcast {} to shape {}",
                x.type_text(),
                ops::shape_text(&dims)
            ),
            "incompatible shape",
        );
    }
    Ok(with_node(interp, &x, dims, x.dtype, |n| {
        build::broadcast_to(n, shape)
    }))
}

fn array_list(args: &Args, name: &str) -> R<Vec<Array>> {
    let Some(v) = args.value(name) else {
        return args.error(
            name,
            format!("`{}` needs a list of arrays", args.name),
            "missing",
        );
    };
    match v {
        Value::List(items) | Value::Tuple(items) => {
            if items.is_empty() {
                return args.error(
                    name,
                    format!("`{}` needs at least one array", args.name),
                    "empty list",
                );
            }
            items
                .iter()
                .map(|i| match i {
                    Value::Array(a) => Ok(a.clone()),
                    Value::Num(n) => Ok(Array {
                        dtype: crate::sema::dtype::Operand::Weak(n.kind()).default_dtype(),
                        shape: Vec::new(),
                        node: Some(ops::scalar_node(
                            *n,
                            crate::sema::dtype::Operand::Weak(n.kind()).default_dtype(),
                        )),
                    }),
                    Value::Unknown(_) => Err(Flow::Unknown),
                    other => args.error(
                        name,
                        format!("expected arrays, got {}", other.type_name()),
                        "not an array",
                    ),
                })
                .collect()
        }
        Value::Unknown(_) => Err(Flow::Unknown),
        other => args.error(
            name,
            format!(
                "`{}` needs a list of arrays, not {}",
                args.name,
                other.type_name()
            ),
            "not a list",
        ),
    }
}

fn common_dtype(arrays: &[Array]) -> DType {
    arrays
        .iter()
        .map(|a| Operand::Strong(a.dtype))
        .reduce(promote_operands)
        .map(|o| o.default_dtype())
        .unwrap_or(DType::F64)
}

fn concat_arrays(interp: &Evaluator, args: &Args, arrays: Vec<Array>, axis: i64) -> R<Value> {
    let nd = arrays[0].shape.len();
    if nd == 0 {
        return args.error("arrays", "cannot concatenate 0-d arrays", "0-d");
    }
    let ax = args.axis_value("axis", axis, nd)?;
    let mut shape = arrays[0].shape.clone();
    let mut total = Some(0usize);
    for (i, a) in arrays.iter().enumerate() {
        if a.shape.len() != nd {
            return args.error(
                "arrays",
                format!(
                    "array {i} has {} dimensions but array 0 has {nd}",
                    a.shape.len()
                ),
                "dimension mismatch",
            );
        }
        for k in 0..nd {
            if k != ax
                && let (Some(p), Some(q)) = (a.shape[k], arrays[0].shape[k])
                && p != q
            {
                return args.error(
                    "arrays",
                    format!(
                        "array {i} is {} but array 0 is {}: they differ on axis {k}",
                        a.type_text(),
                        arrays[0].type_text()
                    ),
                    "shape mismatch",
                );
            }
        }
        total = match total.zip(a.shape[ax]) {
            Some((t, d)) => Some(
                crate::sema::size::add(t, d).or_else(|m| args.error("arrays", m, "too long"))?,
            ),
            None => None,
        };
    }
    shape[ax] = total;
    let dtype = common_dtype(&arrays);
    let node = if interp.check {
        None
    } else {
        let nodes: Option<Vec<_>> = arrays
            .iter()
            .map(|a| {
                a.node.clone().map(|n| {
                    if n.dtype == dtype {
                        n
                    } else {
                        build::map(MapOp::Cast, n.dtype, dtype, vec![n])
                    }
                })
            })
            .collect();
        if let Some(n) = &nodes {
            // Each input's blocks are kept: a grid too long to hold is refused (doubling an
            // array in a loop would otherwise double its block list every time).
            let blocks = n.iter().map(|x| x.chunks[ax].len()).sum::<usize>();
            if blocks > crate::graph::chunks::MAX_BLOCKS_PER_AXIS {
                return args.error(
                    "arrays",
                    format!(
                        "the result would have {blocks} blocks along axis {ax}, more than {}; rechunk the inputs to larger blocks first",
                        crate::graph::chunks::MAX_BLOCKS_PER_AXIS
                    ),
                    "too many blocks",
                );
            }
        }
        nodes.map(|n| build::concat(n, ax))
    };
    Ok(Value::Array(Array { dtype, shape, node }))
}

fn concatenate(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let arrays = array_list(args, "arrays")?;
    let axis = args.int_or("axis", 0)?;
    concat_arrays(interp, args, arrays, axis)
}

fn stack(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let arrays = array_list(args, "arrays")?;
    let nd = arrays[0].shape.len() + 1;
    let axis = args.int_or("axis", 0)?;
    let ax = args.axis_value("axis", axis, nd)?;
    for (i, a) in arrays.iter().enumerate() {
        if a.shape != arrays[0].shape
            && a.shape.iter().all(|d| d.is_some())
            && arrays[0].shape.iter().all(|d| d.is_some())
        {
            return args.error(
                "arrays",
                format!(
                    "stack needs arrays of one shape: array {i} is {} but array 0 is {}",
                    a.type_text(),
                    arrays[0].type_text()
                ),
                "shape mismatch",
            );
        }
    }
    let expanded: Vec<Array> = arrays
        .iter()
        .map(|a| match insert_axes(interp, a, &[ax]) {
            Value::Array(e) => e,
            _ => unreachable!("insert_axes gives an array"),
        })
        .collect();
    concat_arrays(interp, args, expanded, ax as i64)
}

fn flip(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    let axes = args.axes("axis", nd)?;
    let shape = known(&x)?;
    let items = (0..nd)
        .map(|k| {
            if axes.contains(&k) {
                SliceItem::Take {
                    axis: k,
                    start: shape[k] as i64 - 1,
                    step: -1,
                    len: shape[k],
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
    Ok(slice_value(interp, &x, items, x.shape.clone()))
}

fn tri_part(interp: &mut Evaluator, args: &mut Args, lower: bool) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    if nd < 2 {
        return args.error(
            "x",
            format!(
                "`{}` needs at least 2 dimensions, got {}",
                args.name,
                x.type_text()
            ),
            "too few dimensions",
        );
    }
    let k = args.int_or("k", 0)?;
    let shape = known(&x)?;
    let mask_shape = vec![shape[nd - 2], shape[nd - 1]];
    let chunks = x
        .node
        .as_ref()
        .map(|n| n.chunks[nd - 2..].to_vec())
        .unwrap_or_else(|| crate::graph::chunks::auto(&mask_shape, 1));
    let mask = Array {
        dtype: DType::Bool,
        shape: mask_shape.iter().map(|&d| Some(d)).collect(),
        node: (!interp.check)
            .then(|| build::source(Source::Tri { k, lower }, DType::Bool, mask_shape, chunks)),
    };
    let zero = Operand2::Weak(
        Some(crate::value::Num::Int(0)),
        crate::sema::dtype::WeakKind::Int,
    );
    Ok(map_values(
        interp,
        MapOp::Where,
        x.dtype,
        x.dtype,
        &[Operand2::Arr(mask), Operand2::Arr(x.clone()), zero],
        x.shape.clone(),
    ))
}

fn triu(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    tri_part(interp, args, false)
}

fn tril(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    tri_part(interp, args, true)
}

fn diagonal(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len();
    if nd < 2 {
        return args.error(
            "x",
            "diagonal needs at least 2 dimensions",
            "too few dimensions",
        );
    }
    let offset = args.int_or("offset", 0)?;
    let a1 = args.axis_value("axis1", args.int_or("axis1", 0)?, nd)?;
    let a2 = args.axis_value("axis2", args.int_or("axis2", 1)?, nd)?;
    if a1 == a2 {
        return args.error("axis2", "axis1 and axis2 must differ", "same axis");
    }
    let shape = known(&x)?;
    let (n1, n2) = (shape[a1] as i64, shape[a2] as i64);
    let len = if offset >= 0 {
        n1.min(n2 - offset)
    } else {
        n2.min(n1 + offset)
    }
    .max(0) as usize;
    let mut dims: Vec<Dim> = (0..nd)
        .filter(|&k| k != a1 && k != a2)
        .map(|k| Some(shape[k]))
        .collect();
    dims.push(Some(len));
    Ok(with_node(interp, &x, dims, x.dtype, |n| {
        build::diagonal(n, offset, a1, a2)
    }))
}

fn rechunk(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let shape = known(&x)?;
    let grid = args.resolve_chunks(interp, "chunks", &shape, x.dtype)?;
    Ok(with_node(interp, &x, x.shape.clone(), x.dtype, |n| {
        build::rechunk(n, grid)
    }))
}
