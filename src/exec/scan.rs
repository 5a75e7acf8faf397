//! Scans (cumsum, cumprod) along one axis. A scan is sequential per lane, so a region is
//! computed from the carry (the running value) just before its first index: carries are
//! kept per scan node and lanes (`Carries`) at block boundaries and where the last piece
//! ended, so computing all blocks of a scan, in any order and in pieces, visits each input
//! element at most about twice — linear, not quadratic, in the number of blocks. Splitting a
//! lane anywhere and carrying the running value performs the same operations in the same
//! order, so results are bitwise those of one left-to-right scan.

use crate::data::{Data, Element};
use crate::exec::region::{AxisRange, Region, eval, region_shape, slice_data};
use crate::exec::{ExecCtx, ExecError};
use crate::graph::node::{NodeRef, ScanOp};
use ndarray::{ArrayD, Axis};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Carries of one scan over one set of lanes: position `p` along the axis maps to the
/// running value after indices `0..p` (position 0, the start, is implicit: no carry).
type Chain = Arc<Mutex<BTreeMap<usize, Arc<Data>>>>;

/// A scan node (by address) and its lanes: `(start, step, len)` per axis, the scan's axis
/// zeroed.
type LanesKey = (usize, Vec<(i64, i64, usize)>);

/// Block starts along one axis of a scan's input.
type Bounds = Arc<Vec<usize>>;

/// The carries of the scans of one computation, keyed by scan node and lanes (the whole
/// input blocks, on the other axes, that a region lies in).
#[derive(Default)]
pub struct Carries {
    /// Each entry holds its node, so the address in its key is never reused while the
    /// entry lives (templates of `map_blocks` make nodes per block).
    chains: Mutex<HashMap<LanesKey, (NodeRef, Chain)>>,
    /// Where each block of a scan's input starts, per node and axis (with the length last).
    bounds: Mutex<HashMap<(usize, usize), (NodeRef, Bounds)>>,
}

impl Carries {
    fn bounds(&self, node: &NodeRef, axis: usize) -> Bounds {
        let make = || {
            let chunks = &node.inputs[0].chunks[axis];
            let mut b = Vec::with_capacity(chunks.len() + 1);
            b.push(0);
            for &c in chunks {
                b.push(b[b.len() - 1] + c);
            }
            Arc::new(b)
        };
        match self.bounds.lock() {
            Ok(mut map) => map
                .entry((Arc::as_ptr(node) as usize, axis))
                .or_insert_with(|| (node.clone(), make()))
                .1
                .clone(),
            Err(_) => make(),
        }
    }

    fn chain(&self, node: &NodeRef, lanes: &Region, axis: usize) -> Chain {
        let lanes = lanes
            .iter()
            .enumerate()
            .map(|(k, r)| {
                if k == axis {
                    (0, 0, 0)
                } else {
                    (r.start, r.step, r.len)
                }
            })
            .collect();
        let key = (Arc::as_ptr(node) as usize, lanes);
        match self.chains.lock() {
            Ok(mut map) => map
                .entry(key)
                .or_insert_with(|| (node.clone(), Chain::default()))
                .1
                .clone(),
            Err(_) => Chain::default(),
        }
    }
}

/// The first block boundary after `pos` (the axis length at the end).
fn next_bound(bounds: &[usize], pos: usize) -> usize {
    bounds[bounds.partition_point(|&b| b <= pos).min(bounds.len() - 1)]
}

/// Records the carry after `0..pos`. Between block boundaries only the latest position of a
/// block is kept (pieces of a block are pulled in order), so a chain holds about one carry
/// per block.
fn remember(chain: &Chain, bounds: &[usize], pos: usize, carry: Arc<Data>) {
    let Ok(mut c) = chain.lock() else {
        return;
    };
    let block_start = bounds[bounds.partition_point(|&b| b < pos).saturating_sub(1)];
    let stale: Vec<usize> = c
        .range(block_start + 1..pos)
        .map(|(&k, _)| k)
        .filter(|k| bounds.binary_search(k).is_err())
        .collect();
    for k in stale {
        c.remove(&k);
    }
    c.entry(pos).or_insert(carry);
}

