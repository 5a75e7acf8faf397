//! Exact order statistics (percentile, quantile, median and their nan-forms) in bounded
//! memory. Values that fit the op's element budget are selected in memory
//! (`select_nth_unstable`, never a full sort). Larger inputs are narrowed by radix passes
//! over an order-preserving 64-bit key of each value: each pass streams the input once and
//! counts, per wanted rank, the next 16 bits of the keys that share the rank's known prefix;
//! once a prefix holds few enough values they are collected and selected exactly. So a
//! selection takes at most five passes however large the input, and holds one piece of the
//! input plus a 65536-bin histogram per wanted rank. Results are NumPy's `method="linear"`
//! (and `median`'s mean of the middle values), with NumPy's arithmetic and dtypes.

use crate::data::{Data, Element};
use crate::exec::region::{AxisRange, Region, eval, full_region};
use crate::exec::{ExecCtx, ExecError, chunk_regions};
use crate::graph::blockops::Quantile;
use crate::graph::node::NodeRef;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, Axis, IxDyn};
use rayon::prelude::*;
use std::cmp::Ordering;

/// Elements of a lane read at once when a lane is larger than the budget.
const PIECE_ELEMS: usize = 1 << 20;

/// One piece's share of a radix pass: a histogram or a bag of keys per open prefix.
type Partial = (Vec<Vec<usize>>, Vec<Vec<u64>>);

/// Bits decided per radix pass.
const DIGIT_BITS: u32 = 16;

/// An order-preserving key: keys compare as the values do, nan above everything.
pub fn order_key(v: f64) -> u64 {
    if v.is_nan() {
        return u64::MAX;
    }
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The value of a key.
pub fn order_value(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// Evaluates `region` of a quantile node.
pub fn eval_quantile(
    ctx: &ExecCtx,
    node: &NodeRef,
    q: &Quantile,
    region: &Region,
) -> Result<Data, ExecError> {
    let x = &node.inputs[0];
    let nq = q.qs.len();
    let off = usize::from(q.q_axis);
    // The lanes this region needs: the input region with the reduced axis whole.
    let (lanes_region, lane_count) = match q.axis {
        None => (full_region(&x.shape), 1),
        Some(k) => {
            let mut r = Vec::with_capacity(x.shape.len());
            let mut out_axis = off;
            for (j, &n) in x.shape.iter().enumerate() {
                if j == k {
                    r.push(AxisRange::full(n));
                    if q.keepdims {
                        out_axis += 1;
                    }
                } else {
                    r.push(region[out_axis]);
                    out_axis += 1;
                }
            }
            let count = r
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, a)| a.len)
                .product();
            (r, count)
        }
    };
    let mut per_lane: Vec<Vec<f64>> = Vec::with_capacity(lane_count);
    match q.axis {
        None => per_lane.push(select_streamed(ctx, x, &chunk_regions(x), q, node.dtype)?),
        Some(k) => lanes(ctx, x, k, &lanes_region, q, node.dtype, &mut per_lane)?,
    }
    // Output: the quantile axis first, then the lanes in row-major order.
    let mut flat = Vec::with_capacity(nq * per_lane.len());
    for qi in 0..nq {
        flat.extend(per_lane.iter().map(|l| l[qi]));
    }
    let mut shape: Vec<usize> = Vec::new();
    if q.q_axis {
        shape.push(nq);
    }
    match q.axis {
        None => shape.extend(std::iter::repeat_n(
            1,
            if q.keepdims { x.shape.len() } else { 0 },
        )),
        Some(k) => {
            for (j, r) in lanes_region.iter().enumerate() {
                if j != k {
                    shape.push(r.len);
                } else if q.keepdims {
                    shape.push(1);
                }
            }
        }
    }
    let all = Data::F64(ArrayD::from_shape_vec(IxDyn(&shape), flat).expect("one value per lane"))
        .into_dtype(node.dtype);
    // Only the quantile axis may still need cutting (and, for axis=None, the kept axes).
    let mut rel = full_region(&shape);
    if q.q_axis {
        rel[0] = region[0];
    }
    if q.axis.is_none() {
        for (j, r) in region.iter().enumerate().skip(off) {
            rel[j] = *r;
        }
    }
    if rel == full_region(&shape) {
        Ok(all)
    } else {
        Ok(crate::exec::region::slice_data(&all, &rel))
    }
}

