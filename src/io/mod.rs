//! Data in and out: HDF5 (`hdf5.rs`), NumPy's `.npy` (`npy.rs`), Zarr (`zarr.rs`), PNG
//! pictures (`pictures.rs`), the progress bar (`progress.rs`), and what every store shares:
//! strided region reads, atomic replacement of the target (`atomic.rs`), and streaming a
//! node block by block with Ctrl-C turned into a clean cancellation.
//!
//! Sources implement `graph::node::ArraySource`; stores drive `exec::stream_chunks_to_writer`.

pub mod atomic;
pub mod chunked;
pub mod codecs;
pub mod hdf5;
pub mod hdf5_filters;
pub mod netcdf;
pub mod npy;
pub mod pictures;
pub mod progress;
pub mod zarr;
pub mod zarr_group;
pub mod zarr_plain;
pub mod zarr_v2;
pub mod zstd_frame;

use crate::data::Data;
pub use crate::exec::BlockSink;
use crate::exec::region::Region;
use crate::exec::{ExecConfig, ExecError, RunReport};
use crate::graph::NodeRef;
use crate::sema::dtype::DType;
use std::path::{Path, PathBuf};

/// One axis of a strided read, as an ascending range plus whether to flip it afterwards:
/// `start + step * i` for `i < len` equals `lo + stride * j` read in reverse when `flip`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ascending {
    /// The smallest index.
    pub lo: usize,
    /// The distance between indices (>= 1).
    pub stride: usize,
    /// How many indices.
    pub len: usize,
    /// Whether the caller asked for descending order.
    pub flip: bool,
}

/// Turns a region request (`start`, `step`, `len` per axis) into ascending ranges, checking
/// it against `shape`.
pub fn ascending(
    start: &[i64],
    step: &[i64],
    len: &[usize],
    shape: &[usize],
) -> Result<Vec<Ascending>, String> {
    if start.len() != shape.len() || step.len() != shape.len() || len.len() != shape.len() {
        return Err(format!(
            "a {}-d region was asked of a {}-d array",
            len.len(),
            shape.len()
        ));
    }
    let mut out = Vec::with_capacity(shape.len());
    for k in 0..shape.len() {
        let n = len[k];
        if n == 0 {
            out.push(Ascending {
                lo: 0,
                stride: 1,
                len: 0,
                flip: false,
            });
            continue;
        }
        let last = start[k] + step[k] * (n as i64 - 1);
        let lo = start[k].min(last);
        let hi = start[k].max(last);
        if lo < 0 || hi >= shape[k] as i64 {
            return Err(format!(
                "region {}..={} is outside axis {k} of length {}",
                lo, hi, shape[k]
            ));
        }
        out.push(Ascending {
            lo: lo as usize,
            stride: if n == 1 {
                1
            } else {
                step[k].unsigned_abs() as usize
            },
            len: n,
            flip: step[k] < 0 && n > 1,
        });
    }
    Ok(out)
}

/// Reverses the axes of `data` that were read ascending but asked for descending.
pub fn apply_flips(data: Data, axes: &[Ascending]) -> Data {
    if !axes.iter().any(|a| a.flip) {
        return data;
    }
    map_data!(data, a => {
        let mut a = a;
        for (k, ax) in axes.iter().enumerate() {
            if ax.flip {
                a.invert_axis(ndarray::Axis(k));
            }
        }
        a.as_standard_layout().into_owned()
    })
}

/// The default block grid of a file's array: its own chunks (HDF5, Zarr) grown by whole
/// multiples towards `target_bytes`, the last axes first so reads stay contiguous; the
/// automatic grid when the file is not chunked.
pub fn aligned_grid(
    shape: &[usize],
    native: Option<&[usize]>,
    itemsize: usize,
    target_bytes: usize,
) -> Vec<Vec<usize>> {
    let Some(chunk) = native.filter(|c| c.len() == shape.len() && !c.is_empty()) else {
        return crate::graph::chunks::auto_with(shape, itemsize, target_bytes);
    };
    let mut block: Vec<usize> = chunk
        .iter()
        .zip(shape)
        .map(|(&c, &n)| c.clamp(1, n.max(1)))
        .collect();
    let bytes = |b: &[usize]| b.iter().product::<usize>() * itemsize;
    for k in (0..block.len()).rev() {
        let c = chunk[k].max(1);
        while block[k] < shape[k] {
            let next = (block[k] + c).min(shape[k]);
            let mut trial = block.clone();
            trial[k] = next;
            if bytes(&trial) > target_bytes {
                break;
            }
            block[k] = next;
        }
    }
    block
        .iter()
        .zip(shape)
        .map(|(&b, &n)| crate::graph::chunks::regular(n, b))
        .collect()
}

