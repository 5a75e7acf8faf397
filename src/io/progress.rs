//! The progress bar: for a computation or store that runs longer than about a second on a
//! terminal (the REPL's too), an indicatif bar on stderr shows tasks done of the planned
//! total, the percentage, the elapsed time and an estimate of the time left; a store adds the
//! bytes written, and a computation that reads files the bytes read. The executor counts
//! tasks into the report's `TaskProgress`. It stays silent when stderr is not a terminal or
//! with `--no-progress`, and costs nothing then.
//!
//! File sources report the bytes they read through `add_read`, whoever drives them.

use crate::exec::TaskProgress;
use crate::graph::NodeRef;
use crate::graph::node::{Op, Source};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long a computation runs before its bar appears.
const DELAY: Duration = Duration::from_millis(1000);
/// How often the bar is redrawn.
const TICK: Duration = Duration::from_millis(120);

/// Bytes read from files by every source since the process started.
static READ_BYTES: AtomicU64 = AtomicU64::new(0);

/// Counts bytes read from a file (called by sources, from any thread).
pub fn add_read(bytes: u64) {
    READ_BYTES.fetch_add(bytes, Ordering::Relaxed);
}

/// Bytes read from files so far (for `--verbose` and tests).
pub fn bytes_read() -> u64 {
    READ_BYTES.load(Ordering::Relaxed)
}

/// Of those, bytes of HDF5 datasets read without libhdf5 (`hdf5::Direct`).
static DIRECT_BYTES: AtomicU64 = AtomicU64::new(0);

/// Counts bytes of an HDF5 dataset read directly (besides `add_read`).
pub fn add_direct(bytes: u64) {
    DIRECT_BYTES.fetch_add(bytes, Ordering::Relaxed);
}

/// Bytes of HDF5 datasets read directly so far (for `--verbose` and tests).
pub fn bytes_direct() -> u64 {
    DIRECT_BYTES.load(Ordering::Relaxed)
}

struct Shared {
    tasks: Arc<TaskProgress>,
    read_at_start: u64,
    reads_files: bool,
    stop: Mutex<bool>,
    wake: Condvar,
}

