//! Alignment: the operands of an element-wise op must share its chunk grid. Each operand
//! that spans the full output on an axis but is cut differently gets an explicit rechunk to
//! the op's grid (shown in plans). The op's grid is the finest of its operands' (chosen when
//! the graph was built); that is the cheaper side in a pull executor: a fine task reads a
//! sub-region of a coarse operand at no extra cost, while the other direction would make
//! every task assemble pieces of several fine blocks. Broadcast axes are left alone: they
//! are read in place.

use crate::graph::build;
use crate::graph::node::{NodeRef, Op};
use crate::opt::rewrite::rewrite;
use std::sync::Arc;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    rewrite(root, &mut |node, inputs| {
        let inputs = match node.op {
            Op::Map { .. } => inputs
                .into_iter()
                .map(|operand| align_operand(operand, &node.shape, &node.chunks))
                .collect(),
            _ => inputs,
        };
        crate::opt::rewrite::same_with_inputs(node, inputs)
    })
}

/// `operand` rechunked to the grid it must have under an op of `shape` and `grid`.
fn align_operand(operand: NodeRef, shape: &[usize], grid: &[Vec<usize>]) -> NodeRef {
    let off = shape.len() - operand.shape.len();
    let wanted: Vec<Vec<usize>> = operand
        .shape
        .iter()
        .enumerate()
        .map(|(j, &n)| {
            if n == shape[j + off] {
                grid[j + off].clone()
            } else {
                operand.chunks[j].clone()
            }
        })
        .collect();
    if wanted == operand.chunks {
        return operand;
    }
    if let Op::Rechunk = operand.op {
        return build::rechunk(Arc::clone(&operand.inputs[0]), wanted);
    }
    build::rechunk(operand, wanted)
}
