//! Data-dependent builtins (sort, argsort, unique, nonzero, topk, argtopk). Their results
//! depend on every value. `sort`/`argsort` compute their input fully first (within the
//! memory limit) and sort in memory, or out of core for 1-D inputs larger than half the limit
//! (`exec::extsort`, also `unique` of such inputs). `unique`, `nonzero` and `topk` reduce each
//! block as it is computed (`exec::block_map`: distinct values, non-zero positions, k best
//! per lane) and merge those, so their input is never held whole and under MPI each rank
//! does its own blocks. Results are ordinary chunked arrays again.

use crate::builtins::{Args, Builtin, Group};
use crate::data::{Data, Element};
use crate::eval::ops::compute_array;
use crate::eval::{Evaluator, R};
use crate::sema::dtype::DType;
use crate::value::{Array, Dim, Value};
use ndarray::{ArrayD, IxDyn};
use std::cmp::Ordering;

/// Adds this group's builtins to the table.
pub fn register(t: &mut Vec<Builtin>) {
    let mut add = |name, params, doc, run| {
        t.push(Builtin {
            name,
            params,
            doc,
            group: Group::DataDependent,
            run,
        })
    };
    add(
        "sort",
        "x, axis=-1",
        "Sorted copy along an axis (nan last); computes x in memory.",
        sort,
    );
    add(
        "argsort",
        "x, axis=-1",
        "Indices that sort along an axis (stable, nan last).",
        argsort,
    );
    add(
        "unique",
        "x",
        "Sorted distinct values of the flattened array.",
        unique,
    );
    add(
        "nonzero",
        "x",
        "A tuple of index arrays, one per axis, of the non-zero elements.",
        nonzero,
    );
    add(
        "topk",
        "x, k, axis=-1",
        "The k largest along an axis, largest first (negative k: the |k| smallest, smallest first).",
        topk,
    );
    add("argtopk", "x, k, axis=-1", "Indices of topk(x, k).", topk);
}

