//! Reductions: each block of the input (cut along the reduced axes by the input's chunk
//! grid) gives a partial; partials combine in a fixed pairwise tree in block order, so
//! results are bitwise repeatable for any thread count.

use crate::backend::launch::PieceLeaves;
use crate::data::{Data, Element};
use crate::exec::region::{
    AxisRange, Region, eval, launch_kernel, launch_kernel_sums, region_shape, strides,
};
use crate::exec::{ExecCtx, ExecError};
use crate::graph::node::{NodeRef, Op, ReduceOp};
use crate::kernel::lower;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};

/// The running state of a reduction for each output position.
#[derive(Clone, Debug)]
struct Partial {
    /// Sum, product, min/max value or mean, as f64 (floats) ...
    f: Vec<f64>,
    /// ... or as i64 (integers and bools, exact).
    i: Vec<i64>,
    /// Element counts (mean, var) or arg indices.
    count: Vec<f64>,
    /// Sum of squared deviations (var, std).
    m2: Vec<f64>,
    /// Global positions of the arg-reductions' winners.
    idx: Vec<i64>,
}

/// Whether the reduction works on exact integers for this input.
fn int_lane(op: ReduceOp, dtype: DType) -> bool {
    use ReduceOp::*;
    !dtype.is_float()
        && matches!(
            op,
            Sum | Prod | NanSum | NanProd | Min | Max | NanMin | NanMax | ArgMin | ArgMax
        )
}

/// NumPy-style pairwise summation (blocks of 8 lanes below 128 elements).
pub fn pairwise_sum(v: &[f64]) -> f64 {
    if v.len() < 8 {
        return v.iter().fold(0.0, |a, b| a + b);
    }
    if v.len() <= 128 {
        let mut acc = [0.0f64; 8];
        let chunks = v.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..8 {
                acc[k] += c[k];
            }
        }
        let mut s =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for x in rest {
            s += x;
        }
        return s;
    }
    let half = pairwise_half(v.len());
    pairwise_sum(&v[..half]) + pairwise_sum(&v[half..])
}

/// Where `pairwise_sum` splits a run longer than 128 values: at half its length, rounded
/// down to a multiple of 8 (the left part).
fn pairwise_half(len: usize) -> usize {
    (len / 2) & !7
}

/// The leaf lengths of `pairwise_sum`'s tree over `len` values, in order, appended to
/// `out`: a run of at most 128 values is one leaf (summed as `pairwise_sum` sums so short a
/// slice); a longer one splits where `pairwise_sum` splits it, left half first. A device
/// sums each leaf and combines them in this tree (`backend::cuda`'s `arr_pairwise_tree`).
pub fn pairwise_leaves(len: usize, out: &mut Vec<usize>) {
    if len <= 128 {
        out.push(len);
        return;
    }
    let half = pairwise_half(len);
    pairwise_leaves(half, out);
    pairwise_leaves(len - half, out);
}

/// Whether every reduction of a group sums on a device (sums and means of float values, all
/// plain or all skipping nan), and whether they skip nan.
fn device_summable(lanes: &[Lane]) -> Option<bool> {
    use ReduceOp::*;
    let skip = |l: &Lane| match l.op {
        Sum | Mean if !l.int => Some(false),
        NanSum | NanMean if !l.int => Some(true),
        _ => None,
    };
    let first = skip(lanes.first()?)?;
    lanes
        .iter()
        .all(|l| skip(l) == Some(first))
        .then_some(first)
}

/// The partial of a piece summed on a device to `sum` over `count` values.
fn summed(op: ReduceOp, sum: f64, count: u64) -> Partial {
    let mean = matches!(op, ReduceOp::Mean | ReduceOp::NanMean);
    Partial {
        f: vec![sum],
        i: Vec::new(),
        count: if mean { vec![count as f64] } else { Vec::new() },
        m2: Vec::new(),
        idx: Vec::new(),
    }
}

/// The pieces a block of a reduction is summed in, one after another (the reduced axes
/// split until a piece holds at most `SUB_BLOCK_ELEMS` elements).
fn pieces_of(piece: Region, axes: &[usize]) -> Vec<Region> {
    let mut pieces = vec![piece];
    for &ax in axes {
        let elems: usize = pieces[0].iter().map(|r| r.len).product();
        if elems <= SUB_BLOCK_ELEMS {
            break;
        }
        let per_index = (elems / pieces[0][ax].len.max(1)).max(1);
        let len = (SUB_BLOCK_ELEMS / per_index).max(1);
        pieces = pieces.iter().flat_map(|p| split_axis(p, ax, len)).collect();
    }
    pieces
}

