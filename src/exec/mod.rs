//! The chunked executor: one task per output chunk on a rayon pool, barrier nodes
//! (reductions and scans feeding other work) computed once first, a byte budget that limits
//! how many tasks run at once, cancellation, and statistics for `--verbose`.

pub mod block_map;
pub mod block_slabs;
pub mod blocks;
pub mod compress;
pub mod constant;
pub mod dist;
pub mod events;
pub mod extsort;
pub mod held;
pub mod linalg;
pub mod plan;
pub mod plan_svg;
pub mod reduce;
pub mod region;
pub mod scan;
pub mod select;
pub mod sources;

use crate::backend::Backend;
use crate::data::Data;
use crate::exec::region::{AxisRange, Region, concat_data, eval};
use crate::graph::build;
use crate::graph::node::{Node, NodeRef, Op, Source};
pub use crate::opt::barriers::collect_barriers;
pub use crate::opt::memory::projected_task_bytes;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why a computation stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum ExecError {
    /// Ctrl-C or a cancel request.
    Cancelled,
    /// The plan cannot fit the memory limit.
    OutOfMemory(String),
    /// An index array holds a value outside its axis.
    IndexOutOfRange(String),
    /// Reading or writing outside data failed.
    Io(String),
    /// A computed value is not valid for an operation (a histogram range that is not
    /// finite, bins that are not monotone).
    Invalid(String),
    /// An optimiser pass broke the graph (a bug in Arr, caught by verification).
    Internal(String),
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecError::Cancelled => f.write_str("computation cancelled"),
            ExecError::OutOfMemory(m)
            | ExecError::IndexOutOfRange(m)
            | ExecError::Io(m)
            | ExecError::Invalid(m) => f.write_str(m),
            ExecError::Internal(m) => write!(f, "internal error (please report): {m}"),
        }
    }
}

/// Counters for `--verbose`.
#[derive(Default, Debug)]
pub struct Stats {
    /// Output-chunk tasks run.
    pub tasks: AtomicU64,
    /// Elements produced by sources.
    pub generated: AtomicU64,
    /// Elements read from outside sources.
    pub read: AtomicU64,
}

