//! External sorting for `sort`, `argsort` and `unique` of 1-D arrays larger than the
//! memory limit: the input streams block by block into sorted runs of at most a quarter of
//! the limit, spilled to a temporary folder; a k-way merge writes the result as a `.npy`
//! file, which is mapped and unlinked at once, so the folder is removed whether the sort
//! succeeds, fails or is cancelled (Ctrl-C sets the cancel flag while a sort runs). Values
//! are ordered by an order-preserving u64 key (nan last, as NumPy); ties keep input order,
//! so argsort is stable.

use crate::data::{Data, Element};
use crate::exec::region::AxisRange;
use crate::exec::{ExecConfig, ExecError, stream_chunks};
use crate::graph::node::NodeRef;
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What the merge produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKind {
    /// The sorted values.
    Sort,
    /// The stable sorting permutation (i64).
    ArgSort,
    /// The sorted distinct values.
    Unique,
}

/// Elements written to the result per block.
const OUT_BLOCK: usize = 1 << 20;

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir() -> Result<TempDir, ExecError> {
    let base = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for attempt in 0..100 {
        let p = base.join(format!("arr-sort-{}-{stamp}-{attempt}", std::process::id()));
        if std::fs::create_dir(&p).is_ok() {
            return Ok(TempDir(p));
        }
    }
    Err(ExecError::Io(format!(
        "cannot create a temporary folder for sorting in {}",
        base.display()
    )))
}

/// The order key of each element: floats by `select`'s key (nan last), integers with the
/// sign bit flipped.
fn keys(d: &Data) -> Vec<u64> {
    if d.dtype().is_float() {
        d.to_f64_vec()
            .into_iter()
            .map(crate::exec::select::order_key)
            .collect()
    } else {
        with_data!(d, a => a.iter().map(|v| (v.to_i64() as u64) ^ (1 << 63)).collect())
    }
}

