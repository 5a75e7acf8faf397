//! Fusion: every connected group of element-wise nodes becomes one kernel node
//! (`Op::Fused`) whose inputs are the group's operands — generators, file reads, slices,
//! reductions — so each task runs one compiled loop over tiles with no intermediate chunk
//! per op. A group ends where its value is used by something that is not element-wise (a
//! reduction, a store, a reshape...), which then consumes the kernel's output piece by
//! piece. An element-wise node used only by other element-wise nodes is computed inside
//! each group that uses it (recomputing is cheaper than holding its chunks); one whose value
//! also leaves the group is its own kernel, read by the groups that use it.

use crate::graph::node::{Node, NodeRef, Op, Source};
use crate::kernel::lower::{compile_group, identity};
use crate::opt::rewrite::{post_order, rewrite, same_with_inputs};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    let group_roots = group_roots(root);
    let mut wrapped: HashMap<*const Node, NodeRef> = HashMap::new();
    rewrite(root, &mut |node, inputs| {
        if matches!(node.op, Op::Reduce { .. }) && computed_from_indices(&inputs[0]) {
            // A reduction of a generator: the generator and the reduction are one kernel
            // (one per generator, shared by its reductions so they still run as one pass).
            let source = inputs[0].clone();
            let fused = wrapped
                .entry(Arc::as_ptr(&source))
                .or_insert_with(|| {
                    let (kernel, leaves) = identity(&source);
                    Arc::new(Node {
                        op: Op::Fused(Arc::new(kernel)),
                        inputs: leaves,
                        dtype: source.dtype,
                        shape: source.shape.clone(),
                        chunks: source.chunks.clone(),
                    })
                })
                .clone();
            let mut inputs = inputs;
            inputs[0] = fused;
            return same_with_inputs(node, inputs);
        }
        let rebuilt = same_with_inputs(node, inputs);
        if !group_roots.contains(&Arc::as_ptr(node)) {
            return rebuilt;
        }
        let (kernel, leaves) = compile_group(&rebuilt, &|_| false);
        Arc::new(Node {
            op: Op::Fused(Arc::new(kernel)),
            inputs: leaves,
            dtype: rebuilt.dtype,
            shape: rebuilt.shape.clone(),
            chunks: rebuilt.chunks.clone(),
        })
    })
}

/// Whether `node` is a source computed from indices (random, arange, eye, tri), seen
/// through slices, transposes and rechunks: the kernel generates it in place.
fn computed_from_indices(node: &NodeRef) -> bool {
    let mut cur = node;
    loop {
        match &cur.op {
            Op::Slice(_) | Op::Transpose(_) | Op::Rechunk => cur = &cur.inputs[0],
            Op::Source(s) => {
                return matches!(
                    s,
                    Source::Random { .. }
                        | Source::Arange { .. }
                        | Source::Eye { .. }
                        | Source::Tri { .. }
                );
            }
            _ => return false,
        }
    }
}

/// Element-wise nodes whose value leaves the element-wise world: the root, or a node with
/// a consumer that is not element-wise.
fn group_roots(root: &NodeRef) -> HashSet<*const Node> {
    let mut out = HashSet::new();
    if matches!(root.op, Op::Map { .. }) {
        out.insert(Arc::as_ptr(root));
    }
    for node in post_order(root) {
        if matches!(node.op, Op::Map { .. }) {
            continue;
        }
        for input in &node.inputs {
            if matches!(input.op, Op::Map { .. }) {
                out.insert(Arc::as_ptr(input));
            }
        }
    }
    out
}

/// The number of kernels in a plan.
pub fn count_kernels(root: &NodeRef) -> usize {
    post_order(root)
        .iter()
        .filter(|n| matches!(n.op, Op::Fused(_)))
        .count()
}
