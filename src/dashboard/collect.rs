//! The dashboard's side of exec's events: the executor's threads only push each event onto
//! a queue (one short lock); a ticker thread wakes every `TICK`, drains the queue, counts
//! tasks per node, turns finished tasks into task-stream bars (merged per worker and node
//! when a tick holds more than `MAX_BARS_PER_TICK`, so a million tiny tasks stay a few
//! thousand bars), samples the memory held, and appends JSON messages to a log that every
//! open page follows (a page that connects late replays the log from the current run's
//! plan on).
//!
//! Messages (`type`): `plan` (nodes, edges, tasks expected, memory budget, the plan's SVG),
//! `tick` (tasks done and running per node, bars, elements, memory held), `end` (a
//! computation finished), `bye` (the program ended; the stream closes after it).

use crate::exec::events::{Event, EventSink, RunInfo};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often the ticker turns events into a message.
pub const TICK: Duration = Duration::from_millis(100);
/// Above this many finished tasks in one tick, bars are merged per worker and node.
pub const MAX_BARS_PER_TICK: usize = 512;
/// The log keeps at most this many messages; older runs are dropped first.
const MAX_LOG: usize = 20_000;

/// The messages pages follow.
#[derive(Default)]
pub struct Log {
    /// Messages, oldest first; message `k` of the whole stream is `msgs[k - base]`.
    pub msgs: Vec<Arc<str>>,
    /// Messages dropped from the front.
    pub base: usize,
    /// Index (absolute) of the current run's `plan` message.
    pub run_start: usize,
    /// No more messages will come.
    pub closed: bool,
    /// Pages connected so far.
    pub clients: usize,
}

/// The log with its wake-up.
#[derive(Default)]
pub struct Shared {
    /// The log.
    pub log: Mutex<Log>,
    /// Notified on every new message, on close, and when a page connects.
    pub wake: Condvar,
}

impl Shared {
    fn push(&self, msg: Value, is_plan: bool) {
        if let Ok(mut log) = self.log.lock() {
            if is_plan {
                log.run_start = log.base + log.msgs.len();
            }
            log.msgs.push(Arc::from(msg.to_string()));
            if log.msgs.len() > MAX_LOG {
                // Drop whole runs before the current one; within one huge run, the oldest
                // ticks (the page's totals come from each tick, so none are lost).
                let keep_from = log.run_start.max(log.base + log.msgs.len() - MAX_LOG / 2);
                let drop = keep_from - log.base;
                log.msgs.drain(..drop);
                log.base = keep_from;
            }
        }
        self.wake.notify_all();
    }
}

/// The sink the executor calls: a queue of events.
pub struct Collector {
    queue: Mutex<Vec<Event>>,
}

impl EventSink for Collector {
    #[inline]
    fn event(&self, event: &Event) {
        if let Ok(mut q) = self.queue.lock() {
            q.push(event.clone());
        }
    }
}

/// What the ticker knows about the current run.
struct Run {
    info: Arc<RunInfo>,
    done: Vec<u64>,
    running: Vec<i64>,
    other_done: u64,
    elements: u64,
    last_ns: u64,
    started: Instant,
}

/// Starts the collector and its ticker; the ticker stops when `stop` is set, after a last
/// tick and the `bye` message.
pub fn start(
    shared: Arc<Shared>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Arc<Collector>, std::thread::JoinHandle<()>) {
    let collector = Arc::new(Collector {
        queue: Mutex::new(Vec::new()),
    });
    let c = collector.clone();
    let handle = std::thread::spawn(move || ticker(&c, &shared, &stop));
    (collector, handle)
}

fn ticker(c: &Collector, shared: &Shared, stop: &std::sync::atomic::AtomicBool) {
    let mut run: Option<Run> = None;
    loop {
        let stopping = stop.load(std::sync::atomic::Ordering::Acquire);
        let events = c
            .queue
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        process(events, &mut run, shared);
        if stopping {
            shared.push(json!({"type": "bye"}), false);
            if let Ok(mut log) = shared.log.lock() {
                log.closed = true;
            }
            shared.wake.notify_all();
            return;
        }
        std::thread::sleep(TICK);
    }
}

