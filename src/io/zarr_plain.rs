//! Zarr arrays whose chunks are stored plainly (no compressor, no filters, little-endian
//! elements in C order: format 3 with the single `bytes` codec, format 2 with no compressor
//! and no filters) are read and written without a decoded copy of each chunk.
//!
//! Reads: a region whose part of every chunk is one contiguous run of the chunk file and
//! of the output (all axes after the first with several indices cover whole chunks, as the
//! row blocks of an `N x 768` array in chunks of `10^4 x 768` do) is read with one `pread`
//! per chunk straight into the result, bypassing the decoded-chunk cache (`chunked.rs`), so
//! nothing is held beyond the result and the operating system's page cache keeps the bytes.
//! Other regions go through the cache as for compressed chunks.
//!
//! Writes: a block that is exactly one whole chunk of a plain or zstd-compressed array (what
//! `to_zarr` writes by default) is written from the block's own memory — plain bytes as they
//! are, zstd as a frame streamed to the file — with no encoded copy of the chunk (zarrs
//! builds one first), so a task holds only its blocks; a chunk holding only the fill value
//! is not written, as zarrs does.

use super::Ascending;
use super::chunked::Layout;
use std::path::{Path, PathBuf};

/// Whether this machine stores elements little-endian (the plain layout's byte order).
const NATIVE_LITTLE: bool = cfg!(target_endian = "little");

/// Whether a format 3 array's chunks are stored plainly: one `bytes` codec, little-endian
/// (or without an order, for one-byte elements), and no storage transformers.
pub fn is_plain_v3(meta: &zarrs::array::ArrayMetadata) -> bool {
    let zarrs::array::ArrayMetadata::V3(m) = meta else {
        return false;
    };
    if !NATIVE_LITTLE || !m.storage_transformers.is_empty() || m.codecs.len() != 1 {
        return false;
    }
    let codec = &m.codecs[0];
    if codec.name() != "bytes" {
        return false;
    }
    match codec.configuration().and_then(|c| c.get("endian")) {
        None => true,
        Some(e) => e.as_str() == Some("little"),
    }
}

/// Whether a format 2 array's chunks are stored plainly.
pub fn is_plain_v2(meta: &super::zarr_v2::Meta) -> bool {
    NATIVE_LITTLE
        && meta.compressor.is_none()
        && meta.filters.is_empty()
        && (!meta.big_endian || meta.itemsize == 1)
}

/// A plainly stored array's chunk files.
#[derive(Debug)]
pub struct PlainChunks {
    /// One element of the fill value (a missing chunk file holds it everywhere).
    pub fill: Vec<u8>,
}

/// Reads exactly `len` bytes at `offset` of `file` into `ptr` (which may be uninitialised).
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
                "the chunk file is shorter than its chunk",
            ));
        }
        done += n as usize;
    }
    Ok(())
}

/// The first axis of `axes` with more than one index (the last axis when none has).
fn outer_axis(axes: &[Ascending]) -> usize {
    axes.iter()
        .position(|a| a.len > 1)
        .unwrap_or(axes.len().saturating_sub(1))
}

/// Whether the region `axes` is, in every chunk it touches, one contiguous run of the chunk
/// (and so of the output): stride 1 along the outer axis, whole chunks along every axis
/// after it.
pub fn dense(layout: &Layout, axes: &[Ascending]) -> bool {
    if axes.is_empty() || axes.len() != layout.chunk.len() || axes.iter().any(|a| a.len == 0) {
        return false;
    }
    let j = outer_axis(axes);
    axes[j].stride == 1
        && axes[j + 1..]
            .iter()
            .zip(&layout.chunk[j + 1..])
            .all(|(a, &c)| a.len == c && a.lo.is_multiple_of(c.max(1)) && a.stride == 1)
}

