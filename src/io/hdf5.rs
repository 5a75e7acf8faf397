//! HDF5 through hdf5-metno (the system's libhdf5): `from_hdf5` opens a file only to read a
//! dataset's shape, type and chunking, then reads hyperslabs lazily, one per block the
//! executor needs (a slice above the source becomes a strided hyperslab, so only kept
//! elements are read); open datasets are kept in a small shared cache, so hundreds of files
//! are never open at once. `to_hdf5` streams blocks into a chunked (optionally compressed)
//! dataset of a temporary copy of the target, renamed over it only when every block is in.
//!
//! Element types: Arr's own are read as they are (HDF5's FALSE/TRUE enum, as h5py writes
//! it, is `bool`); `int8 int16 uint16` widen to `i32` and `uint32` to `i64`; others are an
//! unsupported dtype.

use super::{Ascending, apply_flips, ascending, shown};
use crate::data::Data;
use crate::exec::region::Region;
use crate::graph::node::ArraySource;
use crate::sema::dtype::DType;
use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use hdf5::{Dataset, File, Hyperslab, SliceOrIndex};
use ndarray::{ArrayD, IxDyn};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What `from_hdf5` learns from a dataset's header.
#[derive(Clone, Debug)]
pub struct Info {
    /// The dtype Arr reads it as.
    pub dtype: DType,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its HDF5 chunk shape, if chunked.
    pub chunk: Option<Vec<usize>>,
}

fn hdf5_error(path: &Path, e: &hdf5::Error) -> String {
    let text = e.to_string();
    if !path.exists() {
        return format!("no such file: {}", shown(path));
    }
    if text.contains("file signature not found") || text.contains("unable to open file") {
        return format!("{} is not a readable HDF5 file ({text})", shown(path));
    }
    format!("cannot read {}: {text}", shown(path))
}

/// Opens a file for reading, with messages for a missing or non-HDF5 file.
fn open_file(path: &Path) -> Result<File, String> {
    if !path.exists() {
        return Err(format!("no such file: {}", shown(path)));
    }
    if path.is_dir() {
        return Err(format!("{} is a directory, not an HDF5 file", shown(path)));
    }
    File::open(path).map_err(|e| hdf5_error(path, &e))
}

fn open_dataset(file: &File, path: &Path, name: &str) -> Result<Dataset, String> {
    file.dataset(name).map_err(|_| {
        let mut names = Vec::new();
        let _ = collect_datasets(file, "", &mut names);
        let listing = if names.is_empty() {
            "it holds no datasets".to_string()
        } else {
            let shown_names: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
            format!(
                "it holds {}{}",
                shown_names.join(", "),
                if names.len() > 10 { ", ..." } else { "" }
            )
        };
        format!("no dataset \"{name}\" in {}; {listing}", shown(path))
    })
}

/// The paths of every dataset under `group`.
fn collect_datasets(group: &hdf5::Group, prefix: &str, out: &mut Vec<String>) -> hdf5::Result<()> {
    for ds in group.datasets()? {
        let n = ds.name();
        out.push(if n.is_empty() { prefix.to_string() } else { n });
    }
    for g in group.groups()? {
        if out.len() > 20 {
            break;
        }
        collect_datasets(&g, &g.name(), out)?;
    }
    Ok(())
}

/// How a stored type is read.
fn read_dtype(desc: &TypeDescriptor) -> Option<DType> {
    Some(match desc {
        TypeDescriptor::Boolean => DType::Bool,
        TypeDescriptor::Unsigned(IntSize::U1) => DType::U8,
        TypeDescriptor::Integer(IntSize::U1 | IntSize::U2 | IntSize::U4)
        | TypeDescriptor::Unsigned(IntSize::U2) => DType::I32,
        TypeDescriptor::Integer(IntSize::U8) | TypeDescriptor::Unsigned(IntSize::U4) => DType::I64,
        TypeDescriptor::Float(FloatSize::U4) => DType::F32,
        TypeDescriptor::Float(FloatSize::U8) => DType::F64,
        _ => return None,
    })
}