/// What stores and pictures need from the session running them (the evaluator builds it):
/// executor settings, the cancel flag, the pool, whether to show progress and `--verbose`
/// reports, and a key naming the session (for stores planned in check mode).
pub struct Env {
    /// Executor settings.
    pub exec: ExecConfig,
    /// Set to cancel the computation.
    pub cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The pool computations run on.
    pub pool: std::sync::Arc<rayon::ThreadPool>,
    /// Show a progress bar (on a terminal only).
    pub progress: bool,
    /// Print run statistics.
    pub verbose: bool,
    /// Names the session (stable while it lives).
    pub session: usize,
}

/// Streams `node` block by block into `sink` on the session's pool, with the progress bar
/// and `--verbose` report: the common driver of stores and pictures. Stores hold an
/// `InterruptGuard` from before they create their temporary file, so Ctrl-C cancels the
/// stream cleanly and the temporary is removed.
pub fn stream_store(
    session: &Env,
    what: &str,
    node: &NodeRef,
    sink: BlockSink,
) -> Result<RunReport, ExecError> {
    stream_with(session, what, node, sink, None)
}

/// `stream_store` for blocks written to separate places of `target` (Zarr chunk files, npy
/// regions) by whichever worker computed them; under MPI every rank writes the blocks it
/// computed into `target`, which the writer created, and no block travels between ranks.
pub fn stream_store_each_rank(
    session: &Env,
    what: &str,
    node: &NodeRef,
    target: &SharedTarget,
    write: &(dyn Fn(&Region, Data) -> Result<(), String> + Sync),
) -> Result<RunReport, ExecError> {
    stream_with(
        session,
        what,
        node,
        BlockSink::EachRank(write),
        Some(target),
    )
}

fn stream_with(
    session: &Env,
    what: &str,
    node: &NodeRef,
    sink: BlockSink,
    target: Option<&SharedTarget>,
) -> Result<RunReport, ExecError> {
    let mut config = session.exec.clone();
    let cancel = session.cancel.clone();
    // Stores count the bytes they write; pictures only reduce what streams through them.
    let bar = progress::Progress::start(session.progress, what, node, what.starts_with("to_"));
    config.progress = bar.tasks();
    let pool = session.pool.clone();
    let (read_before, direct_before) = (progress::bytes_read(), progress::bytes_direct());
    let chunks_before = chunked::stats();
    // Under MPI, a stream the followers know (`store_collectively`) is computed by all ranks.
    let shared = lead_index(node).inspect(|&i| {
        dist::broadcast_from_writer(Command::<()>::Stream(i, target.cloned()).encode());
    });
    let result = pool.install(|| {
        let run = |sink: BlockSink| {
            crate::exec::stream_chunks_to_writer(&config, cancel.clone(), node, sink)
        };
        let run = |sink: BlockSink| {
            if shared.is_some() {
                dist::together(|| run(sink))
            } else {
                run(sink)
            }
        };
        match sink {
            BlockSink::InOrder(f) => run(BlockSink::InOrder(&mut |region: &Region, data: Data| {
                let bytes = data.nbytes() as u64;
                f(region, data)?;
                bar.task_done(bytes);
                Ok(())
            })),
            BlockSink::AnyThread(f) => run(BlockSink::AnyThread(&|region: &Region, data: Data| {
                let bytes = data.nbytes() as u64;
                f(region, data)?;
                bar.task_done(bytes);
                Ok(())
            })),
            BlockSink::EachRank(f) => run(BlockSink::EachRank(&|region: &Region, data: Data| {
                let bytes = data.nbytes() as u64;
                f(region, data)?;
                bar.task_done(bytes);
                Ok(())
            })),
        }
    });
    bar.finish();
    if session.verbose
        && let Ok(report) = &result
    {
        let read = progress::bytes_read().saturating_sub(read_before);
        let direct = progress::bytes_direct().saturating_sub(direct_before);
        eprintln!(
            "[arr] {what}: {} of {}, {} read from files{}, peak RSS {}",
            report.summary(),
            crate::units::human_bytes(node.nbytes()),
            crate::units::human_bytes(read as usize),
            if direct > 0 {
                format!(
                    " ({} of HDF5 without libhdf5)",
                    crate::units::human_bytes(direct as usize)
                )
            } else {
                String::new()
            },
            crate::alloc_stats::peak_rss()
                .map(crate::units::human_bytes)
                .unwrap_or_else(|| "?".into())
        );
        if let Some(line) = chunked::verbose_since(chunks_before) {
            eprintln!("{line}");
        }
    }
    result
}