/// A running progress report; the bar (if any) disappears when it finishes or is dropped.
pub struct Progress {
    shared: Option<Arc<Shared>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Progress {
    /// A report that shows nothing.
    pub fn silent() -> Progress {
        Progress {
            shared: None,
            thread: Mutex::new(None),
        }
    }

    /// Starts a report for work on `what` (`computing`, `to_npy`, ...) over `node`: tasks
    /// done of planned, percent, elapsed time and time left, the bytes written by a store
    /// (`store`), and bytes read only when `node` reads files. Nothing is drawn unless
    /// `enabled` and stderr is a terminal; the executor reports tasks through `tasks()`.
    pub fn start(enabled: bool, what: &str, node: &NodeRef, store: bool) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress::silent();
        }
        let shared = Arc::new(Shared {
            tasks: Arc::new(TaskProgress::default()),
            read_at_start: bytes_read(),
            reads_files: estimate_read_bytes(node) > 0,
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        let s = shared.clone();
        let what = what.to_string();
        let thread = std::thread::Builder::new()
            .name("arr-progress".into())
            .spawn(move || draw_loop(&s, &what, store))
            .ok();
        Progress {
            shared: Some(shared),
            thread: Mutex::new(thread),
        }
    }

    /// A report for computing `node` into memory.
    pub fn for_compute(enabled: bool, node: &NodeRef) -> Progress {
        Progress::start(enabled, "computing", node, false)
    }

    /// The counters the executor advances (`ExecConfig::progress`); none when silent.
    pub fn tasks(&self) -> Option<Arc<TaskProgress>> {
        self.shared.as_ref().map(|s| s.tasks.clone())
    }

    /// Counts a block of `bytes` bytes written by a store.
    pub fn task_done(&self, bytes: u64) {
        if let Some(s) = &self.shared {
            s.tasks.written.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// Stops the report and clears the bar.
    pub fn finish(&self) {
        if let Some(s) = &self.shared {
            if let Ok(mut stop) = s.stop.lock() {
                *stop = true;
            }
            s.wake.notify_all();
        }
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A duration as `4s`, `2m 05s` or `1h 02m`.
pub fn duration_text(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{}h {:02}m", s / 3600, (s / 60) % 60)
    }
}

/// The text beside the bar: `120/400 tasks 30% · 6s · 14s left`, then what was written
/// and read when there is something to say. Time left is the elapsed time scaled by the
/// tasks still to run (unknown before the first task finishes).
pub fn status_text(
    done: u64,
    total: u64,
    elapsed: Duration,
    written: Option<u64>,
    read: Option<u64>,
) -> String {
    let total = total.max(done.min(1));
    let shown = done.min(total);
    let percent = (shown * 100)
        .checked_div(total)
        .unwrap_or(0)
        .min(if shown < total { 99 } else { 100 });
    let left = if shown == 0 {
        "? left".to_string()
    } else {
        let rest = elapsed.as_secs_f64() * (total - shown) as f64 / shown as f64;
        format!(
            "{} left",
            duration_text(Duration::from_secs_f64(rest.ceil()))
        )
    };
    let mut text = format!(
        "{shown}/{total} tasks {percent}% · {} · {left}",
        duration_text(elapsed)
    );
    if let Some(w) = written {
        text.push_str(&format!(
            " · {} written",
            crate::exec::human_bytes(w as usize)
        ));
    }
    if let Some(r) = read {
        text.push_str(&format!(" · {} read", crate::exec::human_bytes(r as usize)));
    }
    text
}

/// Waits `DELAY`, then draws until stopped.
fn draw_loop(s: &Shared, what: &str, store: bool) {
    let stopped = |timeout: Duration| -> bool {
        let Ok(guard) = s.stop.lock() else {
            return true;
        };
        if *guard {
            return true;
        }
        match s.wake.wait_timeout(guard, timeout) {
            Ok((g, _)) => *g,
            Err(_) => true,
        }
    };
    let started = std::time::Instant::now();
    if stopped(DELAY) {
        return;
    }
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    // The bar is short, so the line fits an 80-column terminal.
    if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:20}] {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    loop {
        let done = s.tasks.done.load(Ordering::Relaxed);
        let total = s.tasks.total.load(Ordering::Relaxed).max(done.min(1));
        bar.set_length(total.max(1));
        bar.set_position(done.min(total));
        let read = s
            .reads_files
            .then(|| bytes_read().saturating_sub(s.read_at_start));
        let written = store.then(|| s.tasks.written.load(Ordering::Relaxed));
        bar.set_message(status_text(done, total, started.elapsed(), written, read));
        if stopped(TICK) {
            break;
        }
    }
    bar.finish_and_clear();
}

/// An estimate of the bytes a computation reads from files: each file source's size, scaled
/// by the slices above it (a slice keeps `out / in` of its input's elements).
pub fn estimate_read_bytes(node: &NodeRef) -> u64 {
    fn walk(
        node: &NodeRef,
        fraction: f64,
        seen: &mut HashSet<*const crate::graph::Node>,
        acc: &mut f64,
    ) {
        if !seen.insert(Arc::as_ptr(node)) {
            return;
        }
        match &node.op {
            Op::Source(Source::External(_)) => *acc += node.nbytes() as f64 * fraction,
            Op::Source(_) => {}
            Op::Slice(_) => {
                for input in &node.inputs {
                    let f = if input.size() > 0 {
                        node.size() as f64 / input.size() as f64
                    } else {
                        0.0
                    };
                    walk(input, fraction * f.min(1.0), seen, acc);
                }
            }
            _ => {
                for input in &node.inputs {
                    walk(input, fraction, seen, acc);
                }
            }
        }
    }
    let mut acc = 0.0;
    walk(node, 1.0, &mut HashSet::new(), &mut acc);
    acc as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_shows_fraction_percent_elapsed_and_time_left() {
        let t = status_text(100, 400, Duration::from_secs(10), None, None);
        assert_eq!(t, "100/400 tasks 25% · 10s · 30s left");
        let t = status_text(0, 400, Duration::from_secs(1), None, Some(0));
        assert_eq!(t, "0/400 tasks 0% · 1s · ? left · 0 B read");
        // More done than planned (a reduction pulled twice) is clamped, and never 100% early.
        let t = status_text(500, 400, Duration::from_secs(90), Some(2048), None);
        assert_eq!(t, "400/400 tasks 100% · 1m 30s · 0s left · 2.0 KiB written");
        assert!(status_text(399, 400, Duration::from_secs(1), None, None).contains(" 99%"));
        assert_eq!(duration_text(Duration::from_secs(3725)), "1h 02m");
    }
}