/// How a device sums `pieces` of `block` (`launch::PieceLeaves`): `None` unless every piece
/// is a non-empty run of the block's row-major order and they follow one another.
fn piece_leaves(block: &Region, pieces: &[Region], skip_nan: bool) -> Option<PieceLeaves> {
    let lens: Vec<usize> = block.iter().map(|r| r.len).collect();
    let block_strides = strides(&lens);
    let flat = |at: &[i64]| -> Option<usize> {
        let mut f = 0usize;
        for (a, r) in block.iter().enumerate() {
            let step = r.step.max(1);
            let off = at[a].checked_sub(r.start)?;
            if off < 0 || off % step != 0 {
                return None;
            }
            f += (off / step) as usize * block_strides[a];
        }
        Some(f)
    };
    let mut cut = PieceLeaves {
        bounds: vec![0],
        first_leaf: Vec::with_capacity(pieces.len()),
        len: Vec::with_capacity(pieces.len()),
        skip_nan,
    };
    let mut at = 0usize;
    let mut leaves = Vec::new();
    for p in pieces {
        let count: usize = p.iter().map(|r| r.len).product();
        if count == 0 || p.iter().zip(block).any(|(q, r)| q.step != r.step) {
            return None;
        }
        let first: Vec<i64> = p.iter().map(|r| r.start).collect();
        let last: Vec<i64> = p
            .iter()
            .map(|r| r.start + r.step * (r.len as i64 - 1))
            .collect();
        if flat(&first)? != at || flat(&last)? + 1 != at + count {
            return None;
        }
        cut.first_leaf.push(cut.bounds.len() as u64 - 1);
        cut.len.push(count as u64);
        leaves.clear();
        pairwise_leaves(count, &mut leaves);
        for l in &leaves {
            at += l;
            cut.bounds.push(at as u64);
        }
    }
    Some(cut)
}

fn better_arg(op: ReduceOp, cand: f64, best: f64) -> bool {
    let arg_max = matches!(op, ReduceOp::ArgMax);
    if best.is_nan() {
        return false;
    }
    if cand.is_nan() {
        return true;
    }
    if arg_max { cand > best } else { cand < best }
}

fn better_arg_i(op: ReduceOp, cand: i64, best: i64) -> bool {
    if matches!(op, ReduceOp::ArgMax) {
        cand > best
    } else {
        cand < best
    }
}

