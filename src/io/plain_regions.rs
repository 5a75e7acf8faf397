//! Any region of a Zarr array whose chunks are stored plainly (`zarr_plain.rs` decides
//! which are, and reads regions that are one contiguous run per chunk itself): strided
//! regions, a block plus a `map_overlap` halo, thin pieces of several chunks. The region is
//! assembled with positioned reads (`pread`) of exactly the byte ranges it needs from each
//! chunk file, straight into the result: nothing is decoded and nothing goes through the
//! decoded-chunk cache (`chunked.rs`), so a task holds only the region it asked for (a halo
//! one element wide reads that element's bytes, not the neighbour's whole chunk); the
//! operating system's page cache keeps the files' bytes.
//!
//! Neighbouring ranges of one chunk a little apart (a column, a strided axis) are read as
//! one span into a small per-thread buffer and picked from it, so a thin column costs a few
//! reads, not one per element. A missing chunk file holds the fill value; a chunk file of
//! the wrong size is an error naming the chunk.

use super::Ascending;
use super::chunked::Layout;
use std::cell::RefCell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

/// Ranges of a chunk at most this many bytes apart are read as one span.
const MAX_GAP: usize = 8 << 10;
/// The largest span read into the side buffer at once.
const MAX_SPAN: usize = 1 << 20;

/// Reads the ascending region `axes` (row-major, elements of `layout.itemsize` bytes) of
/// the chunk files `path_of(coords)`; `fill` is one element of the fill value (a missing
/// chunk file holds it everywhere).
pub fn read_region<T: Plain>(
    layout: &Layout,
    axes: &[Ascending],
    path_of: &dyn Fn(&[usize]) -> PathBuf,
    fill: &[u8],
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
    let bytes = unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut u8, n * size) };
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
        let path = path_of(&coords);
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
                if fill.len() != size {
                    return Err(corrupt("the fill value is not one element".into()));
                }
                let mut src = |_: usize, buf: &mut [u8]| {
                    for e in buf.chunks_exact_mut(size) {
                        e.copy_from_slice(fill);
                    }
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
    use std::path::Path;

    /// A scratch folder removed on drop.
    struct Dir(PathBuf);
    impl Dir {
        fn new() -> Dir {
            static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let p =
                std::env::temp_dir().join(format!("arr-plain-regions-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        fn chunk(&self, c: &[usize]) -> PathBuf {
            self.0.join(format!("{}.{}", c[0], c[1]))
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A 5 x 7 array of i32 in chunks of 2 x 3 (edge chunks padded), chunk (1, 1) missing.
    fn store() -> (Dir, Layout) {
        let dir = Dir::new();
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
                std::fs::write(dir.chunk(&[ci, cj]), v).unwrap();
            }
        }
        let layout = Layout {
            shape: vec![5, 7],
            chunk: vec![2, 3],
            itemsize: 4,
        };
        (dir, layout)
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
        let (dir, layout) = store();
        let fill = (-1i32).to_le_bytes();
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
            (axis(0, 1, 5), axis(2, 1, 2)),
        ] {
            let got: Vec<i32> = read_region(&layout, &[ra, ca], &|c| dir.chunk(c), &fill).unwrap();
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
        let (dir, layout) = store();
        std::fs::write(dir.chunk(&[0, 0]), [1u8, 2, 3]).unwrap();
        let e = read_region::<i32>(
            &layout,
            &[axis(0, 1, 2), axis(0, 1, 2)],
            &|c| dir.chunk(c),
            &[0; 4],
        )
        .unwrap_err();
        assert!(
            e.contains("chunk [0, 0]") && e.contains("holds 3 bytes"),
            "{e}"
        );
        assert!(Path::new(&dir.0).exists());
    }
}
