//! The text of `explain`: the optimised plan under a node — its kernels with the ops they
//! fuse, every node's dtype, shape and chunk grid, the task count, the elements it will
//! generate and read, and the projected memory per task and for the whole schedule.

use crate::exec::{ExecConfig, human_bytes};
use crate::graph::node::{Node, NodeRef, Op, ReduceOp};
use crate::kernel::{Kernel, lower};
use crate::value::type_text;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// The plan of computing `node`, as text.
pub fn explain_text(node: &NodeRef, config: &ExecConfig) -> String {
    let plan = match config.plan(node) {
        Ok(p) => p,
        Err(e) => return format!("plan refused: {e}\n"),
    };
    let m = &plan.memory;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan: {} in {} task(s), {} kernel(s); generates {} element(s), reads {} from files",
        type_of(&plan.root),
        m.tasks,
        plan.kernels,
        m.generated,
        m.read
    );
    let _ = writeln!(
        out,
        "memory: {} per task, {} task(s) at once, projected peak {}; limit {}",
        human_bytes(m.per_task),
        m.parallel,
        human_bytes(m.schedule_peak),
        human_bytes(config.memory_limit)
    );
    let passes: Vec<&str> = if config.optimise {
        crate::opt::PASSES.iter().map(|p| p.name).collect()
    } else {
        vec!["none (--no-opt)"]
    };
    let _ = writeln!(out, "passes: {}", passes.join(", "));
    let mut seen = HashMap::new();
    let mut kernels = 0;
    let show = config.explain_kernels;
    // The reductions reading each node (several when results are printed together).
    let mut readers: HashMap<*const Node, Vec<ReduceOp>> = HashMap::new();
    for node in crate::opt::rewrite::post_order(&plan.root) {
        if let Op::Reduce { op, .. } = &node.op {
            let ops = readers.entry(Arc::as_ptr(&node.inputs[0])).or_default();
            if !ops.contains(op) {
                ops.push(*op);
            }
        }
    }
    walk(
        &plan.root,
        1,
        &mut out,
        &mut seen,
        &mut kernels,
        show,
        &readers,
    );
    out
}

/// The kernel a fused node runs: operands computed from indices inlined, and the
/// reductions that consume it as its sinks.
fn lowered(node: &NodeRef, kernel: &Kernel, consumers: &[ReduceOp]) -> Kernel {
    let k = if consumers.is_empty() {
        kernel.clone()
    } else {
        lower::with_reductions(kernel, consumers)
    };
    lower::specialize(&k, &node.inputs, &node.shape).kernel
}

/// The text of `lowered`, indented under the node's line.
fn kernel_text(node: &NodeRef, kernel: &Kernel, consumers: &[ReduceOp], indent: &str) -> String {
    lowered(node, kernel, consumers)
        .to_string()
        .lines()
        .map(|l| format!("{indent}  | {l}\n"))
        .collect()
}

fn type_of(node: &Node) -> String {
    type_text(
        node.dtype,
        &node.shape.iter().map(|&d| Some(d)).collect::<Vec<_>>(),
    )
}

fn walk(
    node: &NodeRef,
    depth: usize,
    out: &mut String,
    seen: &mut HashMap<*const Node, usize>,
    kernels: &mut usize,
    show: bool,
    readers: &HashMap<*const Node, Vec<ReduceOp>>,
) {
    let consumers: &[ReduceOp] = readers
        .get(&Arc::as_ptr(node))
        .map(|v| v.as_slice())
        .unwrap_or(&[]);
    let indent = "  ".repeat(depth);
    if let Some(prev) = seen.get(&Arc::as_ptr(node)) {
        let _ = writeln!(out, "{indent}(shared #{prev})");
        return;
    }
    let id = seen.len();
    seen.insert(Arc::as_ptr(node), id);
    let what = match &node.op {
        Op::Fused(k) => {
            *kernels += 1;
            let lowered = lowered(node, k, consumers);
            format!(
                "kernel k{} [{}] over {} input(s)",
                *kernels,
                lowered.op_names().join(", "),
                lowered.inputs.len()
            )
        }
        _ => node.op_name(),
    };
    let _ = writeln!(
        out,
        "{indent}#{id} {what} {} chunks {} ({} block(s), max block {})",
        type_of(node),
        grid_text(&node.chunks),
        node.n_chunks(),
        human_bytes(node.max_chunk_bytes())
    );
    if show && let Op::Fused(k) = &node.op {
        out.push_str(&kernel_text(node, k, consumers, &indent));
    }
    for input in &node.inputs {
        walk(input, depth + 1, out, seen, kernels, show, readers);
    }
}

fn grid_text(chunks: &[Vec<usize>]) -> String {
    let axes: Vec<String> = chunks
        .iter()
        .map(|c| {
            let first = c.first().copied().unwrap_or(0);
            if c.len() == 1 {
                format!("{first}")
            } else if c[..c.len() - 1].iter().all(|&l| l == first) {
                format!("{first}x{}", c.len())
            } else {
                format!("{c:?}")
            }
        })
        .collect();
    format!("({})", axes.join(", "))
}
