//! Zarr arrays whose chunks are stored plainly (no compressor, no filters, little-endian
//! elements in C order: format 3 with the single `bytes` codec, format 2 with no compressor
//! and no filters) are read and written without a decoded copy of each chunk.
//!
//! Reads: any region (a row block, a block plus a `map_overlap` halo, strided or thin pieces
//! across chunks) is assembled with positioned reads (`pread`) of exactly the byte ranges it
//! needs from each chunk file, straight into the result, bypassing the decoded-chunk cache
//! (`chunked.rs`): nothing is held beyond the result (a halo one element wide reads that
//! element's bytes, not the neighbour's whole chunk) and the operating system's page cache
//! keeps the bytes. A part of a chunk that is one contiguous run of the file and of the
//! output (the row blocks of an `N x 768` array in chunks of `10^4 x 768`) is one `pread`;
//! ranges of one chunk a little apart (a column, a strided axis) are read as one span into a
//! small per-thread buffer and picked from it, so a thin column costs a few reads, not one
//! per element. A missing chunk file holds the fill value.
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

/// Ranges of a chunk at most this many bytes apart are read as one span.
const MAX_GAP: usize = 8 << 10;
/// The largest span read into the side buffer at once.
const MAX_SPAN: usize = 1 << 20;
/// A chunk's part made of several runs over at least this many bytes of the file is copied
/// out of a read-only mapping of the file, not read through the side buffer.
const MAP_EXTENT: usize = 256 << 10;
/// Runs gathered before they are copied, for sources that need no span.
const DIRECT_BATCH: usize = 1024;