/// Reduces one block. `rows` is the block as (kept positions) × (reduced elements), with the
/// global position along the reduced axes of each reduced element in `positions`.
fn partial_of_block(
    op: ReduceOp,
    data: &Data,
    kept: usize,
    r: usize,
    positions: &[i64],
) -> Partial {
    use ReduceOp::*;
    let mut p = Partial {
        f: Vec::new(),
        i: Vec::new(),
        count: Vec::new(),
        m2: Vec::new(),
        idx: Vec::new(),
    };
    if int_lane(op, data.dtype()) {
        let vals: Vec<i64> = with_data!(data, a => match a.as_slice() {
            // A contiguous block converts as a slice (vectorised), not through ndarray's
            // n-dimensional iterator.
            Some(s) => s.iter().map(|x| x.to_i64()).collect(),
            None => a.iter().map(|x| x.to_i64()).collect(),
        });
        for k in 0..kept {
            let row = &vals[k * r..(k + 1) * r];
            match op {
                Sum | NanSum => p.i.push(row.iter().fold(0i64, |a, b| a.wrapping_add(*b))),
                Prod | NanProd => p.i.push(row.iter().fold(1i64, |a, b| a.wrapping_mul(*b))),
                Min | NanMin => p.i.push(row.iter().copied().min().unwrap_or(i64::MAX)),
                Max | NanMax => p.i.push(row.iter().copied().max().unwrap_or(i64::MIN)),
                ArgMin | ArgMax => {
                    let mut best = 0usize;
                    for (j, v) in row.iter().enumerate() {
                        if better_arg_i(op, *v, row[best]) {
                            best = j;
                        }
                    }
                    p.i.push(row.get(best).copied().unwrap_or(0));
                    p.idx.push(positions.get(best).copied().unwrap_or(0));
                }
                _ => {}
            }
        }
        return p;
    }
    // Rows as f64: borrowed from a contiguous f64 block; converted one row at a time from
    // another contiguous block (never a whole f64 copy of the block); a strided block is
    // converted whole.
    let owned: Vec<f64>;
    let mut by_row = false;
    let vals: &[f64] = match data {
        Data::F64(a) if a.as_slice().is_some() => a.as_slice().unwrap_or(&[]),
        _ if with_data!(data, a => a.as_slice().is_some()) => {
            by_row = true;
            &[]
        }
        _ => {
            owned = with_data!(data, a => a.iter().map(|x| x.to_f64()).collect());
            &owned
        }
    };
    let skip = op.skips_nan();
    let mut scratch: Vec<f64> = Vec::new();
    let mut converted: Vec<f64> = Vec::with_capacity(if by_row { r } else { 0 });
    for k in 0..kept {
        let row: &[f64] = if by_row {
            converted.clear();
            with_data!(data, a => {
                let s = a.as_slice().unwrap_or(&[]);
                converted.extend(s[k * r..(k + 1) * r].iter().map(|x| x.to_f64()));
            });
            &converted
        } else {
            &vals[k * r..(k + 1) * r]
        };
        // NaN-skipping sums, means and variances sum the row with 0 in place of each NaN,
        // as NumPy's `nansum`/`nanmean`/`nanvar` do (so a block sums in NumPy's pairwise
        // order), and count the values that are not NaN.
        let sums = matches!(op, NanSum | NanMean | NanVar | NanStd);
        let (zeroed, n): (&[f64], usize) = if skip && sums {
            scratch.clear();
            scratch.extend(row.iter().map(|&x| if x.is_nan() { 0.0 } else { x }));
            (&scratch, row.iter().filter(|x| !x.is_nan()).count())
        } else {
            (row, row.len())
        };
        match op {
            Sum | NanSum => p.f.push(pairwise_sum(zeroed)),
            // Multiplying by NumPy's stand-in 1 changes nothing: skipping is the same.
            Prod | NanProd => {
                p.f.push(row.iter().filter(|x| !(skip && x.is_nan())).product())
            }
            Mean | NanMean => {
                p.f.push(pairwise_sum(zeroed));
                p.count.push(n as f64);
            }
            Var | Std | NanVar | NanStd => {
                let mean = if n > 0 {
                    pairwise_sum(zeroed) / n as f64
                } else {
                    0.0
                };
                let dev: Vec<f64> = row
                    .iter()
                    .map(|&x| {
                        if skip && x.is_nan() {
                            0.0
                        } else {
                            (x - mean) * (x - mean)
                        }
                    })
                    .collect();
                p.f.push(mean);
                p.count.push(n as f64);
                p.m2.push(pairwise_sum(&dev));
            }
            Min => p.f.push(row.iter().fold(f64::INFINITY, |a, &b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            })),
            Max => p.f.push(row.iter().fold(f64::NEG_INFINITY, |a, &b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            })),
            NanMin => p.f.push(
                row.iter()
                    .copied()
                    .fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a }),
            ),
            NanMax => p.f.push(
                row.iter()
                    .copied()
                    .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a }),
            ),
            ArgMin | ArgMax => {
                let mut best = 0usize;
                for (j, v) in row.iter().enumerate() {
                    if j > 0 && better_arg(op, *v, row[best]) {
                        best = j;
                    }
                }
                p.f.push(row.get(best).copied().unwrap_or(f64::NAN));
                p.idx.push(positions.get(best).copied().unwrap_or(0));
            }
            Any => p.i.push(row.iter().any(|x| *x != 0.0) as i64),
            All => p.i.push(row.iter().all(|x| *x != 0.0) as i64),
            CountNonzero => p.i.push(row.iter().filter(|x| **x != 0.0).count() as i64),
        }
    }
    p
}

