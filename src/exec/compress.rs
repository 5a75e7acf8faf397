//! Boolean-mask results (`x[mask]`, `Op::Compress`) in one pass. A mask result's length is
//! data-dependent, so the evaluator needs every mask block's count before it can build the
//! node. `mask_pass` computes, block by block, the mask and the kept rows of `x` together —
//! the work `x` and the mask share (`d[d > 0]`: all of `d`) once per block, through a
//! per-block memo of their shared nodes — and returns the node with the counts as its `?`
//! chunk sizes and the kept rows as pieces, so pulling the result later does not compute
//! the input again. Pieces are held while they fit a quarter of the memory limit (the
//! executor's share for data it keeps between tasks, as for materialised barriers); a block
//! whose piece did not fit is computed again when pulled (`eval_compress`), so memory stays
//! bounded whatever the result's size.

use crate::data::Data;
use crate::exec::region::{
    AxisRange, Region, concat_data, eval, full_region, region_shape, slice_data,
};
use crate::exec::{ExecConfig, ExecCtx, ExecError, RunReport, finish_report, materialise_barriers};
use crate::graph::build;
use crate::graph::node::{MaskPieces, Node, NodeRef, Op, Source};
use ndarray::Axis;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Blocks of the nodes that both `x` and the mask use, computed once per mask block. Nodes
/// are named by address (the graph being computed keeps them alive).
pub struct BlockMemo {
    nodes: HashSet<usize>,
    blocks: Mutex<HashMap<BlockKey, Slot>>,
}

/// A node (by address) and a region (start, step, length per axis).
type BlockKey = (usize, Vec<(i64, i64, usize)>);

enum Slot {
    /// Being computed by the call that inserted it (a nested call for the same block
    /// computes it directly).
    Computing,
    Ready(Data),
}

/// The block `region` of `node` from the memo of the running mask block, computing and
/// keeping it on first use; `None` when `node` is not memoised (the caller computes it).
pub fn shared_block(
    ctx: &ExecCtx,
    node: &NodeRef,
    region: &Region,
) -> Result<Option<Data>, ExecError> {
    let Some(memo) = &ctx.memo else {
        return Ok(None);
    };
    let ptr = Arc::as_ptr(node) as usize;
    if !memo.nodes.contains(&ptr) {
        return Ok(None);
    }
    let key = (
        ptr,
        region
            .iter()
            .map(|r| (r.start, r.step, r.len))
            .collect::<Vec<_>>(),
    );
    {
        let mut blocks = memo
            .blocks
            .lock()
            .map_err(|_| ExecError::Internal("mask memo poisoned".into()))?;
        match blocks.get(&key) {
            Some(Slot::Ready(d)) => return Ok(Some(d.clone())),
            Some(Slot::Computing) => return Ok(None),
            None => {
                blocks.insert(key.clone(), Slot::Computing);
            }
        }
    }
    let data = eval(ctx, node, region)?;
    let mut blocks = memo
        .blocks
        .lock()
        .map_err(|_| ExecError::Internal("mask memo poisoned".into()))?;
    blocks.insert(key, Slot::Ready(data.clone()));
    Ok(Some(data))
}

/// The nodes both `x` and `mask` use whose blocks are worth keeping for the block being
/// computed: the shared nodes that a non-shared node (or a root) reads. Nodes below them are
/// reached only through them, and in-memory data needs no memo.
fn shared_frontier(x: &NodeRef, mask: &NodeRef) -> HashSet<usize> {
    fn reach(n: &NodeRef, seen: &mut HashMap<usize, NodeRef>) {
        if seen.insert(Arc::as_ptr(n) as usize, n.clone()).is_none() {
            for i in &n.inputs {
                reach(i, seen);
            }
        }
    }
    let (mut rx, mut rm) = (HashMap::new(), HashMap::new());
    reach(x, &mut rx);
    reach(mask, &mut rm);
    let shared: HashSet<usize> = rx.keys().filter(|k| rm.contains_key(*k)).copied().collect();
    let mut frontier = HashSet::new();
    for root in [x, mask] {
        if shared.contains(&(Arc::as_ptr(root) as usize)) {
            frontier.insert(Arc::as_ptr(root) as usize);
        }
    }
    for (ptr, node) in rx.iter().chain(rm.iter()) {
        if shared.contains(ptr) {
            continue;
        }
        for input in &node.inputs {
            if shared.contains(&(Arc::as_ptr(input) as usize)) {
                frontier.insert(Arc::as_ptr(input) as usize);
            }
        }
    }
    frontier.retain(|p| {
        let node = rx.get(p).or_else(|| rm.get(p));
        !node.is_some_and(|n| matches!(n.op, Op::Source(Source::Data(_))))
    });
    frontier
}

