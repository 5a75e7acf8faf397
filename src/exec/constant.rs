//! Constant folding's evaluator: the optimiser (`opt::fold`) asks for the value of an
//! element-wise node over constant fills, and the executor computes it on one element with
//! the reference backend, so a folded constant is bitwise what the run would compute.

use crate::backend::Backend;
use crate::backend::interp::Interpreter;
use crate::backend::launch::run_elementwise;
use crate::data::Data;
use crate::exec::sources::full_value_of;
use crate::graph::node::{FullValue, NodeRef, Op, Source};
use crate::kernel::lower::compile_group;
use ndarray::{ArrayD, IxDyn};
use std::sync::Arc;

/// The value of a map over constant fills (`opt::fold`'s question), computed by the
/// interpreter on one element.
pub fn map_of_fills(node: &NodeRef) -> Option<FullValue> {
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