/// The quantiles of each lane along axis `k` of `region` (whose axis `k` is whole), in
/// row-major order of the other axes: in memory while the lanes fit the budget, otherwise
/// split along the first other axis, and a single lane too large is streamed.
fn lanes(
    ctx: &ExecCtx,
    x: &NodeRef,
    k: usize,
    region: &Region,
    q: &Quantile,
    out: DType,
    acc: &mut Vec<Vec<f64>>,
) -> Result<(), ExecError> {
    ctx.check_cancelled()?;
    let total: usize = region.iter().map(|r| r.len).product();
    let n = region[k].len;
    if total <= q.budget_elems {
        let data = eval(ctx, x, region)?;
        with_data!(&data, a => {
            for lane in a.lanes(Axis(k)) {
                let mut v: Vec<f64> = lane.iter().map(|e| e.to_f64()).collect();
                acc.push(lane_quantiles(&mut v, q, x.dtype, out));
            }
        });
        return Ok(());
    }
    if let Some(split) = (0..region.len()).find(|&j| j != k && region[j].len > 1) {
        let r = region[split];
        let half = r.len / 2;
        // Row-major order: the first half of the split axis comes first only if the split
        // axis is the outermost one with more than one index, which it is by construction.
        for (lo, len) in [(0, half), (half, r.len - half)] {
            let mut sub = region.clone();
            sub[split] = AxisRange {
                start: r.at(lo),
                step: r.step,
                len,
            };
            lanes(ctx, x, k, &sub, q, out, acc)?;
        }
        return Ok(());
    }
    // One lane larger than the budget: stream it in pieces.
    let mut pieces = Vec::new();
    let mut lo = 0;
    while lo < n {
        let len = PIECE_ELEMS.min(n - lo);
        let mut p = region.clone();
        p[k] = AxisRange {
            start: region[k].at(lo),
            step: region[k].step,
            len,
        };
        pieces.push(p);
        lo += len;
    }
    acc.push(select_streamed(ctx, x, &pieces, q, out)?);
    Ok(())
}

/// The ranks (0-based among the sorted valid values) each quantile needs, and how to
/// combine them: for `count` valid values.
fn ranks_for(q: &Quantile, count: usize) -> Vec<(usize, usize, f64)> {
    q.qs.iter()
        .map(|&f| {
            if q.median {
                let hi = count / 2;
                let lo = if count.is_multiple_of(2) {
                    hi.saturating_sub(1)
                } else {
                    hi
                };
                return (lo, hi, 0.5);
            }
            // NumPy: virtual index (n - 1) * q, its floor, and the fraction between.
            let virt = (count as f64 - 1.0) * f;
            if virt >= count as f64 - 1.0 {
                (count - 1, count - 1, virt - virt.floor())
            } else if virt < 0.0 {
                (0, 0, virt - virt.floor())
            } else {
                let prev = virt.floor();
                (prev as usize, prev as usize + 1, virt - prev)
            }
        })
        .collect()
}

/// NumPy's `_lerp` (or `median`'s mean of the middle pair) in the arithmetic NumPy uses:
/// the difference in the input's dtype, the rest in the result's.
fn combine(a: f64, b: f64, t: f64, median: bool, input: DType, out: DType) -> f64 {
    if median {
        return if out == DType::F32 {
            ((a as f32 + b as f32) / 2.0) as f64
        } else {
            (a + b) / 2.0
        };
    }
    let diff = match input {
        DType::F32 => (b as f32 - a as f32) as f64,
        DType::F64 => b - a,
        _ => (b as i64).wrapping_sub(a as i64) as f64,
    };
    if out == DType::F32 {
        let (a, b, diff) = (a as f32, b as f32, diff as f32);
        let r = if t >= 0.5 {
            b - diff * ((1.0 - t) as f32)
        } else {
            a + diff * t as f32
        };
        r as f64
    } else if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

fn nan_last(a: &f64, b: &f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    }
}

/// The values at `ranks` (ascending) of `v`, by successive selections.
fn select_ranks(v: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_by_key(|&i| ranks[i]);
    let mut out = vec![f64::NAN; ranks.len()];
    let mut start = 0;
    for i in order {
        let r = ranks[i];
        if r >= start {
            v[start..].select_nth_unstable_by(r - start, nan_last);
            start = r;
        }
        out[i] = v[r];
    }
    out
}

