//! The progress bar: for a computation or store that runs longer than about a second on a
//! terminal, an indicatif bar on stderr shows blocks done of the total (stores), bytes
//! processed (written, and read from files), the elapsed time and an ETA. It stays silent
//! when stderr is not a terminal or with `--no-progress`, and costs nothing then.
//!
//! File sources report the bytes they read through `add_read`, whoever drives them.

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
    done: AtomicU64,
    written: AtomicU64,
    read_at_start: u64,
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

    /// Starts a report for work on `what`. With `tasks`, the bar counts blocks; otherwise it
    /// counts bytes read against `bytes` (an estimate), or shows a spinner when that is
    /// unknown. Nothing is drawn unless `enabled` and stderr is a terminal.
    pub fn start(enabled: bool, what: &str, tasks: Option<u64>, bytes: Option<u64>) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress::silent();
        }
        let shared = Arc::new(Shared {
            done: AtomicU64::new(0),
            written: AtomicU64::new(0),
            read_at_start: bytes_read(),
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        let s = shared.clone();
        let what = what.to_string();
        let thread = std::thread::Builder::new()
            .name("arr-progress".into())
            .spawn(move || draw_loop(&s, &what, tasks, bytes))
            .ok();
        Progress {
            shared: Some(shared),
            thread: Mutex::new(thread),
        }
    }

    /// A report for computing `node` into memory: the bar follows the bytes read from files.
    pub fn for_compute(enabled: bool, node: &NodeRef) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress::silent();
        }
        let estimate = estimate_read_bytes(node);
        Progress::start(
            enabled,
            "computing",
            None,
            (estimate > 0).then_some(estimate),
        )
    }

    /// Counts one finished block of `bytes` bytes.
    pub fn task_done(&self, bytes: u64) {
        if let Some(s) = &self.shared {
            s.done.fetch_add(1, Ordering::Relaxed);
            s.written.fetch_add(bytes, Ordering::Relaxed);
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

/// Waits `DELAY`, then draws until stopped.
fn draw_loop(s: &Shared, what: &str, tasks: Option<u64>, bytes: Option<u64>) {
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
    if stopped(DELAY) {
        return;
    }
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let target = ProgressDrawTarget::stderr();
    let (bar, by_tasks) = match (tasks, bytes) {
        (Some(n), _) => (ProgressBar::with_draw_target(Some(n), target), true),
        (None, Some(b)) => (ProgressBar::with_draw_target(Some(b), target), false),
        (None, None) => (ProgressBar::with_draw_target(None, target), false),
    };
    let bar = bar.with_elapsed(DELAY);
    // The text beside the bar stays short, so the bar fits an 80-column terminal.
    let template = match (tasks, bytes) {
        (Some(_), _) => "{prefix} [{wide_bar}] {pos}/{len} blocks · {msg} · {elapsed} ETA {eta}",
        (None, Some(_)) => "{prefix} [{wide_bar}] {bytes}/{total_bytes} read · {elapsed} ETA {eta}",
        (None, None) => "{prefix} {spinner} {elapsed} · {msg}",
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    loop {
        let read = bytes_read().saturating_sub(s.read_at_start);
        if by_tasks {
            bar.set_position(s.done.load(Ordering::Relaxed));
            let written = s.written.load(Ordering::Relaxed) as usize;
            let mut msg = crate::units::human_bytes(written);
            if read > 0 {
                msg.push_str(&format!(
                    ", {} read",
                    crate::units::human_bytes(read as usize)
                ));
            }
            bar.set_message(msg);
        } else if let Some(total) = bytes {
            bar.set_position(read.min(total));
        } else {
            bar.set_message(format!("{} read", crate::units::human_bytes(read as usize)));
            bar.tick();
        }
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
