//! The one traversal every pass uses: a bottom-up rebuild of the graph that visits each
//! shared node once (so sharing is kept) and lets a rule replace a node given its already
//! rewritten inputs. It keeps its own stack (a graph built by a loop is as deep as the loop)
//! and forgets a node's replacement once every consumer has been rebuilt, so a pass over a
//! chain holds the frontier, not a second copy of the graph.

use crate::graph::node::{Node, NodeRef};
use crate::graph::walk::Indexed;
use std::sync::Arc;

/// Rebuilds the graph under `root` bottom-up. `rule` receives the original node and its
/// rewritten inputs and returns the node to use in its place (`same_with_inputs` keeps it).
/// Nodes are visited in the order of a recursive depth-first walk, inputs left to right.
pub fn rewrite(root: &NodeRef, rule: &mut dyn FnMut(&NodeRef, Vec<NodeRef>) -> NodeRef) -> NodeRef {
    let graph = Indexed::of(root);
    let mut uses = graph.uses();
    let mut out: Vec<Option<NodeRef>> = vec![None; graph.nodes.len()];
    for (k, node) in graph.nodes.iter().enumerate() {
        let ins = graph.inputs_of(k);
        let inputs: Vec<NodeRef> = ins
            .iter()
            .map(|&i| out[i].clone().expect("inputs are rebuilt before consumers"))
            .collect();
        out[k] = Some(rule(node, inputs));
        for &i in ins {
            uses[i] -= 1;
            if uses[i] == 0 {
                out[i] = None;
            }
        }
    }
    out.pop().flatten().expect("the root is rebuilt last")
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
pub use crate::graph::walk::post_order;