use crate::exec::dist;

/// The nodes the store being written streams, while the writer leads the other ranks
/// through it (`store_collectively`), as pointers.
static LEAD: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

/// Which of the leading store's nodes `node` is (under MPI, on the writer), if any.
fn lead_index(node: &NodeRef) -> Option<usize> {
    if !dist::is_distributed() || !dist::is_writer() {
        return None;
    }
    let lead = LEAD.lock().ok()?;
    let me = std::sync::Arc::as_ptr(node) as *const u8 as usize;
    lead.iter().position(|&p| p == me)
}

/// A place every rank of an MPI job writes its own blocks into (`stream_store_each_rank`):
/// the writer creates it (metadata, header, full length) before the stream, the other ranks
/// open it, and the writer commits it once every rank has written. Ranks on several machines
/// need the store's folder on a file system they share (as MPI-IO does).
#[derive(Clone, Debug)]
pub enum SharedTarget {
    /// The chunk files of the Zarr array in `folder` (the store `target` in messages).
    Zarr {
        /// The (temporary) folder of the array.
        folder: PathBuf,
        /// The store being written, for messages.
        target: PathBuf,
        /// The element type.
        dtype: DType,
        /// How chunks are compressed.
        compression: zarr::Compression,
    },
    /// The regions of the npy file `file` (its header written, at full length).
    Npy {
        /// The (temporary) file.
        file: PathBuf,
        /// The element type.
        dtype: DType,
        /// The array's shape.
        shape: Vec<usize>,
    },
}

/// A rank's writer of its own blocks into a `SharedTarget`.
enum JoinedWriter {
    Zarr(Box<zarr::ZarrWriter>),
    Npy(npy::NpyWriter),
}

impl SharedTarget {
    /// Opens the target for this rank's blocks.
    fn join(&self) -> Result<JoinedWriter, String> {
        Ok(match self {
            SharedTarget::Zarr {
                folder,
                target,
                dtype,
                compression,
            } => JoinedWriter::Zarr(Box::new(zarr::ZarrWriter::join(
                folder,
                target,
                *dtype,
                compression,
            )?)),
            SharedTarget::Npy { file, dtype, shape } => {
                JoinedWriter::Npy(npy::NpyWriter::join(file, *dtype, shape)?)
            }
        })
    }
}

impl JoinedWriter {
    fn write_block(&self, region: &Region, data: &Data) -> Result<(), String> {
        match self {
            JoinedWriter::Zarr(w) => w.write_block(region, data),
            JoinedWriter::Npy(w) => w.write_block(region, data),
        }
    }
}