fn combine(op: ReduceOp, int: bool, a: Partial, b: Partial) -> Partial {
    use ReduceOp::*;
    // `out` starts as `a` and is updated in place: at each position `a`'s values are read
    // (through `out`) before they are overwritten, so no copy of `a` is needed.
    let mut out = a;
    let n = out.f.len().max(out.i.len());
    for k in 0..n {
        if int {
            match op {
                Sum | NanSum => out.i[k] = out.i[k].wrapping_add(b.i[k]),
                Prod | NanProd => out.i[k] = out.i[k].wrapping_mul(b.i[k]),
                Min | NanMin => out.i[k] = out.i[k].min(b.i[k]),
                Max | NanMax => out.i[k] = out.i[k].max(b.i[k]),
                ArgMin | ArgMax => {
                    let tie = b.i[k] == out.i[k] && b.idx[k] < out.idx[k];
                    if better_arg_i(op, b.i[k], out.i[k]) || tie {
                        out.i[k] = b.i[k];
                        out.idx[k] = b.idx[k];
                    }
                }
                _ => {}
            }
            continue;
        }
        match op {
            Sum | NanSum => out.f[k] += b.f[k],
            Prod | NanProd => out.f[k] *= b.f[k],
            Mean | NanMean => {
                out.f[k] += b.f[k];
                out.count[k] += b.count[k];
            }
            Var | Std | NanVar | NanStd => {
                let (na, nb) = (out.count[k], b.count[k]);
                let total = na + nb;
                if nb == 0.0 {
                    continue;
                }
                if na == 0.0 {
                    out.f[k] = b.f[k];
                    out.count[k] = nb;
                    out.m2[k] = b.m2[k];
                    continue;
                }
                let delta = b.f[k] - out.f[k];
                out.f[k] += delta * nb / total;
                out.m2[k] += b.m2[k] + delta * delta * na * nb / total;
                out.count[k] = total;
            }
            Min | Max => {
                let (x, y) = (out.f[k], b.f[k]);
                out.f[k] = if x.is_nan() || y.is_nan() {
                    f64::NAN
                } else if op == Min {
                    x.min(y)
                } else {
                    x.max(y)
                };
            }
            NanMin | NanMax => {
                let (x, y) = (out.f[k], b.f[k]);
                out.f[k] = if x.is_nan() {
                    y
                } else if y.is_nan() {
                    x
                } else if op == NanMin {
                    x.min(y)
                } else {
                    x.max(y)
                };
            }
            ArgMin | ArgMax => {
                // Blocks are not in flat-index order, so ties go to the smaller index.
                let (x, y) = (out.f[k], b.f[k]);
                let tie = (x == y || (x.is_nan() && y.is_nan())) && b.idx[k] < out.idx[k];
                if better_arg(op, y, x) || tie {
                    out.f[k] = b.f[k];
                    out.idx[k] = b.idx[k];
                }
            }
            Any => out.i[k] |= b.i[k],
            All => out.i[k] &= b.i[k],
            CountNonzero => out.i[k] += b.i[k],
        }
    }
    out
}

fn tree_combine(op: ReduceOp, int: bool, mut parts: Vec<Partial>) -> Option<Partial> {
    if parts.len() <= 1 {
        return parts.pop();
    }
    let right = parts.split_off(parts.len() / 2);
    let a = tree_combine(op, int, parts)?;
    let b = tree_combine(op, int, right)?;
    Some(combine(op, int, a, b))
}

fn finish(
    op: ReduceOp,
    int: bool,
    p: Partial,
    ddof: f64,
    out_dtype: DType,
    shape: &[usize],
) -> Data {
    use ReduceOp::*;
    let dim = IxDyn(shape);
    let f64_data = |v: Vec<f64>| {
        Data::F64(ArrayD::from_shape_vec(dim.clone(), v).expect("one per output"))
            .into_dtype(out_dtype)
    };
    let i64_data = |v: Vec<i64>| {
        Data::I64(ArrayD::from_shape_vec(dim.clone(), v).expect("one per output"))
            .into_dtype(out_dtype)
    };
    match op {
        ArgMin | ArgMax => i64_data(p.idx),
        Any | All | CountNonzero => i64_data(p.i),
        _ if int => i64_data(p.i),
        Mean | NanMean => f64_data(p.f.iter().zip(&p.count).map(|(s, n)| s / n).collect()),
        Var | NanVar | Std | NanStd => {
            let v = p.m2.iter().zip(&p.count).map(|(m2, n)| {
                let var = m2 / (n - ddof).max(0.0);
                if matches!(op, Std | NanStd) {
                    var.sqrt()
                } else {
                    var
                }
            });
            f64_data(v.collect())
        }
        _ => f64_data(p.f),
    }
}