/// Evaluates a region of a scan node.
pub fn eval_scan(
    ctx: &ExecCtx,
    node: &NodeRef,
    op: ScanOp,
    axis: usize,
    region: &Region,
) -> Result<Data, ExecError> {
    let input = &node.inputs[0];
    let r = region[axis];
    let (lo, hi) = r.bounds();
    let (lo, hi) = (lo as usize, hi as usize + 1);
    let float = node.dtype.is_float();
    // Carries are kept for whole input blocks on the other axes (the hull of the region's
    // lanes), so every piece of a block shares one chain.
    let mut hull = region.clone();
    for (k, h) in hull.iter_mut().enumerate() {
        if k != axis {
            let b = ctx.scan_carries.bounds(node, k);
            let (l, top) = h.bounds();
            let first = b.partition_point(|&x| x <= l as usize).saturating_sub(1);
            let end = next_bound(&b, top as usize);
            *h = AxisRange::span(b[first], end - b[first]);
        }
    }
    let lanes_are_hull = hull
        .iter()
        .zip(region)
        .enumerate()
        .all(|(k, (h, r))| k == axis || h == r);
    let chain = ctx.scan_carries.chain(node, &hull, axis);
    let bounds = ctx.scan_carries.bounds(node, axis);
    let along = |lanes: &Region, start: usize, len: usize| {
        let mut b = lanes.clone();
        b[axis] = AxisRange::span(start, len);
        b
    };
    let carry = carry_at(
        ctx,
        input,
        (op, float, axis),
        &chain,
        &bounds,
        lo,
        &|s, l| along(&hull, s, l),
    )?;
    // The carry for the region's own lanes.
    let mut carry = carry.map(|c| {
        if lanes_are_hull {
            c
        } else {
            let sel: Region = region
                .iter()
                .zip(&hull)
                .enumerate()
                .map(|(k, (r, h))| {
                    if k == axis {
                        AxisRange::span(0, 1)
                    } else {
                        AxisRange {
                            start: r.start - h.start,
                            step: r.step,
                            len: r.len,
                        }
                    }
                })
                .collect();
            Arc::new(slice_data(&c, &sel))
        }
    });
    // lo..hi in steps that never cross a block boundary (a task holds at most one block).
    let mut kept_parts: Vec<Data> = Vec::new();
    let mut pos = lo;
    while pos < hi {
        let end = next_bound(&bounds, pos).min(hi);
        let block = eval(ctx, input, &along(region, pos, end - pos))?;
        let scanned = scan_block(op, float, &block, axis, carry.as_deref());
        let out = Arc::new(last_along(&scanned, axis));
        if lanes_are_hull {
            remember(&chain, &bounds, end, out.clone());
        }
        carry = Some(out);
        kept_parts.push(scanned);
        pos = end;
    }
    let mut shape = region_shape(region);
    shape[axis] = hi - lo;
    let joined = crate::exec::region::concat_data(kept_parts, axis, node.dtype, &shape);
    // Now pick the requested strided positions out of lo..hi.
    let mut sel = crate::exec::region::full_region(joined.shape());
    sel[axis] = AxisRange {
        start: r.start - lo as i64,
        step: r.step,
        len: r.len,
    };
    Ok(slice_data(&joined, &sel).into_dtype(node.dtype))
}

/// The carry after `0..pos` for the chain's lanes: the chain is extended from its nearest
/// earlier carry, one block at most per step. The lock is never held while input is
/// computed (computing may run other tasks on this thread); two threads extending the same
/// chain at once only repeat a step.
fn carry_at(
    ctx: &ExecCtx,
    input: &NodeRef,
    (op, float, axis): (ScanOp, bool, usize),
    chain: &Chain,
    bounds: &[usize],
    pos: usize,
    lanes_along: &dyn Fn(usize, usize) -> Region,
) -> Result<Option<Arc<Data>>, ExecError> {
    loop {
        let (from, prev) = {
            let c = chain
                .lock()
                .map_err(|_| ExecError::Internal("a scan's carries were poisoned".into()))?;
            match c.range(..=pos).next_back() {
                Some((&p, d)) => (p, Some(d.clone())),
                None => (0, None),
            }
        };
        if from == pos {
            return Ok(prev);
        }
        let end = next_bound(bounds, from).min(pos);
        let block = eval(ctx, input, &lanes_along(from, end - from))?;
        let scanned = scan_block(op, float, &block, axis, prev.as_deref());
        remember(chain, bounds, end, Arc::new(last_along(&scanned, axis)));
    }
}

fn last_along(data: &Data, axis: usize) -> Data {
    let n = data.shape()[axis];
    map_data!(data, a => a.index_axis(Axis(axis), n - 1).insert_axis(Axis(axis)).to_owned())
}

fn scan_block(op: ScanOp, float: bool, block: &Data, axis: usize, carry: Option<&Data>) -> Data {
    if float {
        let mut a: ArrayD<f64> = with_data!(block, b => b.mapv(|x| x.to_f64()));
        let c: Option<ArrayD<f64>> = carry.map(|c| with_data!(c, b => b.mapv(|x| x.to_f64())));
        scan_lanes(&mut a, axis, c.as_ref(), |x, y| match op {
            ScanOp::CumSum => x + y,
            ScanOp::CumProd => x * y,
        });
        Data::F64(a)
    } else {
        let mut a: ArrayD<i64> = with_data!(block, b => b.mapv(|x| x.to_i64()));
        let c: Option<ArrayD<i64>> = carry.map(|c| with_data!(c, b => b.mapv(|x| x.to_i64())));
        scan_lanes(&mut a, axis, c.as_ref(), |x: i64, y: i64| match op {
            ScanOp::CumSum => x.wrapping_add(y),
            ScanOp::CumProd => x.wrapping_mul(y),
        });
        Data::I64(a)
    }
}

fn scan_lanes<T: Copy>(
    a: &mut ArrayD<T>,
    axis: usize,
    carry: Option<&ArrayD<T>>,
    f: impl Fn(T, T) -> T,
) {
    let carries: Option<Vec<T>> = carry.map(|c| c.iter().copied().collect());
    for (k, mut lane) in a.lanes_mut(Axis(axis)).into_iter().enumerate() {
        let mut acc: Option<T> = carries.as_ref().map(|c| c[k]);
        for x in lane.iter_mut() {
            let v = match acc {
                Some(a) => f(a, *x),
                None => *x,
            };
            *x = v;
            acc = Some(v);
        }
    }
}