/// The kept rows of mask block `lo..lo+len`, with `rest` selecting the other axes of `x`:
/// the mask and `x` are computed over the same block with a memo of their shared nodes.
fn compress_block(
    ctx: &ExecCtx,
    shared: &HashSet<usize>,
    x: &NodeRef,
    mask: &NodeRef,
    (lo, len): (usize, usize),
    rest: &[AxisRange],
) -> Result<(Vec<usize>, Data), ExecError> {
    let block = ExecCtx::new(ctx.backend.clone(), ctx.cancel.clone());
    if let (Ok(src), Ok(mut dst)) = (ctx.cache.lock(), block.cache.lock()) {
        dst.extend(src.iter().map(|(k, v)| (*k, v.clone())));
    }
    let block = ExecCtx {
        memo: (!shared.is_empty()).then(|| BlockMemo {
            nodes: shared.clone(),
            blocks: Mutex::new(HashMap::new()),
        }),
        ..block
    };
    let result = (|| {
        let m = eval(&block, mask, &vec![AxisRange::span(lo, len)])?;
        let keep: Vec<usize> = match &m {
            Data::Bool(a) => a
                .iter()
                .enumerate()
                .filter(|(_, v)| **v)
                .map(|(i, _)| i)
                .collect(),
            other => other
                .to_f64_vec()
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(i, _)| i)
                .collect(),
        };
        let mut region = vec![AxisRange::span(lo, len)];
        region.extend(rest.iter().copied());
        let mut shape = region_shape(&region);
        shape[0] = keep.len();
        if keep.is_empty() {
            return Ok((keep, Data::zeros(x.dtype, &shape)));
        }
        // The whole block of `x`, so its shared nodes are the blocks the mask computed.
        let rows = eval(&block, x, &region)?;
        let piece = if keep.len() == len {
            rows
        } else {
            map_data!(rows, a => a.select(Axis(0), &keep))
        };
        Ok((keep, piece))
    })();
    for (to, from) in [
        (&ctx.stats.tasks, &block.stats.tasks),
        (&ctx.stats.generated, &block.stats.generated),
        (&ctx.stats.read, &block.stats.read),
    ] {
        to.fetch_add(from.load(Ordering::Relaxed), Ordering::Relaxed);
    }
    result
}