impl PlainChunks {
    /// Reads the ascending region `axes` of the array laid out as `layout`, whose chunk at
    /// coordinates `c` is the file `path_of(c)`, into a row-major vector.
    pub fn read_region<T: Copy>(
        &self,
        layout: &Layout,
        axes: &[Ascending],
        path_of: &dyn Fn(&[usize]) -> PathBuf,
    ) -> Result<Vec<T>, String> {
        let size = layout.itemsize;
        if std::mem::size_of::<T>() != size || self.fill.len() != size {
            return Err("internal: element size mismatch".into());
        }
        let nd = layout.shape.len();
        if axes.len() != nd {
            return Err("internal: a region of another rank".into());
        }
        let out_len: Vec<usize> = axes.iter().map(|a| a.len).collect();
        let n: usize = out_len.iter().product();
        let mut out: Vec<std::mem::MaybeUninit<T>> = Vec::with_capacity(n);
        // Safety: MaybeUninit needs no initialisation; every element is written below (the
        // chunks' parts cover the region exactly once) before the vector is read as `T`.
        unsafe { out.set_len(n) };
        let out_ptr = out.as_mut_ptr() as *mut u8;
        let out_strides = crate::data::strides(&out_len);
        let chunk_strides = crate::data::strides(&layout.chunk);
        let chunk_bytes = layout.chunk_bytes() as u64;
        // Per axis: the chunks the region meets, with the part of each it needs.
        let per_axis: Vec<Vec<(usize, Part)>> = axes
            .iter()
            .zip(&layout.chunk)
            .map(|(a, &c)| parts_of(a, c))
            .collect();
        let mut idx = vec![0usize; nd];
        let mut more = n > 0;
        while more {
            let coords: Vec<usize> = (0..nd).map(|k| per_axis[k][idx[k]].0).collect();
            let parts: Vec<Part> = (0..nd).map(|k| per_axis[k][idx[k]].1).collect();
            let path = path_of(&coords);
            let where_ = || format!("chunk {coords:?} ({})", super::shown(&path));
            let at = Target {
                ptr: out_ptr,
                strides: &out_strides,
                size,
            };
            match std::fs::File::open(&path) {
                Ok(file) => {
                    let stored = file
                        .metadata()
                        .map_err(|e| format!("{}: {e}", where_()))?
                        .len();
                    if stored != chunk_bytes {
                        return Err(format!(
                            "{} holds {stored} bytes, expected {chunk_bytes} (is the store corrupt?)",
                            where_()
                        ));
                    }
                    let mapped =
                        if maps_better(&parts, &layout.chunk, &out_len, &chunk_strides, size) {
                            Mapping::of(&file, chunk_bytes as usize)
                        } else {
                            None
                        };
                    match mapped {
                        Some(map) => {
                            let mut src =
                                |off: usize, dst: *mut u8, len: usize| map.copy_to(off, dst, len);
                            copy_parts(&parts, &chunk_strides, &at, &mut src, Reads::Direct)?;
                        }
                        None => {
                            let mut src = |off: usize, dst: *mut u8, len: usize| {
                                pread_exact(&file, dst, len, off as u64)
                                    .map_err(|e| format!("{}: {e}", where_()))
                            };
                            copy_parts(&parts, &chunk_strides, &at, &mut src, Reads::Spans)?;
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let mut src = |_: usize, dst: *mut u8, len: usize| {
                        for i in 0..len / size {
                            // Safety: `dst..dst + len` is writable (`copy_parts`).
                            unsafe {
                                std::ptr::copy_nonoverlapping(
                                    self.fill.as_ptr(),
                                    dst.add(i * size),
                                    size,
                                )
                            };
                        }
                        Ok(())
                    };
                    copy_parts(&parts, &chunk_strides, &at, &mut src, Reads::Direct)?;
                }
                Err(e) => return Err(format!("{}: {e}", where_())),
            }
            // The next chunk in row-major order; none is left when every axis wraps.
            more = false;
            for k in (0..nd).rev() {
                idx[k] += 1;
                if idx[k] < per_axis[k].len() {
                    more = true;
                    break;
                }
                idx[k] = 0;
            }
        }
        // Safety: every element was written; MaybeUninit<T> and T have the same layout.
        Ok(unsafe {
            let mut out = std::mem::ManuallyDrop::new(out);
            Vec::from_raw_parts(out.as_mut_ptr() as *mut T, out.len(), out.capacity())
        })
    }
}

/// Whether the part of a chunk `parts` names is better copied out of a mapping of its file
/// than read with `pread`: it is several runs (of the file or of the output) over at least
/// `MAP_EXTENT` bytes of the file. Through the side buffer such a part costs two copies of
/// everything between its first and last byte (a halo column one element wide spans its
/// whole neighbouring chunk); from a mapping, one copy of the elements it names, and the
/// page faults of the pages it touches.
fn maps_better(
    parts: &[Part],
    chunk: &[usize],
    out_len: &[usize],
    chunk_strides: &[usize],
    size: usize,
) -> bool {
    let mut runs = 1usize;
    let mut merging = true;
    for k in (0..parts.len()).rev() {
        let p = parts[k];
        if !merging || (p.stride != 1 && p.count > 1) {
            runs = runs.saturating_mul(p.count);
            merging = false;
        } else {
            // The runs continue across this axis only where it is whole in the chunk and in
            // the output alike.
            merging = p.count == chunk[k] && p.count == out_len[k];
        }
    }
    let lo: usize = parts
        .iter()
        .zip(chunk_strides)
        .map(|(p, s)| p.first * s)
        .sum();
    let hi: usize = parts
        .iter()
        .zip(chunk_strides)
        .map(|(p, s)| (p.first + p.stride * p.count.saturating_sub(1)) * s)
        .sum();
    runs > 1 && (hi + 1 - lo) * size >= MAP_EXTENT
}

/// A chunk file mapped read-only into memory (unmapped on drop).
struct Mapping {
    ptr: *const u8,
    len: usize,
}

impl Mapping {
    /// Maps the first `len` bytes of `file` (whose length was checked to be `len`); `None`
    /// where the system refuses (the caller then reads with `pread`).
    fn of(file: &std::fs::File, len: usize) -> Option<Mapping> {
        use std::os::unix::io::AsRawFd;
        if len == 0 {
            return None;
        }
        // Safety: a fresh private read-only mapping of an open file; the kernel picks the
        // address. Arr replaces stores by writing beside and renaming, never truncating a
        // chunk file in place, so the mapped pages stay backed while they are read.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        (ptr != libc::MAP_FAILED).then_some(Mapping {
            ptr: ptr as *const u8,
            len,
        })
    }

