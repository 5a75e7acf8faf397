//! Zarr chunks stored plainly — no compressor, no filters, little-endian elements in C
//! order — read in place: a region is assembled with positioned reads (`pread`) of exactly
//! the byte ranges it needs from each chunk file, straight into the result. Nothing is
//! decoded and nothing goes through the decoded-chunk cache (`chunked.rs`), so a task holds
//! only the region it asked for: a reduction reading a block in thin pieces reads each piece,
//! and a `map_overlap` halo one element wide reads that element's bytes, not the
//! neighbour's whole chunk. The operating system's page cache keeps the files' bytes.
//!
//! Neighbouring ranges of one chunk a little apart (a column, a strided axis) are read as
//! one span into a small per-thread buffer and picked from it, so a thin column costs a few
//! reads, not one per element. A missing chunk file is the array's fill value (the caller's
//! decoder gives the chunk); a chunk file of the wrong size is an error naming the chunk.

use super::Ascending;
use super::chunked::Layout;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Ranges of a chunk at most this many bytes apart are read as one span.
const MAX_GAP: usize = 8 << 10;
/// The largest span read into the side buffer at once.
const MAX_SPAN: usize = 1 << 20;

/// How the chunk files of an array are named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keys {
    /// Format 3's default encoding: `c`, then each coordinate after the separator.
    V3Default(String),
    /// Format 2's encoding (also format 3's `v2`): the coordinates joined by the separator,
    /// `0` for a 0-d array.
    V2(String),
}

/// An array whose chunks are stored plainly, readable in place.
#[derive(Clone, Debug)]
pub struct PlainChunks {
    root: PathBuf,
    keys: Keys,
}

impl PlainChunks {
    /// Chunks named by `keys` under `root`.
    pub fn new(root: &Path, keys: Keys) -> PlainChunks {
        PlainChunks {
            root: root.to_path_buf(),
            keys,
        }
    }

    /// The chunks of a format 3 array whose `zarr.json` (`meta`) stores them plainly (the
    /// `bytes` codec alone, little-endian, no storage transformers), elements `itemsize`
    /// bytes; `None` otherwise (or on a big-endian machine).
    pub fn of_v3(root: &Path, meta: &Json, itemsize: usize) -> Option<PlainChunks> {
        if !cfg!(target_endian = "little") {
            return None;
        }
        let codecs = meta.get("codecs")?.as_array()?;
        let [only] = codecs.as_slice() else {
            return None;
        };
        if only.get("name")?.as_str()? != "bytes" {
            return None;
        }
        let endian = only
            .get("configuration")
            .and_then(|c| c.get("endian"))
            .and_then(Json::as_str);
        if !(endian == Some("little") || endian.is_none() && itemsize == 1) {
            return None;
        }
        if let Some(t) = meta.get("storage_transformers")
            && !t.as_array().is_some_and(Vec::is_empty)
        {
            return None;
        }
        let enc = meta.get("chunk_key_encoding")?;
        let sep = |default: &str| -> Option<String> {
            match enc.get("configuration").and_then(|c| c.get("separator")) {
                None => Some(default.to_string()),
                Some(s) => s.as_str().map(str::to_string),
            }
        };
        let keys = match enc.get("name")?.as_str()? {
            "default" => Keys::V3Default(sep("/")?),
            "v2" => Keys::V2(sep(".")?),
            _ => return None,
        };
        Some(PlainChunks::new(root, keys))
    }

    /// The file of the chunk at `coords`.
    pub fn chunk_path(&self, coords: &[usize]) -> PathBuf {
        let parts: Vec<String> = coords.iter().map(|c| c.to_string()).collect();
        match &self.keys {
            Keys::V3Default(sep) => {
                let mut key = String::from("c");
                for p in &parts {
                    key.push_str(sep);
                    key.push_str(p);
                }
                self.root.join(key)
            }
            Keys::V2(_) if parts.is_empty() => self.root.join("0"),
            Keys::V2(sep) => self.root.join(parts.join(sep)),
        }
    }

