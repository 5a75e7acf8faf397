//! The optimiser: an ordered list of pure passes from graph to graph, one file per rule,
//! then memory planning. Each pass keeps the root's dtype, shape and grid; with
//! verification on (debug builds, or `ARR_VERIFY_PLAN=1`) the whole graph is checked after
//! every pass. `--no-opt` skips the passes (memory planning still runs), which the test
//! suite uses to show that every case gives the same output either way.

pub mod align;
pub mod barriers;
pub mod cse;
pub mod fold;
pub mod fuse;
pub mod memory;
pub mod rewrite;
pub mod short_axis;
pub mod slice_pushdown;
pub mod verify;

use crate::graph::node::{FullValue, NodeRef};
pub use memory::MemoryPlan;

/// What passes may ask of the layers below the optimiser's caller (the optimiser itself
/// knows no executor or backend).
pub struct Context<'a> {
    /// The value of an element-wise node whose operands are constant fills, computed as
    /// the run would (`None`: leave it unfolded).
    pub map_of_fills: &'a dyn Fn(&NodeRef) -> Option<FullValue>,
}

/// One rewriting pass.
pub struct Pass {
    /// Its name (in errors and `explain`).
    pub name: &'static str,
    /// The rewrite.
    pub run: fn(&NodeRef, &Context) -> NodeRef,
}

/// The passes, in order.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "cse",
        run: |n, _| cse::run(n),
    },
    Pass {
        name: "fold",
        run: fold::run,
    },
    Pass {
        name: "short_axis",
        run: |n, _| short_axis::run(n),
    },
    Pass {
        name: "slice_pushdown",
        run: |n, _| slice_pushdown::run(n),
    },
    Pass {
        name: "cse",
        run: |n, _| cse::run(n),
    },
    Pass {
        name: "align",
        run: |n, _| align::run(n),
    },
    Pass {
        name: "fuse",
        run: |n, _| fuse::run(n),
    },
];

/// Why a plan cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// A pass broke the graph (a bug in Arr, caught by verification).
    Broken(String),
    /// The plan does not fit the memory limit (the message names the node and a chunking).
    DoesNotFit(String),
}

/// An optimised plan.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The graph to run.
    pub root: NodeRef,
    /// Compiled kernels in it.
    pub kernels: usize,
    /// Its memory figures.
    pub memory: MemoryPlan,
}

/// Runs the passes (unless `optimise` is off) and plans memory for `threads` workers under
/// `limit` bytes.
pub fn optimise(
    root: &NodeRef,
    optimise: bool,
    limit: usize,
    threads: usize,
    cx: &Context,
) -> Result<Plan, PlanError> {
    let mut node = root.clone();
    if optimise {
        let verifying = verify::enabled();
        for pass in PASSES {
            let next = (pass.run)(&node, cx);
            if verifying {
                verify::check(pass.name, &node, &next).map_err(PlanError::Broken)?;
            }
            node = next;
        }
    }
    let memory = memory::plan(&node, limit, threads).map_err(PlanError::DoesNotFit)?;
    Ok(Plan {
        kernels: fuse::count_kernels(&node),
        root: node,
        memory,
    })
}