impl PlainChunks {
    /// Reads the dense region `axes` (see `dense`) of the array laid out as `layout`, whose
    /// chunk at coordinates `c` is the file `path_of(c)`, into a row-major vector.
    pub fn read_dense<T: Copy>(
        &self,
        layout: &Layout,
        axes: &[Ascending],
        path_of: &dyn Fn(&[usize]) -> PathBuf,
    ) -> Result<Vec<T>, String> {
        let size = layout.itemsize;
        if std::mem::size_of::<T>() != size || self.fill.len() != size {
            return Err("internal: element size mismatch".into());
        }
        let n: usize = axes.iter().map(|a| a.len).product();
        let chunk_strides = crate::data::strides(&layout.chunk);
        let chunk_bytes = layout.chunk_bytes();
        let j = outer_axis(axes);
        // Elements per index of the outer axis (whole chunks along every axis after it).
        let inner: usize = layout.chunk[j + 1..].iter().product();
        let mut coords: Vec<usize> = axes
            .iter()
            .zip(&layout.chunk)
            .map(|(a, &c)| a.lo / c.max(1))
            .collect();
        // Where the region starts inside its chunks along the axes before the outer one.
        let before: usize = (0..j)
            .map(|k| (axes[k].lo - coords[k] * layout.chunk[k]) * chunk_strides[k])
            .sum();
        let mut out: Vec<std::mem::MaybeUninit<T>> = Vec::with_capacity(n);
        // Safety: MaybeUninit needs no initialisation; every element is written below (the
        // runs cover the region exactly once) before the vector is read as `T`.
        unsafe { out.set_len(n) };
        let out_ptr = out.as_mut_ptr() as *mut u8;
        let c = layout.chunk[j].max(1);
        let (lo, len) = (axes[j].lo, axes[j].len);
        let mut at = lo;
        while at < lo + len {
            let q = at / c;
            let count = ((q + 1) * c).min(lo + len) - at;
            coords[j] = q;
            let first = before + (at - q * c) * chunk_strides[j];
            let bytes = count * inner * size;
            let out_at = (at - lo) * inner * size;
            let path = path_of(&coords);
            let where_ = || format!("chunk {coords:?} ({})", super::shown(&path));
            match std::fs::File::open(&path) {
                Ok(file) => {
                    let stored = file
                        .metadata()
                        .map_err(|e| format!("{}: {e}", where_()))?
                        .len();
                    if stored != chunk_bytes as u64 {
                        return Err(format!(
                            "{} holds {stored} bytes, expected {chunk_bytes} (is the store corrupt?)",
                            where_()
                        ));
                    }
                    // Safety: `out_at + bytes` lies inside the output (the run's elements are
                    // region elements).
                    pread_exact(
                        &file,
                        unsafe { out_ptr.add(out_at) },
                        bytes,
                        (first * size) as u64,
                    )
                    .map_err(|e| format!("{}: {e}", where_()))?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    for i in 0..count * inner {
                        // Safety: as above, one element at a time.
                        unsafe {
                            std::ptr::copy_nonoverlapping(
                                self.fill.as_ptr(),
                                out_ptr.add(out_at + i * size),
                                size,
                            )
                        };
                    }
                }
                Err(e) => return Err(format!("{}: {e}", where_())),
            }
            at += count;
        }
        // Safety: every element was written; MaybeUninit<T> and T have the same layout.
        Ok(unsafe {
            let mut out = std::mem::ManuallyDrop::new(out);
            Vec::from_raw_parts(out.as_mut_ptr() as *mut T, out.len(), out.capacity())
        })
    }
}

/// The bytes of a slice of plain numbers (bool, u8, i32, i64, f32, f64: no padding, every
/// byte initialised).
pub fn as_bytes<T: Copy>(v: &[T]) -> &[u8] {
    // Safety: the element types Arr stores have no padding bytes, so every byte of the
    // slice is initialised; the byte slice lives as long as `v`.
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) }
}

/// How a whole chunk written from a block's memory is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkCodec {
    /// The elements' bytes as they are.
    Plain,
    /// One zstd frame (with the content size in its header, as zarrs and numcodecs write
    /// it), streamed to the file: no compressed copy of the chunk is held.
    Zstd {
        /// The compression level.
        level: i32,
        /// Whether the frame ends with a checksum.
        checksum: bool,
    },
}

/// Writing whole chunks from the blocks' own memory.
#[derive(Clone, Debug)]
pub struct DirectWrite {
    /// The chunks' encoding.
    pub codec: ChunkCodec,
    /// One element of the fill value: a chunk holding only it is not written.
    pub fill: Vec<u8>,
}

