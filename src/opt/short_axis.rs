//! Short-axis sums become sums of slices: `x.sum(axis=k)` where axis `k` has a few elements
//! (at most `MAX_LEN`) is rewritten as an add of the slices `x[..., i, ...]`, so the
//! element-wise ops under it fuse with those above it into one kernel over the kept axes
//! instead of a kernel whose innermost axis is only a few elements long, followed by a
//! reduction over rows of that length. `(diff * diff).sum(axis=-1)` of the Lennard-Jones
//! workload (an `(n, n, 3)` array) becomes `d0 * d0 + d1 * d1 + d2 * d2` over `(n, n)`.
//!
//! The adds are arranged in exactly the tree `exec::reduce` would follow for that grid (each
//! chunk of the axis summed from 0.0 left to right, the chunks' sums combined in its pairwise
//! tree), so results are bitwise unchanged; the rewrite applies only where that tree is
//! known: float (f64) sums and integer sums (exact), chunks of the axis shorter than 8, and
//! blocks small enough that the reduction never splits the reduced axis into pieces. It also
//! applies only where each slice is cheap to compute on its own: the input is element-wise
//! and everything large below it is element-wise, a view, or a generator (a file read or a
//! computed barrier would be evaluated once per slice).

use crate::graph::build;
use crate::graph::node::{FullValue, NodeRef, Op, ReduceOp, SliceItem, Source};
use crate::kernel::{BinaryOp, MapOp, UnaryOp};
use crate::opt::memory::SUB_BLOCK_ELEMS;
use crate::opt::rewrite::{keep_grid, rewrite, same_with_inputs};
use crate::sema::dtype::DType;
use std::collections::HashSet;

/// The longest axis rewritten.
const MAX_LEN: usize = 8;

/// Nodes below the input with at most this many elements may be anything (each slice
/// evaluates them again, which costs little).
const SMALL_ELEMS: usize = 1 << 20;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    rewrite(root, &mut |node, inputs| {
        let rebuilt = same_with_inputs(node, inputs);
        match as_slice_sum(&rebuilt) {
            Some(sum) => keep_grid(sum, &rebuilt),
            None => rebuilt,
        }
    })
}

/// The sum of slices that replaces `node`, when it is a short-axis sum the pass handles.
fn as_slice_sum(node: &NodeRef) -> Option<NodeRef> {
    let Op::Reduce {
        op, axes, keepdims, ..
    } = &node.op
    else {
        return None;
    };
    let nan_skip = match op {
        ReduceOp::Sum => false,
        ReduceOp::NanSum => true,
        _ => return None,
    };
    let input = &node.inputs[0];
    let out = node.dtype;
    let exact = match (input.dtype, out) {
        (DType::F64, DType::F64) => false,
        (d, DType::I64) if !d.is_float() => true,
        _ => return None,
    };
    let [axis] = axes.as_slice() else {
        return None;
    };
    let axis = *axis;
    let len = input.shape[axis];
    let chunks: Vec<usize> = input.chunks[axis]
        .iter()
        .copied()
        .filter(|&c| c > 0)
        .collect();
    if len == 0 || len > MAX_LEN || chunks.iter().any(|&c| c >= 8) {
        return None;
    }
    // The reduction splits the first kept axis into rows of at most SUB_BLOCK_ELEMS
    // elements, and the reduced axis only when one row is bigger than that.
    let kept: Vec<usize> = (0..input.shape.len()).filter(|&k| k != axis).collect();
    let first = *kept.first()?;
    let per_row: usize = kept
        .iter()
        .filter(|&&k| k != first)
        .map(|&k| input.chunks[k].iter().copied().max().unwrap_or(1))
        .product::<usize>()
        .max(1);
    if per_row.saturating_mul(len) > SUB_BLOCK_ELEMS {
        return None;
    }
    if !matches!(input.op, Op::Map { .. }) || !cheap_to_slice(input) {
        return None;
    }
    let zero = build::source(
        Source::Full(if exact {
            FullValue::Int(0)
        } else {
            FullValue::Float(0.0)
        }),
        out,
        vec![],
        vec![],
    );
    let add =
        |a: NodeRef, b: NodeRef| build::map(MapOp::Binary(BinaryOp::Add), out, out, vec![a, b]);
    let element = |index: usize| {
        let items = (0..input.shape.len())
            .map(|k| {
                if k != axis {
                    SliceItem::Take {
                        axis: k,
                        start: 0,
                        step: 1,
                        len: input.shape[k],
                    }
                } else if *keepdims {
                    SliceItem::Take {
                        axis: k,
                        start: index as i64,
                        step: 1,
                        len: 1,
                    }
                } else {
                    SliceItem::Fix { axis: k, index }
                }
            })
            .collect();
        let mut x = build::slice(input.clone(), items);
        if x.dtype != out {
            x = build::map(MapOp::Cast, out, out, vec![x]);
        }
        if nan_skip && !exact {
            let nan = build::map(
                MapOp::Unary(UnaryOp::IsNan),
                out,
                DType::Bool,
                vec![x.clone()],
            );
            x = build::map(MapOp::Where, out, out, vec![nan, zero.clone(), x]);
        }
        x
    };
    // Each chunk of the axis: 0 + x[start] + x[start + 1] + ..., left to right.
    let mut start = 0;
    let mut partials = Vec::new();
    for c in chunks {
        let mut acc = zero.clone();
        for i in start..start + c {
            acc = add(acc, element(i));
        }
        partials.push(acc);
        start += c;
    }
    Some(tree(partials, &add))
}

