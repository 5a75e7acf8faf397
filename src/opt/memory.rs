//! Memory planning: what each task of a plan holds at once (its output block plus what it
//! pulls, pieces of at most `SUB_BLOCK_ELEMS` under a reduction, plus the reduction's
//! per-block bookkeeping), the schedule's peak (tasks run at once × per task), and the
//! elements the plan will generate and read. A plan whose single task cannot fit the
//! memory limit is refused before anything runs, naming the node at fault and a chunking
//! that would fit.

use crate::graph::node::{Node, NodeRef, Op, Source};
use crate::opt::rewrite::post_order;
use crate::units::human_bytes;
use std::collections::HashMap;

/// Elements of one piece of a reduction block (512 KiB of f64: pieces stay in the L2 cache
/// between the kernel that makes them and the reduction that consumes them).
pub const SUB_BLOCK_ELEMS: usize = 1 << 16;
use std::sync::Arc;

/// Bytes of bookkeeping per block of a reduction (its region in the block list, with the
/// allocator's overhead; partials are combined as they complete, so only a few are alive).
/// Measured: `sum(ones(10**7, chunks=10))`, 10^6 blocks, peaks at 77 MB.
pub const BYTES_PER_REDUCED_BLOCK: usize = 96;

/// The projected figures of a plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemoryPlan {
    /// Bytes one task holds at once.
    pub per_task: usize,
    /// Tasks that run at once.
    pub parallel: usize,
    /// Bytes the schedule holds at its peak (all concurrent tasks, plus the result).
    pub schedule_peak: usize,
    /// Tasks the plan runs (output blocks, and blocks reduced into partials).
    pub tasks: u64,
    /// Elements produced by generators (random, arange, ...).
    pub generated: u64,
    /// Elements read from files.
    pub read: u64,
}

/// Plans `root` for `threads` workers under `limit` bytes, or says why it cannot fit.
pub fn plan(root: &NodeRef, limit: usize, threads: usize) -> Result<MemoryPlan, String> {
    let per_task = projected_task_bytes(root) + bookkeeping(root);
    if per_task > limit {
        return Err(refusal(root, per_task, limit));
    }
    let parallel = (limit / per_task.max(1)).clamp(1, threads.max(1));
    let (generated, read) = demand(root);
    Ok(MemoryPlan {
        per_task,
        parallel,
        schedule_peak: per_task * parallel
            + root.nbytes().min(limit)
            + held_pieces(root)
            + chunk_cache(root, threads, limit),
        tasks: task_count(root),
        generated,
        read,
    })
}

/// Bytes the mask results under `root` hold as computed pieces (`exec::compress`): resident
/// while the plan runs, so part of its peak.
fn held_pieces(root: &NodeRef) -> usize {
    post_order(root)
        .iter()
        .filter_map(|n| match &n.op {
            Op::Compress { pieces, .. } => Some(pieces.held_bytes()),
            _ => None,
        })
        .sum()
}

