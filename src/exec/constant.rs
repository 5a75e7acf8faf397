//! Constant folding's evaluator: the optimiser (`opt::fold`) asks for the value of an
//! element-wise node over constant fills, and the executor computes it on one element with
//! the reference backend, so a folded constant is bitwise what the run would compute.
//! The kernel of one map over fills depends only on the map's op and dtypes and on which
//! operands are the same node, so it is compiled once per such pattern (a loop of 10^6
//! `y = y + 1` folds 10^6 nodes with one kernel).

use crate::backend::Backend;
use crate::backend::interp::Interpreter;
use crate::backend::launch::TileBody;
use crate::backend::launch::run_elementwise;
use crate::data::Data;
use crate::exec::sources::full_value_of;
use crate::graph::node::{FullValue, NodeRef, Op, Source};
use crate::kernel::lower::compile_group;
use crate::kernel::{Kernel, MapOp};
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// What the kernel of a map over fills depends on.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Pattern {
    op: MapOp,
    compute: DType,
    out: DType,
    inputs: Vec<DType>,
    /// For each operand, the first operand that is the same node.
    firsts: Vec<usize>,
}

/// Patterns kept per thread before the cache starts over.
const MAX_PATTERNS: usize = 256;

type Compiled = (Arc<Kernel>, Arc<dyn TileBody>);

thread_local! {
    static KERNELS: RefCell<HashMap<Pattern, Compiled>> = RefCell::new(HashMap::new());
}

/// The value of a map over constant fills (`opt::fold`'s question), computed by the
/// interpreter on one element.
pub fn map_of_fills(node: &NodeRef) -> Option<FullValue> {
    let Op::Map { op, compute } = node.op else {
        return None;
    };
    // The kernel loads each distinct operand once, in order of first use.
    let firsts: Vec<usize> = node
        .inputs
        .iter()
        .map(|i| {
            node.inputs
                .iter()
                .position(|j| Arc::ptr_eq(i, j))
                .expect("an operand is among the operands")
        })
        .collect();
    let key = Pattern {
        op,
        compute,
        out: node.dtype,
        inputs: node.inputs.iter().map(|i| i.dtype).collect(),
        firsts,
    };
    let compiled = KERNELS.with(|cache| cache.borrow().get(&key).cloned());
    let (kernel, body) = match compiled {
        Some(found) => found,
        None => {
            let (mut kernel, _) = compile_group(node, &|n| !Arc::ptr_eq(n, node));
            // Computed on one element whatever the node's rank (an element-wise group has no
            // indices).
            kernel.rank = 1;
            let body = Interpreter.compile(&kernel).ok()?;
            let found = (Arc::new(kernel), body);
            KERNELS.with(|cache| {
                let mut cache = cache.borrow_mut();
                if cache.len() >= MAX_PATTERNS {
                    cache.clear();
                }
                cache.insert(key.clone(), found.clone());
            });
            found
        }
    };
    let leaves: Vec<&NodeRef> = node
        .inputs
        .iter()
        .enumerate()
        .filter(|(k, _)| key.firsts[*k] == *k)
        .map(|(_, i)| i)
        .collect();
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
    let out = run_elementwise(&*body, &kernel, &inputs, &[1]).ok()?;
    Some(with_data!(&out, a => full_value_of(*a.iter().next()?)))
}