/// Orders values with nan after everything else (NumPy's sort order).
fn nan_last<T: PartialOrd + Copy>(a: T, b: T) -> Ordering {
    #[allow(clippy::eq_op)]
    let (a_nan, b_nan) = (a != a, b != b);
    match (a_nan, b_nan) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// The order lanes are sorted in: nan last, `descending` reversing the order of the other
/// values, equal values by their original position (so any sort gives the stable result).
fn lane_order<T: PartialOrd + Copy>(descending: bool) -> impl Fn(&(T, i64), &(T, i64)) -> Ordering {
    move |x, y| {
        let o = nan_last(x.0, y.0);
        #[allow(clippy::eq_op)]
        let any_nan = x.0 != x.0 || y.0 != y.0;
        let o = if descending && !any_nan {
            o.reverse()
        } else {
            o
        };
        o.then(x.1.cmp(&y.1))
    }
}

/// Sorts one lane on the session's threads and keeps its first `keep`: values and
/// original positions.
///
/// Under MPI every rank sorts the whole lane on its own threads: every rank holds every
/// computed result, so cutting the lane into runs that ranks sort apart and exchange costs
/// more than it saves (measured: 3·10^7 f64, 2 ranks × 1 thread 3.9 s against 2.25 s for
/// one rank alone — exchanging the runs took 1.35 s and merging them 0.7 s).
fn sort_one_lane<T: Element + PartialOrd>(
    lane: &[T],
    descending: bool,
    keep: usize,
) -> (Vec<T>, Vec<i64>) {
    use rayon::prelude::*;
    let mut pairs: Vec<(T, i64)> = lane.iter().copied().zip(0i64..).collect();
    let order = lane_order::<T>(descending);
    if keep < pairs.len() / SELECT_FIRST {
        sort_first(&mut pairs, keep, &order);
    } else {
        pairs.par_sort_unstable_by(order);
        pairs.truncate(keep);
    }
    pairs.into_iter().unzip()
}

/// Below `1 / SELECT_FIRST` of a lane, the kept elements are selected first and only they
/// are sorted (`topk` with a small k: linear time instead of a whole sort).
const SELECT_FIRST: usize = 8;

/// Leaves the first `keep` of `pairs` in `order`, sorted, and drops the rest. `order` is
/// total (ties by position), so selecting first gives exactly what a whole sort keeps.
fn sort_first<P>(pairs: &mut Vec<P>, keep: usize, order: &impl Fn(&P, &P) -> Ordering) {
    if keep == 0 {
        pairs.clear();
        return;
    }
    if keep < pairs.len() / SELECT_FIRST {
        pairs.select_nth_unstable_by(keep - 1, order);
        pairs.truncate(keep);
    }
    pairs.sort_unstable_by(order);
    pairs.truncate(keep);
}

/// Sorts every lane along `axis` (nan last; `descending` reverses the other values; equal
/// values keep their order) and keeps the first `keep` of each: the sorted values and their
/// original positions, in parallel on the session's threads (lanes side by side, or one
/// lane by a parallel sort); the same result for any number of threads.
fn sort_lanes<T: Element + PartialOrd>(
    a: &ArrayD<T>,
    axis: usize,
    descending: bool,
    keep: usize,
) -> Result<(ArrayD<T>, ArrayD<i64>), String> {
    use rayon::prelude::*;
    let nd = a.ndim();
    let n = a.shape()[axis];
    // Lanes made contiguous: the sorted axis moved last.
    let mut perm: Vec<usize> = (0..nd).filter(|&k| k != axis).collect();
    perm.push(axis);
    let moved = a.view().permuted_axes(IxDyn(&perm));
    let lanes = moved.as_standard_layout();
    let flat = lanes.as_slice().unwrap_or(&[]);
    let count = flat.len().checked_div(n).unwrap_or(0);
    let mut shape: Vec<usize> = perm.iter().map(|&k| a.shape()[k]).collect();
    shape[nd - 1] = keep;
    let (values, positions) = if count == 1 {
        sort_one_lane(flat, descending, keep)
    } else {
        // Lanes in parallel, each sorted on one thread.
        let order = lane_order::<T>(descending);
        let sorted: Vec<(Vec<T>, Vec<i64>)> = flat
            .par_chunks(n.max(1))
            .map(|lane| {
                let mut pairs: Vec<(T, i64)> = lane.iter().copied().zip(0i64..).collect();
                sort_first(&mut pairs, keep, &order);
                pairs.into_iter().unzip()
            })
            .collect();
        let mut values = Vec::with_capacity(count * keep);
        let mut positions = Vec::with_capacity(count * keep);
        for (v, p) in sorted {
            values.extend(v);
            positions.extend(p);
        }
        (values, positions)
    };
    let mut back = vec![0usize; nd];
    for (k, &p) in perm.iter().enumerate() {
        back[p] = k;
    }
    fn unmove<E: Clone>(v: ArrayD<E>, back: &[usize]) -> ArrayD<E> {
        v.permuted_axes(IxDyn(back))
            .as_standard_layout()
            .into_owned()
    }
    let vals = ArrayD::from_shape_vec(IxDyn(&shape), values).map_err(|e| e.to_string())?;
    let idx = ArrayD::from_shape_vec(IxDyn(&shape), positions).map_err(|e| e.to_string())?;
    Ok((unmove(vals, &back), unmove(idx, &back)))
}

fn input(interp: &Evaluator, args: &Args) -> R<(Array, Option<Data>)> {
    let x = args.array("x")?;
    if interp.check {
        return Ok((x, None));
    }
    let data = compute_array(interp, &x, args.span)?;
    Ok((x, Some(data)))
}

fn result(data: Data) -> Value {
    let shape = data.shape().to_vec();
    let dtype = data.dtype();
    let chunks = crate::graph::chunks::auto(&shape, dtype.size());
    Value::Array(Array {
        dtype,
        shape: shape.iter().map(|&d| Some(d)).collect(),
        node: Some(crate::exec::data_node(data, chunks)),
    })
}

fn sort(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    sort_or_argsort(interp, args, false)
}

fn argsort(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    sort_or_argsort(interp, args, true)
}

/// Sorts out of core when `x` is larger than half the memory limit (and 1-D, or flattened
/// for `unique`): `None` when the in-memory path applies.
fn external(
    interp: &Evaluator,
    args: &Args,
    x: &Array,
    kind: crate::exec::extsort::SortKind,
) -> R<Option<Value>> {
    if interp.check {
        return Ok(None);
    }
    let Some(node) = &x.node else {
        return Ok(None);
    };
    let session = interp.session.borrow();
    let flat_ok = node.shape.len() == 1 || kind == crate::exec::extsort::SortKind::Unique;
    if !flat_ok || node.nbytes() <= session.exec.memory_limit / 2 {
        return Ok(None);
    }
    let flat = if node.shape.len() == 1 {
        node.clone()
    } else {
        crate::graph::build::reshape(node.clone(), vec![node.size()])
    };
    let config = session.exec.clone();
    let cancel = session.cancel.clone();
    let out = session
        .pool
        .install(|| {
            let mut finish = |sorted: &crate::exec::extsort::Sorted| {
                spilled_result(&config, sorted).map_err(crate::exec::ExecError::Io)
            };
            crate::exec::extsort::external_sort(&config, cancel, &flat, kind, &mut finish)
        })
        .map_err(|e| {
            crate::eval::Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
                e.to_string(),
                args.span,
            )))
        })?;
    Ok(Some(Value::Array(Array {
        dtype: out.dtype,
        shape: out.shape.iter().map(|&d| Some(d)).collect(),
        node: Some(out),
    })))
}