/// The quantiles of one lane held in memory.
fn lane_quantiles(v: &mut Vec<f64>, q: &Quantile, input: DType, out: DType) -> Vec<f64> {
    let nans = v.iter().filter(|e| e.is_nan()).count();
    if nans > 0 {
        if !q.skip_nan {
            return vec![f64::NAN; q.qs.len()];
        }
        v.retain(|e| !e.is_nan());
    }
    if v.is_empty() {
        return vec![f64::NAN; q.qs.len()];
    }
    let plan = ranks_for(q, v.len());
    let wanted: Vec<usize> = plan.iter().flat_map(|&(a, b, _)| [a, b]).collect();
    let vals = select_ranks(v, &wanted);
    plan.iter()
        .enumerate()
        .map(|(i, &(_, _, t))| combine(vals[2 * i], vals[2 * i + 1], t, q.median, input, out))
        .collect()
}

/// One wanted rank during the radix passes.
#[derive(Clone, Copy)]
struct Target {
    /// The key bits decided so far (the high `bits` bits).
    prefix: u64,
    bits: u32,
    /// The rank among the keys that share the prefix.
    within: usize,
    /// Keys sharing the prefix.
    count: usize,
    /// The value, once known.
    value: Option<f64>,
}

fn matches(k: u64, prefix: u64, bits: u32) -> bool {
    bits == 0 || k >> (64 - bits) == prefix >> (64 - bits)
}

