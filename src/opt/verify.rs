//! Graph verification, run after every pass in debug builds (and whenever
//! `ARR_VERIFY_PLAN=1`, which the test suite sets): each node's grid covers its shape, its
//! shape and dtype follow from its inputs, and a pass kept the root's dtype, shape and grid.

use crate::graph::build::broadcast_shapes;
use crate::graph::node::{Node, NodeRef, Op, SliceItem};
use crate::opt::rewrite::post_order;

/// Whether verification is on.
pub fn enabled() -> bool {
    cfg!(debug_assertions) || std::env::var_os("ARR_VERIFY_PLAN").is_some_and(|v| v == "1")
}

/// Checks the graph after pass `pass`; the error names the pass and the broken node.
pub fn check(pass: &str, before: &NodeRef, after: &NodeRef) -> Result<(), String> {
    if before.dtype != after.dtype || before.shape != after.shape || before.chunks != after.chunks {
        return Err(format!(
            "optimiser pass `{pass}` changed the result from {} {:?} to {} {:?}",
            before.dtype, before.shape, after.dtype, after.shape
        ));
    }
    for node in post_order(after) {
        check_node(&node).map_err(|e| {
            format!(
                "optimiser pass `{pass}` left a broken node `{}`: {e}",
                node.op_name()
            )
        })?;
    }
    Ok(())
}

fn check_node(node: &Node) -> Result<(), String> {
    if node.chunks.len() != node.shape.len() {
        return Err(format!(
            "{} axes but a grid of {}",
            node.shape.len(),
            node.chunks.len()
        ));
    }
    for (k, (c, &n)) in node.chunks.iter().zip(&node.shape).enumerate() {
        if c.iter().sum::<usize>() != n {
            return Err(format!(
                "the grid of axis {k} sums to {} not {n}",
                c.iter().sum::<usize>()
            ));
        }
    }
    let same_as_input = |node: &Node| -> Result<(), String> {
        let i = &node.inputs[0];
        if i.shape != node.shape || i.dtype != node.dtype {
            return Err(format!("input is {} {:?}", i.dtype, i.shape));
        }
        Ok(())
    };
    match &node.op {
        Op::Map { .. } | Op::Fused(_) => {
            let shapes: Vec<&[usize]> = node.inputs.iter().map(|i| i.shape.as_slice()).collect();
            let want = broadcast_shapes(&shapes);
            // A kernel of constants only may be broadcast wider than its inputs.
            if want != node.shape && !(node.inputs.iter().all(|i| i.size() <= 1)) {
                return Err(format!("inputs broadcast to {want:?}"));
            }
            if let Op::Fused(k) = &node.op {
                if k.inputs.len() != node.inputs.len() {
                    return Err("kernel loads and inputs differ".into());
                }
                for (d, i) in k.inputs.iter().zip(&node.inputs) {
                    if *d != i.dtype {
                        return Err(format!("kernel loads {d} from a {} input", i.dtype));
                    }
                }
                if k.result().and_then(|r| k.types.get(r)) != Some(&node.dtype) {
                    return Err("kernel result dtype differs".into());
                }
            }
        }
        Op::Rechunk => same_as_input(node)?,
        Op::Slice(items) => {
            let input = &node.inputs[0];
            let mut covered = vec![false; input.shape.len()];
            let mut shape = Vec::new();
            let mut last_take: Option<usize> = None;
            for it in items {
                match *it {
                    SliceItem::Take {
                        axis,
                        start,
                        step,
                        len,
                    } => {
                        if len > 0 {
                            let end = start + step * (len as i64 - 1);
                            let n = input.shape[axis] as i64;
                            if start < 0 || start >= n || end < 0 || end >= n {
                                return Err(format!("axis {axis} read outside 0..{n}"));
                            }
                        }
                        if last_take.is_some_and(|a| a >= axis) {
                            return Err("taken axes out of order".into());
                        }
                        last_take = Some(axis);
                        covered[axis] = true;
                        shape.push(len);
                    }
                    SliceItem::Fix { axis, index } => {
                        if index >= input.shape[axis] {
                            return Err(format!("axis {axis} fixed at {index}"));
                        }
                        covered[axis] = true;
                    }
                    SliceItem::NewAxis => shape.push(1),
                }
            }
            if covered.iter().any(|c| !c) {
                return Err("an input axis is not addressed".into());
            }
            if shape != node.shape {
                return Err(format!("items give {shape:?}"));
            }
        }
        Op::Transpose(perm) => {
            let input = &node.inputs[0];
            let shape: Vec<usize> = perm.iter().map(|&p| input.shape[p]).collect();
            if shape != node.shape {
                return Err(format!("permutation gives {shape:?}"));
            }
        }
        Op::Reduce { axes, keepdims, .. } => {
            let input = &node.inputs[0];
            let mut shape = Vec::new();
            for (k, &n) in input.shape.iter().enumerate() {
                if !axes.contains(&k) {
                    shape.push(n);
                } else if *keepdims {
                    shape.push(1);
                }
            }
            if shape != node.shape {
                return Err(format!("reducing gives {shape:?}"));
            }
        }
        _ => {}
    }
    Ok(())
}