/// Values of `dtype` from their keys.
fn decode(keys: &[u64], dtype: DType) -> Data {
    let n = keys.len();
    let d = if dtype.is_float() {
        let v: Vec<f64> = keys
            .iter()
            .map(|&k| crate::exec::select::order_value(k))
            .collect();
        Data::F64(ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("1-D"))
    } else {
        let v: Vec<i64> = keys.iter().map(|&k| (k ^ (1 << 63)) as i64).collect();
        Data::I64(ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("1-D"))
    };
    d.into_dtype(dtype)
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> ExecError {
    ExecError::Io(format!("sort: cannot {what} {}: {e}", path.display()))
}

/// Writes one sorted run.
fn spill(
    dir: &Path,
    n: usize,
    run: &mut [(u64, u64)],
    with_index: bool,
) -> Result<PathBuf, String> {
    run.sort_unstable();
    let path = dir.join(format!("run-{n}.bin"));
    let file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    for &(k, i) in run.iter() {
        w.write_all(&k.to_le_bytes())
            .and_then(|_| {
                if with_index {
                    w.write_all(&i.to_le_bytes())
                } else {
                    Ok(())
                }
            })
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    w.flush()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// One run being merged.
struct RunReader {
    r: BufReader<std::fs::File>,
    with_index: bool,
}

impl RunReader {
    fn next(&mut self) -> std::io::Result<Option<(u64, u64)>> {
        let mut k = [0u8; 8];
        match self.r.read_exact(&mut k) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let mut i = [0u8; 8];
        if self.with_index {
            self.r.read_exact(&mut i)?;
        }
        Ok(Some((u64::from_le_bytes(k), u64::from_le_bytes(i))))
    }
}

/// What the caller does with the sorted result while its folder exists: stores it (as a
/// mapped file) and returns the node over it.
pub type Finish<'a> = dyn FnMut(&Sorted) -> Result<NodeRef, ExecError> + Send + 'a;

/// Sorts the 1-D `node` out of core; `finish` turns the sorted values into the result (a
/// lazy array over a mapped file, written by the caller's I/O layer).
pub fn external_sort(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
    kind: SortKind,
    finish: &mut Finish<'_>,
) -> Result<NodeRef, ExecError> {
    // Ctrl-C cancels the sort (and so removes its files) in scripts too.
    let flag = cancel.clone();
    let action = move || flag.store(true, Ordering::Relaxed);
    // Safety: the action only stores to an atomic, which is async-signal-safe.
    let hook =
        unsafe { signal_hook::low_level::register(signal_hook::consts::SIGINT, action) }.ok();
    let result = sort_inner(config, cancel, node, kind, finish);
    if let Some(id) = hook {
        signal_hook::low_level::unregister(id);
    }
    result
}

fn sort_inner(
    config: &ExecConfig,
    cancel: Arc<AtomicBool>,
    node: &NodeRef,
    kind: SortKind,
    finish: &mut Finish<'_>,
) -> Result<NodeRef, ExecError> {
    let dir = temp_dir()?;
    let with_index = kind == SortKind::ArgSort;
    let entry = if with_index { 16 } else { 8 };
    let run_len = (config.memory_limit / 4 / entry).max(1024);
    let mut runs: Vec<PathBuf> = Vec::new();
    let mut buf: Vec<(u64, u64)> = Vec::new();
    let mut seen: u64 = 0;
    let dir_path = dir.0.clone();
    {
        let mut sink = |_: &crate::exec::region::Region, data: Data| -> Result<(), String> {
            for k in keys(&data) {
                buf.push((k, seen));
                seen += 1;
                if buf.len() >= run_len {
                    runs.push(spill(&dir_path, runs.len(), &mut buf, with_index)?);
                    buf.clear();
                }
            }
            Ok(())
        };
        stream_chunks(config, cancel.clone(), node, &mut sink)?;
    }
    if !buf.is_empty() {
        runs.push(spill(&dir.0, runs.len(), &mut buf, with_index).map_err(ExecError::Io)?);
    }
    drop(buf);
    let mut readers = Vec::with_capacity(runs.len());
    for p in &runs {
        let f = std::fs::File::open(p).map_err(|e| io_err("read", p, e))?;
        readers.push(RunReader {
            r: BufReader::with_capacity(1 << 16, f),
            with_index,
        });
    }
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (j, r) in readers.iter_mut().enumerate() {
        if let Some((k, i)) = r.next().map_err(|e| io_err("read", &runs[j], e))? {
            heap.push(Reverse((k, i, j)));
        }
    }
    // Merge into a raw stream of keys (or indices), then into the .npy result.
    let merged = dir.0.join("merged.bin");
    let mut w = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&merged).map_err(|e| io_err("write", &merged, e))?,
    );
    let mut count = 0usize;
    let mut last: Option<u64> = None;
    while let Some(Reverse((k, i, j))) = heap.pop() {
        if count.is_multiple_of(OUT_BLOCK) && cancel.load(Ordering::Relaxed) {
            return Err(ExecError::Cancelled);
        }
        let keep = kind != SortKind::Unique || last != Some(k);
        if keep {
            let v = if with_index { i } else { k };
            w.write_all(&v.to_le_bytes())
                .map_err(|e| io_err("write", &merged, e))?;
            count += 1;
            last = Some(k);
        }
        if let Some((k2, i2)) = readers[j].next().map_err(|e| io_err("read", &runs[j], e))? {
            heap.push(Reverse((k2, i2, j)));
        }
    }
    w.flush().map_err(|e| io_err("write", &merged, e))?;
    drop(w);
    drop(readers);
    for p in &runs {
        let _ = std::fs::remove_file(p);
    }
    let dtype = if with_index { DType::I64 } else { node.dtype };
    let sorted = Sorted {
        folder: &dir.0,
        merged: &merged,
        count,
        dtype,
        with_index,
        cancel: &cancel,
    };
    let out = finish(&sorted)?;
    // The caller maps its result: the folder can go now (a map keeps the data until dropped).
    drop(dir);
    Ok(out)
}

/// The merged, sorted values (or indices) on disk, in the sort's temporary folder; read
/// back block by block for the caller to store its result (`external_sort`'s `finish`).
pub struct Sorted<'a> {
    folder: &'a Path,
    merged: &'a Path,
    count: usize,
    dtype: DType,
    with_index: bool,
    cancel: &'a AtomicBool,
}

impl Sorted<'_> {
    /// The temporary folder, removed after `finish` returns.
    pub fn folder(&self) -> &Path {
        self.folder
    }

    /// Elements in the result.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The result's dtype (`i64` for `argsort`).
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Calls `f` with each block of the result, in order.
    pub fn for_each_block(
        &self,
        f: &mut dyn FnMut(&crate::exec::region::Region, Data) -> Result<(), String>,
    ) -> Result<(), ExecError> {
        let merged = self.merged;
        let mut r = BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(merged).map_err(|e| io_err("read", merged, e))?,
        );
        let mut lo = 0usize;
        let mut bytes = vec![0u8; 8 * OUT_BLOCK];
        while lo < self.count {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ExecError::Cancelled);
            }
            let len = OUT_BLOCK.min(self.count - lo);
            r.read_exact(&mut bytes[..8 * len])
                .map_err(|e| io_err("read", merged, e))?;
            let vals: Vec<u64> = bytes[..8 * len]
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect();
            let block = if self.with_index {
                let v: Vec<i64> = vals.iter().map(|&i| i as i64).collect();
                Data::I64(ArrayD::from_shape_vec(IxDyn(&[len]), v).expect("1-D"))
            } else {
                decode(&vals, self.dtype)
            };
            f(&vec![AxisRange::span(lo, len)], block).map_err(ExecError::Io)?;
            lo += len;
        }
        Ok(())
    }
}
