//! Progress events of the executor, for whoever watches a computation (the live dashboard,
//! `src/dashboard/`). A sink is optional in `ExecConfig::events`; without one, every hook is
//! one branch on `None` and nothing else (no clock read, no allocation, no lock).
//!
//! A computation with a sink sends, in order: `RunStart` (the optimised plan, its nodes
//! numbered, the tasks expected per node and the memory budget), then `TaskStart` and
//! `TaskEnd` for every task (an output block, or a block a reduction reduces), from the
//! worker threads, and last `RunEnd` (also when the computation fails or is cancelled).

use crate::exec::{ExecConfig, ExecCtx};
use crate::graph::node::{Node, NodeRef, Op, Source};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Receives the executor's events, from any thread. It must return quickly: it is called
/// twice per task, on the worker threads.
pub trait EventSink: Send + Sync {
    /// One event.
    fn event(&self, event: &Event);
}

/// A shared sink, as held by `ExecConfig`.
pub type SinkRef = Arc<dyn EventSink>;

/// What the executor reports.
#[derive(Clone, Debug)]
pub enum Event {
    /// A computation starts.
    RunStart(Arc<RunInfo>),
    /// A task starts on a worker.
    TaskStart {
        /// The computation.
        run: u64,
        /// The node the task computes (an index into `RunInfo::nodes`, or `usize::MAX` for a
        /// node outside the plan).
        node: usize,
        /// The worker thread (the pool's index; `RunInfo::threads` for a thread outside it).
        worker: usize,
        /// Nanoseconds since the computation started.
        at_ns: u64,
    },
    /// A task finished (or failed).
    TaskEnd {
        /// The computation.
        run: u64,
        /// As in `TaskStart`.
        node: usize,
        /// As in `TaskStart`.
        worker: usize,
        /// When the task started, nanoseconds since the computation started.
        start_ns: u64,
        /// When it ended.
        end_ns: u64,
    },
    /// A computation ended.
    RunEnd {
        /// The computation.
        run: u64,
        /// Whether it completed.
        ok: bool,
        /// Tasks run.
        tasks: u64,
        /// Elements generated and read.
        elements: u64,
        /// Nanoseconds since the computation started.
        at_ns: u64,
    },
}

/// The plan of one computation, as `RunStart` sends it.
#[derive(Debug)]
pub struct RunInfo {
    /// A number for this computation, increasing within the process.
    pub run: u64,
    /// What runs: `compute`, `store` or `count`.
    pub kind: &'static str,
    /// The optimised plan's root.
    pub root: NodeRef,
    /// Every node of the plan, inputs before their consumers; a node's id is its index.
    pub nodes: Vec<NodeRef>,
    /// Each node's inputs, as ids.
    pub inputs: Vec<Vec<usize>>,
    /// Tasks expected per node: output blocks (or reduced blocks) of the root and of the
    /// barriers computed first; 0 for nodes evaluated inside other nodes' tasks.
    pub tasks: Vec<u64>,
    /// For each node, the node whose tasks evaluate it (itself when it has tasks).
    pub owner: Vec<usize>,
    /// Worker threads.
    pub threads: usize,
    /// The memory budget in bytes.
    pub memory_limit: usize,
    /// Projected bytes per task.
    pub per_task: usize,
    /// Projected peak bytes of the schedule.
    pub projected_peak: usize,
    /// The computation's live counters (elements generated and read so far).
    pub stats: Arc<crate::exec::Stats>,
}

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

impl RunInfo {
    /// What node `i` is, for a picture or a list: a fused kernel with its ops, or the op.
    pub fn node_name(&self, i: usize) -> String {
        let n = &self.nodes[i];
        match &n.op {
            crate::graph::Op::Fused(k) => format!("kernel [{}]", k.op_names().join(", ")),
            _ => n.op_name(),
        }
    }

    /// Node `i`'s type text (`f64[1000, 1000]`).
    pub fn node_type(&self, i: usize) -> String {
        let n = &self.nodes[i];
        let shape: Vec<Option<usize>> = n.shape.iter().map(|&d| Some(d)).collect();
        crate::value::type_text(n.dtype, &shape)
    }

    /// Node `i`'s chunk grid in brief (`exec::plan::grid_text`).
    pub fn node_chunks(&self, i: usize) -> String {
        crate::exec::plan::grid_text(&self.nodes[i].chunks)
    }

    /// The plan drawn as SVG under `caption` (`exec::plan_svg::draw`).
    pub fn svg(&self, caption: &str) -> String {
        crate::exec::plan_svg::draw(&self.nodes, &self.inputs, caption)
    }
}

/// The events of one running computation (held by its `ExecCtx` while a sink is set).
pub struct RunEvents {
    sink: SinkRef,
    run: u64,
    started: Instant,
    ids: HashMap<*const Node, usize>,
    threads: usize,
    done: AtomicU64,
    finished: std::sync::atomic::AtomicBool,
}

// The id map's keys are only compared, never dereferenced; the nodes are kept alive by the
// plan in `RunInfo`, which the sink holds.
unsafe impl Send for RunEvents {}
// Safety: as above; the rest is atomics and a `Send + Sync` sink.
unsafe impl Sync for RunEvents {}