    /// Copies `len` bytes from offset `off` of the file to `dst`.
    fn copy_to(&self, off: usize, dst: *mut u8, len: usize) -> Result<(), String> {
        if off.checked_add(len).is_none_or(|end| end > self.len) {
            return Err("internal: a read past a mapped chunk".into());
        }
        // Safety: the source lies inside the mapping (checked); `dst..dst+len` is writable
        // memory of the output that does not overlap the mapping.
        unsafe { std::ptr::copy_nonoverlapping(self.ptr.add(off), dst, len) };
        Ok(())
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // Safety: `ptr`/`len` are exactly what mmap returned and nothing borrows them now.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.len) };
    }
}

/// One axis of the part of a chunk a read needs: `count` indices from `first` (inside the
/// chunk) `stride` apart, landing at output positions `out_first..`.
#[derive(Clone, Copy, Debug)]
struct Part {
    first: usize,
    stride: usize,
    count: usize,
    out_first: usize,
}

/// The chunks (of side `c`) an ascending range meets, with the part of each it needs.
fn parts_of(a: &Ascending, c: usize) -> Vec<(usize, Part)> {
    let c = c.max(1);
    let mut parts = Vec::new();
    let mut j = 0;
    while j < a.len {
        let at = a.lo + a.stride * j;
        let q = at / c;
        let count = ((q + 1) * c - at).div_ceil(a.stride).min(a.len - j);
        parts.push((
            q,
            Part {
                first: at - q * c,
                stride: a.stride,
                count,
                out_first: j,
            },
        ));
        j += count;
    }
    parts
}

/// The output of a read: its first byte, element strides and element size.
struct Target<'a> {
    ptr: *mut u8,
    strides: &'a [usize],
    size: usize,
}

/// Gives `len` bytes from chunk offset `off` at `dst`.
type Source<'a> = dyn FnMut(usize, *mut u8, usize) -> Result<(), String> + 'a;

