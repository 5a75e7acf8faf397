//! Constant folding and algebraic clean-up: element-wise ops whose operands are all
//! constant fills become one fill (computed by the executor's backend, as at run time);
//! a rechunk of a rechunk is one rechunk, a rechunk to the grid it already has disappears;
//! transposes compose, and the identity transpose disappears; a cast to the dtype a value
//! already has disappears.

use crate::graph::build;
use crate::graph::node::{NodeRef, Op, Source};
use crate::kernel::MapOp;
use crate::opt::Context;
use crate::opt::rewrite::{keep_grid, rewrite, same_with_inputs};

/// The pass; `cx.map_of_fills` computes a map over constant fills (on the executor's
/// backend, which the optimiser does not know).
pub fn run(root: &NodeRef, cx: &Context) -> NodeRef {
    rewrite(root, &mut |node, inputs| {
        let rebuilt = same_with_inputs(node, inputs);
        match fold(&rebuilt, cx) {
            Some(new) => keep_grid(new, node),
            None => rebuilt,
        }
    })
}

fn fold(node: &NodeRef, cx: &Context) -> Option<NodeRef> {
    match &node.op {
        Op::Map { op, .. } => {
            if *op == MapOp::Cast && node.inputs[0].dtype == node.dtype {
                return Some(node.inputs[0].clone());
            }
            let all_fills = node
                .inputs
                .iter()
                .all(|i| matches!(i.op, Op::Source(Source::Full(_))));
            if !all_fills {
                return None;
            }
            let value = (cx.map_of_fills)(node)?;
            Some(build::source(
                Source::Full(value),
                node.dtype,
                node.shape.clone(),
                node.chunks.clone(),
            ))
        }
        Op::Rechunk => {
            let input = &node.inputs[0];
            if input.chunks == node.chunks {
                return Some(input.clone());
            }
            match input.op {
                Op::Rechunk => Some(build::rechunk(input.inputs[0].clone(), node.chunks.clone())),
                _ => None,
            }
        }
        Op::Transpose(perm) => {
            if perm.iter().enumerate().all(|(k, &p)| k == p) {
                return Some(node.inputs[0].clone());
            }
            let input = &node.inputs[0];
            match &input.op {
                Op::Transpose(inner) => {
                    let composed: Vec<usize> = perm.iter().map(|&p| inner[p]).collect();
                    Some(build::transpose(input.inputs[0].clone(), composed))
                }
                _ => None,
            }
        }
        _ => None,
    }
}