impl dist::wire::Wire for SharedTarget {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            SharedTarget::Zarr {
                folder,
                target,
                dtype,
                compression,
            } => {
                dist::wire::put_u64(out, 0);
                folder.put(out);
                target.put(out);
                dtype.put(out);
                let (tag, inner) = match compression {
                    zarr::Compression::None => (0, None),
                    zarr::Compression::Zstd => (1, None),
                    zarr::Compression::Gzip => (2, None),
                    zarr::Compression::Zlib => (3, None),
                    zarr::Compression::Blosc(c) => (4, Some(c.clone())),
                };
                dist::wire::put_u64(out, tag);
                inner.put(out);
            }
            SharedTarget::Npy { file, dtype, shape } => {
                dist::wire::put_u64(out, 1);
                file.put(out);
                dtype.put(out);
                shape.put(out);
            }
        }
    }

    fn take(r: &mut dist::wire::Reader) -> Result<SharedTarget, ExecError> {
        use dist::wire::Wire;
        Ok(match r.u64()? {
            0 => {
                let folder = PathBuf::take(r)?;
                let target = PathBuf::take(r)?;
                let dtype = DType::take(r)?;
                let tag = r.u64()?;
                let inner = <Option<String> as Wire>::take(r)?;
                let compression = match (tag, inner) {
                    (0, _) => zarr::Compression::None,
                    (1, _) => zarr::Compression::Zstd,
                    (2, _) => zarr::Compression::Gzip,
                    (3, _) => zarr::Compression::Zlib,
                    (_, c) => zarr::Compression::Blosc(c.unwrap_or_default()),
                };
                SharedTarget::Zarr {
                    folder,
                    target,
                    dtype,
                    compression,
                }
            }
            _ => SharedTarget::Npy {
                file: PathBuf::take(r)?,
                dtype: DType::take(r)?,
                shape: Vec::<usize>::take(r)?,
            },
        })
    }
}

/// What the writer tells the other ranks during a store.
enum Command<T> {
    /// Compute your share of the blocks of the store's node `i`: send them to the writer,
    /// or write them into the shared target.
    Stream(usize, Option<SharedTarget>),
    /// The store ended with this outcome.
    Done(Result<T, String>),
}

impl<T: dist::wire::Wire> Command<T> {
    fn encode(&self) -> Vec<u8> {
        use dist::wire::Wire;
        let mut out = Vec::new();
        match self {
            Command::Stream(i, target) => {
                dist::wire::put_u64(&mut out, 0);
                dist::wire::put_u64(&mut out, *i as u64);
                target.put(&mut out);
            }
            Command::Done(Ok(v)) => {
                dist::wire::put_u64(&mut out, 1);
                v.put(&mut out);
            }
            Command::Done(Err(m)) => {
                dist::wire::put_u64(&mut out, 2);
                m.put(&mut out);
            }
        }
        out
    }

    fn decode(bytes: &[u8]) -> Result<Command<T>, String> {
        use dist::wire::Wire;
        let mut r = dist::wire::Reader::new(bytes);
        let bad = |e: crate::exec::ExecError| e.to_string();
        Ok(match r.u64().map_err(bad)? {
            0 => Command::Stream(
                r.length().map_err(bad)?,
                <Option<SharedTarget> as Wire>::take(&mut r).map_err(bad)?,
            ),
            1 => Command::Done(Ok(T::take(&mut r).map_err(bad)?)),
            _ => Command::Done(Err(String::take(&mut r).map_err(bad)?)),
        })
    }
}

/// Runs a store (or picture, which returns what it drew) as one write for the whole MPI job: rank 0 runs `body`, which
/// alone touches files; its streams of `nodes` are computed by every rank (each its share
/// of the blocks, sent to rank 0), anything else it computes it computes alone; the other
/// ranks follow rank 0's commands and end with its outcome, so a failure anywhere leaves
/// the old file intact and every rank reports the same error. One process: just `body`.
pub fn store_collectively<T: dist::wire::Wire + Clone>(
    session: &Env,
    nodes: &[NodeRef],
    body: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    if !dist::is_distributed() {
        return body();
    }
    let _interrupt = InterruptGuard::install(session);
    if dist::is_writer() {
        if let Ok(mut lead) = LEAD.lock() {
            *lead = nodes
                .iter()
                .map(|n| std::sync::Arc::as_ptr(n) as *const u8 as usize)
                .collect();
        }
        let outcome = dist::alone(body);
        if let Ok(mut lead) = LEAD.lock() {
            lead.clear();
        }
        dist::broadcast_from_writer(Command::Done(outcome.clone()).encode());
        return outcome;
    }
    loop {
        match Command::<T>::decode(&dist::broadcast_from_writer(Vec::new()))? {
            Command::Stream(i, target) => {
                let node = nodes.get(i).ok_or("the writer streams an unknown array")?;
                let config = session.exec.clone();
                let cancel = session.cancel.clone();
                // This rank's blocks go to the writer, or into the shared target (a failure
                // to open it fails this rank's first block); the outcome comes with `Done`.
                let joined = target.as_ref().map(SharedTarget::join);
                let write = |region: &Region, data: Data| match &joined {
                    Some(Ok(w)) => w.write_block(region, &data),
                    Some(Err(e)) => Err(e.clone()),
                    None => Ok(()),
                };
                let mut send = |_: &Region, _: Data| Ok(());
                let sink = match &joined {
                    Some(_) => BlockSink::EachRank(&write),
                    None => BlockSink::InOrder(&mut send),
                };
                let _ = session
                    .pool
                    .install(|| crate::exec::stream_chunks_to_writer(&config, cancel, node, sink));
            }
            Command::Done(outcome) => return outcome,
        }
    }
}

