//! Scans (cumsum, cumprod) along one axis: blocks along the axis are visited in order with a
//! running carry, and only the blocks that overlap the requested region are kept.

use crate::data::{Data, Element};
use crate::exec::region::{AxisRange, Region, eval, region_shape, slice_data};
use crate::exec::{ExecCtx, ExecError};
use crate::graph::node::{NodeRef, ScanOp};
use ndarray::{ArrayD, Axis};

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
    // The other axes' ranges, with the scan axis as one contiguous run per block.
    let mut kept_parts: Vec<Data> = Vec::new();
    let mut carry: Option<Data> = None;
    let mut start = 0usize;
    for &c in &input.chunks[axis] {
        if start >= hi {
            break;
        }
        let len = c.min(hi - start);
        if len == 0 {
            continue;
        }
        let mut block_region = region.clone();
        block_region[axis] = AxisRange::span(start, len);
        let block = eval(ctx, input, &block_region)?;
        let scanned = scan_block(op, float, &block, axis, carry.as_ref());
        carry = Some(last_along(&scanned, axis));
        if start + len > lo {
            let keep_from = lo.saturating_sub(start);
            let mut sel = crate::exec::region::full_region(scanned.shape());
            sel[axis] = AxisRange::span(keep_from, len - keep_from);
            kept_parts.push(slice_data(&scanned, &sel));
        }
        start += len;
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