fn info_of(ds: &Dataset, path: &Path, name: &str) -> Result<Info, String> {
    let desc = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("cannot read the type of \"{name}\" in {}: {e}", shown(path)));
    let dtype = match desc {
        Ok(d) => read_dtype(&d).ok_or_else(|| {
            format!(
                "unsupported dtype {d} of \"{name}\" in {} (Arr reads bool, u8, i32, i64, f32 and f64, and widens int8, int16, uint16 and uint32)",
                shown(path)
            )
        })?,
        Err(e) => {
            return Err(format!(
                "unsupported dtype of \"{name}\" in {} ({e})",
                shown(path)
            ));
        }
    };
    Ok(Info {
        dtype,
        shape: ds.shape(),
        chunk: ds.chunk().filter(|c| !c.is_empty()),
    })
}

/// Reads a dataset's header: its dtype, shape and chunking.
pub fn inspect(path: &Path, name: &str) -> Result<Info, String> {
    let file = open_file(path)?;
    let ds = open_dataset(&file, path, name)?;
    info_of(&ds, path, name)
}

/// Open datasets shared by every source, least recently used first; each entry remembers
/// which version of the file it was opened from.
struct Cache {
    entries: Vec<(Key, Dataset)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    path: PathBuf,
    dataset: String,
    version: (u64, i64, i64),
}

/// How many datasets stay open at once.
const OPEN_LIMIT: usize = 32;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: std::sync::OnceLock<Mutex<Cache>> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Cache {
            entries: Vec::new(),
        })
    })
}

fn file_version(path: &Path) -> Result<(u64, i64, i64), String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).map_err(|e| super::npy::open_error(path, &e))?;
    Ok((m.ino(), m.mtime(), m.mtime_nsec()))
}

/// An open handle on `name` in `path`, from the cache or newly opened.
fn dataset_handle(path: &Path, name: &str) -> Result<Dataset, String> {
    let key = Key {
        path: path.to_path_buf(),
        dataset: name.to_string(),
        version: file_version(path)?,
    };
    let mut c = cache()
        .lock()
        .map_err(|_| "the HDF5 cache is poisoned".to_string())?;
    if let Some(i) = c.entries.iter().position(|(k, _)| *k == key) {
        let entry = c.entries.remove(i);
        let ds = entry.1.clone();
        c.entries.push(entry);
        return Ok(ds);
    }
    // Forget handles on older versions of the file, and the least recently used.
    c.entries
        .retain(|(k, _)| !(k.path == key.path && k.version != key.version));
    while c.entries.len() >= OPEN_LIMIT {
        c.entries.remove(0);
    }
    let file = open_file(path)?;
    let ds = open_dataset(&file, path, name)?;
    c.entries.push((key, ds.clone()));
    Ok(ds)
}

/// Closes every cached handle on `path` (before it is replaced).
pub fn forget(path: &Path) {
    if let Ok(mut c) = cache().lock() {
        c.entries.retain(|(k, _)| k.path != path);
    }
}

/// A dataset in an HDF5 file, read hyperslab by hyperslab.
#[derive(Debug)]
pub struct Hdf5Source {
    path: PathBuf,
    dataset: String,
    info: Info,
}

impl Hdf5Source {
    /// A source for a dataset whose header was read as `info`.
    pub fn new(path: &Path, dataset: &str, info: Info) -> Hdf5Source {
        Hdf5Source {
            path: path.to_path_buf(),
            dataset: dataset.to_string(),
            info,
        }
    }
}