/// Evaluates a region of a reduction node.
pub fn eval_reduce(ctx: &ExecCtx, node: &NodeRef, region: &Region) -> Result<Data, ExecError> {
    let mut out = eval_reduce_many(ctx, std::slice::from_ref(node), region)?;
    Ok(out.pop().expect("one result per node"))
}

/// What one reduction of a group computes.
struct Lane {
    op: ReduceOp,
    ddof: f64,
    int: bool,
    dtype: DType,
}

/// Evaluates `region` of several reductions of the same input over the same axes (and
/// `keepdims`) in one pass: each block of the input is evaluated once and feeds every
/// reduction's partial. Each result is bitwise what `eval_reduce` gives for its node alone
/// (the same blocks, pieces and combining trees).
pub fn eval_reduce_many(
    ctx: &ExecCtx,
    nodes: &[NodeRef],
    region: &Region,
) -> Result<Vec<Data>, ExecError> {
    let Op::Reduce { axes, keepdims, .. } = &nodes[0].op else {
        unreachable!("eval_reduce_many is called on reduce nodes")
    };
    let input = &nodes[0].inputs[0];
    let lanes: Vec<Lane> = nodes
        .iter()
        .map(|n| match &n.op {
            Op::Reduce { op, ddof, .. } => Lane {
                op: *op,
                ddof: *ddof,
                int: int_lane(*op, input.dtype),
                dtype: n.dtype,
            },
            _ => unreachable!("a group holds reductions only"),
        })
        .collect();
    let nd = input.shape.len();
    // The input region: kept axes from the output region, reduced axes whole.
    let mut template: Region = Vec::with_capacity(nd);
    let mut out_axis = 0;
    for k in 0..nd {
        if axes.contains(&k) {
            template.push(AxisRange::full(input.shape[k]));
            if *keepdims {
                out_axis += 1;
            }
        } else {
            template.push(region[out_axis]);
            out_axis += 1;
        }
    }
    // Blocks along the reduced axes follow the input's chunk grid.
    let n_blocks: usize = axes
        .iter()
        .map(|&a| input.chunks[a].len().max(1))
        .fold(1usize, |p, n| p.saturating_mul(n));
    if n_blocks > crate::exec::MAX_TASKS {
        return Err(ExecError::OutOfMemory(format!(
            "reducing `{}` visits {n_blocks} blocks, more than {}; rechunk to larger blocks",
            input.op_name(),
            crate::exec::MAX_TASKS
        )));
    }
    let mut blocks: Vec<Region> = vec![template.clone()];
    for &ax in axes {
        let mut next = Vec::new();
        for b in &blocks {
            let mut lo = 0;
            for &c in &input.chunks[ax] {
                if c == 0 {
                    continue;
                }
                let mut nb = b.clone();
                nb[ax] = AxisRange::span(lo, c);
                next.push(nb);
                lo += c;
            }
        }
        blocks = next;
    }
    if blocks.is_empty() {
        // A zero-length reduced axis: one empty block gives the identity (0, 1, nan, ...).
        let mut empty = template.clone();
        for &ax in axes {
            empty[ax] = AxisRange::span(0, 0);
        }
        blocks.push(empty);
    }
    let shared_out = ctx.is_collective() && blocks.len() > 1;
    if !shared_out {
        ctx.stats
            .tasks
            .fetch_add(blocks.len() as u64, std::sync::atomic::Ordering::Relaxed);
    }
    let reduced_shape: Vec<usize> = axes.iter().map(|&a| input.shape[a]).collect();
    let reduced_strides = strides(&reduced_shape);
    let ops: Vec<ReduceOp> = lanes.iter().map(|l| l.op).collect();
    let arg = lanes
        .iter()
        .any(|l| matches!(l.op, ReduceOp::ArgMin | ReduceOp::ArgMax));
    // An input that is itself a reduction (or a kernel over one) is computed once for the
    // whole block and its pieces cut from memory: computed piece by piece it would read the
    // inner reduction's whole reduced extent for every piece (every storage chunk along
    // that axis once per piece). The pieces and their combining tree are unchanged.
    let is_reduce = |n: &NodeRef| matches!(n.op, Op::Reduce { .. });
    let hold_block = is_reduce(input)
        || (matches!(input.op, Op::Fused(_)) && input.inputs.iter().any(is_reduce));
    let run_piece = |block: &Region,
                     held: Option<(&Data, &Region)>|
     -> Result<Vec<Partial>, ExecError> {
        let kept: usize = (0..nd)
            .filter(|k| !axes.contains(k))
            .map(|k| block[k].len)
            .product();
        let data = match &input.op {
            _ if let Some((whole, at)) = held => {
                let rel: Region = block
                    .iter()
                    .zip(at)
                    .map(|(p, w)| AxisRange {
                        start: p.start - w.start,
                        step: 1,
                        len: p.len,
                    })
                    .collect();
                crate::exec::region::slice_data(whole, &rel)
            }
            // The reduction is the sink of the input's kernel: one launch per piece.
            Op::Fused(kernel) if ctx.cached(input).is_none() => {
                let k = lower::with_reductions(kernel, &ops);
                launch_kernel(ctx, &k, &input.inputs, &input.shape, block)?
                    .pop()
                    .ok_or_else(|| {
                        ExecError::Internal("a reduction kernel without output".into())
                    })?
            }
            _ => eval(ctx, input, block)?,
        };
        // Kept axes first, reduced axes last, so each output position is one row.
        let mut perm: Vec<usize> = (0..nd).filter(|k| !axes.contains(k)).collect();
        perm.extend(axes.iter().copied());
        let identity = perm.iter().enumerate().all(|(i, &p)| i == p);
        let data = if identity {
            data
        } else {
            map_data!(data, a => a.permuted_axes(IxDyn(&perm)).as_standard_layout().into_owned())
        };
        let positions = if arg {
            block_positions(block, axes, &reduced_strides)
        } else {
            Vec::new()
        };
        let r: usize = axes.iter().map(|&a| block[a].len).product();
        Ok(lanes
            .iter()
            .map(|l| partial_of_block(l.op, &data, kept, r, &positions))
            .collect())
    };
    // A block bigger than SUB_BLOCK_ELEMS is reduced in pieces, one after another, so a task
    // holds one piece at a time whatever the chunk size. Pieces split the first kept axis
    // (independent partials, appended in order) and then the reduced axes (combined in a
    // fixed tree), so results do not depend on threads.
    let run_block = |block: &Region| -> Result<Vec<Partial>, ExecError> {
        let kept_axes: Vec<usize> = (0..nd).filter(|k| !axes.contains(k)).collect();
        let reduced_elems: usize = axes.iter().map(|&a| block[a].len).product::<usize>().max(1);
        let kept_pieces = match kept_axes.first() {
            Some(&first) => {
                let per_row: usize = kept_axes[1..]
                    .iter()
                    .map(|&k| block[k].len)
                    .product::<usize>()
                    .max(1);
                let rows = (SUB_BLOCK_ELEMS / (per_row * reduced_elems).max(1)).max(1);
                split_axis(block, first, rows)
            }
            None => vec![block.clone()],
        };
        // On a device that sums (the GPU), a whole reduction of a kernel's values is one
        // launch per block: its pieces are summed there, in the same leaves and trees as
        // here, and only one sum per piece comes back.
        if ctx.backend.sums_on_device()
            && kept_axes.is_empty()
            && !hold_block
            && let Some(skip_nan) = device_summable(&lanes)
            && let Op::Fused(kernel) = &input.op
            && ctx.cached(input).is_none()
            && let Some(cut) = piece_leaves(block, &pieces_of(block.clone(), axes), skip_nan)
        {
            let k = lower::with_reductions(kernel, &ops);
            if let Some(sums) = launch_kernel_sums(
                ctx,
                &k,
                &input.inputs,
                &input.shape,
                block,
                &cut,
                SUB_BLOCK_ELEMS,
            )? {
                let parts: Vec<Vec<Partial>> = sums
                    .iter()
                    .map(|&(sum, count)| lanes.iter().map(|l| summed(l.op, sum, count)).collect())
                    .collect();
                ctx.tasks_finished(1);
                return by_lane(parts, lanes.len())
                    .into_iter()
                    .zip(&lanes)
                    .map(|(p, l)| tree_combine(l.op, false, p).ok_or(ExecError::Cancelled))
                    .collect();
            }
        }
        let block_elems: usize = block.iter().map(|r| r.len).product();
        let held =
            if hold_block && block_elems > SUB_BLOCK_ELEMS && block.iter().all(|r| r.step == 1) {
                Some(eval(ctx, input, block)?)
            } else {
                None
            };
        let mut out: Vec<Option<Partial>> = vec![None; lanes.len()];
        for piece in kept_pieces {
            let pieces = pieces_of(piece, axes);
            let parts = pieces
                .iter()
                .map(|p| run_piece(p, held.as_ref().map(|d| (d, block))))
                .collect::<Result<Vec<_>, _>>()?;
            for (j, lane_parts) in by_lane(parts, lanes.len()).into_iter().enumerate() {
                let Some(p) = tree_combine(lanes[j].op, lanes[j].int, lane_parts) else {
                    continue;
                };
                out[j] = Some(match out[j].take() {
                    None => p,
                    Some(mut acc) => {
                        acc.f.extend(p.f);
                        acc.i.extend(p.i);
                        acc.count.extend(p.count);
                        acc.m2.extend(p.m2);
                        acc.idx.extend(p.idx);
                        acc
                    }
                });
            }
        }
        ctx.tasks_finished(1);
        out.into_iter()
            .map(|p| p.ok_or(ExecError::Cancelled))
            .collect()
    };
    let run_block = |b: &Region| {
        let _task = ctx.task(&nodes[0]);
        run_block(b)
    };
    let total = if shared_out {
        reduce_blocks_shared(ctx, &blocks, &run_block, &lanes)?
    } else {
        ctx.local(|| reduce_blocks(&blocks, &run_block, &lanes))?
    };
    let shape = region_shape(region);
    Ok(total
        .into_iter()
        .zip(&lanes)
        .map(|(p, l)| finish(l.op, l.int, p, l.ddof, l.dtype, &shape))
        .collect())
}