/// The chunks' sums combined as `exec::reduce` combines blocks: the left half holds
/// ⌊n/2⌋ of them.
fn tree(mut parts: Vec<NodeRef>, add: &dyn Fn(NodeRef, NodeRef) -> NodeRef) -> NodeRef {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let right = parts.split_off(parts.len() / 2);
    add(tree(parts, add), tree(right, add))
}

/// Whether every node under `input` that is not small is element-wise, a view or a
/// generator, so that computing a slice of `input` reads or computes only that slice.
fn cheap_to_slice(input: &NodeRef) -> bool {
    let mut seen = HashSet::new();
    let mut stack = vec![input.clone()];
    while let Some(n) = stack.pop() {
        if !seen.insert(std::sync::Arc::as_ptr(&n)) {
            continue;
        }
        let elems = n.shape.iter().product::<usize>();
        if elems <= SMALL_ELEMS {
            continue;
        }
        let ok = match &n.op {
            Op::Map { .. } | Op::Slice(_) | Op::Transpose(_) | Op::BroadcastTo | Op::Rechunk => {
                true
            }
            Op::Source(s) => !matches!(s, Source::External(_)),
            _ => false,
        };
        if !ok {
            return false;
        }
        stack.extend(n.inputs.iter().cloned());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::philox::RandomStream;

    fn random(shape: Vec<usize>, chunks: Vec<Vec<usize>>) -> NodeRef {
        build::source(
            Source::Random {
                dist: crate::graph::node::Distribution::Uniform {
                    low: 0.0,
                    high: 1.0,
                },
                stream: RandomStream::new(1, 0),
            },
            DType::F64,
            shape,
            chunks,
        )
    }

    fn square_sum(x: NodeRef, axis: usize) -> NodeRef {
        let sq = build::map(
            MapOp::Binary(BinaryOp::Mul),
            DType::F64,
            DType::F64,
            vec![x.clone(), x],
        );
        build::reduce(ReduceOp::Sum, sq, vec![axis], false, 0.0)
    }

    #[test]
    fn a_short_axis_sum_becomes_adds_of_slices() {
        let x = random(vec![100, 3], vec![vec![50, 50], vec![1, 1, 1]]);
        let s = square_sum(x, 1);
        let out = run(&s);
        assert!(matches!(out.op, Op::Map { .. }), "{}", out.op_name());
        assert_eq!(out.shape, vec![100]);
        assert_eq!(out.chunks, s.chunks);
    }

    #[test]
    fn long_axes_and_other_reductions_stay() {
        let x = random(vec![100, 9], vec![vec![50, 50], vec![9]]);
        assert!(matches!(run(&square_sum(x, 1)).op, Op::Reduce { .. }));
        let y = random(vec![100, 3], vec![vec![50, 50], vec![3]]);
        let sq = build::map(
            MapOp::Binary(BinaryOp::Mul),
            DType::F64,
            DType::F64,
            vec![y.clone(), y],
        );
        let m = build::reduce(ReduceOp::Max, sq, vec![1], false, 0.0);
        assert!(matches!(run(&m).op, Op::Reduce { .. }));
    }
}
