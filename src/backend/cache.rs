//! The process-wide kernel cache: each kernel is compiled once per process and backend
//! (keyed by the kernel itself, which is `Hash + Eq`), with counters for `--verbose`:
//! kernels compiled, compile time, cache hits, and kernels the JIT could not compile (run
//! on the interpreter instead, with the reason kept for `--verbose`). `ARR_DUMP_KERNELS`
//! records every kernel compiled (for the CUDA backend's tests).

use crate::backend::interp::Interpreter;
use crate::backend::launch::TileBody;
use crate::backend::{Backend, BackendError};
use crate::kernel::Kernel;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// Counters of the kernel cache since the process started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Kernels compiled.
    pub compiled: u64,
    /// Nanoseconds spent compiling.
    pub compile_ns: u64,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Kernels the chosen backend could not compile (run on the interpreter).
    pub fallbacks: u64,
    /// The JIT's vector loops compiled (one per kernel and pattern of input strides).
    pub vector_loops: u64,
}

static COMPILED: AtomicU64 = AtomicU64::new(0);
static COMPILE_NS: AtomicU64 = AtomicU64::new(0);
static HITS: AtomicU64 = AtomicU64::new(0);
static FALLBACKS: AtomicU64 = AtomicU64::new(0);
static VECTOR_LOOPS: AtomicU64 = AtomicU64::new(0);

type Entry = Arc<dyn TileBody>;

fn cache() -> &'static Mutex<HashMap<(&'static str, Kernel), Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<(&'static str, Kernel), Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn fallback_reasons() -> &'static Mutex<Vec<String>> {
    static REASONS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    REASONS.get_or_init(|| Mutex::new(Vec::new()))
}

/// The counters now.
pub fn stats() -> CacheStats {
    CacheStats {
        compiled: COMPILED.load(Ordering::Relaxed),
        compile_ns: COMPILE_NS.load(Ordering::Relaxed),
        hits: HITS.load(Ordering::Relaxed),
        fallbacks: FALLBACKS.load(Ordering::Relaxed),
        vector_loops: VECTOR_LOOPS.load(Ordering::Relaxed),
    }
}

/// Counts a vector loop the JIT compiled (its time joins the compile time), or notes why it
/// could not (that pattern of strides then runs the scalar loop).
pub fn count_variant(took: std::time::Duration, failed: Option<&BackendError>) {
    COMPILE_NS.fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
    match failed {
        None => {
            VECTOR_LOOPS.fetch_add(1, Ordering::Relaxed);
        }
        Some(e) => {
            if let Ok(mut r) = fallback_reasons().lock()
                && r.len() < 16
            {
                let note = format!("vector loop: {}", e.0);
                if !r.contains(&note) {
                    r.push(note);
                }
            }
        }
    }
}

/// Why kernels fell back to the interpreter (distinct reasons, first ones kept).
pub fn fallback_notes() -> Vec<String> {
    fallback_reasons()
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default()
}

/// The compiled body of `kernel` on `backend`, compiling it on first use. A kernel the
/// backend cannot compile runs on the interpreter (counted as a fallback); a kernel the
/// interpreter rejects is an error.
pub fn compiled(backend: &dyn Backend, kernel: &Kernel) -> Result<Entry, BackendError> {
    let key = (backend.name(), kernel.clone());
    if let Some(body) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        HITS.fetch_add(1, Ordering::Relaxed);
        return Ok(body);
    }
    record(kernel);
    let t0 = Instant::now();
    let body = match backend.compile(kernel) {
        Ok(b) => b,
        Err(e) if backend.name() != "interp" && backend.falls_back() => {
            FALLBACKS.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut r) = fallback_reasons().lock()
                && r.len() < 16
                && !r.contains(&e.0)
            {
                r.push(e.0.clone());
            }
            Interpreter.compile(kernel)?
        }
        Err(e) => return Err(e),
    };
    COMPILE_NS.fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
    COMPILED.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut c) = cache().lock() {
        c.insert(key, body.clone());
    }
    Ok(body)
}

/// With `ARR_DUMP_KERNELS=DIR`, writes the text of every kernel compiled to
/// `DIR/HASH.kir` (one file per distinct kernel, whatever the process): the CUDA tests
/// compile every kernel the case corpus lowers to. Best effort: a write that fails is
/// skipped.
fn record(kernel: &Kernel) {
    use std::hash::{Hash, Hasher};
    let Some(dir) = std::env::var_os("ARR_DUMP_KERNELS") else {
        return;
    };
    let text = kernel.to_string();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let dir = std::path::PathBuf::from(dir);
    let path = dir.join(format!("{:016x}.kir", h.finish()));
    if path.exists() {
        return;
    }
    let tmp = dir.join(format!(".{:016x}.{}.tmp", h.finish(), std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