/// Turns a batch of events into messages: a tick per run touched, a plan at each start and
/// an end at each end, in order.
fn process(events: Vec<Event>, run: &mut Option<Run>, shared: &Shared) {
    let mut bars: Vec<[u64; 5]> = Vec::new();
    for event in events {
        match event {
            Event::RunStart(info) => {
                flush(run, &mut bars, shared);
                shared.push(plan_message(&info), true);
                let n = info.nodes.len();
                *run = Some(Run {
                    info,
                    done: vec![0; n],
                    running: vec![0; n],
                    other_done: 0,
                    elements: 0,
                    last_ns: 0,
                    started: Instant::now(),
                });
            }
            Event::TaskStart {
                run: id,
                node,
                at_ns,
                ..
            } => {
                if let Some(r) = run.as_mut().filter(|r| r.info.run == id) {
                    if let Some(x) = r.running.get_mut(node) {
                        *x += 1;
                    }
                    r.last_ns = r.last_ns.max(at_ns);
                }
            }
            Event::TaskEnd {
                run: id,
                node,
                worker,
                start_ns,
                end_ns,
            } => {
                if let Some(r) = run.as_mut().filter(|r| r.info.run == id) {
                    match (r.done.get_mut(node), r.running.get_mut(node)) {
                        (Some(d), Some(x)) => {
                            *d += 1;
                            *x -= 1;
                        }
                        _ => r.other_done += 1,
                    }
                    r.last_ns = r.last_ns.max(end_ns);
                    bars.push([worker as u64, node as u64, start_ns, end_ns, 1]);
                }
            }
            Event::RunEnd {
                run: id,
                ok,
                tasks,
                elements,
                at_ns,
            } => {
                if let Some(r) = run.as_mut().filter(|r| r.info.run == id) {
                    r.elements = r.elements.max(elements);
                    r.last_ns = r.last_ns.max(at_ns);
                }
                flush(run, &mut bars, shared);
                if run.as_ref().is_some_and(|r| r.info.run == id) {
                    *run = None;
                }
                shared.push(
                    json!({"type": "end", "run": id, "ok": ok, "tasks": tasks,
                           "elements": elements, "t": at_ns as f64 / 1e9}),
                    false,
                );
            }
        }
    }
    flush(run, &mut bars, shared);
}

/// Sends a tick for the current run (when it has anything new or is running).
fn flush(run: &mut Option<Run>, bars: &mut Vec<[u64; 5]>, shared: &Shared) {
    let Some(r) = run.as_mut() else {
        bars.clear();
        return;
    };
    let bars = std::mem::take(bars);
    let bars = if bars.len() > MAX_BARS_PER_TICK {
        merge_bars(bars)
    } else {
        bars
    };
    let t = (r.started.elapsed().as_nanos() as u64).max(r.last_ns);
    let memory = memory_held();
    let live = r
        .info
        .stats
        .generated
        .load(std::sync::atomic::Ordering::Relaxed)
        + r.info.stats.read.load(std::sync::atomic::Ordering::Relaxed);
    r.elements = r.elements.max(live);
    let bars_json: Vec<Value> = bars
        .iter()
        .map(|b| {
            let node = if b[1] == usize::MAX as u64 {
                -1
            } else {
                b[1] as i64
            };
            json!([b[0], node, b[2] as f64 / 1e9, b[3] as f64 / 1e9, b[4]])
        })
        .collect();
    shared.push(
        json!({"type": "tick", "run": r.info.run, "t": t as f64 / 1e9,
               "done": r.done, "running": r.running, "other": r.other_done,
               "elements": r.elements, "memory": memory, "bars": bars_json}),
        false,
    );
}

/// Merges bars per (worker, node) into one bar spanning them, counting the tasks it holds.
pub fn merge_bars(bars: Vec<[u64; 5]>) -> Vec<[u64; 5]> {
    let mut merged: HashMap<(u64, u64), [u64; 5]> = HashMap::new();
    for b in bars {
        merged
            .entry((b[0], b[1]))
            .and_modify(|m| {
                m[2] = m[2].min(b[2]);
                m[3] = m[3].max(b[3]);
                m[4] += b[4];
            })
            .or_insert(b);
    }
    let mut out: Vec<[u64; 5]> = merged.into_values().collect();
    out.sort_unstable();
    out
}

/// Bytes the process holds now: the counting allocator's figure when it is installed (the
/// `arr` binary), the resident set otherwise.
pub fn memory_held() -> u64 {
    if let Some(s) = crate::alloc_stats::snapshot() {
        return s.held as u64;
    }
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn plan_message(info: &RunInfo) -> Value {
    let nodes: Vec<Value> = (0..info.nodes.len())
        .map(|i| {
            json!({"id": i, "name": info.node_name(i), "type": info.node_type(i),
                   "chunks": info.node_chunks(i),
                   "tasks": info.tasks[i], "owner": info.owner[i], "inputs": info.inputs[i]})
        })
        .collect();
    let caption = format!(
        "{} · {} task(s) expected · budget {}",
        info.kind,
        info.tasks.iter().sum::<u64>(),
        crate::units::human_bytes(info.memory_limit)
    );
    let svg = info.svg(&caption);
    json!({"type": "plan", "run": info.run, "kind": info.kind, "nodes": nodes,
           "threads": info.threads, "memory_limit": info.memory_limit,
           "per_task": info.per_task, "projected_peak": info.projected_peak,
           "memory": memory_held(), "svg": svg})
}
