//! The text of `explain`: the graph under a node with dtypes, shapes, chunk grids, the
//! element-wise chains that run as one kernel, and the projected memory of the schedule.

use crate::exec::{ExecConfig, human_bytes, projected_task_bytes};
use crate::graph::node::{Node, NodeRef, Op};
use crate::value::type_text;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// The plan of computing `node`, as text.
pub fn explain_text(node: &NodeRef, config: &ExecConfig) -> String {
    let per_task = projected_task_bytes(node);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan: {} in {} task(s); projected peak {} per task; memory limit {}",
        type_text(
            node.dtype,
            &node.shape.iter().map(|&d| Some(d)).collect::<Vec<_>>()
        ),
        node.n_chunks(),
        human_bytes(per_task),
        human_bytes(config.memory_limit)
    );
    let mut seen = HashMap::new();
    walk(node, 1, &mut out, &mut seen, false);
    out
}

fn walk(
    node: &NodeRef,
    depth: usize,
    out: &mut String,
    seen: &mut HashMap<*const Node, usize>,
    in_kernel: bool,
) {
    let indent = "  ".repeat(depth);
    let id = seen.len();
    if let Some(prev) = seen.get(&Arc::as_ptr(node)) {
        let _ = writeln!(out, "{indent}(shared #{prev})");
        return;
    }
    seen.insert(Arc::as_ptr(node), id);
    let is_map = matches!(node.op, Op::Map { .. });
    let kernel_note = if is_map && !in_kernel {
        let (kernel, leaves) = crate::exec::region::compile_kernel_for_plan(node);
        format!(
            " [kernel: {} op(s) fused over {} input(s)]",
            kernel.op_names().len(),
            leaves
        )
    } else {
        String::new()
    };
    let dims: Vec<Option<usize>> = node.shape.iter().map(|&d| Some(d)).collect();
    let _ = writeln!(
        out,
        "{indent}#{id} {} {} chunks {} ({} block(s), max block {}){kernel_note}",
        node.op_name(),
        type_text(node.dtype, &dims),
        grid_text(&node.chunks),
        node.n_chunks(),
        human_bytes(node.max_chunk_bytes())
    );
    for input in &node.inputs {
        walk(input, depth + 1, out, seen, is_map);
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