/// The external sort's result as a lazy array over a mapped `.npy` in its folder, in
/// blocks as `chunks="auto"` picks them under the memory limit.
fn spilled_result(
    config: &crate::exec::ExecConfig,
    sorted: &crate::exec::extsort::Sorted,
) -> Result<crate::graph::NodeRef, String> {
    let (count, dtype) = (sorted.count(), sorted.dtype());
    let path = sorted.folder().join("result.npy");
    let writer = crate::io::npy::NpyWriter::create(&path, dtype, &[count])?;
    sorted
        .for_each_block(&mut |region, block| writer.write_block(region, &block))
        .map_err(|e| e.to_string())?;
    writer.finish()?;
    let src = crate::io::npy::NpySource::open(&path)?;
    let share = config.memory_limit / (8 * config.threads.max(1));
    let block_bytes = crate::graph::chunks::AUTO_CHUNK_BYTES.min(share.max(4096));
    let chunks = crate::graph::chunks::auto_with(&[count], dtype.size(), block_bytes);
    Ok(crate::graph::build::source(
        crate::graph::Source::External(std::sync::Arc::new(src)),
        dtype,
        vec![count],
        chunks,
    ))
}

fn sort_or_argsort(interp: &mut Evaluator, args: &mut Args, indices: bool) -> R<Value> {
    let x0 = args.array("x")?;
    if x0.shape.len() == 1 {
        let kind = if indices {
            crate::exec::extsort::SortKind::ArgSort
        } else {
            crate::exec::extsort::SortKind::Sort
        };
        if let Some(v) = external(interp, args, &x0, kind)? {
            return Ok(v);
        }
    }
    let (x, data) = input(interp, args)?;
    if x.shape.is_empty() {
        return args.error(
            "x",
            format!("`{}` needs at least one dimension", args.name),
            "0-d array",
        );
    }
    let axis = args.axis_value("axis", args.int_or("axis", -1)?, x.shape.len())?;
    let Some(data) = data else {
        let dtype = if indices { DType::I64 } else { x.dtype };
        return Ok(Value::Array(Array {
            dtype,
            shape: x.shape.clone(),
            node: None,
        }));
    };
    let n = data.shape()[axis];
    let pool = interp.session.borrow().pool.clone();
    let sorted = pool.install(|| {
        with_data!(&data, a => sort_lanes(a, axis, false, n)
        .map(|(v, i)| if indices { Data::I64(i) } else { Element::wrap(v) }))
    });
    Ok(result(
        sorted.or_else(|m| args.error("x", m, "sort failed"))?,
    ))
}