/// `x[mask]` along axis 0 (`x` of shape (n, ...), `mask` 1-D bool of length n) in one pass:
/// counts every mask block and keeps its rows as the node's pieces while they fit a quarter
/// of the memory limit. Returns the `Op::Compress` node (over the unoptimised `x` and `mask`,
/// so the node joins later plans like any other) and the pass's report.
pub fn mask_pass(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    x: &NodeRef,
    mask: &NodeRef,
) -> Result<(NodeRef, RunReport), ExecError> {
    let started = Instant::now();
    let window = crate::alloc_stats::reset_peak();
    let mut ctx = ExecCtx::new(config.backend.clone(), cancel)
        .with_progress(config.progress.clone())
        .top_level();
    // One plan for both, so the optimiser merges the work they share.
    let pack = Arc::new(Node {
        op: Op::Pack,
        inputs: vec![x.clone(), mask.clone()],
        dtype: crate::sema::dtype::DType::Bool,
        shape: Vec::new(),
        chunks: Vec::new(),
    });
    let plan = config.plan(&pack)?;
    let (xp, mp) = (&plan.root.inputs[0], &plan.root.inputs[1]);
    ctx.watch(config, &plan, "compress");
    let per_task = plan.memory.per_task;
    ctx.tasks_planned(mp.chunks[0].len() as u64);
    // Barriers each side pulls repeatedly; those both sides share are memoised per block.
    let materialised = materialise_barriers(config, &ctx, xp, per_task)?
        + materialise_barriers(config, &ctx, mp, per_task)?;
    let shared = shared_frontier(xp, mp);
    let mut blocks = Vec::with_capacity(mp.chunks[0].len());
    let mut lo = 0;
    for &len in &mp.chunks[0] {
        blocks.push((lo, len));
        lo += len;
    }
    let rest = full_region(&xp.shape[1..]);
    let hold_limit = config.memory_limit / 4;
    let held = AtomicUsize::new(0);
    let run = |&(lo, len): &(usize, usize)| -> Result<(usize, Option<Arc<Data>>), ExecError> {
        ctx.stats.tasks.fetch_add(1, Ordering::Relaxed);
        let _task = ctx.task(mp);
        let (keep, piece) = compress_block(&ctx, &shared, xp, mp, (lo, len), &rest)?;
        ctx.tasks_finished(1);
        let bytes = piece.nbytes();
        let fits = held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
                (h + bytes <= hold_limit).then_some(h + bytes)
            })
            .is_ok();
        Ok((keep.len(), fits.then(|| Arc::new(piece))))
    };
    let parallel = (config.memory_limit / per_task.max(1)).clamp(1, config.threads.max(1));
    // Under MPI each rank passes over the mask blocks it owns and keeps their pieces; only
    // the counts are shared (a rank computes another rank's piece again if it needs it).
    let place = crate::exec::dist::place();
    let shared_out = ctx.is_collective() && blocks.len() > 1;
    let mine = if shared_out {
        crate::exec::dist::owned(blocks.len(), place.rank, place.size)
    } else {
        0..blocks.len()
    };
    type Passed = Vec<(usize, Option<Arc<Data>>)>;
    let results: Result<Passed, ExecError> = ctx.local(|| {
        crate::exec::in_parallel(config, parallel, || {
            blocks[mine.clone()]
                .par_iter()
                .map(run)
                .collect::<Result<_, _>>()
        })
    });
    let (counts, mut pieces): (Vec<usize>, Vec<Option<Arc<Data>>>) = if shared_out {
        let my_counts: Result<Vec<usize>, ExecError> = match &results {
            Ok(r) => Ok(r.iter().map(|(c, _)| *c).collect()),
            Err(e) => Err(e.clone()),
        };
        let mut counts = Vec::with_capacity(blocks.len());
        for bytes in crate::exec::dist::all_gather(crate::exec::dist::wire::encode(&my_counts)) {
            counts.extend(crate::exec::dist::wire::decode::<
                Result<Vec<usize>, ExecError>,
            >(&bytes)??);
        }
        let mut pieces: Vec<Option<Arc<Data>>> = vec![None; blocks.len()];
        for (slot, (_, piece)) in pieces[mine].iter_mut().zip(results?) {
            *slot = piece;
        }
        (counts, pieces)
    } else {
        results?.into_iter().unzip()
    };
    // Pieces held together stay within the limit (ranks each held up to it).
    let mut kept = 0usize;
    for piece in pieces.iter_mut() {
        if let Some(p) = piece {
            if kept + p.nbytes() > hold_limit {
                *piece = None;
            } else {
                kept += p.nbytes();
            }
        }
    }
    let node = build::compress(
        x.clone(),
        mask.clone(),
        &counts,
        MaskPieces { blocks: pieces },
    );
    let report = finish_report(&ctx, &plan, started, materialised, window);
    Ok((node, report))
}

/// Evaluates `region` of a compress node: the rows of each overlapping mask block come from
/// its held piece, or are computed again (mask and `x` together, as in `mask_pass`).
pub fn eval_compress(
    ctx: &ExecCtx,
    node: &NodeRef,
    starts: &[usize],
    pieces: &MaskPieces,
    region: &Region,
) -> Result<Data, ExecError> {
    let (x, mask) = (&node.inputs[0], &node.inputs[1]);
    let rows = region[0];
    let (lo, hi) = rows.bounds();
    let (lo, hi) = (lo as usize, hi as usize + 1);
    let mut shared: Option<HashSet<usize>> = None;
    let mut parts = Vec::new();
    let mut mask_lo = 0usize;
    for (b, &len) in mask.chunks[0].iter().enumerate() {
        let (out_lo, out_hi) = (starts[b], starts[b + 1]);
        if out_hi > lo && out_lo < hi && len > 0 {
            let take_from = lo.saturating_sub(out_lo);
            let take_to = (hi - out_lo).min(out_hi - out_lo);
            let held = pieces.blocks.get(b).and_then(|p| p.clone());
            let piece = match held {
                Some(piece) => {
                    let mut sel = vec![AxisRange::span(0, piece.shape()[0])];
                    sel.extend(region[1..].iter().copied());
                    slice_data(&piece, &sel)
                }
                None => {
                    let shared = shared.get_or_insert_with(|| shared_frontier(x, mask));
                    compress_block(ctx, shared, x, mask, (mask_lo, len), &region[1..])?.1
                }
            };
            let mut take = full_region(piece.shape());
            take[0] = AxisRange::span(take_from, take_to - take_from);
            parts.push(slice_data(&piece, &take));
        }
        mask_lo += len;
    }
    let mut shape = region_shape(region);
    shape[0] = hi - lo;
    let joined = concat_data(parts, 0, node.dtype, &shape);
    let mut sel = full_region(joined.shape());
    sel[0] = AxisRange {
        start: rows.start - lo as i64,
        step: rows.step,
        len: rows.len,
    };
    Ok(slice_data(&joined, &sel))
}