/// Reduces `blocks` to one partial per lane in the same pairwise tree as `tree_combine`
/// (the left half holds ⌊n/2⌋ blocks), the two halves in parallel and each combined as soon
/// as both are done: results are those of reducing every block first, but only a few
/// partials per thread are alive at once, not one per block.
fn reduce_blocks<F>(
    blocks: &[Region],
    run_block: &F,
    lanes: &[Lane],
) -> Result<Vec<Partial>, ExecError>
where
    F: Fn(&Region) -> Result<Vec<Partial>, ExecError> + Sync,
{
    if blocks.len() == 1 {
        return run_block(&blocks[0]);
    }
    let mid = blocks.len() / 2;
    let (left, right) = rayon::join(
        || reduce_blocks(&blocks[..mid], run_block, lanes),
        || reduce_blocks(&blocks[mid..], run_block, lanes),
    );
    let (left, right) = (left?, right?);
    Ok(left
        .into_iter()
        .zip(right)
        .zip(lanes)
        .map(|((a, b), l)| combine(l.op, l.int, a, b))
        .collect())
}

/// `reduce_blocks` under MPI: the tree is cut into the largest subtrees whose blocks one
/// rank owns (`dist::owned`); each rank reduces its subtrees, the partials are exchanged, and
/// every rank combines the top of the tree the same way, so the result is bitwise that of one
/// process, on every rank.
fn reduce_blocks_shared<F>(
    ctx: &ExecCtx,
    blocks: &[Region],
    run_block: &F,
    lanes: &[Lane],
) -> Result<Vec<Partial>, ExecError>
where
    F: Fn(&Region) -> Result<Vec<Partial>, ExecError> + Sync,
{
    use crate::exec::dist;
    let place = dist::place();
    let n = blocks.len();
    let mut trees = Vec::new();
    owned_subtrees(0..n, n, place.size, &mut trees);
    type Mine = Result<Vec<(usize, Vec<Partial>)>, ExecError>;
    let mine: Mine = ctx.local(|| {
        trees
            .iter()
            .enumerate()
            .filter(|(_, (_, q))| *q == place.rank)
            .map(|(k, (r, _))| {
                ctx.stats
                    .tasks
                    .fetch_add(r.len() as u64, std::sync::atomic::Ordering::Relaxed);
                Ok((k, reduce_blocks(&blocks[r.clone()], run_block, lanes)?))
            })
            .collect()
    });
    let mut parts: Vec<Option<Vec<Partial>>> = vec![None; trees.len()];
    for bytes in dist::all_gather(dist::wire::encode(&mine)) {
        for (k, p) in dist::wire::decode::<Mine>(&bytes)?? {
            if let Some(slot) = parts.get_mut(k) {
                *slot = Some(p);
            }
        }
    }
    combine_top(0..n, n, place.size, &mut parts.into_iter(), lanes)
}