/// Reads the ascending region `axes`. HDF5 selects strided elements one by one, which is
/// slow; so small strides (product at most 8, the last axes first) are read as whole runs
/// and thinned in memory, and only larger strides become strided hyperslabs.
fn read_as<T: hdf5::H5Type + Clone>(ds: &Dataset, axes: &[Ascending]) -> hdf5::Result<ArrayD<T>> {
    if axes.is_empty() {
        let v: T = ds.read_scalar()?;
        return Ok(ArrayD::from_elem(IxDyn(&[]), v));
    }
    let mut dense = vec![false; axes.len()];
    let mut waste = 1;
    for k in (0..axes.len()).rev() {
        let a = axes[k];
        if a.stride > 1 && waste * a.stride <= 8 {
            dense[k] = true;
            waste *= a.stride;
        }
    }
    let dims: Vec<SliceOrIndex> = axes
        .iter()
        .zip(&dense)
        .map(|(a, &d)| SliceOrIndex::SliceCount {
            start: a.lo,
            step: if d { 1 } else { a.stride },
            count: if d { (a.len - 1) * a.stride + 1 } else { a.len },
            block: 1,
        })
        .collect();
    let read: ArrayD<T> = ds
        .as_reader()
        .read_slice::<T, _, IxDyn>(Hyperslab::from(dims))?;
    if !dense.iter().any(|&d| d) {
        return Ok(read);
    }
    let mut view = read.view();
    for (k, a) in axes.iter().enumerate() {
        if dense[k] {
            view.slice_axis_inplace(
                ndarray::Axis(k),
                ndarray::Slice::new(0, None, a.stride as isize),
            );
        }
    }
    Ok(view.as_standard_layout().into_owned())
}

impl ArraySource for Hdf5Source {
    fn describe(&self) -> String {
        format!(
            "from_hdf5(\"{}\", \"{}\")",
            self.path.display(),
            self.dataset
        )
    }

    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String> {
        let where_ = || format!("\"{}\" in {}", self.dataset, shown(&self.path));
        let axes = ascending(start, step, len, &self.info.shape)
            .map_err(|e| format!("reading {}: {e}", where_()))?;
        let ds = dataset_handle(&self.path, &self.dataset)?;
        if ds.shape() != self.info.shape {
            return Err(format!(
                "{} changed shape from {:?} to {:?} since it was opened",
                where_(),
                self.info.shape,
                ds.shape()
            ));
        }
        let fail = |e: hdf5::Error| format!("cannot read {}: {e} (is the file corrupt?)", where_());
        let data = match self.info.dtype {
            DType::Bool => Data::Bool(read_as::<bool>(&ds, &axes).map_err(fail)?),
            DType::U8 => Data::U8(read_as::<u8>(&ds, &axes).map_err(fail)?),
            DType::I32 => Data::I32(read_as::<i32>(&ds, &axes).map_err(fail)?),
            DType::I64 => Data::I64(read_as::<i64>(&ds, &axes).map_err(fail)?),
            DType::F32 => Data::F32(read_as::<f32>(&ds, &axes).map_err(fail)?),
            DType::F64 => Data::F64(read_as::<f64>(&ds, &axes).map_err(fail)?),
        };
        super::progress::add_read(data.nbytes() as u64);
        Ok(apply_flips(data, &axes))
    }
}

/// HDF5 compression of a written dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    /// Deflate (gzip) at a level 1..=9, after byte shuffling.
    Gzip(u8),
}

/// One dataset to write: its name, and the node's dtype, shape and first block's shape.
pub struct Target {
    /// The dataset's path inside the file.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape.
    pub shape: Vec<usize>,
    /// HDF5 chunk shape.
    pub chunk: Vec<usize>,
}

/// The HDF5 chunk for a stored array: the first block's shape, cut along the leading axes
/// to at most 4 MiB (HDF5 reads and caches whole chunks), never empty. Cuts divide the
/// block's length, so every block written covers whole chunks.
pub fn chunk_for(block: &[usize], itemsize: usize) -> Vec<usize> {
    let mut c: Vec<usize> = block.iter().map(|&b| b.max(1)).collect();
    let limit = 4 << 20;
    for k in 0..c.len() {
        let whole = c[k];
        while c.iter().product::<usize>() * itemsize > limit && c[k] > 1 {
            // The largest divisor of the block's length below the current cut.
            let below = c[k] / 2;
            c[k] = (1..=below.max(1))
                .rev()
                .find(|d| whole.is_multiple_of(*d))
                .unwrap_or(1);
        }
    }
    c
}

/// A file being written: a temporary copy of the target (or a new file) with its datasets.
pub struct Writer {
    staged: super::atomic::Staged,
    target: PathBuf,
    file: Option<File>,
    blocks: usize,
}