/// Bytes of decoded storage chunks the plan's compressed file sources keep in the shared
/// chunk cache (`io::chunked`): one cache, bounded by the largest need any source reserved.
fn chunk_cache(root: &NodeRef, threads: usize, limit: usize) -> usize {
    post_order(root)
        .iter()
        .map(|n| match &n.op {
            Op::Source(Source::External(src)) => src.cache_bytes(&n.chunks, threads, limit),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Tasks that computing `node` runs: one per output block, or for a reduction one per
/// input block it reduces.
pub fn task_count(node: &Node) -> u64 {
    match &node.op {
        Op::Reduce { axes, .. } => {
            let input = &node.inputs[0];
            let per_output: u64 = axes
                .iter()
                .map(|&a| input.chunks[a].iter().filter(|&&c| c > 0).count().max(1) as u64)
                .product();
            node.n_chunks() as u64 * per_output
        }
        _ => node.n_chunks() as u64,
    }
}

/// Per-block bookkeeping of the reductions under `root` that one task may hold at once.
fn bookkeeping(root: &NodeRef) -> usize {
    post_order(root)
        .iter()
        .filter_map(|n| match &n.op {
            Op::Reduce { axes, .. } => {
                let input = &n.inputs[0];
                let blocks: usize = axes
                    .iter()
                    .map(|&a| input.chunks[a].len().max(1))
                    .fold(1usize, |p, b| p.saturating_mul(b));
                let kept_per_block = n.max_chunk_bytes() / n.dtype.size().max(1);
                Some(blocks.saturating_mul(BYTES_PER_REDUCED_BLOCK + 16 * kept_per_block))
            }
            _ => None,
        })
        .fold(0usize, usize::saturating_add)
}

/// The error for a plan that cannot fit: the node whose blocks are largest (or the
/// reduction with too many blocks) and a chunking of it that would fit.
fn refusal(root: &NodeRef, per_task: usize, limit: usize) -> String {
    let nodes = post_order(root);
    let book = bookkeeping(root);
    if book * 2 > per_task {
        // Too many small blocks under a reduction: suggest larger ones.
        let worst = nodes
            .iter()
            .filter(|n| matches!(n.op, Op::Reduce { .. }))
            .max_by_key(|n| n.inputs[0].n_chunks())
            .expect("bookkeeping comes from a reduction");
        let input = &worst.inputs[0];
        let factor = (book as f64 / (limit as f64 / 4.0)).ceil().max(2.0);
        let suggested = scale_blocks(input, factor);
        return format!(
            "the plan does not fit the memory limit of {}: reducing `{}` {} visits {} blocks, whose bookkeeping alone needs about {}; use larger blocks, e.g. chunks={}",
            human_bytes(limit),
            input.op_name(),
            type_of(input),
            input.n_chunks(),
            human_bytes(book),
            suggested
        );
    }
    // The first of the largest-block nodes in post order: the one nearest the sources,
    // where the user chose the chunks.
    let worst = nodes
        .iter()
        .rev()
        .max_by_key(|n| n.max_chunk_bytes())
        .expect("a plan has a node");
    let factor = (per_task as f64 / (limit as f64 / 2.0)).max(2.0);
    let suggested = scale_blocks(worst, 1.0 / factor);
    format!(
        "the plan does not fit the memory limit of {}: one task needs about {}, mostly blocks of `{}` {} ({} each); use smaller blocks, e.g. chunks={} (or raise --memory-limit)",
        human_bytes(limit),
        human_bytes(per_task),
        worst.op_name(),
        type_of(worst),
        human_bytes(worst.max_chunk_bytes()),
        suggested
    )
}

fn type_of(node: &Node) -> String {
    crate::sema::dtype::type_text(
        node.dtype,
        &node.shape.iter().map(|&d| Some(d)).collect::<Vec<_>>(),
    )
}

/// The node's largest block with its element count scaled by `factor`, spread evenly over
/// the axes, as a `chunks=` argument.
fn scale_blocks(node: &Node, factor: f64) -> String {
    let nd = node.shape.len().max(1);
    let per_axis = factor.powf(1.0 / nd as f64);
    let lens: Vec<String> = node
        .chunks
        .iter()
        .zip(&node.shape)
        .map(|(c, &n)| {
            let block = c.iter().copied().max().unwrap_or(1) as f64;
            ((block * per_axis).floor() as usize)
                .clamp(1, n.max(1))
                .to_string()
        })
        .collect();
    if lens.len() == 1 {
        lens[0].clone()
    } else {
        format!("({})", lens.join(", "))
    }
}

/// Elements the plan generates and reads, following how often each node is pulled: a
/// slice pulls its share of its input, a broadcast operand is pulled once per output block
/// along the axes it is broadcast on, everything else pulls its input once per pull.
fn demand(root: &NodeRef) -> (u64, u64) {
    let order = post_order(root);
    let barriers: std::collections::HashSet<*const Node> =
        crate::opt::barriers::collect_barriers(root)
            .iter()
            .map(Arc::as_ptr)
            .collect();
    // How many times each element of a node is pulled.
    let mut times: HashMap<*const Node, f64> = HashMap::new();
    times.insert(Arc::as_ptr(root), 1.0);
    let (mut generated, mut read) = (0f64, 0f64);
    for node in order.iter().rev() {
        let mut t = times.get(&Arc::as_ptr(node)).copied().unwrap_or(0.0);
        if barriers.contains(&Arc::as_ptr(node)) && t > 0.0 {
            t = 1.0;
        }
        let elems = node.size() as f64;
        match &node.op {
            Op::Source(Source::External(_)) => read += t * elems,
            Op::Source(Source::Full(_) | Source::Data(_)) => {}
            Op::Source(_) => generated += t * elems,
            _ => {}
        }
        for input in &node.inputs {
            let factor = match &node.op {
                Op::Map { .. } | Op::Fused(_) => broadcast_repeats(node, input),
                Op::Slice(_) | Op::BroadcastTo => elems / (input.size().max(1) as f64),
                _ => 1.0,
            };
            *times.entry(Arc::as_ptr(input)).or_insert(0.0) += t * factor;
        }
    }
    (generated as u64, read as u64)
}

/// How many times an element-wise op pulls each element of `input`: once per output block
/// along each axis `input` is broadcast on.
fn broadcast_repeats(node: &Node, input: &Node) -> f64 {
    let off = node.shape.len() - input.shape.len();
    let mut r = 1.0;
    for k in 0..node.shape.len() {
        let broadcast = k < off || (input.shape[k - off] == 1 && node.shape[k] != 1);
        if broadcast {
            r *= node.chunks[k].len().max(1) as f64;
        }
    }
    r
}

/// Projected bytes one task of `node` holds at once: its output block plus the blocks of
/// every node it pulls, each counted once however many consumers share it (the graph is a
/// DAG: a loop that uses its previous value twice per step is as many nodes as steps, not
/// 2^steps). Under a reduction, blocks are pulled in pieces of at most `SUB_BLOCK_ELEMS`
/// elements, so nodes there count at most one piece; under a slice, at most the slice's
/// block. The walk keeps its own stack, so any depth of graph is planned.
pub fn projected_task_bytes(node: &NodeRef) -> usize {
    let mut seen: std::collections::HashSet<(*const Node, Option<usize>)> = Default::default();
    let mut stack: Vec<(&NodeRef, Option<usize>)> = vec![(node, None)];
    let mut total = 0usize;
    while let Some((node, cap)) = stack.pop() {
        if !seen.insert((Arc::as_ptr(node), cap)) {
            continue;
        }
        let mut own = node.max_chunk_bytes();
        if let Some(elems) = cap {
            own = own.min(elems.saturating_mul(node.dtype.size()));
        }
        total = total.saturating_add(own);
        let below = match node.op {
            Op::Reduce { .. } => Some(SUB_BLOCK_ELEMS),
            // A slice pulls only the elements it keeps: its input's region is no larger
            // than its own block.
            Op::Slice(_) => {
                let own_elems = own / node.dtype.size().max(1);
                Some(cap.map_or(own_elems, |c| c.min(own_elems)))
            }
            _ => cap,
        };
        if !matches!(node.op, Op::Source(_)) {
            stack.extend(node.inputs.iter().map(|i| (i, below)));
        }
    }
    total
}