/// The quantiles of all values in `pieces` of `x`, streamed in radix passes.
fn select_streamed(
    ctx: &ExecCtx,
    x: &NodeRef,
    pieces: &[Region],
    q: &Quantile,
    out: DType,
) -> Result<Vec<f64>, ExecError> {
    let total: usize = pieces
        .iter()
        .map(|p| p.iter().map(|r| r.len).product::<usize>())
        .sum();
    if total <= q.budget_elems {
        // (Under MPI each rank computes its share of the pieces.)
        let parts = ctx.map_tasks(pieces.len(), |range| {
            pieces[range].iter().map(|p| eval(ctx, x, p)).collect()
        })?;
        let mut all = Vec::with_capacity(total);
        for part in parts {
            all.extend(part.to_f64_vec());
        }
        return Ok(lane_quantiles(&mut all, q, x.dtype, out));
    }
    let wave = rayon::current_num_threads().max(1);
    let read = |p: &Region| -> Result<Vec<u64>, ExecError> {
        ctx.check_cancelled()?;
        Ok(eval(ctx, x, p)?
            .to_f64_vec()
            .into_iter()
            .map(order_key)
            .collect())
    };
    // Every pass: under MPI each rank reads its share of the pieces and folds them; the
    // ranks' folds are combined in rank order (counts add; bags are selected from).
    // Pass 1: the top digit of every key (nan keys all land in the top bin).
    let mut hist = vec![0usize; 1 << DIGIT_BITS];
    let per_rank = ctx.fold_tasks(pieces.len(), |range| {
        let mut hist = vec![0usize; 1 << DIGIT_BITS];
        for group in pieces[range].chunks(wave) {
            let parts: Vec<Vec<usize>> = group
                .par_iter()
                .map(|p| {
                    let mut h = vec![0usize; 1 << DIGIT_BITS];
                    for k in read(p)? {
                        h[(k >> (64 - DIGIT_BITS)) as usize] += 1;
                    }
                    Ok(h)
                })
                .collect::<Result<_, ExecError>>()?;
            for h in parts {
                for (t, v) in hist.iter_mut().zip(h) {
                    *t += v;
                }
            }
        }
        Ok(hist)
    })?;
    for h in per_rank {
        for (t, v) in hist.iter_mut().zip(h) {
            *t += v;
        }
    }
    let nans = hist[(1 << DIGIT_BITS) - 1];
    let valid = total - nans;
    if (nans > 0 && !q.skip_nan) || valid == 0 {
        return Ok(vec![f64::NAN; q.qs.len()]);
    }
    let plan = ranks_for(q, valid);
    let mut targets: Vec<Target> = plan
        .iter()
        .flat_map(|&(a, b, _)| [a, b])
        .map(|rank| Target {
            prefix: 0,
            bits: 0,
            within: rank,
            count: valid,
            value: None,
        })
        .collect();
    descend(&mut targets, &hist);
    // Further passes: histogram the next digit, or collect a small enough prefix.
    while targets.iter().any(|t| t.value.is_none()) {
        let open: Vec<(u64, u32, bool)> = {
            let mut v: Vec<(u64, u32, bool)> = targets
                .iter()
                .filter(|t| t.value.is_none())
                .map(|t| (t.prefix, t.bits, t.count <= q.budget_elems))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let fold_into =
            |hists: &mut Vec<Vec<usize>>, bags: &mut Vec<Vec<u64>>, (hs, bs): Partial| {
                for (g, h) in hs.into_iter().enumerate() {
                    if hists[g].is_empty() {
                        hists[g] = h;
                    } else {
                        for (t, v) in hists[g].iter_mut().zip(h) {
                            *t += v;
                        }
                    }
                }
                for (g, b) in bs.into_iter().enumerate() {
                    bags[g].extend(b);
                }
            };
        let per_rank = ctx.fold_tasks(pieces.len(), |range| {
            let mut hists: Vec<Vec<usize>> = vec![Vec::new(); open.len()];
            let mut bags: Vec<Vec<u64>> = vec![Vec::new(); open.len()];
            for group in pieces[range].chunks(wave) {
                let parts: Vec<Partial> = group
                    .par_iter()
                    .map(|p| {
                        let keys = read(p)?;
                        let mut hs: Vec<Vec<usize>> = open
                            .iter()
                            .map(|o| {
                                if o.2 {
                                    Vec::new()
                                } else {
                                    vec![0; 1 << DIGIT_BITS]
                                }
                            })
                            .collect();
                        let mut bs: Vec<Vec<u64>> = vec![Vec::new(); open.len()];
                        for k in keys {
                            for (g, &(prefix, bits, collect)) in open.iter().enumerate() {
                                if matches(k, prefix, bits) {
                                    if collect {
                                        bs[g].push(k);
                                    } else {
                                        let d = (k << bits) >> (64 - DIGIT_BITS);
                                        hs[g][d as usize] += 1;
                                    }
                                }
                            }
                        }
                        Ok((hs, bs))
                    })
                    .collect::<Result<_, ExecError>>()?;
                for part in parts {
                    fold_into(&mut hists, &mut bags, part);
                }
            }
            Ok((hists, bags))
        })?;
        let mut hists: Vec<Vec<usize>> = vec![Vec::new(); open.len()];
        let mut bags: Vec<Vec<u64>> = vec![Vec::new(); open.len()];
        for part in per_rank {
            fold_into(&mut hists, &mut bags, part);
        }
        for (g, &(prefix, bits, collect)) in open.iter().enumerate() {
            let mine = |t: &Target| t.value.is_none() && t.prefix == prefix && t.bits == bits;
            if collect {
                let bag = &mut bags[g];
                let ranks: Vec<usize> = targets
                    .iter()
                    .filter(|t| mine(t))
                    .map(|t| t.within)
                    .collect();
                if ranks.iter().any(|&r| r >= bag.len()) {
                    return Err(ExecError::Internal(
                        "quantile: a radix pass lost values (the input changed between passes)"
                            .into(),
                    ));
                }
                let mut vals: Vec<f64> = Vec::new();
                let mut order: Vec<usize> = (0..ranks.len()).collect();
                order.sort_by_key(|&i| ranks[i]);
                let mut start = 0;
                let mut got = vec![0u64; ranks.len()];
                for i in order {
                    let r = ranks[i];
                    bag[start..].select_nth_unstable(r - start);
                    start = r;
                    got[i] = bag[r];
                }
                vals.extend(got.iter().map(|&k| order_value(k)));
                let mut it = vals.into_iter();
                for t in targets.iter_mut().filter(|t| mine(t)) {
                    t.value = it.next();
                }
            } else {
                let h = std::mem::take(&mut hists[g]);
                let mut group: Vec<Target> = targets.iter().copied().filter(|t| mine(t)).collect();
                descend(&mut group, &h);
                let mut it = group.into_iter();
                for t in targets.iter_mut().filter(|t| mine(t)) {
                    if let Some(n) = it.next() {
                        *t = n;
                    }
                }
            }
        }
    }
    Ok(plan
        .iter()
        .enumerate()
        .map(|(i, &(_, _, t))| {
            let a = targets[2 * i].value.unwrap_or(f64::NAN);
            let b = targets[2 * i + 1].value.unwrap_or(f64::NAN);
            combine(a, b, t, q.median, x.dtype, out)
        })
        .collect())
}

/// Moves each target one digit down: the bin of `hist` (the next digit's counts among the
/// keys sharing its prefix) that holds its rank. A target whose prefix is now the whole key
/// knows its value.
fn descend(targets: &mut [Target], hist: &[usize]) {
    for t in targets.iter_mut() {
        let mut seen = 0;
        for (d, &c) in hist.iter().enumerate() {
            if t.within < seen + c {
                t.within -= seen;
                t.count = c;
                t.prefix |= (d as u64) << (64 - DIGIT_BITS - t.bits);
                t.bits += DIGIT_BITS;
                if t.bits == 64 {
                    t.value = Some(order_value(t.prefix));
                }
                break;
            }
            seen += c;
        }
    }
}
