//! Constant folding and algebraic clean-up: element-wise ops whose operands are all
//! constant fills become one fill (computed by the same kernel semantics as at run time);
//! a rechunk of a rechunk is one rechunk, a rechunk to the grid it already has disappears;
//! transposes compose, and the identity transpose disappears; a cast to the dtype a value
//! already has disappears.

use crate::backend::Backend;
use crate::backend::interp::Interpreter;
use crate::backend::launch::run_elementwise;
use crate::data::Data;
use crate::exec::sources::full_value_of;
use crate::graph::build;
use crate::graph::node::{FullValue, NodeRef, Op, Source};
use crate::kernel::MapOp;
use crate::kernel::lower::compile_group;
use crate::opt::rewrite::{keep_grid, rewrite, same_with_inputs};
use ndarray::{ArrayD, IxDyn};
use std::sync::Arc;

/// The pass.
pub fn run(root: &NodeRef) -> NodeRef {
    rewrite(root, &mut |node, inputs| {
        let rebuilt = same_with_inputs(node, inputs);
        match fold(&rebuilt) {
            Some(new) => keep_grid(new, node),
            None => rebuilt,
        }
    })
}

fn fold(node: &NodeRef) -> Option<NodeRef> {
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
            let value = fold_map(node)?;
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

/// The value of a map over constant fills, computed by the interpreter on one element.
fn fold_map(node: &NodeRef) -> Option<FullValue> {
    let (mut kernel, leaves) = compile_group(node, &|n| !Arc::ptr_eq(n, node));
    // Computed on one element whatever the node's rank (an element-wise group has no indices).
    kernel.rank = 1;
    let inputs: Vec<Data> = leaves
        .iter()
        .map(|leaf| {
            let Op::Source(Source::Full(v)) = leaf.op else {
                unreachable!("the leaves are the fills")
            };
            let one =
                |x: f64| Data::F64(ArrayD::from_shape_vec(IxDyn(&[1]), vec![x]).expect("one"));
            match v {
                FullValue::Float(f) => one(f).into_dtype(leaf.dtype),
                FullValue::Int(i) => {
                    Data::I64(ArrayD::from_shape_vec(IxDyn(&[1]), vec![i]).expect("one"))
                        .into_dtype(leaf.dtype)
                }
                FullValue::Bool(b) => one(b as u8 as f64).into_dtype(leaf.dtype),
            }
        })
        .collect();
    let body = Interpreter.compile(&kernel).ok()?;
    let out = run_elementwise(&*body, &kernel, &inputs, &[1]).ok()?;
    Some(with_data!(&out, a => full_value_of(*a.iter().next()?)))
}