thread_local! {
    /// The side buffer spans are read into (at most `MAX_SPAN` bytes).
    static SPAN: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Byte ranges of one chunk waiting to be read as one span: (chunk offset, output offset,
/// length), ascending and non-overlapping in the chunk.
#[derive(Default)]
struct Batch {
    runs: Vec<(usize, usize, usize)>,
}

impl Batch {
    fn span(&self) -> (usize, usize) {
        let lo = self.runs.first().map_or(0, |r| r.0);
        let hi = self.runs.last().map_or(0, |r| r.0 + r.2);
        (lo, hi)
    }

    /// Adds a range, extending the last one when both sides continue it.
    fn push(&mut self, src: usize, dst: usize, len: usize) {
        if let Some(last) = self.runs.last_mut()
            && last.0 + last.2 == src
            && last.1 + last.2 == dst
        {
            last.2 += len;
            return;
        }
        self.runs.push((src, dst, len));
    }

    /// Reads the waiting ranges: one alone (or each, for `Reads::Direct`) straight into the
    /// output, several as one span through the side buffer.
    fn flush(&mut self, out: *mut u8, src: &mut Source, reads: Reads) -> Result<(), String> {
        match self.runs.as_slice() {
            [] => {}
            // Safety: every output offset and length lies inside the output (`copy_parts`).
            [(s, d, len)] => src(*s, unsafe { out.add(*d) }, *len)?,
            runs if reads == Reads::Direct => {
                for &(s, d, len) in runs {
                    // Safety: as above.
                    src(s, unsafe { out.add(d) }, len)?;
                }
            }
            runs => {
                let (lo, hi) = self.span();
                SPAN.with(|cell| -> Result<(), String> {
                    let mut buf = cell.borrow_mut();
                    buf.resize(hi - lo, 0);
                    src(lo, buf.as_mut_ptr(), hi - lo)?;
                    for &(s, d, len) in runs {
                        // Safety: the run lies inside the span and the output.
                        unsafe {
                            std::ptr::copy_nonoverlapping(buf.as_ptr().add(s - lo), out.add(d), len)
                        };
                    }
                    Ok(())
                })?;
            }
        }
        self.runs.clear();
        Ok(())
    }
}

/// How a chunk's bytes are fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reads {
    /// One call of the source per contiguous run (a mapping or the fill value: no call
    /// costs a system call).
    Direct,
    /// Close runs joined into spans read at once through the side buffer (`pread`).
    Spans,
}

/// Copies the elements `parts` name from one chunk (its bytes given by `src`) to the
/// output, in ascending order of chunk offset, coalescing close ranges.
fn copy_parts(
    parts: &[Part],
    chunk_strides: &[usize],
    out: &Target,
    src: &mut Source,
    reads: Reads,
) -> Result<(), String> {
    let size = out.size;
    let mut batch = Batch::default();
    let nd = parts.len();
    if nd == 0 {
        batch.push(0, 0, size);
        return batch.flush(out.ptr, src, reads);
    }
    let last = nd - 1;
    let inner = parts[last];
    let mut idx = vec![0usize; nd];
    loop {
        let mut s_off = inner.first;
        let mut o_off = inner.out_first;
        for k in 0..last {
            s_off += (parts[k].first + parts[k].stride * idx[k]) * chunk_strides[k];
            o_off += (parts[k].out_first + idx[k]) * out.strides[k];
        }
        let (runs, len) = if inner.stride == 1 {
            (1, inner.count)
        } else {
            (inner.count, 1)
        };
        for i in 0..runs {
            let (s, o) = ((s_off + i * inner.stride) * size, (o_off + i) * size);
            let bytes = len * size;
            let (lo, hi) = batch.span();
            let joins = batch.runs.is_empty()
                || match reads {
                    Reads::Spans => s >= hi && s - hi <= MAX_GAP && s + bytes - lo <= MAX_SPAN,
                    Reads::Direct => batch.runs.len() < DIRECT_BATCH,
                };
            if !joins {
                batch.flush(out.ptr, src, reads)?;
            }
            batch.push(s, o, bytes);
        }
        let mut k = last;
        loop {
            if k == 0 {
                return batch.flush(out.ptr, src, reads);
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < parts[k].count {
                break;
            }
            idx[k] = 0;
        }
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
    /// it), compressed from the block's own memory and streamed to the file: no copy of the
    /// chunk, compressed or not, is held (`zstd_frame`).
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
                let mut out = std::fs::File::create(file).map_err(|e| e.to_string())?;
                super::zstd_frame::write_frame(&mut out, bytes, level, checksum)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(lo: usize, len: usize) -> Ascending {
        strided(lo, 1, len)
    }

    fn strided(lo: usize, stride: usize, len: usize) -> Ascending {
        Ascending {
            lo,
            stride,
            len,
            flip: false,
        }
    }

    #[test]
    fn any_region_reads_the_elements_it_names() {
        let dir = std::env::temp_dir().join(format!("arr-zarr-regions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A 5 x 7 array of i32 in chunks of 2 x 3 (edge chunks padded), chunk (1, 1) missing.
        let layout = Layout {
            shape: vec![5, 7],
            chunk: vec![2, 3],
            itemsize: 4,
        };
        let path_of = |c: &[usize]| dir.join(format!("{}.{}", c[0], c[1]));
        for ci in 0..3 {
            for cj in 0..3 {
                if (ci, cj) != (1, 1) {
                    let v: Vec<i32> = (0..6)
                        .map(|e| ((ci * 2 + e / 3) * 10 + cj * 3 + e % 3) as i32)
                        .collect();
                    std::fs::write(path_of(&[ci, cj]), as_bytes(&v)).unwrap();
                }
            }
        }
        let plain = PlainChunks {
            fill: (-1i32).to_ne_bytes().to_vec(),
        };
        let value = |r: usize, c: usize| -> i32 {
            if (2..4).contains(&r) && (3..6).contains(&c) {
                -1
            } else {
                (r * 10 + c) as i32
            }
        };
        for (ra, ca) in [
            (axis(0, 5), axis(0, 7)),
            (strided(1, 2, 2), axis(0, 7)),
            (axis(1, 4), strided(2, 3, 2)),
            (axis(4, 1), axis(6, 1)),
            (axis(0, 5), strided(1, 2, 3)),
            (axis(0, 5), axis(2, 2)),
        ] {
            let got: Vec<i32> = plain.read_region(&layout, &[ra, ca], &path_of).unwrap();
            let want: Vec<i32> = (0..ra.len)
                .flat_map(|i| {
                    (0..ca.len).map(move |j| (ra.lo + ra.stride * i, ca.lo + ca.stride * j))
                })
                .map(|(r, c)| value(r, c))
                .collect();
            assert_eq!(got, want, "{ra:?} {ca:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn halo_regions_of_large_chunks_read_through_mappings_give_the_same_elements() {
        let dir = std::env::temp_dir().join(format!("arr-zarr-mapped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A 4 x 600 x 700 array of i32 in chunks of 2 x 300 x 350 (840 KB each), the last
        // chunk missing: a block plus a halo, a thin column and strided pieces meet chunks
        // whose parts are many runs over hundreds of KB (the mapped path) and single runs.
        let (shape, chunk) = ([4usize, 600, 700], [2usize, 300, 350]);
        let layout = Layout {
            shape: shape.to_vec(),
            chunk: chunk.to_vec(),
            itemsize: 4,
        };
        let path_of = |c: &[usize]| dir.join(format!("{}.{}.{}", c[0], c[1], c[2]));
        let value = |t: usize, y: usize, x: usize| -> i32 {
            if t >= 2 && y >= 300 && x >= 350 {
                -7
            } else {
                (t * 1_000_000 + y * 1000 + x) as i32
            }
        };
        for ct in 0..2 {
            for cy in 0..2 {
                for cx in 0..2 {
                    if (ct, cy, cx) == (1, 1, 1) {
                        continue;
                    }
                    let mut v = Vec::with_capacity(chunk.iter().product());
                    for t in 0..chunk[0] {
                        for y in 0..chunk[1] {
                            for x in 0..chunk[2] {
                                v.push(value(ct * 2 + t, cy * 300 + y, cx * 350 + x));
                            }
                        }
                    }
                    std::fs::write(path_of(&[ct, cy, cx]), as_bytes(&v)).unwrap();
                }
            }
        }
        let plain = PlainChunks {
            fill: (-7i32).to_ne_bytes().to_vec(),
        };
        let strides = crate::data::strides(&chunk);
        let mut mapped = 0;
        for region in [
            [axis(0, 2), axis(0, 301), axis(0, 351)],
            [axis(1, 3), axis(299, 301), axis(349, 351)],
            [axis(0, 4), axis(0, 600), axis(350, 1)],
            [axis(0, 4), strided(1, 7, 80), strided(3, 5, 130)],
            [axis(2, 2), axis(0, 600), axis(0, 700)],
        ] {
            // The region's part of its first chunk.
            let parts: Vec<Part> = region
                .iter()
                .zip(&chunk)
                .map(|(a, &n)| parts_of(a, n)[0].1)
                .collect();
            let len: Vec<usize> = region.iter().map(|a| a.len).collect();
            mapped += usize::from(maps_better(&parts, &chunk, &len, &strides, 4));
            let got: Vec<i32> = plain.read_region(&layout, &region, &path_of).unwrap();
            let at = |a: &Ascending, i: usize| a.lo + a.stride * i;
            let mut want = Vec::with_capacity(got.len());
            for i in 0..region[0].len {
                for j in 0..region[1].len {
                    for k in 0..region[2].len {
                        want.push(value(
                            at(&region[0], i),
                            at(&region[1], j),
                            at(&region[2], k),
                        ));
                    }
                }
            }
            if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
                panic!("{region:?}: element {i} is {} not {}", got[i], want[i]);
            }
        }
        assert!(mapped >= 3, "the mapped path was not taken ({mapped})");
        std::fs::remove_dir_all(&dir).unwrap();
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
            .read_region(&layout, &[axis(8, 15), axis(0, 3)], &path_of)
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
        let short = plain.read_region::<i32>(&layout, &[axis(20, 5), axis(0, 3)], &path_of);
        assert!(short.unwrap_err().contains("holds 5 bytes"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
