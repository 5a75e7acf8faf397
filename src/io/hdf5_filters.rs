//! Compressed HDF5 datasets read without libhdf5's filter pipeline: each chunk's address,
//! stored size and filter mask are looked up once through libhdf5 (a B-tree lookup under
//! its global lock, microseconds), its stored bytes are read with `pread`, and the filters
//! are undone in Rust (`codecs.rs`) on the calling thread, so every executor thread
//! decompresses at once. Decoded chunks go through the shared chunk cache (`chunked.rs`):
//! each is decompressed once however finely the executor cuts its reads.
//!
//! Covered filters: deflate (1), shuffle (2), Fletcher-32 (3), LZF (32000), Blosc (32001),
//! LZ4 (32004), Bitshuffle (32008, plain, LZ4 or Zstd), Zstd (32015). A dataset with any
//! other filter (szip, nbit, scaleoffset, other plugins) is read through libhdf5, and when
//! libhdf5 lacks that filter too the error names it. Chunks never written (their elements
//! are the fill value) are read through libhdf5.

use super::chunked::{self, Layout};
use super::codecs;
use hdf5::Dataset;
use hdf5::filters::Filter;

/// One filter of a dataset's pipeline, in the order it was applied when writing.
#[derive(Clone, Debug)]
pub enum Step {
    Deflate,
    Shuffle(usize),
    Fletcher32,
    Lzf,
    Blosc,
    Lz4,
    Bitshuffle(Vec<u32>),
    Zstd,
}

/// The name of an HDF5 filter id, for messages.
pub fn filter_name(id: i32) -> String {
    match id {
        1 => "deflate".into(),
        2 => "shuffle".into(),
        3 => "fletcher32".into(),
        4 => "szip".into(),
        5 => "nbit".into(),
        6 => "scaleoffset".into(),
        32000 => "lzf".into(),
        32001 => "blosc".into(),
        32004 => "lz4".into(),
        32008 => "bitshuffle".into(),
        32013 => "zfp".into(),
        32015 => "zstd".into(),
        32017 => "sz".into(),
        32026 => "blosc2".into(),
        other => format!("filter {other}"),
    }
}

/// The pipeline as steps Arr runs, or the first filter it does not cover (by name).
pub fn pipeline(filters: &[Filter], itemsize: usize) -> Result<Vec<Step>, String> {
    filters
        .iter()
        .map(|f| match f {
            Filter::Deflate(_) => Ok(Step::Deflate),
            Filter::Shuffle => Ok(Step::Shuffle(itemsize)),
            Filter::Fletcher32 => Ok(Step::Fletcher32),
            Filter::User(32000, _) => Ok(Step::Lzf),
            Filter::User(32001, _) => Ok(Step::Blosc),
            Filter::User(32004, _) => Ok(Step::Lz4),
            Filter::User(32008, cd) => Ok(Step::Bitshuffle(cd.clone())),
            Filter::User(32015, _) => Ok(Step::Zstd),
            other => Err(filter_name(other.id())),
        })
        .collect()
}

/// Undoes `steps` (applied in order when writing) on one stored chunk, skipping the
/// filters whose bit is set in `mask`; `expected` is the decoded chunk's size.
pub fn decode(
    stored: Vec<u8>,
    steps: &[Step],
    mask: u32,
    expected: usize,
) -> Result<Vec<u8>, String> {
    let mut buf = stored;
    for (i, step) in steps.iter().enumerate().rev() {
        if i < 32 && mask & (1 << i) != 0 {
            continue;
        }
        buf = match step {
            Step::Deflate => codecs::zlib_decode(&buf, expected)?,
            Step::Shuffle(size) => codecs::unshuffle(&buf, *size),
            Step::Fletcher32 => codecs::fletcher32_check(&buf)?,
            Step::Lzf => codecs::lzf_decode(&buf, expected)?,
            Step::Blosc => codecs::blosc_decode(&buf, codecs::decoded_cap(expected))?,
            Step::Lz4 => codecs::lz4_hdf5_decode(&buf, codecs::decoded_cap(expected))?,
            Step::Bitshuffle(cd) => codecs::bitshuffle_decode(&buf, cd, expected)?,
            Step::Zstd => codecs::zstd_decode(&buf, expected)?,
        };
    }
    if buf.len() != expected {
        return Err(format!("decoded {} bytes, expected {expected}", buf.len()));
    }
    Ok(buf)
}

unsafe extern "C" {
    /// libhdf5 (1.10.5+): where the chunk at logical `offset` lies, its stored size and
    /// filter mask; the address is `HADDR_UNDEF` for a chunk never written.
    fn H5Dget_chunk_info_by_coord(
        dset_id: i64,
        offset: *const u64,
        filter_mask: *mut u32,
        addr: *mut u64,
        size: *mut u64,
    ) -> i32;
}

/// Where a chunk lies in the file: `None` for a chunk never written.
pub struct Located {
    /// File offset of its stored bytes.
    pub addr: u64,
    /// Stored (compressed) size.
    pub size: u64,
    /// Filters skipped for this chunk (bit `i` = step `i`).
    pub mask: u32,
}

/// Looks up the chunk whose first element is at `offset` (under libhdf5's lock).
pub fn locate(ds: &Dataset, offset: &[u64]) -> Result<Option<Located>, String> {
    let id = ds.id();
    let (mut mask, mut addr, mut size) = (0u32, 0u64, 0u64);
    // Safety: `offset` has one entry per axis of the dataset; the outputs are plain
    // integers owned here; libhdf5 runs under hdf5-metno's global lock.
    let rc = hdf5::sync::sync(|| unsafe {
        H5Dget_chunk_info_by_coord(id, offset.as_ptr(), &mut mask, &mut addr, &mut size)
    });
    if rc < 0 {
        return Err("libhdf5 cannot locate the chunk".into());
    }
    if addr == u64::MAX || size == 0 {
        return Ok(None);
    }
    Ok(Some(Located { addr, size, mask }))
}

/// A compressed dataset read chunk by chunk (see the module docs).
#[derive(Debug)]
pub struct Filtered {
    /// The open dataset (for chunk lookups, and for chunks never written).
    pub ds: Dataset,
    /// The file, for `pread`.
    pub file: std::fs::File,
    /// Shape, chunk shape, element size.
    pub layout: Layout,
    /// The filters, in writing order.
    pub steps: Vec<Step>,
    /// This dataset's identity in the chunk cache.
    pub cache_id: u64,
}

impl Drop for Filtered {
    fn drop(&mut self) {
        chunked::forget(self.cache_id);
    }
}

impl Filtered {
    /// The stored bytes of the chunk at `coords`, decoded; `None` when never written.
    pub fn decode_chunk(&self, coords: &[usize]) -> Result<Option<Vec<u8>>, String> {
        use std::os::unix::fs::FileExt;
        let offset: Vec<u64> = coords
            .iter()
            .zip(&self.layout.chunk)
            .map(|(&q, &c)| (q * c) as u64)
            .collect();
        let Some(at) = locate(&self.ds, &offset)? else {
            return Ok(None);
        };
        let len = self.file.metadata().map(|m| m.len()).unwrap_or(0);
        if at.addr.checked_add(at.size).is_none_or(|end| end > len) {
            return Err("its stored bytes lie beyond the end of the file".into());
        }
        let mut stored = vec![0u8; at.size as usize];
        self.file
            .read_exact_at(&mut stored, at.addr)
            .map_err(|e| e.to_string())?;
        super::progress::add_direct(stored.len() as u64);
        decode(stored, &self.steps, at.mask, self.layout.chunk_bytes()).map(Some)
    }
}