/// While alive (during a store), Ctrl-C and SIGTERM set the session's cancel flag instead
/// of killing the process, so the store stops between blocks and removes its temporary
/// file; a second signal removes the temporary files and exits at once (status 130). It only takes over signals whose
/// action is the default one: where the REPL or an embedding program handles SIGINT
/// already, that handler cancels the session's computation and the store cleans up the same
/// way. Guards nest; the outermost restores the default action.
pub struct InterruptGuard {
    installed: bool,
    _cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// The cancel flag of the store in progress, for the signal handler.
static ACTIVE_CANCEL: std::sync::atomic::AtomicPtr<std::sync::atomic::AtomicBool> =
    std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

const GUARDED: [libc::c_int; 2] = [libc::SIGINT, libc::SIGTERM];

extern "C" fn on_signal(sig: libc::c_int) {
    let flag = ACTIVE_CANCEL.load(std::sync::atomic::Ordering::SeqCst);
    if flag.is_null() {
        // Safety: `signal` and `raise` are async-signal-safe; this is the default action.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
        return;
    }
    // Safety: the pointer is set only while the guard that owns the Arc is alive, and
    // cleared (with the default action restored) before that Arc is dropped.
    let already = unsafe { (*flag).swap(true, std::sync::atomic::Ordering::SeqCst) };
    if already && !atomic::in_critical() {
        // The temporaries being written go first (only `unlink`), so exiting at once
        // leaves nothing behind.
        atomic::remove_in_signal();
        // Safety: `_exit` is async-signal-safe.
        unsafe { libc::_exit(130) };
    }
}

impl InterruptGuard {
    /// Routes SIGINT and SIGTERM to the session's cancel flag for the guard's lifetime.
    pub fn install(session: &Env) -> InterruptGuard {
        let cancel = session.cancel.clone();
        let none = InterruptGuard {
            installed: false,
            _cancel: None,
        };
        if !ACTIVE_CANCEL
            .load(std::sync::atomic::Ordering::SeqCst)
            .is_null()
        {
            return none;
        }
        for sig in GUARDED {
            // Safety: a query of the current action into a zeroed struct owned here.
            let current = unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
                    return none;
                }
                old.sa_sigaction
            };
            if current != libc::SIG_DFL {
                return none;
            }
        }
        ACTIVE_CANCEL.store(
            std::sync::Arc::as_ptr(&cancel) as *mut std::sync::atomic::AtomicBool,
            std::sync::atomic::Ordering::SeqCst,
        );
        for sig in GUARDED {
            // Safety: installs `on_signal`, which only touches an atomic and calls
            // async-signal-safe functions, with an empty mask and no flags.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
        InterruptGuard {
            installed: true,
            _cancel: Some(cancel),
        }
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        if !self.installed {
            return;
        }
        for sig in GUARDED {
            // Safety: restores the default action this guard replaced.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        ACTIVE_CANCEL.store(std::ptr::null_mut(), std::sync::atomic::Ordering::SeqCst);
    }
}

/// The bytes of an array of `shape` with elements of `itemsize` bytes, `None` when that
/// overflows or exceeds what an allocation or a file offset can hold (`isize::MAX`): the
/// check every size read from a file header goes through, so a crafted header is an error
/// instead of a wrapped size.
pub fn checked_bytes(shape: &[usize], itemsize: usize) -> Option<usize> {
    let mut n = itemsize;
    for &d in shape {
        if d > i64::MAX as usize {
            return None;
        }
        n = n.checked_mul(d)?;
    }
    // Elements are counted as i64 elsewhere, so the element count must fit too.
    let elements = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))?;
    (n <= isize::MAX as usize && elements <= i64::MAX as usize).then_some(n)
}