impl DirectWrite {
    /// Writes one whole chunk's elements `bytes` to `file` (creating its folders), unless
    /// every element is the fill value (then the chunk is left out, as zarrs leaves it).
    pub fn write_chunk(&self, file: &Path, bytes: &[u8]) -> Result<(), String> {
        let fill = &self.fill;
        if !fill.is_empty() && bytes.chunks_exact(fill.len()).all(|e| e == &fill[..]) {
            return Ok(());
        }
        if let Some(parent) = file.parent()
            && !parent.is_dir()
        {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        match self.codec {
            ChunkCodec::Plain => std::fs::write(file, bytes).map_err(|e| e.to_string()),
            ChunkCodec::Zstd { level, checksum } => {
                use std::io::Write;
                let out = std::fs::File::create(file).map_err(|e| e.to_string())?;
                let e = |e: std::io::Error| e.to_string();
                let mut enc = zstd::stream::write::Encoder::new(out, level).map_err(e)?;
                enc.include_checksum(checksum).map_err(e)?;
                enc.include_contentsize(true).map_err(e)?;
                enc.set_pledged_src_size(Some(bytes.len() as u64))
                    .map_err(e)?;
                enc.write_all(bytes).map_err(e)?;
                enc.finish().map_err(e)?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(lo: usize, len: usize) -> Ascending {
        Ascending {
            lo,
            stride: 1,
            len,
            flip: false,
        }
    }

    #[test]
    fn dense_regions_are_whole_rows_of_chunks() {
        let layout = Layout {
            shape: vec![25, 6],
            chunk: vec![10, 6],
            itemsize: 4,
        };
        assert!(dense(&layout, &[axis(3, 15), axis(0, 6)]));
        assert!(dense(&layout, &[axis(24, 1), axis(2, 3)]));
        assert!(!dense(&layout, &[axis(3, 15), axis(0, 5)]));
        let edge = Layout {
            shape: vec![25, 5],
            chunk: vec![10, 6],
            itemsize: 4,
        };
        assert!(!dense(&edge, &[axis(0, 10), axis(0, 5)]));
    }

    #[test]
    fn reads_runs_across_chunk_files_and_missing_chunks() {
        let dir = std::env::temp_dir().join(format!("arr-zarr-plain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A 25 x 3 array of i32 in chunks of 10 x 3: chunk 0 and 2 stored, chunk 1 missing.
        let layout = Layout {
            shape: vec![25, 3],
            chunk: vec![10, 3],
            itemsize: 4,
        };
        let plain_write = DirectWrite {
            codec: ChunkCodec::Plain,
            fill: vec![0; 4],
        };
        for q in [0usize, 2] {
            let v: Vec<i32> = (0..30).map(|i| (q * 30 + i) as i32).collect();
            plain_write
                .write_chunk(&dir.join(q.to_string()), as_bytes(&v))
                .unwrap();
        }
        let plain = PlainChunks {
            fill: 7i32.to_ne_bytes().to_vec(),
        };
        let path_of = |c: &[usize]| dir.join(c[0].to_string());
        let got: Vec<i32> = plain
            .read_dense(&layout, &[axis(8, 15), axis(0, 3)], &path_of)
            .unwrap();
        let mut want: Vec<i32> = (24..30).collect();
        want.extend(std::iter::repeat_n(7, 30));
        want.extend(60..69);
        assert_eq!(got, want);
        // A chunk of the fill value is not written.
        plain_write
            .write_chunk(&dir.join("9"), as_bytes(&[0i32; 30]))
            .unwrap();
        assert!(!dir.join("9").exists());
        // A zstd chunk decodes to the bytes written, with the size in its frame header.
        let zstd_write = DirectWrite {
            codec: ChunkCodec::Zstd {
                level: 1,
                checksum: false,
            },
            fill: vec![0; 4],
        };
        let v: Vec<i32> = (0..3000).map(|i| i % 17).collect();
        zstd_write
            .write_chunk(&dir.join("z"), as_bytes(&v))
            .unwrap();
        let frame = std::fs::read(dir.join("z")).unwrap();
        assert_eq!(
            zstd::zstd_safe::get_frame_content_size(&frame)
                .ok()
                .flatten(),
            Some(v.len() as u64 * 4)
        );
        assert_eq!(zstd::decode_all(&frame[..]).unwrap(), as_bytes(&v));
        std::fs::write(dir.join("2"), [1u8; 5]).unwrap();
        let short = plain.read_dense::<i32>(&layout, &[axis(20, 5), axis(0, 3)], &path_of);
        assert!(short.unwrap_err().contains("holds 5 bytes"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
