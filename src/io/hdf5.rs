//! HDF5 through hdf5-metno (the system's libhdf5): `from_hdf5` opens a file only to read a
//! dataset's shape, type and chunking, then reads regions lazily, one per block the
//! executor needs (a slice above the source reads only the kept elements, see `read_as`);
//! open datasets are kept in a small shared cache, so hundreds of files are never open at
//! once.
//!
//! libhdf5 is not thread-safe, so hdf5-metno runs every call under one global lock: reads
//! through it are serial however many threads the executor has. So where the stored bytes
//! are exactly the array's (contiguous or chunked layout, no filters, no external storage,
//! the native little-endian type, no user block) Arr asks libhdf5 once where the data (or
//! each chunk) lies in the file and then reads the bytes itself with `pread`, from every
//! thread at once (`Direct`). Anything else (compression, fill values of unwritten chunks,
//! type conversion) is read through libhdf5. `to_hdf5` streams blocks into a chunked (optionally compressed)
//! dataset of a temporary file, renamed over the target only when every block is in; into
//! an existing file the finished datasets are copied (in place when it is large, see
//! `Writer::commit`), so a large file is never copied to add a dataset.
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
use std::sync::{Arc, Mutex, OnceLock};

/// What `from_hdf5` learns from a dataset's header.
#[derive(Clone, Debug)]
pub struct Info {
    /// The dtype Arr reads it as.
    pub dtype: DType,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its HDF5 chunk shape, if chunked.
    pub chunk: Option<Vec<usize>>,
    /// Whether its chunks are compressed (filtered).
    pub filtered: bool,
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

/// The paths of every dataset under `group` (links that lead nowhere are skipped).
fn collect_datasets(group: &hdf5::Group, prefix: &str, out: &mut Vec<String>) -> hdf5::Result<()> {
    let names = group.member_names()?;
    for name in &names {
        if let Ok(ds) = group.dataset(name) {
            let n = ds.name();
            out.push(if n.is_empty() {
                format!("{prefix}/{name}")
            } else {
                n
            });
        }
    }
    for name in &names {
        if out.len() > 20 {
            break;
        }
        if let Ok(g) = group.group(name) {
            collect_datasets(&g, &g.name(), out)?;
        }
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

/// Checks that a stored type has one of the standard layouts Arr reads — IEEE binary32 or
/// binary64, integers using all their bits, little or big endian, no padding (a `bool`
/// enum over such an integer) — so a damaged type is refused instead of misread. Other
/// classes are left to `read_dtype`, which refuses them.
fn standard_type(t: &hdf5::Datatype) -> Result<(), String> {
    use hdf5_sys::h5t::*;
    // Safety: queries of a valid datatype id, under hdf5-metno's library lock.
    unsafe fn integer_ok(id: hdf5_sys::h5i::hid_t) -> bool {
        unsafe {
            let size = H5Tget_size(id);
            let (mut lsb, mut msb) = (H5T_pad_t::H5T_PAD_ERROR, H5T_pad_t::H5T_PAD_ERROR);
            let order = H5Tget_order(id);
            matches!(size, 1 | 2 | 4 | 8)
                && (size == 1
                    || matches!(order, H5T_order_t::H5T_ORDER_LE | H5T_order_t::H5T_ORDER_BE))
                && H5Tget_precision(id) == size * 8
                && H5Tget_offset(id) == 0
                && H5Tget_pad(id, &mut lsb, &mut msb) >= 0
                && lsb == H5T_pad_t::H5T_PAD_ZERO
                && msb == H5T_pad_t::H5T_PAD_ZERO
                && matches!(
                    H5Tget_sign(id),
                    H5T_sign_t::H5T_SGN_NONE | H5T_sign_t::H5T_SGN_2
                )
        }
    }
    let ok = hdf5::sync::sync(|| {
        let id = t.id();
        // Safety: as above.
        unsafe {
            match H5Tget_class(id) {
                H5T_class_t::H5T_INTEGER => integer_ok(id),
                H5T_class_t::H5T_ENUM => {
                    let base = H5Tget_super(id);
                    let ok = base >= 0 && integer_ok(base);
                    if base >= 0 {
                        H5Tclose(base);
                    }
                    ok
                }
                H5T_class_t::H5T_FLOAT => {
                    let size = H5Tget_size(id);
                    let (mut spos, mut epos, mut esize, mut mpos, mut msize) = (0, 0, 0, 0, 0);
                    let (mut lsb, mut msb) = (H5T_pad_t::H5T_PAD_ERROR, H5T_pad_t::H5T_PAD_ERROR);
                    let want = match size {
                        4 => (31, 23, 8, 0, 23, 127),
                        8 => (63, 52, 11, 0, 52, 1023),
                        _ => return false,
                    };
                    matches!(
                        H5Tget_order(id),
                        H5T_order_t::H5T_ORDER_LE | H5T_order_t::H5T_ORDER_BE
                    ) && H5Tget_precision(id) == size * 8
                        && H5Tget_offset(id) == 0
                        && H5Tget_fields(
                            id, &mut spos, &mut epos, &mut esize, &mut mpos, &mut msize,
                        ) >= 0
                        && (spos, epos, esize, mpos, msize, H5Tget_ebias(id)) == want
                        && H5Tget_norm(id) == H5T_norm_t::H5T_NORM_IMPLIED
                        && H5Tget_inpad(id) == H5T_pad_t::H5T_PAD_ZERO
                        && H5Tget_pad(id, &mut lsb, &mut msb) >= 0
                        && lsb == H5T_pad_t::H5T_PAD_ZERO
                        && msb == H5T_pad_t::H5T_PAD_ZERO
                }
                _ => true,
            }
        }
    });
    if ok {
        Ok(())
    } else {
        Err("it is not a standard integer or IEEE floating-point layout (a damaged file?)".into())
    }
}

fn info_of(ds: &Dataset, path: &Path, name: &str) -> Result<Info, String> {
    let space = ds.space().map_err(|e| {
        format!(
            "cannot read the shape of \"{name}\" in {}: {e}",
            shown(path)
        )
    })?;
    if space.is_null() {
        return Err(format!(
            "dataset \"{name}\" in {} holds no data (its dataspace is null, as h5py.Empty writes)",
            shown(path)
        ));
    }
    let desc = ds
        .dtype()
        .and_then(|t| t.to_descriptor().map(|d| (t, d)))
        .map_err(|e| format!("cannot read the type of \"{name}\" in {}: {e}", shown(path)))
        .and_then(|(t, d)| {
            standard_type(&t)
                .map(|()| d)
                .map_err(|e| format!("unsupported dtype of \"{name}\" in {}: {e}", shown(path)))
        });
    let dtype = match desc {
        Ok(d) => read_dtype(&d).ok_or_else(|| {
            format!(
                "unsupported dtype {d} of \"{name}\" in {} (Arr reads bool, u8, i32, i64, f32 and f64, and widens int8, int16, uint16 and uint32)",
                shown(path)
            )
        })?,
        Err(e) if e.starts_with("unsupported") => return Err(e),
        Err(e) => {
            return Err(format!(
                "unsupported dtype of \"{name}\" in {} ({e})",
                shown(path)
            ));
        }
    };
    let shape = ds.shape();
    let chunk = ds.chunk().filter(|c| !c.is_empty());
    if super::checked_bytes(&shape, dtype.size()).is_none()
        || chunk.as_ref().is_some_and(|c| {
            c.len() != shape.len()
                || c.contains(&0)
                || super::checked_bytes(c, dtype.size()).is_none()
        })
    {
        return Err(format!(
            "dataset \"{name}\" in {} is damaged: shape {shape:?} with chunks {chunk:?} is not usable",
            shown(path)
        ));
    }
    Ok(Info {
        dtype,
        shape,
        chunk,
        filtered: ds
            .dcpl()
            .ok()
            .and_then(|p| p.get_filters().ok())
            .is_some_and(|f| !f.is_empty()),
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
    entries: Vec<(Key, Arc<Opened>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    path: PathBuf,
    dataset: String,
    version: (u64, i64, i64),
}

/// An open dataset: read through libhdf5, or, where its bytes lie plainly in the file, by
/// Arr itself (the HDF5 file is then closed again, so each entry holds one descriptor).
enum Opened {
    /// Through libhdf5; with the name of a filter Arr does not decode itself, if any.
    Hdf5(Dataset, Option<String>),
    Direct(Direct),
    /// Compressed chunks decoded by Arr (`hdf5_filters.rs`); the stored element type.
    Filtered(super::hdf5_filters::Filtered, Stored),
}

/// The stored element type of a dataset read by Arr itself, when it is not the dtype Arr
/// reads it as (narrower integers are widened after decoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stored {
    Same,
    I8,
    I16,
    U16,
    U32,
}

/// How many datasets stay open at once.
const OPEN_LIMIT: usize = 32;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
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

/// An open handle on `name` (read as `dtype`) in `path`, from the cache or newly opened.
fn dataset_handle(path: &Path, name: &str, dtype: DType) -> Result<Arc<Opened>, String> {
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
        let opened = entry.1.clone();
        c.entries.push(entry);
        return Ok(opened);
    }
    // Forget handles on older versions of the file, and the least recently used.
    c.entries
        .retain(|(k, _)| !(k.path == key.path && k.version != key.version));
    while c.entries.len() >= OPEN_LIMIT {
        c.entries.remove(0);
    }
    let file = open_file(path)?;
    let ds = open_dataset(&file, path, name)?;
    // Arr reads bytes itself only from the file it opened: a dataset reached through an
    // external link lives in another file, and is read through libhdf5.
    let own = same_file(&ds, path);
    let direct = if own {
        direct_plan(&ds, path, dtype, key.version.0)
    } else {
        None
    };
    let opened = Arc::new(match direct {
        Some(d) => Opened::Direct(d),
        None => {
            let filtered = if own {
                filtered_plan(&ds, path, dtype, key.version.0)
            } else {
                Err(None)
            };
            match filtered {
                Ok((f, stored)) => Opened::Filtered(f, stored),
                Err(uncovered) => Opened::Hdf5(ds, uncovered),
            }
        }
    });
    c.entries.push((key, opened.clone()));
    Ok(opened)
}

/// Whether `ds` is stored in the file at `path` itself (not reached through an external
/// link into another file), as libhdf5 names the file holding it.
fn same_file(ds: &Dataset, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let holder = ds.filename();
    match (std::fs::metadata(&holder), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Closes every cached handle on `path` (before it is replaced).
pub fn forget(path: &Path) {
    if let Ok(mut c) = cache().lock() {
        c.entries.retain(|(k, _)| k.path != path);
    }
}

/// Most chunks a dataset may have for direct reads: their addresses are listed once through
/// `H5Dget_chunk_info`, which libhdf5 1.10 answers by walking the chunk index from its start,
/// so listing is quadratic in the number of chunks (1024 take about 15 ms). libhdf5 1.10 has
/// no `H5Dchunk_iter`, and hdf5-metno does not expose `H5Dget_chunk_info_by_coord`. Datasets
/// with more chunks, or with chunks never written (their elements are the fill value), are
/// read through libhdf5.
const DIRECT_MAX_CHUNKS: usize = 1024;

/// A dataset whose stored bytes are exactly its elements, read with `pread` without libhdf5
/// (and without its lock). A contiguous dataset is one chunk the size of the whole array.
#[derive(Debug)]
struct Direct {
    file: std::fs::File,
    shape: Vec<usize>,
    /// Chunk shape (the whole shape when contiguous).
    chunk: Vec<usize>,
    /// Chunks per axis.
    grid: Vec<usize>,
    /// File offset of each chunk in row-major grid order.
    addr: Vec<u64>,
    itemsize: usize,
}

/// Whether the file's element type is `T` itself, so the stored bytes need no conversion.
fn is_native<T: hdf5::H5Type>(ds: &Dataset) -> bool {
    let (Ok(stored), Ok(native)) = (ds.dtype(), hdf5::Datatype::from_type::<T>()) else {
        return false;
    };
    stored == native
}

/// Works out where `ds`'s bytes lie, if Arr can read them itself (see the module docs).
/// `inode` is the file's as it was before libhdf5 opened it: a file replaced meanwhile is
/// left to libhdf5, so the bytes are always read from the file its header came from.
fn direct_plan(ds: &Dataset, path: &Path, dtype: DType, inode: u64) -> Option<Direct> {
    use hdf5::dataset::Layout;
    use std::os::unix::fs::MetadataExt;
    if !cfg!(target_endian = "little") {
        return None;
    }
    let native = match dtype {
        DType::U8 => is_native::<u8>(ds),
        DType::I32 => is_native::<i32>(ds),
        DType::I64 => is_native::<i64>(ds),
        DType::F32 => is_native::<f32>(ds),
        DType::F64 => is_native::<f64>(ds),
        DType::Bool => false,
    };
    if !native || ds.file().ok()?.userblock() != 0 {
        return None;
    }
    let dcpl = ds.dcpl().ok()?;
    if !dcpl.get_filters().ok()?.is_empty() || !dcpl.get_external().ok()?.is_empty() {
        return None;
    }
    let shape = ds.shape();
    if shape.is_empty() || shape.contains(&0) {
        return None;
    }
    let itemsize = dtype.size();
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if meta.ino() != inode {
        return None;
    }
    let file_len = meta.len();
    let fits = |at: u64, bytes: u64| at.checked_add(bytes).is_some_and(|end| end <= file_len);
    let total: usize = shape.iter().product();
    match dcpl.layout() {
        Layout::Contiguous => {
            let at = ds.offset()?;
            let bytes = (total * itemsize) as u64;
            // libhdf5 must confirm the bytes: all of the data stored at that offset.
            if ds.storage_size() != bytes || !fits(at, bytes) {
                return None;
            }
            Some(Direct {
                file,
                chunk: shape.clone(),
                grid: vec![1; shape.len()],
                shape,
                addr: vec![at],
                itemsize,
            })
        }
        Layout::Chunked => {
            let chunk = ds.chunk()?;
            if chunk.len() != shape.len() || chunk.contains(&0) {
                return None;
            }
            let grid: Vec<usize> = shape
                .iter()
                .zip(&chunk)
                .map(|(n, c)| n.div_ceil(*c))
                .collect();
            let n_grid: usize = grid.iter().product();
            let stored = ds.num_chunks()?;
            if n_grid > DIRECT_MAX_CHUNKS || stored != n_grid {
                return None;
            }
            let chunk_bytes = (chunk.iter().product::<usize>() * itemsize) as u64;
            let mut addr: Vec<Option<u64>> = vec![None; n_grid];
            for i in 0..stored {
                let info = ds.chunk_info(i)?;
                let mut flat = 0;
                for k in 0..shape.len() {
                    let at = info.offset[k] as usize;
                    if !at.is_multiple_of(chunk[k]) || at >= shape[k] {
                        return None;
                    }
                    flat = flat * grid[k] + at / chunk[k];
                }
                if info.size != chunk_bytes
                    || info.filter_mask != 0
                    || !fits(info.addr, chunk_bytes)
                {
                    return None;
                }
                addr[flat] = Some(info.addr);
            }
            Some(Direct {
                file,
                shape,
                chunk,
                grid,
                addr: addr.into_iter().collect::<Option<Vec<u64>>>()?,
                itemsize,
            })
        }
        _ => None,
    }
}

/// Plans reading a compressed chunked dataset with Arr's own decoders (see
/// `hdf5_filters.rs`), or gives the name of the filter that keeps it in libhdf5 (`None`
/// when something else does: layout, byte order, a replaced file).
fn filtered_plan(
    ds: &Dataset,
    path: &Path,
    dtype: DType,
    inode: u64,
) -> Result<(super::hdf5_filters::Filtered, Stored), Option<String>> {
    use hdf5::dataset::Layout;
    use std::os::unix::fs::MetadataExt;
    if !cfg!(target_endian = "little") {
        return Err(None);
    }
    let (stored, itemsize) = match dtype {
        DType::U8 if is_native::<u8>(ds) => (Stored::Same, 1),
        DType::I32 if is_native::<i32>(ds) => (Stored::Same, 4),
        DType::I32 if is_native::<i8>(ds) => (Stored::I8, 1),
        DType::I32 if is_native::<i16>(ds) => (Stored::I16, 2),
        DType::I32 if is_native::<u16>(ds) => (Stored::U16, 2),
        DType::I64 if is_native::<i64>(ds) => (Stored::Same, 8),
        DType::I64 if is_native::<u32>(ds) => (Stored::U32, 4),
        DType::F32 if is_native::<f32>(ds) => (Stored::Same, 4),
        DType::F64 if is_native::<f64>(ds) => (Stored::Same, 8),
        _ => return Err(None),
    };
    let dcpl = ds.dcpl().map_err(|_| None)?;
    if dcpl.layout() != Layout::Chunked || !dcpl.get_external().map_err(|_| None)?.is_empty() {
        return Err(None);
    }
    let filters = dcpl.get_filters().map_err(|_| None)?;
    if filters.is_empty() {
        return Err(None);
    }
    let steps = super::hdf5_filters::pipeline(&filters, itemsize).map_err(Some)?;
    let shape = ds.shape();
    let chunk = ds.chunk().ok_or(None)?;
    if shape.is_empty() || chunk.len() != shape.len() || chunk.contains(&0) {
        return Err(None);
    }
    let file = std::fs::File::open(path).map_err(|_| None)?;
    if file.metadata().map_err(|_| None)?.ino() != inode {
        return Err(None);
    }
    Ok((
        super::hdf5_filters::Filtered {
            ds: ds.clone(),
            file,
            layout: super::chunked::Layout {
                shape,
                chunk,
                itemsize,
            },
            steps,
            cache_id: super::chunked::new_source_id(),
        },
        stored,
    ))
}

/// Reads exactly `len` bytes at `offset` into `ptr` (which may be uninitialised).
fn pread_exact(file: &std::fs::File, ptr: *mut u8, len: usize, offset: u64) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let mut done = 0;
    while done < len {
        // Safety: `ptr..ptr+len` is writable memory owned by the caller; pread writes at most
        // `len - done` bytes after `ptr + done`.
        let n = unsafe {
            libc::pread(
                file.as_raw_fd(),
                ptr.add(done) as *mut libc::c_void,
                len - done,
                (offset + done as u64) as libc::off_t,
            )
        };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file ends before the data it describes",
            ));
        }
        done += n as usize;
    }
    Ok(())
}

thread_local! {
    /// Each thread's buffer for stored bytes that are thinned or rearranged before use
    /// (8-byte elements, so it is aligned for every element type).
    static SCRATCH: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A run of stored bytes read as one `pread` unless it wastes more than this factor ...
const SPAN_WASTE: usize = 4;
/// ... and more than this many bytes (a system call costs about as much as copying these).
const SPAN_SLACK: usize = 256 << 10;

/// One axis of the part of a chunk a read needs: `count` indices from `first` (inside the
/// chunk) `stride` apart, landing at output positions `out_first..`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    first: usize,
    stride: usize,
    count: usize,
    out_first: usize,
}

impl Direct {
    /// Reads the ascending region `axes` (not empty) into a row-major vector.
    fn read<T: Copy>(&self, axes: &[Ascending]) -> std::io::Result<Vec<T>> {
        debug_assert_eq!(std::mem::size_of::<T>(), self.itemsize);
        let nd = self.shape.len();
        let out_len: Vec<usize> = axes.iter().map(|a| a.len).collect();
        let n: usize = out_len.iter().product();
        let out_strides = crate::data::strides(&out_len);
        // Per axis, the chunks the region touches and the part of each it needs.
        let mut per_axis: Vec<Vec<(usize, Piece)>> = Vec::with_capacity(nd);
        for (k, a) in axes.iter().enumerate() {
            let c = self.chunk[k];
            let mut parts = Vec::new();
            let mut j = 0;
            while j < a.len {
                let at = a.lo + a.stride * j;
                let q = at / c;
                let end = (q + 1) * c; // first index past this chunk
                let count = (end - at).div_ceil(a.stride).min(a.len - j);
                parts.push((
                    q,
                    Piece {
                        first: at - q * c,
                        stride: a.stride,
                        count,
                        out_first: j,
                    },
                ));
                j += count;
            }
            per_axis.push(parts);
        }
        let chunk_strides = crate::data::strides(&self.chunk);
        let mut out: Vec<std::mem::MaybeUninit<T>> = Vec::with_capacity(n);
        // Safety: MaybeUninit needs no initialisation; every element is written below (the
        // chunks' parts cover the region exactly once) before the vector is read.
        unsafe { out.set_len(n) };
        let out_ptr = out.as_mut_ptr() as *mut T;
        let mut idx = vec![0usize; nd];
        loop {
            let mut flat = 0;
            for k in 0..nd {
                flat = flat * self.grid[k] + per_axis[k][idx[k]].0;
            }
            let pieces: Vec<Piece> = (0..nd).map(|k| per_axis[k][idx[k]].1).collect();
            self.read_piece(
                self.addr[flat],
                &pieces,
                &chunk_strides,
                out_ptr,
                &out_strides,
            )?;
            // Next chunk, odometer order.
            let mut k = nd;
            loop {
                if k == 0 {
                    // Safety: every element was written (see above); MaybeUninit<T> and T
                    // have the same layout.
                    let out = unsafe {
                        let mut out = std::mem::ManuallyDrop::new(out);
                        Vec::from_raw_parts(out.as_mut_ptr() as *mut T, out.len(), out.capacity())
                    };
                    return Ok(out);
                }
                k -= 1;
                idx[k] += 1;
                if idx[k] < per_axis[k].len() {
                    break;
                }
                idx[k] = 0;
            }
        }
    }

    /// Reads the part `pieces` of the chunk stored at `base` into the output.
    fn read_piece<T: Copy>(
        &self,
        base: u64,
        pieces: &[Piece],
        chunk_strides: &[usize],
        out: *mut T,
        out_strides: &[usize],
    ) -> std::io::Result<()> {
        let nd = pieces.len();
        let size = self.itemsize;
        let first: usize = (0..nd).map(|k| pieces[k].first * chunk_strides[k]).sum();
        let last: usize = (0..nd)
            .map(|k| {
                (pieces[k].first + pieces[k].stride * (pieces[k].count - 1)) * chunk_strides[k]
            })
            .sum();
        let span = last - first + 1;
        let needed: usize = pieces.iter().map(|p| p.count).product();
        if span > needed * SPAN_WASTE && span * size > SPAN_SLACK {
            // Too sparse for one read: split along the outermost axis with several indices.
            if let Some(k) = (0..nd).find(|&k| pieces[k].count > 1) {
                let mut sub = pieces.to_vec();
                for i in 0..pieces[k].count {
                    sub[k] = Piece {
                        first: pieces[k].first + pieces[k].stride * i,
                        stride: 1,
                        count: 1,
                        out_first: pieces[k].out_first + i,
                    };
                    self.read_piece(base, &sub, chunk_strides, out, out_strides)?;
                }
                return Ok(());
            }
        }
        let out_first: usize = (0..nd).map(|k| pieces[k].out_first * out_strides[k]).sum();
        // Whether the span is, element for element, one run of the output: true when the
        // stored run is dense and, after the first axis with several indices, covers whole
        // output rows.
        let dense_out = span == needed && {
            let outer = (0..nd).find(|&k| pieces[k].count > 1).unwrap_or(nd);
            (outer + 1..nd).all(|k| pieces[k].count * out_strides[k] == out_strides[k - 1])
        };
        let at = base + (first * size) as u64;
        if dense_out {
            // Safety: the output run `out_first..out_first + span` lies inside the output.
            return pread_exact(
                &self.file,
                unsafe { out.add(out_first) } as *mut u8,
                span * size,
                at,
            );
        }
        SCRATCH.with(|cell| -> std::io::Result<()> {
            let mut buf = cell.borrow_mut();
            let words = (span * size).div_ceil(8);
            if buf.len() < words {
                buf.resize(words, 0);
            }
            let read = pread_exact(&self.file, buf.as_mut_ptr() as *mut u8, span * size, at);
            if read.is_ok() {
                // Safety: the span read holds every element the pieces name, and their
                // output positions lie inside the output (see `gather`).
                unsafe {
                    gather(
                        buf.as_ptr() as *const T,
                        pieces,
                        chunk_strides,
                        out.add(out_first),
                        out_strides,
                    )
                };
            }
            if buf.len() > SCRATCH_KEEP / 8 {
                *buf = Vec::new();
            }
            read
        })
    }
}

/// Largest scratch buffer a thread keeps between reads.
const SCRATCH_KEEP: usize = 64 << 20;

/// Copies the elements `pieces` name from `src` (a stored span starting at the pieces' first
/// element, laid out with `chunk_strides`) to `out` (their first output position, laid out
/// with `out_strides`): every axis but the last by odometer, the last as a run.
///
/// # Safety
/// `src` must hold the whole span and `out` every output position of the pieces.
unsafe fn gather<T: Copy>(
    src: *const T,
    pieces: &[Piece],
    chunk_strides: &[usize],
    out: *mut T,
    out_strides: &[usize],
) {
    let nd = pieces.len();
    let last_k = nd - 1;
    let inner = pieces[last_k];
    let mut idx = vec![0usize; nd];
    loop {
        let mut s_off = 0;
        let mut o_off = 0;
        for k in 0..last_k {
            s_off += pieces[k].stride * idx[k] * chunk_strides[k];
            o_off += idx[k] * out_strides[k];
        }
        // Safety: by the contract above.
        unsafe {
            let s = src.add(s_off);
            let o = out.add(o_off);
            if inner.stride == 1 {
                std::ptr::copy_nonoverlapping(s, o, inner.count);
            } else {
                for i in 0..inner.count {
                    *o.add(i) = *s.add(i * inner.stride);
                }
            }
        }
        let mut k = last_k;
        loop {
            if k == 0 {
                return;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < pieces[k].count {
                break;
            }
            idx[k] = 0;
        }
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

impl Hdf5Source {
    /// Reads through libhdf5 (under its lock).
    fn read_hdf5(&self, ds: &Dataset, axes: &[Ascending]) -> Result<Data, String> {
        let where_ = || format!("\"{}\" in {}", self.dataset, shown(&self.path));
        if ds.shape() != self.info.shape {
            return Err(format!(
                "{} changed shape from {:?} to {:?} since it was opened",
                where_(),
                self.info.shape,
                ds.shape()
            ));
        }
        let fail = |e: hdf5::Error| format!("cannot read {}: {e} (is the file corrupt?)", where_());
        Ok(match self.info.dtype {
            DType::Bool => Data::Bool(read_as::<bool>(ds, axes).map_err(fail)?),
            DType::U8 => Data::U8(read_as::<u8>(ds, axes).map_err(fail)?),
            DType::I32 => Data::I32(read_as::<i32>(ds, axes).map_err(fail)?),
            DType::I64 => Data::I64(read_as::<i64>(ds, axes).map_err(fail)?),
            DType::F32 => Data::F32(read_as::<f32>(ds, axes).map_err(fail)?),
            DType::F64 => Data::F64(read_as::<f64>(ds, axes).map_err(fail)?),
        })
    }
}

/// A chunk never written, as stored bytes of type `S` over the full chunk shape: its
/// elements (the fill value) read through libhdf5, the padding past the array's edge zero.
fn unwritten_chunk<S: hdf5::H5Type + Copy>(
    ds: &Dataset,
    layout: &super::chunked::Layout,
    coords: &[usize],
) -> Result<Vec<u8>, String> {
    let axes: Vec<Ascending> = coords
        .iter()
        .zip(&layout.chunk)
        .zip(&layout.shape)
        .map(|((&q, &c), &n)| Ascending {
            lo: q * c,
            stride: 1,
            len: c.min(n - q * c),
            flip: false,
        })
        .collect();
    let a = read_as::<S>(ds, &axes).map_err(|e| e.to_string())?;
    let size = std::mem::size_of::<S>();
    let strides = crate::exec::region::strides(&layout.chunk);
    let mut out = vec![0u8; layout.chunk_bytes()];
    for (idx, v) in a.indexed_iter() {
        let at: usize = (0..axes.len()).map(|k| idx[k] * strides[k]).sum::<usize>() * size;
        // Safety: `v` is a plain `S` of `size` bytes; `at + size` lies inside the chunk.
        let bytes = unsafe { std::slice::from_raw_parts(v as *const S as *const u8, size) };
        out[at..at + size].copy_from_slice(bytes);
    }
    Ok(out)
}

impl Hdf5Source {
    /// Reads a compressed dataset chunk by chunk through the shared chunk cache, each chunk
    /// decoded by Arr on this thread (see `hdf5_filters.rs`).
    fn read_filtered(
        &self,
        f: &super::hdf5_filters::Filtered,
        stored: Stored,
        axes: &[Ascending],
    ) -> Result<Data, String> {
        use super::chunked;
        if f.layout.shape != self.info.shape {
            return Err(format!(
                "\"{}\" in {} changed shape from {:?} to {:?} since it was opened",
                self.dataset,
                shown(&self.path),
                self.info.shape,
                f.layout.shape
            ));
        }
        let fetch = |flat: usize, coords: &[usize]| -> Result<chunked::Chunk, String> {
            chunked::get(f.cache_id, flat as u64, || {
                match f.decode_chunk(coords)? {
                    Some(bytes) => Ok(bytes),
                    None => unwritten_bytes(f, stored, self.info.dtype, coords),
                }
            })
            .map_err(|e| {
                format!(
                    "cannot read chunk {coords:?} of \"{}\" in {}: {e} (is the file corrupt?)",
                    self.dataset,
                    shown(&self.path)
                )
            })
        };
        let lens: Vec<usize> = axes.iter().map(|a| a.len).collect();
        let dim = IxDyn(&lens);
        let shape_err = |e: ndarray::ShapeError| e.to_string();
        macro_rules! same {
            ($ty:ty, $variant:ident) => {
                Data::$variant(
                    ArrayD::from_shape_vec(
                        dim,
                        chunked::read_region::<$ty>(&f.layout, axes, &fetch)?,
                    )
                    .map_err(shape_err)?,
                )
            };
        }
        macro_rules! widened {
            ($ty:ty, $to:ty, $variant:ident) => {
                Data::$variant(
                    ArrayD::from_shape_vec(
                        dim,
                        chunked::read_region::<$ty>(&f.layout, axes, &fetch)?
                            .into_iter()
                            .map(<$to>::from)
                            .collect(),
                    )
                    .map_err(shape_err)?,
                )
            };
        }
        let data = match (stored, self.info.dtype) {
            (Stored::Same, DType::U8) => same!(u8, U8),
            (Stored::Same, DType::I32) => same!(i32, I32),
            (Stored::Same, DType::I64) => same!(i64, I64),
            (Stored::Same, DType::F32) => same!(f32, F32),
            (Stored::Same, DType::F64) => same!(f64, F64),
            (Stored::I8, _) => widened!(i8, i32, I32),
            (Stored::I16, _) => widened!(i16, i32, I32),
            (Stored::U16, _) => widened!(u16, i32, I32),
            (Stored::U32, _) => widened!(u32, i64, I64),
            (Stored::Same, DType::Bool) => {
                return Err("internal: bool datasets are read through libhdf5".into());
            }
        };
        Ok(data)
    }
}

/// The bytes of a never-written chunk in the stored type.
fn unwritten_bytes(
    f: &super::hdf5_filters::Filtered,
    stored: Stored,
    dtype: DType,
    coords: &[usize],
) -> Result<Vec<u8>, String> {
    match (stored, dtype) {
        (Stored::I8, _) => unwritten_chunk::<i8>(&f.ds, &f.layout, coords),
        (Stored::I16, _) => unwritten_chunk::<i16>(&f.ds, &f.layout, coords),
        (Stored::U16, _) => unwritten_chunk::<u16>(&f.ds, &f.layout, coords),
        (Stored::U32, _) => unwritten_chunk::<u32>(&f.ds, &f.layout, coords),
        (_, DType::U8) => unwritten_chunk::<u8>(&f.ds, &f.layout, coords),
        (_, DType::I32) => unwritten_chunk::<i32>(&f.ds, &f.layout, coords),
        (_, DType::I64) => unwritten_chunk::<i64>(&f.ds, &f.layout, coords),
        (_, DType::F32) => unwritten_chunk::<f32>(&f.ds, &f.layout, coords),
        (_, DType::F64) => unwritten_chunk::<f64>(&f.ds, &f.layout, coords),
        (_, DType::Bool) => Err("internal: bool datasets are read through libhdf5".into()),
    }
}

impl ArraySource for Hdf5Source {
    fn describe(&self) -> String {
        format!(
            "from_hdf5(\"{}\", \"{}\")",
            self.path.display(),
            self.dataset
        )
    }

    fn cache_bytes(&self, chunks: &[Vec<usize>], threads: usize, limit: usize) -> usize {
        match (&self.info.chunk, self.info.filtered) {
            (Some(chunk), true) => super::chunked::Layout {
                shape: self.info.shape.clone(),
                chunk: chunk.clone(),
                itemsize: self.info.dtype.size(),
            }
            .cache_need(chunks, threads, limit, true),
            _ => 0,
        }
    }

    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String> {
        let where_ = || format!("\"{}\" in {}", self.dataset, shown(&self.path));
        let axes = ascending(start, step, len, &self.info.shape)
            .map_err(|e| format!("reading {}: {e}", where_()))?;
        let opened = dataset_handle(&self.path, &self.dataset, self.info.dtype)?;
        let data = match &*opened {
            Opened::Hdf5(ds, uncovered) => self.read_hdf5(ds, &axes).map_err(|e| match uncovered {
                Some(name) => format!(
                    "{e}; the dataset uses the {name} filter, which Arr does not decode itself (it decodes deflate, shuffle, fletcher32, lzf, blosc, lz4, bitshuffle and zstd) and this libhdf5 cannot load"
                ),
                None => e,
            })?,
            Opened::Filtered(f, stored) => self.read_filtered(f, *stored, &axes)?,
            Opened::Direct(d) => {
                if d.shape != self.info.shape {
                    return Err(format!(
                        "{} changed shape from {:?} to {:?} since it was opened",
                        where_(),
                        self.info.shape,
                        d.shape
                    ));
                }
                let lens: Vec<usize> = axes.iter().map(|a| a.len).collect();
                if lens.contains(&0) {
                    Data::zeros(self.info.dtype, &lens)
                } else {
                    let fail = |e: std::io::Error| {
                        format!("cannot read {}: {e} (is the file corrupt?)", where_())
                    };
                    let dim = IxDyn(&lens);
                    macro_rules! direct {
                        ($ty:ty, $variant:ident) => {
                            Data::$variant(
                                ArrayD::from_shape_vec(dim, d.read::<$ty>(&axes).map_err(fail)?)
                                    .expect("one per element"),
                            )
                        };
                    }
                    let data = match self.info.dtype {
                        DType::U8 => direct!(u8, U8),
                        DType::I32 => direct!(i32, I32),
                        DType::I64 => direct!(i64, I64),
                        DType::F32 => direct!(f32, F32),
                        DType::F64 => direct!(f64, F64),
                        DType::Bool => unreachable!("bool datasets are read through libhdf5"),
                    };
                    super::progress::add_direct(data.nbytes() as u64);
                    data
                }
            }
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

/// How a store treats an HDF5 file already at its target (whose other datasets it keeps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Copy the whole file first and write into the copy (`to_netcdf`: its dimension scales
    /// and variables reference each other inside the file).
    Copy,
    /// Write the new datasets into a fresh temporary file, then copy them into the target
    /// (`Writer::commit`): a large file is never copied.
    AddDatasets,
}

/// Files at least this large get new datasets copied into them in place; smaller ones are
/// copied whole (cheap) so the store stays atomic even against a kill.
pub const IN_PLACE_FROM: u64 = 64 << 20;

/// A file being written: a temporary file (a new file, a copy of the target, or only the
/// new datasets, by `Existing`) renamed over or copied into the target at the end.
pub struct Writer {
    staged: super::atomic::Staged,
    target: PathBuf,
    file: Option<File>,
    blocks: super::atomic::BlockCount,
    /// The datasets written, to be copied into the existing target by `commit`
    /// (`Existing::AddDatasets` over an existing file); empty otherwise.
    adding: Option<Vec<String>>,
}

impl Writer {
    /// Starts writing `path`. An existing HDF5 file keeps its other datasets (`existing`
    /// says how); anything else there is an error (it is never clobbered). Copying a file
    /// stops when `cancel` is set.
    pub fn create(
        path: &Path,
        cancel: &std::sync::atomic::AtomicBool,
        existing: Existing,
    ) -> Result<Writer, String> {
        let staged = super::atomic::Staged::new(path)?;
        let fail = |e: String| format!("cannot write {}: {e}", shown(path));
        let exists = path.is_file();
        if exists && !is_hdf5(path) {
            return Err(format!(
                "cannot write {}: it exists and is not an HDF5 file (remove it or choose another path)",
                shown(path)
            ));
        }
        let (file, adding) = match (exists, existing) {
            (true, Existing::Copy) => {
                super::atomic::copy_cancellable(path, staged.temp(), cancel)?;
                let file = File::open_rw(staged.temp()).map_err(|e| fail(e.to_string()))?;
                (file, None)
            }
            (true, Existing::AddDatasets) => {
                let file = File::create(staged.temp()).map_err(|e| fail(e.to_string()))?;
                (file, Some(Vec::new()))
            }
            (false, _) => {
                let file = File::create(staged.temp()).map_err(|e| fail(e.to_string()))?;
                (file, None)
            }
        };
        Ok(Writer {
            staged,
            target: path.to_path_buf(),
            file: Some(file),
            blocks: super::atomic::BlockCount::default(),
            adding,
        })
    }

    /// Creates (or replaces) one dataset, ready for its blocks.
    pub fn dataset(&mut self, t: &Target, compression: Compression) -> Result<Dataset, String> {
        if let Some(names) = &mut self.adding {
            names.retain(|n| *n != t.name);
            names.push(t.name.clone());
        }
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

    /// The file being written.
    pub fn file(&self) -> Result<&File, String> {
        self.file
            .as_ref()
            .ok_or_else(|| "the file is closed".to_string())
    }

    /// Writes one block at its region.
    pub fn write_block(
        &mut self,
        ds: &Dataset,
        region: &Region,
        data: &Data,
    ) -> Result<(), String> {
        self.blocks.next()?;
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

    /// Finishes the store. A new file, or a copy of the target, is flushed, closed and
    /// renamed over the target. New datasets for an existing file are copied into it as
    /// they are stored (compressed chunks are not decoded again): into the file itself when
    /// it is at least `IN_PLACE_FROM` bytes, after checking there is room, with signals
    /// held off (only this copy touches the file, so a failure while computing leaves it
    /// as it was); into a copy renamed over it when it is smaller or cannot be opened for
    /// writing (another program has it open).
    pub fn commit(self, cancel: &std::sync::atomic::AtomicBool) -> Result<(), String> {
        let Writer {
            staged,
            target,
            file,
            adding,
            ..
        } = self;
        let fail = |e: hdf5::Error| format!("cannot write {}: {e}", shown(&target));
        let file = file.ok_or("the file is closed")?;
        file.flush().map_err(fail)?;
        forget(&target);
        let Some(names) = adding else {
            file.close().map_err(fail)?;
            return staged.commit();
        };
        let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
        if size >= IN_PLACE_FROM
            && let Ok(dst) = File::open_rw(&target)
        {
            let needed = std::fs::metadata(staged.temp())
                .map(|m| m.len())
                .unwrap_or(0);
            super::atomic::check_room(&target, needed + (1 << 20))?;
            let _held = super::atomic::Critical::enter();
            copy_datasets(&file, &dst, &names).map_err(|e| {
                format!(
                    "cannot add to {} in place: {e} (the file may be damaged)",
                    shown(&target)
                )
            })?;
            dst.flush().map_err(fail)?;
            dst.close().map_err(fail)?;
            file.close().map_err(fail)?;
            forget(&target);
            return Ok(());
        }
        let whole = super::atomic::Staged::new(&target)?;
        super::atomic::copy_cancellable(&target, whole.temp(), cancel)?;
        let dst = File::open_rw(whole.temp()).map_err(fail)?;
        copy_datasets(&file, &dst, &names)
            .map_err(|e| format!("cannot write {}: {e}", shown(&target)))?;
        dst.flush().map_err(fail)?;
        dst.close().map_err(fail)?;
        file.close().map_err(fail)?;
        drop(staged);
        whole.commit()
    }
}

/// Copies the datasets `names` of `src` into `dst` as stored (H5Ocopy: raw chunks, filters
/// and attributes kept), each replacing a dataset of its name: copied under a temporary
/// name first, then the old link is removed and the new one renamed into place.
fn copy_datasets(src: &File, dst: &File, names: &[String]) -> Result<(), String> {
    use std::ffi::CString;
    let lcpl = hdf5::plist::LinkCreate::build()
        .create_intermediate_group(true)
        .finish()
        .map_err(|e| e.to_string())?;
    for name in names {
        let staging = match name.rsplit_once('/') {
            Some((group, base)) => format!("{group}/.arr-new-{base}"),
            None => format!(".arr-new-{name}"),
        };
        if dst.link_exists(&staging) {
            dst.unlink(&staging).map_err(|e| e.to_string())?;
        }
        let c_name = CString::new(name.as_str()).map_err(|e| e.to_string())?;
        let c_staging = CString::new(staging.as_str()).map_err(|e| e.to_string())?;
        // Safety: both files and the property list are open for the whole call; the names
        // are NUL-terminated; libhdf5 is entered under hdf5-metno's lock.
        let rc = hdf5::sync::sync(|| unsafe {
            hdf5_sys::h5o::H5Ocopy(
                src.id(),
                c_name.as_ptr(),
                dst.id(),
                c_staging.as_ptr(),
                hdf5_sys::h5p::H5P_DEFAULT,
                lcpl.id(),
            )
        });
        if rc < 0 {
            return Err(format!("copying dataset \"{name}\" failed"));
        }
        if dst.link_exists(name) {
            dst.unlink(name).map_err(|e| e.to_string())?;
        }
        dst.relink(&staging, name).map_err(|e| e.to_string())?;
    }
    Ok(())
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