fn topk(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    if x.shape.is_empty() {
        return args.error(
            "x",
            format!("`{}` needs at least one dimension", args.name),
            "0-d array",
        );
    }
    let axis = args.axis_value("axis", args.int_or("axis", -1)?, x.shape.len())?;
    let k = args.int_or("k", 1)?;
    let keep = k.unsigned_abs() as usize;
    if let Some(n) = x.shape[axis]
        && (keep > n || k == 0)
    {
        return args.error(
            "k",
            format!("k must be between 1 and {n} in size, not {k}"),
            "k out of range",
        );
    }
    let indices = args.name == "argtopk";
    let largest = k > 0;
    // Each block's own k best per lane, with their positions along the axis in the array:
    // the k best of a lane are among the k best of each of its blocks (one order for both).
    let best_of_block = |start: &[usize], block: Data| -> Result<(Data, Data), String> {
        let offset = start[axis] as i64;
        let keep = keep.min(block.shape()[axis]);
        with_data!(&block, a => sort_lanes(a, axis, largest, keep)
            .map(|(v, p)| (Element::wrap(v), Data::I64(p.mapv(|q| q + offset)))))
    };
    let Some((grid, blocks)) = per_block(interp, args, &x, &best_of_block)? else {
        let mut shape: Vec<Dim> = x.shape.clone();
        shape[axis] = Some(keep);
        let dtype = if indices { DType::I64 } else { x.dtype };
        return Ok(Value::Array(Array {
            dtype,
            shape,
            node: None,
        }));
    };
    let (values, positions): (Vec<Data>, Vec<Data>) = blocks.into_iter().unzip();
    let mut empty: Vec<usize> = x.shape.iter().map(|d| d.unwrap_or(0)).collect();
    empty[axis] = keep;
    let values = crate::exec::join_blocks(&grid, x.dtype, &empty, values);
    let positions = crate::exec::join_blocks(&grid, DType::I64, &empty, positions);
    if grid[axis] == 1 {
        // One block along the axis: its k best are the lane's.
        return Ok(result(if indices { positions } else { values }));
    }
    let pool = interp.session.borrow().pool.clone();
    let merged = pool.install(|| {
        with_data!(&values, a => sort_lanes(a, axis, largest, keep).map(|(v, pick)| {
            if indices {
                let Data::I64(p) = &positions else {
                    unreachable!("positions are i64")
                };
                Data::I64(take_along(p, &pick, axis))
            } else {
                Element::wrap(v)
            }
        }))
    });
    Ok(result(
        merged.or_else(|m| args.error("x", m, "sort failed"))?,
    ))
}

/// `from` picked along `axis` at the positions `pick` (NumPy's `take_along_axis`).
fn take_along(from: &ArrayD<i64>, pick: &ArrayD<i64>, axis: usize) -> ArrayD<i64> {
    let mut out = pick.clone();
    for (mut o, (f, p)) in out.lanes_mut(ndarray::Axis(axis)).into_iter().zip(
        from.lanes(ndarray::Axis(axis))
            .into_iter()
            .zip(pick.lanes(ndarray::Axis(axis))),
    ) {
        for (slot, &q) in o.iter_mut().zip(p.iter()) {
            *slot = f[q as usize];
        }
    }
    out
}

/// Computes `x` block by block, reducing each block with `reduce` as it is computed
/// (`exec::block_map`: the input is never held whole; under MPI each rank reduces its own
/// blocks and only the results travel). The grid (blocks per axis) and the results in
/// row-major block order; `None` in a check run.
fn per_block<T: crate::exec::dist::wire::Wire + Send + BlockResult>(
    interp: &Evaluator,
    args: &Args,
    x: &Array,
    reduce: &crate::exec::block_map::BlockReducer<T>,
) -> R<Option<(Vec<usize>, Vec<T>)>> {
    if interp.check {
        return Ok(None);
    }
    let Some(node) = &x.node else {
        return Err(crate::eval::Flow::Unknown);
    };
    if interp.plan_only() {
        return Err(crate::eval::Flow::Unknown);
    }
    crate::builtins::host::reveal_length(node);
    let blocks = interp
        .session
        .borrow()
        .map_blocks(node, reduce, &T::bytes)
        .map_err(|e| {
            crate::eval::Flow::Error(Box::new(crate::syntax::diag::Diagnostic::error(
                e.to_string(),
                args.span,
            )))
        })?;
    let grid = grid_of(node.shape.len(), blocks.iter().map(|(r, _)| r));
    Ok(Some((grid, blocks.into_iter().map(|(_, t)| t).collect())))
}

/// What a block's result holds in memory.
trait BlockResult {
    fn bytes(&self) -> usize;
}

impl BlockResult for Data {
    fn bytes(&self) -> usize {
        self.nbytes()
    }
}

impl BlockResult for (Data, Data) {
    fn bytes(&self) -> usize {
        self.0.nbytes() + self.1.nbytes()
    }
}

/// Blocks per axis of a row-major list of blocks (by their starts): along each axis, the
/// distinct starts.
fn grid_of<'a>(nd: usize, blocks: impl Iterator<Item = &'a Vec<usize>>) -> Vec<usize> {
    let mut starts: Vec<std::collections::BTreeSet<usize>> = vec![Default::default(); nd];
    for block in blocks {
        for (k, &s) in block.iter().enumerate() {
            starts[k].insert(s);
        }
    }
    starts.iter().map(|s| s.len()).collect()
}

