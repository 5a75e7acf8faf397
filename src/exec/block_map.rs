//! Block-wise first passes of data-dependent operations (`unique`, `nonzero`, `topk`): each
//! block of the input is computed and at once reduced by the caller's function to a small
//! result (its distinct values, its non-zero positions, its k best per lane), so the input is
//! never held whole — only one block per worker and the small results. Under MPI each rank
//! computes and reduces the blocks it owns and only the small results travel (every rank
//! receives all of them, in block order, and finishes the operation itself), so the work and
//! the memory of the pass are divided between the ranks.

use crate::data::Data;
use crate::exec::dist::wire::Wire;
use crate::exec::region::{Region, eval};
use crate::exec::{
    ExecConfig, ExecCtx, ExecError, RunReport, check_tasks, chunk_regions, finish_report,
    in_parallel, materialise_barriers, planned_tasks,
};
use crate::graph::node::NodeRef;
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

/// A block's reduction: given where the block starts (per axis) and its data, its small
/// result, or a message.
pub type BlockReducer<'a, T> = dyn Fn(&[usize], Data) -> Result<T, String> + Sync + 'a;

/// Each block's start (per axis) and its result, in row-major block order.
pub type BlockResults<T> = Vec<(Vec<usize>, T)>;

/// Computes every block of `node` and reduces it with `reduce` (given where the block starts
/// in the array, per axis, and its data). Returns each block's start and result in row-major
/// block order
/// — the same on every rank and for any number of threads. An error from `reduce` stops the
/// pass as `ExecError::Invalid`. The results held (`bytes` of each) may not pass half the
/// memory limit: past it the pass stops with `ExecError::OutOfMemory` (a `topk` with a k
/// near the axis length, a `nonzero` of a mostly non-zero array).
pub fn map_blocks<T: Wire + Send>(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
    reduce: &BlockReducer<T>,
    bytes: &(dyn Fn(&T) -> usize + Sync),
) -> Result<(BlockResults<T>, RunReport), ExecError> {
    let started = Instant::now();
    let window = crate::alloc_stats::reset_peak();
    let mut ctx = ExecCtx::new(config.backend.clone(), cancel)
        .with_progress(config.progress.clone())
        .top_level();
    let plan = config.plan(node)?;
    ctx.watch(config, &plan, "compute");
    let root = &plan.root;
    let per_task = plan.memory.per_task;
    ctx.tasks_planned(planned_tasks(
        std::slice::from_ref(root),
        config.memory_limit,
    ));
    let materialised = materialise_barriers(config, &ctx, root, per_task)?;
    check_tasks(config, root, per_task)?;
    let regions = chunk_regions(root);
    let (held, budget) = (AtomicUsize::new(0), config.memory_limit / 2);
    let run = |region: &Region| -> Result<T, ExecError> {
        ctx.stats.tasks.fetch_add(1, Ordering::Relaxed);
        let _task = ctx.task(root);
        let data = eval(&ctx, root, region)?;
        let out = reduce(&block_start(region), data).map_err(ExecError::Invalid)?;
        let now = held.fetch_add(bytes(&out), Ordering::Relaxed) + bytes(&out);
        if now > budget {
            return Err(ExecError::OutOfMemory(format!(
                "the results kept from the blocks need more than {} (half the memory limit of {}); raise --memory-limit or ask for a smaller result",
                crate::exec::human_bytes(budget),
                crate::exec::human_bytes(config.memory_limit)
            )));
        }
        ctx.tasks_finished(1);
        Ok(out)
    };
    let parallel = (config.memory_limit / per_task.max(1)).clamp(1, config.threads.max(1));
    let results: Vec<T> = ctx.map_tasks(regions.len(), |range| {
        in_parallel(config, parallel, || {
            regions[range]
                .par_iter()
                .with_max_len(1)
                .map(run)
                .collect::<Result<_, _>>()
        })
    })?;
    let report = finish_report(&ctx, &plan, started, materialised, window);
    let starts = regions.iter().map(block_start);
    Ok((starts.zip(results).collect(), report))
}

/// Where a block (a chunk region, steps of 1) starts, per axis.
fn block_start(region: &Region) -> Vec<usize> {
    region.iter().map(|r| r.start as usize).collect()
}