impl Stats {
    /// Counts generated elements.
    pub fn add_generated(&self, n: u64) {
        self.generated.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts elements read from outside sources.
    pub fn add_read(&self, n: u64) {
        self.read.fetch_add(n, Ordering::Relaxed);
    }
}

/// Settings of the executor.
#[derive(Clone)]
pub struct ExecConfig {
    /// Worker threads.
    pub threads: usize,
    /// Byte budget for data held at once.
    pub memory_limit: usize,
    /// The backend running kernels.
    pub backend: Arc<dyn Backend>,
    /// Run the optimiser's passes (`--no-opt` turns them off).
    pub optimise: bool,
    /// Where progress events go (the dashboard); `None` costs nothing.
    pub events: Option<events::SinkRef>,
    /// Plans printed by `explain` show each kernel's text (`explain(x, kernels=true)`,
    /// `arr explain --kernels`).
    pub explain_kernels: bool,
    /// Where a progress display follows the computation (tasks done of planned), if any.
    pub progress: Option<Arc<TaskProgress>>,
}

/// Tasks finished and planned by the running computation, read by progress displays from
/// another thread. The plan's count is an estimate (`planned_tasks`): `done` may pass it
/// when a reduction inside a task is pulled more than once, so displays clamp.
#[derive(Default, Debug)]
pub struct TaskProgress {
    /// Tasks finished (output blocks, and blocks reduced into partials).
    pub done: AtomicU64,
    /// Tasks the computation is expected to run.
    pub total: AtomicU64,
    /// Bytes a store has written (its blocks' in-memory size), on every rank.
    pub written: AtomicU64,
}

/// The tasks a computation of `roots` is expected to run: each root's output blocks (or, for
/// a reduction, the blocks it reduces), every reduction's blocks below them, and the blocks of
/// scans that are computed first as barriers (those fitting a quarter of `limit`).
pub fn planned_tasks(roots: &[NodeRef], limit: usize) -> u64 {
    use crate::opt::memory::task_count;
    let mut seen: std::collections::HashSet<*const Node> = std::collections::HashSet::new();
    let mut total = 0u64;
    let mut stack: Vec<&NodeRef> = Vec::new();
    for root in roots {
        if seen.insert(Arc::as_ptr(root)) {
            total += task_count(root);
            stack.extend(root.inputs.iter());
        }
    }
    while let Some(n) = stack.pop() {
        if !seen.insert(Arc::as_ptr(n)) {
            continue;
        }
        match n.op {
            Op::Reduce { .. } => total += task_count(n),
            Op::Scan { .. } if n.nbytes() <= limit / 4 => total += n.n_chunks() as u64,
            _ => {}
        }
        stack.extend(n.inputs.iter());
    }
    total
}

/// The backend computations run on unless the session chooses another.
pub fn default_backend() -> Arc<dyn Backend> {
    crate::backend::of_kind(crate::backend::BackendKind::default())
}

impl ExecConfig {
    /// The optimised plan of `node` under these settings, or why it cannot run.
    pub fn plan(&self, node: &NodeRef) -> Result<crate::opt::Plan, ExecError> {
        use crate::opt::PlanError;
        crate::opt::optimise(
            node,
            self.optimise,
            self.memory_limit,
            self.threads,
            &crate::opt::Context {
                map_of_fills: &constant::map_of_fills,
            },
        )
        .map_err(|e| match e {
            PlanError::Broken(m) => ExecError::Internal(m),
            PlanError::DoesNotFit(m) => ExecError::OutOfMemory(m),
        })
    }
}

/// Everything one computation needs.
pub struct ExecCtx {
    /// The backend.
    pub backend: Arc<dyn Backend>,
    /// Counters.
    pub stats: Arc<Stats>,
    /// Set to stop the computation.
    pub cancel: Arc<AtomicBool>,
    cache: Mutex<HashMap<*const Node, Arc<Data>>>,
    /// While one mask block is computed (`compress`): blocks of the nodes shared by `x`
    /// and the mask.
    memo: Option<compress::BlockMemo>,
    /// The running totals of scans (`scan::Carries`), so each block of a scan's input is
    /// visited a bounded number of times whatever the number of blocks.
    scan_carries: scan::Carries,
    events: Option<Arc<events::RunEvents>>,
    progress: Option<Arc<TaskProgress>>,
    /// The kernel cache's counters when the computation started.
    kernels_at_start: crate::backend::cache::CacheStats,
    /// Under MPI: whether the thread running the program's top level is at a point where
    /// every rank takes part in exchanges (`dist`). Off inside the tasks a rank runs alone
    /// (`local`), so nested work never starts an exchange the other ranks do not join.
    collective: AtomicBool,
}

// The cache keys are only compared, never dereferenced, and the nodes they name are kept alive
// by the graph being computed.
unsafe impl Send for ExecCtx {}
// Safety: as above; all interior mutability is behind a Mutex or atomics.
unsafe impl Sync for ExecCtx {}

impl ExecCtx {
    /// A context for one computation.
    pub fn new(backend: Arc<dyn Backend>, cancel: Arc<AtomicBool>) -> ExecCtx {
        ExecCtx {
            backend,
            stats: Arc::default(),
            cancel,
            cache: Mutex::new(HashMap::new()),
            memo: None,
            scan_carries: Default::default(),
            events: None,
            kernels_at_start: crate::backend::cache::stats(),
            progress: None,
            collective: AtomicBool::new(false),
        }
    }

    /// The same context at the top level of a computation that every rank runs (under MPI:
    /// its tasks are shared out between the ranks).
    pub fn top_level(self) -> ExecCtx {
        self.collective.store(dist::shares_work(), Ordering::SeqCst);
        self
    }

    /// Whether tasks started here are shared out between MPI ranks.
    pub fn is_collective(&self) -> bool {
        self.collective.load(Ordering::SeqCst)
    }

    /// Runs `f` as work this rank does alone: exchanges nested in it are not started.
    pub fn local<T>(&self, f: impl FnOnce() -> T) -> T {
        let was = self.collective.swap(false, Ordering::SeqCst);
        let out = f();
        if was {
            self.collective.store(true, Ordering::SeqCst);
        }
        out
    }