impl RunEvents {
    /// Sends `RunStart` for `plan` when `config` has a sink.
    pub fn start(
        config: &ExecConfig,
        plan: &crate::opt::Plan,
        kind: &'static str,
        stats: Arc<crate::exec::Stats>,
    ) -> Option<Arc<RunEvents>> {
        let sink = config.events.clone()?;
        let info = run_info(config, plan, kind, stats);
        let ids = info
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (Arc::as_ptr(n), i))
            .collect();
        let events = RunEvents {
            sink,
            run: info.run,
            started: Instant::now(),
            ids,
            threads: config.threads,
            done: AtomicU64::new(0),
            finished: std::sync::atomic::AtomicBool::new(false),
        };
        events.sink.event(&Event::RunStart(Arc::new(info)));
        Some(Arc::new(events))
    }

    fn now_ns(&self) -> u64 {
        self.started.elapsed().as_nanos() as u64
    }

    /// Sends `RunEnd`, once.
    pub fn finish(&self, ok: bool, elements: u64) {
        if self.finished.swap(true, Ordering::Relaxed) {
            return;
        }
        self.sink.event(&Event::RunEnd {
            run: self.run,
            ok,
            tasks: self.done.load(Ordering::Relaxed),
            elements,
            at_ns: self.now_ns(),
        });
    }
}

impl Drop for RunEvents {
    fn drop(&mut self) {
        // A computation that stopped early (an error, Ctrl-C) still ends its run.
        self.finish(false, 0);
    }
}

/// Marks one task: `TaskStart` when made, `TaskEnd` when dropped (also on an error).
pub struct TaskGuard<'a> {
    live: Option<(&'a RunEvents, usize, usize, u64)>,
}

impl ExecCtx {
    /// Starts reporting this computation's events when `config` has a sink.
    pub fn watch(&mut self, config: &ExecConfig, plan: &crate::opt::Plan, kind: &'static str) {
        self.events = RunEvents::start(config, plan, kind, self.stats.clone());
    }

    /// Reports that a task of `node` starts now; it ends when the guard drops.
    #[inline]
    pub fn task(&self, node: &Node) -> TaskGuard<'_> {
        match &self.events {
            None => TaskGuard { live: None },
            Some(ev) => task_start(ev, node),
        }
    }

    /// Sends `RunEnd` for a computation that completed.
    pub fn finish_events(&self) {
        if let Some(ev) = &self.events {
            ev.finish(true, elements(self));
        }
    }
}

fn elements(ctx: &ExecCtx) -> u64 {
    ctx.stats.generated.load(Ordering::Relaxed) + ctx.stats.read.load(Ordering::Relaxed)
}

#[cold]
fn task_start<'a>(ev: &'a RunEvents, node: &Node) -> TaskGuard<'a> {
    let id = ev
        .ids
        .get(&(node as *const Node))
        .copied()
        .unwrap_or(usize::MAX);
    let worker = rayon::current_thread_index().unwrap_or(ev.threads);
    let at_ns = ev.now_ns();
    ev.sink.event(&Event::TaskStart {
        run: ev.run,
        node: id,
        worker,
        at_ns,
    });
    TaskGuard {
        live: Some((ev, id, worker, at_ns)),
    }
}

impl Drop for TaskGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        if let Some((ev, node, worker, start_ns)) = self.live.take() {
            ev.done.fetch_add(1, Ordering::Relaxed);
            ev.sink.event(&Event::TaskEnd {
                run: ev.run,
                node,
                worker,
                start_ns,
                end_ns: ev.now_ns(),
            });
        }
    }
}

/// Numbers the plan's nodes (inputs first), and finds which run tasks and which are
/// evaluated inside whose tasks.
fn run_info(
    config: &ExecConfig,
    plan: &crate::opt::Plan,
    kind: &'static str,
    stats: Arc<crate::exec::Stats>,
) -> RunInfo {
    let root = &plan.root;
    // In-memory data is a leaf whatever it was computed from.
    let nodes = crate::graph::walk::post_order_where(root, &|n| {
        !matches!(n.op, Op::Source(Source::Data(_)))
    });
    let ids: HashMap<*const Node, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (Arc::as_ptr(n), i))
        .collect();
    let inputs: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            n.inputs
                .iter()
                .filter_map(|i| ids.get(&Arc::as_ptr(i)).copied())
                .collect()
        })
        .collect();
    let mut tasks = vec![0u64; nodes.len()];
    let mut tasked: Vec<NodeRef> = if matches!(root.op, Op::Pack) {
        root.inputs.clone()
    } else {
        vec![root.clone()]
    };
    tasked.extend(
        crate::exec::collect_barriers(root)
            .into_iter()
            .filter(|b| b.nbytes() <= config.memory_limit / 4),
    );
    for n in &tasked {
        if let Some(&i) = ids.get(&Arc::as_ptr(n)) {
            tasks[i] = crate::opt::memory::task_count(n);
        }
    }
    // Owners: walk from each consumer down; a node with tasks owns itself, and passes its
    // ownership to the inputs it evaluates.
    let mut owner: Vec<usize> = (0..nodes.len()).collect();
    let mut assigned = vec![false; nodes.len()];
    for i in (0..nodes.len()).rev() {
        if tasks[i] > 0 {
            owner[i] = i;
            assigned[i] = true;
        } else if !assigned[i] {
            assigned[i] = true;
        }
        let o = owner[i];
        for &j in &inputs[i] {
            if !assigned[j] {
                owner[j] = o;
                assigned[j] = true;
            }
        }
    }
    RunInfo {
        run: NEXT_RUN.fetch_add(1, Ordering::Relaxed),
        kind,
        root: root.clone(),
        nodes,
        inputs,
        tasks,
        owner,
        threads: config.threads,
        memory_limit: config.memory_limit,
        per_task: plan.memory.per_task,
        projected_peak: plan.memory.schedule_peak,
        stats,
    }
}
