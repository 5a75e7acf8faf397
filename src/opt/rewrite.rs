//! The one traversal every pass uses: a bottom-up rebuild of the graph that visits each
//! shared node once (so sharing is kept) and lets a rule replace a node given its already
//! rewritten inputs.

use crate::graph::node::{Node, NodeRef};
use std::collections::HashMap;
use std::sync::Arc;

/// Rebuilds the graph under `root` bottom-up. `rule` receives the original node and its
/// rewritten inputs and returns the node to use in its place (`same_with_inputs` keeps it).
pub fn rewrite(root: &NodeRef, rule: &mut dyn FnMut(&NodeRef, Vec<NodeRef>) -> NodeRef) -> NodeRef {
    let mut memo: HashMap<*const Node, NodeRef> = HashMap::new();
    visit(root, rule, &mut memo)
}

fn visit(
    node: &NodeRef,
    rule: &mut dyn FnMut(&NodeRef, Vec<NodeRef>) -> NodeRef,
    memo: &mut HashMap<*const Node, NodeRef>,
) -> NodeRef {
    if let Some(done) = memo.get(&Arc::as_ptr(node)) {
        return done.clone();
    }
    let inputs: Vec<NodeRef> = node.inputs.iter().map(|i| visit(i, rule, memo)).collect();
    let out = rule(node, inputs);
    memo.insert(Arc::as_ptr(node), out.clone());
    out
}

/// `node` with `inputs` in place of its own: the node itself when they are the same nodes.
pub fn same_with_inputs(node: &NodeRef, inputs: Vec<NodeRef>) -> NodeRef {
    if inputs.len() == node.inputs.len()
        && inputs
            .iter()
            .zip(&node.inputs)
            .all(|(a, b)| Arc::ptr_eq(a, b))
    {
        return node.clone();
    }
    Arc::new(Node {
        op: node.op.clone(),
        inputs,
        dtype: node.dtype,
        shape: node.shape.clone(),
        chunks: node.chunks.clone(),
    })
}

/// `new` on the chunk grid of `old` (which it replaces): a rewrite never changes the grid a
/// consumer sees, so reductions cut the same blocks and results stay bitwise the same.
pub fn keep_grid(new: NodeRef, old: &NodeRef) -> NodeRef {
    if new.chunks == old.chunks {
        new
    } else {
        crate::graph::build::rechunk(new, old.chunks.clone())
    }
}

/// Every node under `root` once, inputs before consumers.
pub fn post_order(root: &NodeRef) -> Vec<NodeRef> {
    fn go(n: &NodeRef, seen: &mut HashMap<*const Node, ()>, out: &mut Vec<NodeRef>) {
        if seen.insert(Arc::as_ptr(n), ()).is_some() {
            return;
        }
        for i in &n.inputs {
            go(i, seen, out);
        }
        out.push(n.clone());
    }
    let mut out = Vec::new();
    go(root, &mut HashMap::new(), &mut out);
    out
}