    /// Runs tasks `0..n` through `run` (which computes a contiguous range of them, in
    /// order). At a collective point under MPI each rank runs the range it owns and the
    /// results are exchanged, so every rank returns all `n` results, in order; the first
    /// error in task order (or rank order) is every rank's error.
    pub fn map_tasks<T: dist::wire::Wire>(
        &self,
        n: usize,
        run: impl FnOnce(std::ops::Range<usize>) -> Result<Vec<T>, ExecError>,
    ) -> Result<Vec<T>, ExecError> {
        if !self.is_collective() || n <= 1 {
            return self.local(|| run(0..n));
        }
        let place = dist::place();
        let mine = self.local(|| run(dist::owned(n, place.rank, place.size)));
        let all = dist::all_gather(dist::wire::encode(&mine));
        let mut out = Vec::with_capacity(n);
        for bytes in all {
            out.extend(dist::wire::decode::<Result<Vec<T>, ExecError>>(&bytes)??);
        }
        Ok(out)
    }

    /// Runs tasks `0..n` through `run`, which computes a contiguous range of them and folds
    /// them into one result. At a collective point under MPI each rank folds the range it
    /// owns and every rank receives every rank's result, in rank order (so a fold that is
    /// combined in that order gives the same value on every rank); otherwise one result. The
    /// first error in rank order is every rank's error.
    pub fn fold_tasks<T: dist::wire::Wire>(
        &self,
        n: usize,
        run: impl FnOnce(std::ops::Range<usize>) -> Result<T, ExecError>,
    ) -> Result<Vec<T>, ExecError> {
        if !self.is_collective() || n <= 1 {
            return Ok(vec![self.local(|| run(0..n))?]);
        }
        let place = dist::place();
        let mine = self.local(|| run(dist::owned(n, place.rank, place.size)));
        dist::all_gather(dist::wire::encode(&mine))
            .iter()
            .map(|bytes| dist::wire::decode::<Result<T, ExecError>>(bytes)?)
            .collect()
    }

    /// The same context, reporting finished tasks to `progress`.
    pub fn with_progress(mut self, progress: Option<Arc<TaskProgress>>) -> ExecCtx {
        self.progress = progress;
        self
    }

