//! Which barriers (reductions and scans) a plan computes once, first: those whose results
//! would otherwise be pulled more than once (several consumers, or a consumer that reads
//! the same elements repeatedly). The memory plan counts them; the executor materialises
//! them.

use crate::graph::node::{Node, NodeRef, Op, Source};
use std::collections::HashMap;
use std::sync::Arc;

fn is_barrier(node: &Node) -> bool {
    matches!(node.op, Op::Reduce { .. } | Op::Scan { .. } | Op::Linalg(_))
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

fn count_uses(
    node: &NodeRef,
    uses: &mut HashMap<*const Node, Uses>,
    seen: &mut HashMap<*const Node, ()>,
) {
    if seen.insert(Arc::as_ptr(node), ()).is_some() {
        return;
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
        count_uses(input, uses, seen);
    }
}

/// Barriers (reductions and scans) whose results would be pulled more than once, in the
/// order they must be computed (inputs first).
pub fn collect_barriers(root: &NodeRef) -> Vec<NodeRef> {
    let mut uses = HashMap::new();
    count_uses(root, &mut uses, &mut HashMap::new());
    let mut order = Vec::new();
    post_order(root, &mut order, &mut HashMap::new());
    order
        .into_iter()
        .filter(|n| !Arc::ptr_eq(n, root) && is_barrier(n))
        .filter(|n| {
            uses.get(&Arc::as_ptr(n))
                .is_some_and(|u| u.consumers > 1 || u.repeated)
        })
        .collect()
}

fn post_order(node: &NodeRef, out: &mut Vec<NodeRef>, seen: &mut HashMap<*const Node, ()>) {
    if seen.insert(Arc::as_ptr(node), ()).is_some() {
        return;
    }
    if let Op::Source(Source::Data(_)) = node.op {
        return;
    }
    for input in &node.inputs {
        post_order(input, out, seen);
    }
    out.push(node.clone());
}
