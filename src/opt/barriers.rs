//! Which barriers (reductions and scans) a plan computes once, first: those whose results
//! would otherwise be pulled more than once (several consumers, or a consumer that reads
//! the same elements repeatedly). The memory plan counts them; the executor materialises
//! them.

use crate::graph::linalg_op::LinalgOp;
use crate::graph::node::{Node, NodeRef, Op, Source};
use crate::graph::walk::{PtrMap, post_order_where};
use std::collections::HashMap;
use std::sync::Arc;

/// A TSQR Q is not one: each of its blocks comes from its own row block and the small
/// factors, so materialising it would hold the whole Q (a tall array) where recomputing a
/// block costs one small QR.
fn is_barrier(node: &Node) -> bool {
    match &node.op {
        Op::Linalg(op) => !matches!(op, LinalgOp::TsqrQ(_)),
        op => matches!(op, Op::Reduce { .. } | Op::Scan { .. }),
    }
}

/// How a node is consumed within one computation.
#[derive(Default)]
struct Uses {
    /// Number of consuming edges.
    consumers: usize,
    /// Whether some consumer reads the same elements more than once (broadcasting, a reshape
    /// pulling flat ranges, a scan re-reading prefixes).
    repeated: bool,
}

/// Counts every node's consuming edges under `root` (each node's inputs once), with its own
/// stack.
fn count_uses(root: &NodeRef, uses: &mut HashMap<*const Node, Uses>) {
    let mut seen: PtrMap<()> = PtrMap::default();
    let mut stack: Vec<&NodeRef> = vec![root];
    while let Some(node) = stack.pop() {
        if seen.insert(Arc::as_ptr(node), ()).is_some() {
            continue;
        }
        for input in &node.inputs {
            let u = uses.entry(Arc::as_ptr(input)).or_default();
            u.consumers += 1;
            let broadcast = match node.op {
                Op::Map { .. } => {
                    let off = node.shape.len() - input.shape.len();
                    input
                        .shape
                        .iter()
                        .enumerate()
                        .any(|(k, &d)| d != node.shape[k + off])
                        || off > 0 && input.size() > 1
                }
                Op::BroadcastTo
                | Op::Reshape
                | Op::Scan { .. }
                | Op::Diagonal { .. }
                | Op::Gather { .. }
                | Op::Linalg(_)
                | Op::Block(_) => true,
                _ => false,
            };
            u.repeated |= broadcast;
            stack.push(input);
        }
    }
}

/// Barriers (reductions and scans) whose results would be pulled more than once, in the
/// order they must be computed (inputs first).
pub fn collect_barriers(root: &NodeRef) -> Vec<NodeRef> {
    let mut uses = HashMap::new();
    count_uses(root, &mut uses);
    // In-memory data is a leaf (and never a barrier).
    post_order_where(root, &|n| !matches!(n.op, Op::Source(Source::Data(_))))
        .into_iter()
        .filter(|n| !Arc::ptr_eq(n, root) && is_barrier(n))
        .filter(|n| {
            uses.get(&Arc::as_ptr(n))
                .is_some_and(|u| u.consumers > 1 || u.repeated)
        })
        .collect()
}