    /// Reads the ascending region `axes` (row-major, elements of `layout.itemsize` bytes).
    /// `missing(coords)` gives the whole decoded chunk for a chunk that has no file (the
    /// fill value).
    pub fn read_region<T: Plain>(
        &self,
        layout: &Layout,
        axes: &[Ascending],
        missing: &dyn Fn(&[usize]) -> Result<Vec<u8>, String>,
    ) -> Result<Vec<T>, String> {
        let size = layout.itemsize;
        if std::mem::size_of::<T>() != size {
            return Err("internal: element size mismatch".into());
        }
        let nd = layout.shape.len();
        let out_len: Vec<usize> = axes.iter().map(|a| a.len).collect();
        let n: usize = out_len.iter().product();
        let mut out: Vec<T> = vec![T::ZERO; n];
        if n == 0 {
            return Ok(out);
        }
        // Safety: `T` is a plain number (`Plain`): its bytes may be written freely.
        let bytes =
            unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut u8, n * size) };
        let out_strides = crate::exec::region::strides(&out_len);
        let chunk_strides = crate::exec::region::strides(&layout.chunk);
        let chunk_bytes = layout.chunk_bytes() as u64;
        // Per axis: the chunks the region meets, with the part of each it needs.
        let per_axis: Vec<Vec<(usize, Part)>> = axes
            .iter()
            .zip(&layout.chunk)
            .map(|(a, &c)| parts_of(a, c))
            .collect();
        let mut idx = vec![0usize; nd];
        loop {
            let coords: Vec<usize> = (0..nd).map(|k| per_axis[k][idx[k]].0).collect();
            let parts: Vec<Part> = (0..nd).map(|k| per_axis[k][idx[k]].1).collect();
            let path = self.chunk_path(&coords);
            let corrupt = |e: String| {
                format!(
                    "cannot read chunk {coords:?} ({}): {e} (is the store corrupt?)",
                    super::shown(&path)
                )
            };
            match File::open(&path) {
                Ok(file) => {
                    let len = file.metadata().map_err(|e| corrupt(e.to_string()))?.len();
                    if len != chunk_bytes {
                        return Err(corrupt(format!(
                            "it holds {len} bytes, a plain chunk {chunk_bytes}"
                        )));
                    }
                    let mut src = |off: usize, buf: &mut [u8]| {
                        file.read_exact_at(buf, off as u64)
                            .map_err(|e| corrupt(e.to_string()))
                    };
                    copy_parts(&parts, &chunk_strides, &out_strides, size, bytes, &mut src)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let whole = missing(&coords)?;
                    if whole.len() as u64 != chunk_bytes {
                        return Err(corrupt(format!(
                            "decoded {} bytes, expected {chunk_bytes}",
                            whole.len()
                        )));
                    }
                    let mut src = |off: usize, buf: &mut [u8]| {
                        buf.copy_from_slice(&whole[off..off + buf.len()]);
                        Ok(())
                    };
                    copy_parts(&parts, &chunk_strides, &out_strides, size, bytes, &mut src)?;
                }
                Err(e) => return Err(corrupt(e.to_string())),
            }
            let mut k = nd;
            loop {
                if k == 0 {
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
}

/// Writes one whole chunk's elements (in C order) as a plain chunk file, straight from
/// their memory (no encoded copy), creating the key's folders.
pub fn write_chunk<T: Copy>(path: &Path, elements: &[T]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    // Safety: the elements are plain numbers or booleans (`Data`'s element types), without
    // padding: their memory is `size_of_val` initialised bytes.
    let bytes = unsafe {
        std::slice::from_raw_parts(
            elements.as_ptr() as *const u8,
            std::mem::size_of_val(elements),
        )
    };
    std::fs::write(path, bytes).map_err(|e| e.to_string())
}

/// Numbers whose every bit pattern is a value, read as raw bytes.
pub trait Plain: Copy {
    /// Zero.
    const ZERO: Self;
}

macro_rules! plain {
    ($($t:ty),*) => { $(impl Plain for $t { const ZERO: Self = 0 as $t; })* };
}
plain!(u8, i8, i16, u16, i32, u32, i64, f32, f64);

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
        let end = (q + 1) * c;
        let count = (end - at).div_ceil(a.stride).min(a.len - j);
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

thread_local! {
    /// The side buffer spans are read into (at most `MAX_SPAN` bytes).
    static SPAN: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Byte ranges of one chunk waiting to be read as one span: (chunk offset, output offset,
/// length), ascending and non-overlapping in the chunk.
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

    /// Reads the waiting ranges: one alone straight into the output, several as one span
    /// through the side buffer.
    fn flush(
        &mut self,
        out: &mut [u8],
        src: &mut dyn FnMut(usize, &mut [u8]) -> Result<(), String>,
    ) -> Result<(), String> {
        match self.runs.as_slice() {
            [] => {}
            [(s, d, len)] => src(*s, &mut out[*d..*d + *len])?,
            runs => {
                let (lo, hi) = self.span();
                SPAN.with(|cell| -> Result<(), String> {
                    let mut buf = cell.borrow_mut();
                    buf.resize(hi - lo, 0);
                    src(lo, &mut buf[..])?;
                    for &(s, d, len) in runs {
                        out[d..d + len].copy_from_slice(&buf[s - lo..s - lo + len]);
                    }
                    Ok(())
                })?;
            }
        }
        self.runs.clear();
        Ok(())
    }
}

/// Copies the elements `parts` name from one chunk (bytes given by `src(offset, buffer)`)
/// into the output, in ascending order of chunk offset, coalescing close ranges.
fn copy_parts(
    parts: &[Part],
    chunk_strides: &[usize],
    out_strides: &[usize],
    size: usize,
    out: &mut [u8],
    src: &mut dyn FnMut(usize, &mut [u8]) -> Result<(), String>,
) -> Result<(), String> {
    let nd = parts.len();
    if nd == 0 {
        let mut batch = Batch { runs: Vec::new() };
        batch.push(0, 0, size);
        return batch.flush(out, src);
    }
    let last = nd - 1;
    let inner = parts[last];
    let mut batch = Batch { runs: Vec::new() };
    let mut idx = vec![0usize; nd];
    loop {
        let mut s_off = 0;
        let mut o_off = 0;
        for k in 0..last {
            s_off += (parts[k].first + parts[k].stride * idx[k]) * chunk_strides[k];
            o_off += (parts[k].out_first + idx[k]) * out_strides[k];
        }
        s_off += inner.first;
        o_off += inner.out_first;
        let runs: Box<dyn Iterator<Item = (usize, usize, usize)>> = if inner.stride == 1 {
            Box::new(std::iter::once((s_off, o_off, inner.count)))
        } else {
            Box::new((0..inner.count).map(|i| (s_off + i * inner.stride, o_off + i, 1)))
        };
        for (s, o, len) in runs {
            let (s, o, len) = (s * size, o * size, len * size);
            let (lo, hi) = batch.span();
            let joins =
                batch.runs.is_empty() || s >= hi && s - hi <= MAX_GAP && s + len - lo <= MAX_SPAN;
            if !joins {
                batch.flush(out, src)?;
            }
            batch.push(s, o, len);
        }
        let mut k = last;
        loop {
            if k == 0 {
                return batch.flush(out, src);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A 5 x 7 array of i32 in chunks of 2 x 3 (edge chunks padded), chunk (1, 1) missing.
    fn store() -> (tempfile_dir::Dir, PlainChunks, Layout) {
        let dir = tempfile_dir::Dir::new();
        let p = PlainChunks::new(dir.path(), Keys::V3Default("/".into()));
        for ci in 0..3 {
            for cj in 0..3 {
                if (ci, cj) == (1, 1) {
                    continue;
                }
                let mut v = Vec::new();
                for i in 0..2 {
                    for j in 0..3 {
                        let (r, col) = (ci * 2 + i, cj * 3 + j);
                        v.extend_from_slice(&((r * 10 + col) as i32).to_le_bytes());
                    }
                }
                let f = p.chunk_path(&[ci, cj]);
                std::fs::create_dir_all(f.parent().unwrap()).unwrap();
                std::fs::write(f, v).unwrap();
            }
        }
        let layout = Layout {
            shape: vec![5, 7],
            chunk: vec![2, 3],
            itemsize: 4,
        };
        (dir, p, layout)
    }

    mod tempfile_dir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let p = std::env::temp_dir()
                    .join(format!("arr-plain-chunks-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    fn axis(lo: usize, stride: usize, len: usize) -> Ascending {
        Ascending {
            lo,
            stride,
            len,
            flip: false,
        }
    }

    #[test]
    fn regions_read_in_place_match_the_elements() {
        let (_dir, p, layout) = store();
        let fill = |_: &[usize]| -> Result<Vec<u8>, String> { Ok(vec![0xff; 24]) };
        let value = |r: usize, c: usize| -> i32 {
            if (2..4).contains(&r) && (3..6).contains(&c) {
                -1
            } else {
                (r * 10 + c) as i32
            }
        };
        for (ra, ca) in [
            (axis(0, 1, 5), axis(0, 1, 7)),
            (axis(1, 2, 2), axis(0, 1, 7)),
            (axis(1, 1, 4), axis(2, 3, 2)),
            (axis(4, 1, 1), axis(6, 1, 1)),
            (axis(0, 1, 5), axis(1, 2, 3)),
        ] {
            let got: Vec<i32> = p.read_region(&layout, &[ra, ca], &fill).unwrap();
            let want: Vec<i32> = (0..ra.len)
                .flat_map(|i| {
                    (0..ca.len).map(move |j| (ra.lo + ra.stride * i, ca.lo + ca.stride * j))
                })
                .map(|(r, c)| value(r, c))
                .collect();
            assert_eq!(got, want, "{ra:?} {ca:?}");
        }
    }

    #[test]
    fn a_chunk_of_the_wrong_size_is_an_error() {
        let (_dir, p, layout) = store();
        std::fs::write(p.chunk_path(&[0, 0]), [1u8, 2, 3]).unwrap();
        let fill = |_: &[usize]| -> Result<Vec<u8>, String> { Ok(vec![0; 24]) };
        let e = p
            .read_region::<i32>(&layout, &[axis(0, 1, 2), axis(0, 1, 2)], &fill)
            .unwrap_err();
        assert!(
            e.contains("chunk [0, 0]") && e.contains("holds 3 bytes"),
            "{e}"
        );
    }

    #[test]
    fn keys_follow_the_encoding() {
        let p = PlainChunks::new(Path::new("/s"), Keys::V3Default("/".into()));
        assert_eq!(p.chunk_path(&[1, 2]), Path::new("/s/c/1/2"));
        assert_eq!(p.chunk_path(&[]), Path::new("/s/c"));
        let p = PlainChunks::new(Path::new("/s"), Keys::V2(".".into()));
        assert_eq!(p.chunk_path(&[1, 2]), Path::new("/s/1.2"));
        assert_eq!(p.chunk_path(&[]), Path::new("/s/0"));
        let meta: Json = serde_json::from_str(
            r#"{"codecs":[{"name":"bytes","configuration":{"endian":"little"}}],
                "chunk_key_encoding":{"name":"default","configuration":{"separator":"."}}}"#,
        )
        .unwrap();
        let p = PlainChunks::of_v3(Path::new("/s"), &meta, 4).unwrap();
        assert_eq!(p.chunk_path(&[3, 0]), Path::new("/s/c.3.0"));
        let zstd: Json = serde_json::from_str(
            r#"{"codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd"}],
                "chunk_key_encoding":{"name":"default"}}"#,
        )
        .unwrap();
        assert!(PlainChunks::of_v3(Path::new("/s"), &zstd, 4).is_none());
    }
}