/// The path as written by the user, for messages.
pub fn shown(path: &Path) -> String {
    format!("\"{}\"", path.display())
}

/// Paths that stores earlier in the script being checked will write. In check mode nothing
/// is written, so a later `from_*` of such a path cannot open it yet: it gets an unknown
/// shape there, and is opened for real when the script runs.
fn planned_writes() -> &'static std::sync::Mutex<std::collections::HashSet<(usize, PathBuf)>> {
    static PLANNED: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashSet<(usize, PathBuf)>>,
    > = std::sync::OnceLock::new();
    PLANNED.get_or_init(Default::default)
}

/// Records (check mode) that a store will write `path`.
pub fn plan_write(session: &Env, path: &Path) {
    if let Ok(mut p) = planned_writes().lock() {
        p.insert((session.session, normalise(path)));
    }
}

/// Whether a store checked earlier in this session writes `path`.
pub fn is_planned(session: &Env, path: &Path) -> bool {
    planned_writes()
        .lock()
        .map(|p| p.contains(&(session.session, normalise(path))))
        .unwrap_or(false)
}

fn normalise(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Checks that a store target is the store's to write (DESIGN: stores never touch what is
/// not theirs): its folder exists (stores never create folders) and is a folder; the target
/// is missing, or a regular file for single-file formats, or for folder formats (Zarr,
/// `is_dir_format`) an empty folder or a Zarr store. A symbolic link, a device, FIFO or
/// socket, a folder where a file goes and anything that is not a Zarr store where a Zarr
/// store goes are refused, each with a message saying so.
pub fn check_target(path: &Path, is_dir_format: bool) -> Result<(), String> {
    if path.as_os_str().is_empty() {
        return Err("the path is empty".into());
    }
    let parent = atomic::parent_of(path);
    match std::fs::metadata(&parent) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(format!(
                "cannot write {}: {} is not a directory",
                shown(path),
                shown(&parent)
            ));
        }
        Err(e) => {
            // A file on the way is named; otherwise the folder is missing.
            let mut up = parent.parent();
            while let Some(p) = up {
                if p.as_os_str().is_empty() {
                    break;
                }
                if let Ok(m) = std::fs::metadata(p) {
                    if !m.is_dir() {
                        return Err(format!(
                            "cannot write {}: {} is not a directory",
                            shown(path),
                            shown(p)
                        ));
                    }
                    break;
                }
                up = p.parent();
            }
            return Err(match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "cannot write {}: the folder {} does not exist (stores do not create folders)",
                    shown(path),
                    shown(&parent)
                ),
                _ => format!("cannot write {}: {}: {e}", shown(path), shown(&parent)),
            });
        }
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot write {}: {e}", shown(path))),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        let to = std::fs::read_link(path)
            .map(|t| format!(" (to {})", shown(&t)))
            .unwrap_or_default();
        return Err(format!(
            "cannot write {}: it is a symbolic link{to}; stores do not replace links or write through them (write to the path it points to, or remove the link)",
            shown(path)
        ));
    }
    if kind.is_dir() {
        if !is_dir_format {
            return Err(format!("cannot write {}: it is a directory", shown(path)));
        }
        let empty = std::fs::read_dir(path)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !zarr::is_store(path) {
            return Err(format!(
                "cannot write {}: it is a folder that is not a Zarr store; to_zarr replaces only Zarr stores (remove it or choose another path)",
                shown(path)
            ));
        }
        return Ok(());
    }
    if !kind.is_file() {
        return Err(format!(
            "cannot write {}: it is a special file (a device, FIFO or socket), not a regular file",
            shown(path)
        ));
    }
    if is_dir_format {
        return Err(format!(
            "cannot write {}: it is a file, not a Zarr store (remove it or choose another path)",
            shown(path)
        ));
    }
    Ok(())
}