impl Writer {
    /// Starts writing `path`: an existing HDF5 file is copied so that its other datasets
    /// are kept; anything else there is an error (it is never clobbered).
    pub fn create(path: &Path) -> Result<Writer, String> {
        let staged = super::atomic::Staged::new(path)?;
        let fail = |e: String| format!("cannot write {}: {e}", shown(path));
        let file = if path.is_file() {
            if !is_hdf5(path) {
                return Err(format!(
                    "cannot write {}: it exists and is not an HDF5 file (remove it or choose another path)",
                    shown(path)
                ));
            }
            std::fs::copy(path, staged.temp()).map_err(|e| fail(e.to_string()))?;
            File::open_rw(staged.temp()).map_err(|e| fail(e.to_string()))?
        } else {
            File::create(staged.temp()).map_err(|e| fail(e.to_string()))?
        };
        Ok(Writer {
            staged,
            target: path.to_path_buf(),
            file: Some(file),
            blocks: 0,
        })
    }

    /// Creates (or replaces) one dataset, ready for its blocks.
    pub fn dataset(&self, t: &Target, compression: Compression) -> Result<Dataset, String> {
        let file = self.file.as_ref().ok_or("the file is closed")?;
        let fail = |e: hdf5::Error| {
            format!(
                "cannot create \"{}\" in {}: {e}",
                t.name,
                shown(&self.target)
            )
        };
        if file.link_exists(&t.name) {
            file.unlink(&t.name).map_err(fail)?;
        }
        macro_rules! build {
            ($ty:ty) => {{
                let mut b = file.new_dataset::<$ty>().shape(t.shape.clone());
                if !t.shape.is_empty() && t.shape.iter().all(|&d| d > 0) {
                    b = b.chunk(t.chunk.clone());
                    if let Compression::Gzip(level) = compression {
                        b = b.shuffle().deflate(level);
                    }
                }
                b.create(t.name.as_str()).map_err(fail)
            }};
        }
        match t.dtype {
            DType::Bool => build!(bool),
            DType::U8 => build!(u8),
            DType::I32 => build!(i32),
            DType::I64 => build!(i64),
            DType::F32 => build!(f32),
            DType::F64 => build!(f64),
        }
    }

    /// Writes one block at its region.
    pub fn write_block(
        &mut self,
        ds: &Dataset,
        region: &Region,
        data: &Data,
    ) -> Result<(), String> {
        super::atomic::injected_failure(self.blocks)?;
        self.blocks += 1;
        let fail = |e: hdf5::Error| format!("cannot write {}: {e}", shown(&self.target));
        if region.is_empty() {
            return with_data!(data, a => {
                let v = a.iter().next().copied().ok_or("an empty scalar")?;
                ds.as_writer().write_scalar(&v).map_err(fail)
            });
        }
        let dims: Vec<SliceOrIndex> = region
            .iter()
            .map(|r| SliceOrIndex::SliceCount {
                start: r.start.max(0) as usize,
                step: 1,
                count: r.len,
                block: 1,
            })
            .collect();
        let sel = Hyperslab::from(dims);
        with_data!(data, a => {
            let a = a.as_standard_layout();
            ds.as_writer().write_slice(a.view(), sel).map_err(fail)
        })
    }

    /// Flushes, closes and renames the file over the target.
    pub fn commit(self) -> Result<(), String> {
        let Writer {
            staged,
            target,
            file,
            ..
        } = self;
        if let Some(file) = file {
            let fail = |e: hdf5::Error| format!("cannot write {}: {e}", shown(&target));
            file.flush().map_err(fail)?;
            file.close().map_err(fail)?;
        }
        forget(&target);
        staged.commit()
    }
}

/// Whether a file starts with HDF5's signature (at 0 or a power-of-two user-block offset).
pub fn is_hdf5(path: &Path) -> bool {
    use std::os::unix::fs::FileExt;
    const SIG: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut at = 0u64;
    while at + 8 <= len {
        let mut buf = [0u8; 8];
        if f.read_exact_at(&mut buf, at).is_ok() && &buf == SIG {
            return true;
        }
        at = if at == 0 { 512 } else { at * 2 };
    }
    false
}