    /// Adds `n` to the tasks a progress display expects.
    pub fn tasks_planned(&self, n: u64) {
        if let Some(p) = &self.progress {
            p.total.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts `n` finished tasks for the progress display.
    pub fn tasks_finished(&self, n: u64) {
        if let Some(p) = &self.progress {
            p.done.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts `bytes` of blocks written by other ranks for the progress display.
    fn written_elsewhere(&self, bytes: u64) {
        if let Some(p) = &self.progress {
            p.written.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// Fails if the computation was cancelled.
    pub fn check_cancelled(&self) -> Result<(), ExecError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(ExecError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The materialised value of a node, if it was computed already.
    pub fn cached(&self, node: &NodeRef) -> Option<Arc<Data>> {
        let cache = self.cache.lock().ok()?;
        cache.get(&Arc::as_ptr(node)).cloned()
    }

    fn store(&self, node: &NodeRef, data: Arc<Data>) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(Arc::as_ptr(node), data);
        }
    }
}

/// What `--verbose` reports about one computation.
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    /// Tasks run.
    pub tasks: u64,
    /// Kernels in the plan.
    pub kernels: usize,
    /// Elements generated by sources.
    pub generated: u64,
    /// Elements read from files.
    pub read: u64,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Barrier nodes materialised first.
    pub materialised: usize,
    /// Projected peak bytes of the schedule.
    pub projected_peak: usize,
    /// The backend, and what the kernel cache did during the run: kernels compiled, time
    /// compiling, cache hits, kernels the JIT could not compile (run on the interpreter).
    pub backend: &'static str,
    pub compiled: crate::backend::cache::CacheStats,
    /// Heap bytes allocated, peak held and largest single allocation during the run (when
    /// the counting allocator is installed).
    pub memory: Option<crate::alloc_stats::Window>,
    /// Under MPI: each rank's tasks, elements generated and elements read (this rank's
    /// counts are the fields above); empty for one process.
    pub ranks: Vec<(u64, u64, u64)>,
}

impl RunReport {
    /// The `--verbose` line.
    pub fn summary(&self) -> String {
        let mem = match &self.memory {
            Some(w) => format!(
                "{} allocated, peak {} held (largest block {}), ",
                human_bytes(w.allocated),
                human_bytes(w.peak_extra),
                human_bytes(w.largest)
            ),
            None => String::new(),
        };
        format!(
            "{} tasks, {} kernel(s), {} elements generated, {} read, {} barrier(s) materialised, projected peak {}, {mem}{:.3} s",
            self.tasks,
            self.kernels,
            self.generated,
            self.read,
            self.materialised,
            human_bytes(self.projected_peak),
            self.seconds
        ) + &format!(
            "; {}: compiled {} (+{} vector loops) in {:.1} ms, {} cache hits, {} interpreter fallbacks",
            self.backend,
            self.compiled.compiled,
            self.compiled.vector_loops,
            self.compiled.compile_ns as f64 / 1e6,
            self.compiled.hits,
            self.compiled.fallbacks
        ) + &if self.ranks.len() > 1 {
            let each = |f: fn(&(u64, u64, u64)) -> u64| {
                self.ranks
                    .iter()
                    .map(|r| f(r).to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            };
            format!(
                "; per rank: tasks {}, generated {}, read {}",
                each(|r| r.0),
                each(|r| r.1),
                each(|r| r.2)
            )
        } else {
            String::new()
        } + &if self.compiled.fallbacks > 0 {
            format!(" ({})", crate::backend::cache::fallback_notes().join("; "))
        } else {
            String::new()
        }
    }
}

/// Computes `node` fully into memory.
pub fn compute(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
) -> Result<(Data, RunReport), ExecError> {
    let started = Instant::now();
    let window = crate::alloc_stats::reset_peak();
    let mut ctx = ExecCtx::new(config.backend.clone(), cancel)
        .with_progress(config.progress.clone())
        .top_level();
    if node.nbytes() > config.memory_limit {
        return Err(ExecError::OutOfMemory(format!(
            "the result needs {} but the memory limit is {}; reduce it, slice it, or store it with to_npy/to_hdf5",
            human_bytes(node.nbytes()),
            human_bytes(config.memory_limit)
        )));
    }
    let plan = config.plan(node)?;
    ctx.watch(config, &plan, "compute");
    let node = &plan.root;
    let per_task = plan.memory.per_task;
    ctx.tasks_planned(planned_tasks(
        std::slice::from_ref(node),
        config.memory_limit,
    ));
    let materialised = materialise_barriers(config, &ctx, node, per_task)?;
    let data = run_tasks(config, &ctx, node, per_task)?;
    let report = finish_report(&ctx, &plan, started, materialised, window);
    Ok((data, report))
}

/// Computes once, first, the barriers (reductions and scans) under `root` whose results
/// would otherwise be pulled more than once, when they fit a quarter of the memory limit;
/// returns how many were materialised.
fn materialise_barriers(
    config: &ExecConfig,
    ctx: &ExecCtx,
    root: &NodeRef,
    per_task: usize,
) -> Result<usize, ExecError> {
    let mut materialised = 0;
    for barrier in &collect_barriers(root) {
        if barrier.nbytes() <= config.memory_limit / 4 && ctx.cached(barrier).is_none() {
            let data = run_tasks(config, ctx, barrier, per_task)?;
            ctx.store(barrier, Arc::new(data));
            materialised += 1;
        }
    }
    Ok(materialised)
}

fn finish_report(
    ctx: &ExecCtx,
    plan: &crate::opt::Plan,
    started: Instant,
    materialised: usize,
    window: Option<crate::alloc_stats::Snapshot>,
) -> RunReport {
    ctx.finish_events();
    let mine = (
        ctx.stats.tasks.load(Ordering::Relaxed),
        ctx.stats.generated.load(Ordering::Relaxed),
        ctx.stats.read.load(Ordering::Relaxed),
    );
    // Every rank reaches here together (a collective computation that succeeded).
    let ranks = if ctx.is_collective() {
        dist::all_gather(dist::wire::encode(&vec![mine.0, mine.1, mine.2]))
            .iter()
            .map(|b| match dist::wire::decode::<Vec<u64>>(b).as_deref() {
                Ok([t, g, r]) => (*t, *g, *r),
                _ => (0, 0, 0),
            })
            .collect()
    } else {
        Vec::new()
    };
    RunReport {
        ranks,
        tasks: ctx.stats.tasks.load(Ordering::Relaxed),
        kernels: plan.kernels,
        generated: ctx.stats.generated.load(Ordering::Relaxed),
        read: ctx.stats.read.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
        materialised,
        projected_peak: plan.memory.schedule_peak,
        backend: ctx.backend.name(),
        compiled: {
            let (now, then) = (crate::backend::cache::stats(), ctx.kernels_at_start);
            crate::backend::cache::CacheStats {
                compiled: now.compiled - then.compiled,
                compile_ns: now.compile_ns - then.compile_ns,
                hits: now.hits - then.hits,
                fallbacks: now.fallbacks - then.fallbacks,
                vector_loops: now.vector_loops - then.vector_loops,
            }
        },
        memory: window.and_then(crate::alloc_stats::window_since),
    }
}

/// Computes several nodes together: one plan for all of them (so the optimiser merges
/// their shared work), and reductions of the same input over all its axes run as one pass
/// that reads each block once (`print(x.sum(), x.mean(), x.std())`). Results come back in
/// order, each bitwise what `compute` gives for it alone.
pub fn compute_many(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    nodes: &[NodeRef],
) -> Result<(Vec<Data>, RunReport), ExecError> {
    let started = Instant::now();
    let window = crate::alloc_stats::reset_peak();
    let mut ctx = ExecCtx::new(config.backend.clone(), cancel)
        .with_progress(config.progress.clone())
        .top_level();
    let total: usize = nodes.iter().map(|n| n.nbytes()).sum();
    if total > config.memory_limit {
        return Err(ExecError::OutOfMemory(format!(
            "the results need {} but the memory limit is {}",
            human_bytes(total),
            human_bytes(config.memory_limit)
        )));
    }
    let pack = Arc::new(Node {
        op: Op::Pack,
        inputs: nodes.to_vec(),
        dtype: crate::sema::dtype::DType::Bool,
        shape: Vec::new(),
        chunks: Vec::new(),
    });
    let plan = config.plan(&pack)?;
    ctx.watch(config, &plan, "compute");
    let roots = &plan.root.inputs;
    let per_task = plan.memory.per_task;
    ctx.tasks_planned(planned_tasks(roots, config.memory_limit));
    let materialised = materialise_barriers(config, &ctx, &plan.root, per_task)?;
    // Full reductions of one input: group them (by input node, after CSE).
    let mut results: Vec<Option<Data>> = vec![None; roots.len()];
    let full_reduction = |n: &NodeRef| match &n.op {
        Op::Reduce { axes, .. } => {
            axes.len() == n.inputs[0].shape.len() && n.n_chunks() == 1 && ctx.cached(n).is_none()
        }
        _ => false,
    };
    let mut done = vec![false; roots.len()];
    for i in 0..roots.len() {
        if done[i] || !full_reduction(&roots[i]) {
            continue;
        }
        let keepdims_of = |n: &NodeRef| matches!(n.op, Op::Reduce { keepdims: true, .. });
        let group: Vec<usize> = (i..roots.len())
            .filter(|&j| {
                !done[j]
                    && full_reduction(&roots[j])
                    && Arc::ptr_eq(&roots[j].inputs[0], &roots[i].inputs[0])
                    && keepdims_of(&roots[j]) == keepdims_of(&roots[i])
            })
            .collect();
        if group.len() < 2 {
            continue;
        }
        let members: Vec<NodeRef> = group.iter().map(|&j| roots[j].clone()).collect();
        // The group reads each block once: the other members' blocks are not run.
        if let Some(p) = &ctx.progress {
            let extra = (members.len() as u64 - 1) * crate::opt::memory::task_count(&members[0]);
            p.total.fetch_sub(
                extra.min(p.total.load(Ordering::Relaxed)),
                Ordering::Relaxed,
            );
        }
        let region = chunk_regions(&members[0]).pop().unwrap_or_default();
        let out = reduce::eval_reduce_many(&ctx, &members, &region)?;
        for (&j, d) in group.iter().zip(out) {
            results[j] = Some(d);
            done[j] = true;
        }
    }
    let mut out = Vec::with_capacity(roots.len());
    for (root, r) in roots.iter().zip(results) {
        out.push(match r {
            Some(d) => d,
            None => run_tasks(config, &ctx, root, per_task)?,
        });
    }
    let report = finish_report(&ctx, &plan, started, materialised, window);
    Ok((out, report))
}

/// The stack of each worker thread: evaluating a region recurses through the graph (a lazy
/// graph built by a long loop is as deep as the loop), so workers get room for deep graphs.
/// Only the pages touched are ever committed.
pub const WORKER_STACK_BYTES: usize = 512 << 20;

/// The most tasks one computation may have.
pub const MAX_TASKS: usize = 100_000_000;

/// The region of every block of `node`, in row-major block order.
pub fn chunk_regions(node: &Node) -> Vec<Region> {
    let mut regions: Vec<Region> = vec![Vec::new()];
    for axis_chunks in &node.chunks {
        let mut next = Vec::with_capacity(regions.len() * axis_chunks.len());
        for r in &regions {
            let mut lo = 0;
            for &c in axis_chunks {
                let mut nr = r.clone();
                nr.push(AxisRange::span(lo, c));
                next.push(nr);
                lo += c;
            }
        }
        regions = next;
    }
    regions
}

/// Refuses a node with more blocks than `MAX_TASKS` or whose one task needs more than the
/// memory limit, with the remedy.
fn check_tasks(config: &ExecConfig, node: &Node, per_task: usize) -> Result<(), ExecError> {
    if node.n_chunks() > MAX_TASKS {
        return Err(ExecError::OutOfMemory(format!(
            "`{}` has {} blocks, more than {MAX_TASKS} tasks; rechunk to larger blocks",
            node.op_name(),
            node.n_chunks()
        )));
    }
    if per_task > config.memory_limit {
        return Err(ExecError::OutOfMemory(format!(
            "one task of `{}` needs about {} but the memory limit is {}; use smaller chunks (for example rechunk to blocks of {} elements)",
            node.op_name(),
            human_bytes(per_task),
            human_bytes(config.memory_limit),
            (config.memory_limit / 8 / node.dtype.size().max(1)).max(1)
        )));
    }
    Ok(())
}

fn run_tasks(
    config: &ExecConfig,
    ctx: &ExecCtx,
    node: &NodeRef,
    per_task: usize,
) -> Result<Data, ExecError> {
    check_tasks(config, node, per_task)?;
    let regions = chunk_regions(node);
    // A reduction counts the blocks it reduces as its tasks (in `eval_reduce`).
    let counted = u64::from(!matches!(node.op, Op::Reduce { .. }));
    let run = |region: &Region| -> Result<Data, ExecError> {
        ctx.stats.tasks.fetch_add(counted, Ordering::Relaxed);
        let _task = (counted == 1).then(|| ctx.task(node));
        let data = eval(ctx, node, region)?;
        ctx.tasks_finished(counted);
        Ok(data)
    };
    let parallel = (config.memory_limit / per_task.max(1)).clamp(1, config.threads.max(1));
    let results: Vec<Data> = if regions.len() == 1 {
        // One task: it runs here, at the same level (a full reduction shares out its blocks).
        vec![run(&regions[0])?]
    } else {
        ctx.map_tasks(regions.len(), |range| {
            in_parallel(config, parallel, || {
                regions[range].par_iter().map(run).collect::<Result<_, _>>()
            })
        })?
    };
    Ok(assemble(node, results))
}

/// Runs `f` (a parallel loop) on the session's pool, or on a smaller pool of `parallel`
/// workers when the memory limit allows fewer tasks at once than there are threads.
pub(crate) fn in_parallel<T: Send>(
    config: &ExecConfig,
    parallel: usize,
    f: impl FnOnce() -> Result<T, ExecError> + Send,
) -> Result<T, ExecError> {
    if parallel >= config.threads.max(1) {
        return f();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(parallel)
        .stack_size(WORKER_STACK_BYTES)
        .build()
        .map_err(|e| ExecError::OutOfMemory(format!("cannot start workers: {e}")))?;
    pool.install(f)
}

/// Joins per-chunk results into one array, axis by axis.
fn assemble(node: &Node, parts: Vec<Data>) -> Data {
    let grid: Vec<usize> = node.chunks.iter().map(|c| c.len()).collect();
    join_blocks(&grid, node.dtype, &node.shape, parts)
}

/// Joins blocks given in row-major order of a grid of `grid[k]` blocks along axis `k` into
/// one array (the blocks' lengths may be any that line up); an empty array of `empty_shape`
/// when there are none.
pub fn join_blocks(
    grid: &[usize],
    dtype: crate::sema::dtype::DType,
    empty_shape: &[usize],
    mut parts: Vec<Data>,
) -> Data {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    // Parts are in row-major order of the grid: join the last axis first.
    let mut shape = vec![0; grid.len()];
    for axis in (0..grid.len()).rev() {
        let per = grid[axis];
        let mut next = Vec::with_capacity(parts.len() / per.max(1));
        let mut it = parts.into_iter();
        loop {
            let group: Vec<Data> = it.by_ref().take(per).collect();
            if group.is_empty() {
                break;
            }
            shape[axis] = group.iter().map(|g| g.shape()[axis]).sum();
            next.push(concat_data(group, axis, dtype, &shape));
        }
        parts = next;
    }
    parts
        .pop()
        .unwrap_or_else(|| Data::zeros(dtype, empty_shape))
}

/// Computes `node` block by block and hands each block to `sink` in row-major block order
/// (with its region), computing up to `threads` blocks ahead in parallel. Memory stays at a
/// few blocks however large the array: this is how stores stream (`to_npy`, `to_hdf5`).
/// The first error from the computation or from `sink` stops it. Every rank computes every
/// block (for sinks every rank needs, like an external sort's runs).
pub fn stream_chunks(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
    sink: &mut (dyn FnMut(&Region, Data) -> Result<(), String> + Send),
) -> Result<RunReport, ExecError> {
    stream_blocks(config, cancel, node, BlockSink::InOrder(sink), false)
}

/// Where a stream's blocks go.
pub enum BlockSink<'a> {
    /// One call per block, in row-major block order, never two at once (a file format
    /// written sequentially, a picture, a sort's runs).
    InOrder(&'a mut (dyn FnMut(&Region, Data) -> Result<(), String> + Send)),
    /// Called by the worker that computed the block, right away, in any order and from
    /// several threads at once: for writes of separate places (Zarr chunk files, npy
    /// regions), so encoding and writing run in parallel with no wave of blocks held.
    AnyThread(&'a (dyn Fn(&Region, Data) -> Result<(), String> + Sync)),
    /// As `AnyThread`; under MPI every rank calls its own sink (opened on the same folder or
    /// file) on the blocks it computed, so blocks never travel and every rank encodes and
    /// writes its share (Zarr chunk files, npy regions); the ranks agree on the outcome
    /// after each round of blocks.
    EachRank(&'a (dyn Fn(&Region, Data) -> Result<(), String> + Sync)),
}

impl BlockSink<'_> {
    fn call(&mut self, region: &Region, data: Data) -> Result<(), String> {
        match self {
            BlockSink::InOrder(f) => f(region, data),
            BlockSink::AnyThread(f) | BlockSink::EachRank(f) => f(region, data),
        }
    }
}

/// Blocks per thread a rank writes between two agreements of an `EachRank` stream: enough
/// that waiting for the slowest rank costs little, few enough that an error on one rank
/// stops the others soon.
const EACH_RANK_ROUND_PER_THREAD: usize = 4;

/// `stream_chunks` for stores: under MPI each rank computes its share of each wave of
/// blocks; with an `EachRank` sink every rank writes its own blocks and the ranks agree on
/// the outcome (the first failing rank's error is everyone's); otherwise the blocks travel to
/// rank 0, only rank 0 calls `sink` (in order, one at a time), and rank 0's outcome (the
/// sink's error, or any rank's computation error) is every rank's. In one process
/// `AnyThread` and `EachRank` sinks are called by the workers as blocks finish.
pub fn stream_chunks_to_writer(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
    sink: BlockSink,
) -> Result<RunReport, ExecError> {
    stream_blocks(config, cancel, node, sink, true)
}

fn stream_blocks(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
    mut sink: BlockSink,
    to_writer: bool,
) -> Result<RunReport, ExecError> {
    let started = Instant::now();
    let window = crate::alloc_stats::reset_peak();
    let mut ctx = ExecCtx::new(config.backend.clone(), cancel)
        .with_progress(config.progress.clone())
        .top_level();
    if !to_writer {
        ctx.collective.store(false, Ordering::SeqCst);
    }
    let plan = config.plan(node)?;
    ctx.watch(config, &plan, "store");
    let node = &plan.root;
    let per_task = plan.memory.per_task;
    ctx.tasks_planned(planned_tasks(
        std::slice::from_ref(node),
        config.memory_limit,
    ));
    let materialised = materialise_barriers(config, &ctx, node, per_task)?;
    if node.n_chunks() > MAX_TASKS {
        return Err(ExecError::OutOfMemory(format!(
            "`{}` has {} blocks, more than {MAX_TASKS} tasks; rechunk to larger blocks",
            node.op_name(),
            node.n_chunks()
        )));
    }
    let regions = chunk_regions(node);
    let wave = (config.memory_limit / per_task.max(1)).clamp(1, config.threads.max(1));
    let compute = |group: &[Region]| -> Result<Vec<Data>, ExecError> {
        ctx.local(|| {
            group
                .par_iter()
                .map(|r| {
                    ctx.stats.tasks.fetch_add(1, Ordering::Relaxed);
                    let _task = ctx.task(node);
                    let data = eval(&ctx, node, r)?;
                    ctx.tasks_finished(1);
                    Ok(data)
                })
                .collect()
        })
    };
    if !ctx.is_collective() {
        match &mut sink {
            BlockSink::InOrder(sink) => {
                for group in regions.chunks(wave) {
                    for (region, data) in group.iter().zip(compute(group)?) {
                        sink(region, data).map_err(ExecError::Io)?;
                    }
                }
            }
            BlockSink::AnyThread(sink) | BlockSink::EachRank(sink) => {
                // All blocks in one parallel loop (the pool runs `threads` at once), or
                // waves of `wave` where the memory limit allows fewer tasks at once.
                let span = if wave >= config.threads.max(1) {
                    regions.len().max(1)
                } else {
                    wave
                };
                for group in regions.chunks(span) {
                    ctx.local(|| {
                        group.par_iter().with_max_len(1).try_for_each(
                            |r| -> Result<(), ExecError> {
                                ctx.stats.tasks.fetch_add(1, Ordering::Relaxed);
                                let _task = ctx.task(node);
                                let data = eval(&ctx, node, r)?;
                                sink(r, data).map_err(ExecError::Io)?;
                                ctx.tasks_finished(1);
                                Ok(())
                            },
                        )
                    })?;
                }
            }
        }
    } else if let BlockSink::EachRank(write) = sink {
        // Each rank writes the blocks it owns of every round, then the ranks agree.
        let place = dist::place();
        let threads = config.threads.max(1);
        let per_rank = if wave >= threads {
            threads * EACH_RANK_ROUND_PER_THREAD
        } else {
            wave
        };
        for group in regions.chunks(per_rank * place.size) {
            let mine = &group[dist::owned(group.len(), place.rank, place.size)];
            let outcome: Result<u64, ExecError> = ctx.local(|| {
                mine.par_iter()
                    .with_max_len(1)
                    .map(|r| -> Result<u64, ExecError> {
                        ctx.stats.tasks.fetch_add(1, Ordering::Relaxed);
                        let _task = ctx.task(node);
                        let data = eval(&ctx, node, r)?;
                        let bytes = data.nbytes() as u64;
                        write(r, data).map_err(ExecError::Io)?;
                        ctx.tasks_finished(1);
                        Ok(bytes)
                    })
                    .try_reduce(|| 0, |a, b| Ok(a + b))
            });
            let all = dist::all_gather(dist::wire::encode(&outcome));
            for (q, bytes) in all.iter().enumerate() {
                let theirs = dist::wire::decode::<Result<u64, ExecError>>(bytes)??;
                if q != place.rank {
                    let n = dist::owned(group.len(), q, place.size).len();
                    ctx.tasks_finished(n as u64);
                    ctx.written_elsewhere(theirs);
                }
            }
        }
    } else {
        // A wave is `wave` blocks per rank; rank 0 receives and writes each wave.
        let place = dist::place();
        for group in regions.chunks(wave * place.size) {
            let mine = compute(&group[dist::owned(group.len(), place.rank, place.size)]);
            let outcome: Result<Vec<Data>, ExecError> =
                match dist::gather_to_writer(dist::wire::encode(&mine)) {
                    Some(all) => (|| {
                        let mut blocks = Vec::with_capacity(group.len());
                        for bytes in all {
                            blocks.extend(dist::wire::decode::<Result<Vec<Data>, ExecError>>(
                                &bytes,
                            )??);
                        }
                        for (region, data) in group.iter().zip(blocks) {
                            sink.call(region, data).map_err(ExecError::Io)?;
                        }
                        Ok(Vec::new())
                    })(),
                    None => Ok(Vec::new()),
                };
            let shared = dist::broadcast_from_writer(dist::wire::encode(&outcome));
            dist::wire::decode::<Result<Vec<Data>, ExecError>>(&shared)??;
        }
    }
    Ok(finish_report(&ctx, &plan, started, materialised, window))
}

/// A node holding computed data with the grid of `like`.
pub fn data_node(data: Data, chunks: Vec<Vec<usize>>) -> NodeRef {
    let shape = data.shape().to_vec();
    let dtype = data.dtype();
    build::source(Source::Data(Arc::new(data)), dtype, shape, chunks)
}

pub use crate::units::human_bytes;