fn unique(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    if let Some(v) = external(interp, args, &x, crate::exec::extsort::SortKind::Unique)? {
        return Ok(v);
    }
    // Each block's distinct values first (sorted), then the distinct values of those.
    let distinct_of_block = |_: &[usize], block: Data| -> Result<Data, String> {
        Ok(with_data!(&block, a => {
            let flat: Vec<_> = a.iter().copied().collect();
            Element::wrap(distinct(flat))
        }))
    };
    let Some((_, blocks)) = per_block(interp, args, &x, &distinct_of_block)? else {
        return Ok(Value::Array(Array {
            dtype: x.dtype,
            shape: vec![None],
            node: None,
        }));
    };
    let total = blocks.iter().map(|b| b.len()).sum();
    let all = crate::exec::join_blocks(&[blocks.len()], x.dtype, &[total], blocks);
    let pool = interp.session.borrow().pool.clone();
    let merged = pool
        .install(|| with_data!(&all, a => Element::wrap(distinct(a.iter().copied().collect()))));
    Ok(result(merged))
}

/// The sorted distinct values of `values` (nan last, one nan), as a 1-D array.
fn distinct<T: Element + PartialOrd>(mut v: Vec<T>) -> ArrayD<T> {
    use rayon::prelude::*;
    // -0.0 before 0.0, so of the two (equal, the one kept) -0.0 is, whatever the blocks
    // and threads.
    v.par_sort_unstable_by(|p, q| {
        nan_last(*p, *q).then_with(|| {
            let negative = |x: T| x.to_f64().is_sign_negative();
            negative(*q).cmp(&negative(*p))
        })
    });
    v.dedup_by(|p, q| nan_last(*p, *q) == Ordering::Equal);
    let n = v.len();
    ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("one value per element")
}

fn nonzero(interp: &mut Evaluator, args: &mut Args) -> R<Value> {
    let x = args.array("x")?;
    let nd = x.shape.len().max(1);
    let Some((shape, flat)) = nonzero_positions(interp, args, &x)? else {
        return Ok(Value::tuple(
            (0..nd)
                .map(|_| {
                    Value::Array(Array {
                        dtype: DType::I64,
                        shape: vec![None],
                        node: None,
                    })
                })
                .collect(),
        ));
    };
    let strides = crate::data::strides(&shape);
    let axes = (0..nd)
        .map(|k| {
            let v: Vec<i64> = flat
                .iter()
                .map(|&f| {
                    if shape.is_empty() {
                        0
                    } else {
                        (f as usize / strides[k] % shape[k]) as i64
                    }
                })
                .collect();
            let n = v.len();
            result(Data::I64(
                ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("one index per element"),
            ))
        })
        .collect();
    Ok(Value::tuple(axes))
}

/// The shape of `x` and the row-major flat positions of its non-zero elements, found block
/// by block (for `nonzero` and `argwhere`); `None` in a check run.
pub(crate) fn nonzero_positions(
    interp: &Evaluator,
    args: &Args,
    x: &Array,
) -> R<Option<(Vec<usize>, Vec<i64>)>> {
    // (A mask result's `?` length is known once its node exists.)
    let shape: Vec<usize> = match &x.node {
        Some(node) => node.shape.clone(),
        None => x.shape.iter().map(|d| d.unwrap_or(0)).collect(),
    };
    let strides = crate::data::strides(&shape);
    let positions_in_block = |start: &[usize], block: Data| -> Result<Data, String> {
        let local = crate::data::strides(block.shape());
        let lens = block.shape().to_vec();
        let found: Vec<i64> = with_data!(&block, a => a
            .iter()
            .enumerate()
            .filter(|(_, v)| v.truthy())
            .map(|(f, _)| {
                (0..start.len())
                    .map(|k| (start[k] + (f / local[k]) % lens[k]) * strides[k])
                    .sum::<usize>() as i64
            })
            .collect());
        let n = found.len();
        Ok(Data::I64(
            ArrayD::from_shape_vec(IxDyn(&[n]), found).map_err(|e| e.to_string())?,
        ))
    };
    let Some((_, blocks)) = per_block(interp, args, x, &positions_in_block)? else {
        return Ok(None);
    };
    let mut flat: Vec<i64> = Vec::with_capacity(blocks.iter().map(|b| b.len()).sum());
    for block in &blocks {
        if let Data::I64(p) = block {
            flat.extend(p.iter());
        }
    }
    // Blocks cut along a later axis interleave in row-major order.
    if !flat.is_sorted() {
        flat.sort_unstable();
    }
    Ok(Some((shape, flat)))
}
