//! A counting wrapper around the system allocator, for `--verbose`: bytes allocated, bytes
//! held now, the peak held since the last reset, and the largest single allocation. The
//! `arr` binary installs it as the global allocator; embedding programs that do not install
//! it simply get no memory figures (`snapshot` returns `None`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static INSTALLED: AtomicBool = AtomicBool::new(false);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// The system allocator with counters. Install it with
/// `#[global_allocator] static A: arr::alloc_stats::Counting = arr::alloc_stats::Counting;`.
pub struct Counting;

fn on_alloc(size: usize) {
    ALLOCATED.fetch_add(size, Ordering::Relaxed);
    let now = HELD.fetch_add(size, Ordering::Relaxed) + size;
    if now > PEAK.load(Ordering::Relaxed) {
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
    if size > LARGEST.load(Ordering::Relaxed) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

fn on_free(size: usize) {
    HELD.fetch_sub(size, Ordering::Relaxed);
}

// Safety: every call is forwarded to `System` unchanged; the counters are only atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Safety: the caller's contract for `alloc` is passed on to `System`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // Safety: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            on_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Safety: `ptr` was allocated by `System` with `layout` (through this wrapper).
        unsafe { System.dealloc(ptr, layout) };
        on_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Safety: as for `dealloc`, and `new_size` is the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            on_free(layout.size());
            on_alloc(new_size);
        }
        p
    }
}

/// Marks the counting allocator as installed (the binary calls this first thing).
pub fn mark_installed() {
    INSTALLED.store(true, Ordering::Relaxed);
}

/// The counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Bytes allocated since the process started.
    pub allocated: usize,
    /// Bytes held now.
    pub held: usize,
    /// Most bytes held at once since the last `reset_peak`.
    pub peak: usize,
    /// The largest single allocation since the last `reset_peak`.
    pub largest: usize,
}

/// The counters, when the counting allocator is installed.
pub fn snapshot() -> Option<Snapshot> {
    INSTALLED.load(Ordering::Relaxed).then(|| Snapshot {
        allocated: ALLOCATED.load(Ordering::Relaxed),
        held: HELD.load(Ordering::Relaxed),
        peak: PEAK.load(Ordering::Relaxed),
        largest: LARGEST.load(Ordering::Relaxed),
    })
}

/// Starts a new measuring window: the peak becomes what is held now, the largest
/// allocation zero. Returns the counters at the start of the window.
pub fn reset_peak() -> Option<Snapshot> {
    PEAK.store(HELD.load(Ordering::Relaxed), Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
    snapshot()
}

/// What one measuring window saw: bytes allocated in it, the peak held above the bytes held
/// at its start, and its largest single allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Bytes allocated during the window.
    pub allocated: usize,
    /// Most bytes held at once during the window, beyond what was held at its start.
    pub peak_extra: usize,
    /// The largest single allocation.
    pub largest: usize,
}

/// The window since `start` (from `reset_peak`).
pub fn window_since(start: Snapshot) -> Option<Window> {
    let now = snapshot()?;
    Some(Window {
        allocated: now.allocated.saturating_sub(start.allocated),
        peak_extra: now.peak.saturating_sub(start.held),
        largest: now.largest,
    })
}

/// The process's peak resident set size, from /proc.
pub fn peak_rss() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