/// The largest subtrees of the reduction tree over `range` (of `n` blocks) that one rank of
/// `size` owns, in tree order, each with its owner.
fn owned_subtrees(
    range: std::ops::Range<usize>,
    n: usize,
    size: usize,
    out: &mut Vec<(std::ops::Range<usize>, usize)>,
) {
    if let Some(q) = crate::exec::dist::sole_owner(&range, n, size) {
        out.push((range, q));
        return;
    }
    let mid = range.start + range.len() / 2;
    owned_subtrees(range.start..mid, n, size, out);
    owned_subtrees(mid..range.end, n, size, out);
}

/// Combines the subtrees' partials (`next`, in tree order) by the top of the tree over
/// `range`, in the order of `reduce_blocks`.
fn combine_top(
    range: std::ops::Range<usize>,
    n: usize,
    size: usize,
    next: &mut std::vec::IntoIter<Option<Vec<Partial>>>,
    lanes: &[Lane],
) -> Result<Vec<Partial>, ExecError> {
    if crate::exec::dist::sole_owner(&range, n, size).is_some() {
        return next
            .next()
            .flatten()
            .ok_or_else(|| ExecError::Internal("a rank sent no partial for its blocks".into()));
    }
    let mid = range.start + range.len() / 2;
    let left = combine_top(range.start..mid, n, size, next, lanes)?;
    let right = combine_top(mid..range.end, n, size, next, lanes)?;
    Ok(left
        .into_iter()
        .zip(right)
        .zip(lanes)
        .map(|((a, b), l)| combine(l.op, l.int, a, b))
        .collect())
}

impl crate::exec::dist::wire::Wire for Partial {
    fn put(&self, out: &mut Vec<u8>) {
        self.f.put(out);
        self.i.put(out);
        self.count.put(out);
        self.m2.put(out);
        self.idx.put(out);
    }

    fn take(r: &mut crate::exec::dist::wire::Reader) -> Result<Partial, ExecError> {
        use crate::exec::dist::wire::Wire;
        Ok(Partial {
            f: Wire::take(r)?,
            i: Wire::take(r)?,
            count: Wire::take(r)?,
            m2: Wire::take(r)?,
            idx: Wire::take(r)?,
        })
    }
}

/// Regroups per-piece partials of every lane into per-lane lists, in piece order.
fn by_lane(parts: Vec<Vec<Partial>>, lanes: usize) -> Vec<Vec<Partial>> {
    let mut out: Vec<Vec<Partial>> = (0..lanes)
        .map(|_| Vec::with_capacity(parts.len()))
        .collect();
    for piece in parts {
        for (j, p) in piece.into_iter().enumerate() {
            out[j].push(p);
        }
    }
    out
}

pub use crate::opt::memory::SUB_BLOCK_ELEMS;

/// Cuts `region` along `axis` into pieces of at most `len` indices.
fn split_axis(region: &Region, axis: usize, len: usize) -> Vec<Region> {
    let r = region[axis];
    if r.len <= len {
        return vec![region.clone()];
    }
    let mut out = Vec::new();
    let mut done = 0;
    while done < r.len {
        let take = len.min(r.len - done);
        let mut piece = region.clone();
        piece[axis] = crate::exec::region::AxisRange {
            start: r.at(done),
            step: r.step,
            len: take,
        };
        out.push(piece);
        done += take;
    }
    out
}

/// Flat positions (over the reduced axes' full extents) of each reduced element of a block,
/// in row-major order of the block's reduced axes.
fn block_positions(block: &Region, axes: &[usize], reduced_strides: &[usize]) -> Vec<i64> {
    let mut pos = vec![0i64];
    for (j, &ax) in axes.iter().enumerate() {
        let r = block[ax];
        let mut next = Vec::with_capacity(pos.len() * r.len);
        for p in &pos {
            for i in 0..r.len {
                next.push(p + r.at(i) * reduced_strides[j] as i64);
            }
        }
        pos = next;
    }
    pos
}
