//! Reading compressed file arrays in units of their storage chunks. A region the executor
//! asks for (a block, or a small piece of one under a reduction) is assembled from whole
//! decoded chunks, and every decoded chunk goes through one bounded, shared cache: however
//! finely a reduction cuts its blocks, each storage chunk a task needs is read and
//! decompressed once. Decoding runs on the calling thread (every executor thread at once);
//! two threads wanting the same chunk wait for one decode.
//!
//! The cache's bound grows to what the open sources ask for (`reserve`: threads × the
//! storage chunks one block covers, so the chunks of every running task fit), within
//! `MAX_CACHE_BYTES`; the memory plan counts it through `ArraySource::cache_bytes`.
//! `--verbose` reports chunks decoded and cache hits (`stats`).

use super::Ascending;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The cache never grows beyond this many bytes of decoded chunks.
pub const MAX_CACHE_BYTES: usize = 1 << 30;
/// Its bound before any source asked for more.
const MIN_CACHE_BYTES: usize = 64 << 20;

/// A decoded chunk: its bytes in row-major order over the full chunk shape.
pub type Chunk = Arc<Vec<u8>>;

/// Gives the decoded chunk at a flat index and its coordinates.
pub type Fetch<'a> = dyn Fn(usize, &[usize]) -> Result<Chunk, String> + 'a;

type Cell = Arc<OnceLock<Result<Chunk, String>>>;

struct Slot {
    cell: Cell,
    last: u64,
    bytes: usize,
}

struct Cache {
    slots: HashMap<(u64, u64), Slot>,
    tick: u64,
    bytes: usize,
    capacity: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| {
        Mutex::new(Cache {
            slots: HashMap::new(),
            tick: 0,
            bytes: 0,
            capacity: MIN_CACHE_BYTES,
        })
    })
}

static DECODED: AtomicU64 = AtomicU64::new(0);
static DECODED_BYTES: AtomicU64 = AtomicU64::new(0);
static HITS: AtomicU64 = AtomicU64::new(0);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh identity for a source's chunks in the cache.
pub fn new_source_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Counters since the process started: chunks decoded, their decoded bytes, cache hits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Chunks read and decoded.
    pub decoded: u64,
    /// Their decoded bytes.
    pub decoded_bytes: u64,
    /// Requests served from the cache.
    pub hits: u64,
}

/// The counters now.
pub fn stats() -> Stats {
    Stats {
        decoded: DECODED.load(Ordering::Relaxed),
        decoded_bytes: DECODED_BYTES.load(Ordering::Relaxed),
        hits: HITS.load(Ordering::Relaxed),
    }
}

/// The `--verbose` line for the chunks decoded since `before`, if any were.
pub fn verbose_since(before: Stats) -> Option<String> {
    let now = stats();
    let decoded = now.decoded - before.decoded;
    if decoded == 0 {
        return None;
    }
    Some(format!(
        "[arr] {decoded} storage chunk(s) decoded ({}), {} served from the chunk cache (bound {})",
        crate::exec::human_bytes((now.decoded_bytes - before.decoded_bytes) as usize),
        now.hits - before.hits,
        crate::exec::human_bytes(capacity())
    ))
}

/// The cache's current bound.
pub fn capacity() -> usize {
    cache()
        .lock()
        .map(|c| c.capacity)
        .unwrap_or(MIN_CACHE_BYTES)
}

/// Asks for room for `bytes` of decoded chunks (grows the bound, within `MAX_CACHE_BYTES`);
/// gives the bound the cache will keep.
pub fn reserve(bytes: usize) -> usize {
    let want = bytes.clamp(MIN_CACHE_BYTES, MAX_CACHE_BYTES);
    match cache().lock() {
        Ok(mut c) => {
            c.capacity = c.capacity.max(want);
            c.capacity
        }
        Err(_) => want,
    }
}

/// Drops every cached chunk of source `id` (when its file is replaced).
pub fn forget(id: u64) {
    if let Ok(mut c) = cache().lock() {
        let mut freed = 0;
        c.slots.retain(|k, s| {
            let keep = k.0 != id;
            if !keep {
                freed += s.bytes;
            }
            keep
        });
        c.bytes -= freed;
    }
}

/// The decoded chunk `chunk` of source `id`, from the cache or by `decode` (run once even
/// when several threads ask at the same time). Errors are not cached.
pub fn get(
    id: u64,
    chunk: u64,
    decode: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Result<Chunk, String> {
    let key = (id, chunk);
    let cell = {
        let mut c = cache().lock().map_err(|_| "the chunk cache is poisoned")?;
        c.tick += 1;
        let tick = c.tick;
        let slot = c.slots.entry(key).or_insert_with(|| Slot {
            cell: Arc::new(OnceLock::new()),
            last: tick,
            bytes: 0,
        });
        slot.last = tick;
        slot.cell.clone()
    };
    let mut fresh = false;
    let result = cell
        .get_or_init(|| {
            fresh = true;
            decode().map(Arc::new)
        })
        .clone();
    if !fresh {
        HITS.fetch_add(1, Ordering::Relaxed);
        return result;
    }
    let mut c = cache().lock().map_err(|_| "the chunk cache is poisoned")?;
    match &result {
        Err(_) => {
            c.slots.remove(&key);
        }
        Ok(data) => {
            DECODED.fetch_add(1, Ordering::Relaxed);
            DECODED_BYTES.fetch_add(data.len() as u64, Ordering::Relaxed);
            let bytes = data.len();
            if let Some(s) = c.slots.get_mut(&key)
                && Arc::ptr_eq(&s.cell, &cell)
            {
                s.bytes = bytes;
                c.bytes += bytes;
            }
            // Evict the least recently used chunks beyond the bound (never the new one).
            while c.bytes > c.capacity {
                let Some((&victim, _)) = c
                    .slots
                    .iter()
                    .filter(|(k, s)| **k != key && s.bytes > 0)
                    .min_by_key(|(_, s)| s.last)
                else {
                    break;
                };
                if let Some(s) = c.slots.remove(&victim) {
                    c.bytes -= s.bytes;
                }
            }
        }
    }
    result
}

/// The chunking of a stored array: its shape, chunk shape and element size.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The array's shape.
    pub shape: Vec<usize>,
    /// The chunk shape (every stored chunk has it, edge chunks padded).
    pub chunk: Vec<usize>,
    /// Bytes per element.
    pub itemsize: usize,
}

impl Layout {
    /// Chunks per axis.
    pub fn grid(&self) -> Vec<usize> {
        self.shape
            .iter()
            .zip(&self.chunk)
            .map(|(n, c)| n.div_ceil((*c).max(1)))
            .collect()
    }

    /// Bytes of one decoded chunk.
    pub fn chunk_bytes(&self) -> usize {
        self.chunk.iter().product::<usize>() * self.itemsize
    }

    /// What the cache keeps for this array: the storage chunks one block of the grid
    /// `chunks` overlaps, for each of `threads` running tasks and one more (so every task
    /// finds its chunks however finely it reads its block); and, when the whole decoded
    /// array fits in an eighth of the memory limit `limit`, all of it (so a script that
    /// reads the array more than once, as `print(x.sum(), x.mean(axis=0))` does in two
    /// passes, still decodes each chunk once). At most `MAX_CACHE_BYTES`.
    pub fn cache_need(
        &self,
        chunks: &[Vec<usize>],
        threads: usize,
        limit: usize,
        compressed: bool,
    ) -> usize {
        let grid: usize = self.grid().iter().product();
        let whole = grid.saturating_mul(self.chunk_bytes());
        // Keeping every decoded chunk saves decompressing them again when the program reads
        // the array more than once; chunks stored plainly are read again instead (the
        // operating system's page cache keeps their bytes), so they never fill the cache.
        let whole = if compressed && whole <= limit / 8 {
            whole
        } else {
            0
        };
        let per_block: usize = chunks
            .iter()
            .zip(&self.chunk)
            .map(|(c, &s)| {
                let b = c.iter().copied().max().unwrap_or(1).max(1);
                // A block not aligned to the chunks may straddle one more.
                b.div_ceil(s.max(1)) + usize::from(!b.is_multiple_of(s.max(1)))
            })
            .product();
        per_block
            .saturating_mul(self.chunk_bytes())
            .saturating_mul(threads.max(1) + 1)
            .max(whole)
            .min(MAX_CACHE_BYTES)
    }
}

/// One axis of the part of a chunk a read needs: `count` indices from `first` (inside the
/// chunk) `stride` apart, landing at output positions `out_first..`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    first: usize,
    stride: usize,
    count: usize,
    out_first: usize,
}

/// Reads the ascending region `axes` (row-major, `T` of `layout.itemsize` bytes) from the
/// chunks `fetch(flat chunk index, chunk coordinates)` gives.
pub fn read_region<T: Copy>(
    layout: &Layout,
    axes: &[Ascending],
    fetch: &Fetch,
) -> Result<Vec<T>, String> {
    let size = layout.itemsize;
    if std::mem::size_of::<T>() != size {
        return Err("internal: element size mismatch".into());
    }
    let nd = layout.shape.len();
    let out_len: Vec<usize> = axes.iter().map(|a| a.len).collect();
    let n: usize = out_len.iter().product();
    if n == 0 {
        return Ok(Vec::new());
    }
    if nd == 0 {
        let c = fetch(0, &[])?;
        let b = c.get(..size).ok_or("a chunk shorter than one element")?;
        // Safety: `b` holds `size_of::<T>()` bytes; read_unaligned needs no alignment.
        return Ok(vec![unsafe {
            std::ptr::read_unaligned(b.as_ptr() as *const T)
        }]);
    }
    let grid = layout.grid();
    let out_strides = crate::exec::region::strides(&out_len);
    let chunk_strides = crate::exec::region::strides(&layout.chunk);
    let chunk_elems: usize = layout.chunk.iter().product();
    let mut per_axis: Vec<Vec<(usize, Piece)>> = Vec::with_capacity(nd);
    for (k, a) in axes.iter().enumerate() {
        let c = layout.chunk[k];
        let mut parts = Vec::new();
        let mut j = 0;
        while j < a.len {
            let at = a.lo + a.stride * j;
            let q = at / c;
            let end = (q + 1) * c;
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
    let mut out: Vec<T> = Vec::with_capacity(n);
    let out_ptr = out.as_mut_ptr() as *mut u8;
    let mut idx = vec![0usize; nd];
    let mut coords = vec![0usize; nd];
    loop {
        let mut flat = 0;
        for k in 0..nd {
            coords[k] = per_axis[k][idx[k]].0;
            flat = flat * grid[k] + coords[k];
        }
        let chunk = fetch(flat, &coords)?;
        if chunk.len() < chunk_elems * size {
            return Err(format!(
                "chunk {coords:?} decoded to {} bytes, expected {}",
                chunk.len(),
                chunk_elems * size
            ));
        }
        let pieces: Vec<Piece> = (0..nd).map(|k| per_axis[k][idx[k]].1).collect();
        // Safety: the chunk holds the full chunk shape (checked above), every piece lies
        // inside it, and the pieces' output positions lie inside `out`'s capacity.
        unsafe {
            gather(
                chunk.as_ptr(),
                &pieces,
                &chunk_strides,
                out_ptr,
                &out_strides,
                size,
            )
        };
        let mut k = nd;
        loop {
            if k == 0 {
                // Safety: the chunks' parts cover the region exactly once, so all `n`
                // elements were written.
                unsafe { out.set_len(n) };
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

/// Copies the elements `pieces` name from a decoded chunk to the output, bytewise.
///
/// # Safety
/// `src` must hold the full chunk (laid out with `chunk_strides`) and `out` every output
/// position of the pieces (laid out with `out_strides`), elements of `size` bytes.
unsafe fn gather(
    src: *const u8,
    pieces: &[Piece],
    chunk_strides: &[usize],
    out: *mut u8,
    out_strides: &[usize],
    size: usize,
) {
    let nd = pieces.len();
    let last = nd - 1;
    let inner = pieces[last];
    let mut idx = vec![0usize; nd];
    loop {
        let mut s_off = 0;
        let mut o_off = 0;
        for k in 0..nd {
            let i = if k == last { 0 } else { idx[k] };
            s_off += (pieces[k].first + pieces[k].stride * i) * chunk_strides[k];
            o_off += (pieces[k].out_first + i) * out_strides[k];
        }
        // Safety: by the contract above.
        unsafe {
            let s = src.add(s_off * size);
            let o = out.add(o_off * size);
            if inner.stride == 1 {
                std::ptr::copy_nonoverlapping(s, o, inner.count * size);
            } else {
                for i in 0..inner.count {
                    std::ptr::copy_nonoverlapping(
                        s.add(i * inner.stride * size),
                        o.add(i * size),
                        size,
                    );
                }
            }
        }
        let mut k = last;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_assemble_from_chunks() {
        // A 5 x 7 array of i32 in chunks of 2 x 3 (edge chunks padded).
        let layout = Layout {
            shape: vec![5, 7],
            chunk: vec![2, 3],
            itemsize: 4,
        };
        let fetch = |_: usize, c: &[usize]| -> Result<Chunk, String> {
            let mut v = Vec::new();
            for i in 0..2 {
                for j in 0..3 {
                    let (r, col) = (c[0] * 2 + i, c[1] * 3 + j);
                    v.extend_from_slice(&((r * 10 + col) as i32).to_le_bytes());
                }
            }
            Ok(Arc::new(v))
        };
        let axes = [
            Ascending {
                lo: 1,
                stride: 2,
                len: 2,
                flip: false,
            },
            Ascending {
                lo: 0,
                stride: 1,
                len: 7,
                flip: false,
            },
        ];
        let got: Vec<i32> = read_region(&layout, &axes, &fetch).unwrap();
        let want: Vec<i32> = [1, 3]
            .iter()
            .flat_map(|r| (0..7).map(move |c| r * 10 + c))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn each_chunk_decodes_once() {
        let id = new_source_id();
        let mut runs = 0;
        for _ in 0..3 {
            let c = get(id, 7, || {
                runs += 1;
                Ok(vec![1, 2, 3])
            })
            .unwrap();
            assert_eq!(*c, vec![1, 2, 3]);
        }
        assert_eq!(runs, 1);
        assert!(get(id, 8, || Err("bad".into())).is_err());
        assert_eq!(*get(id, 8, || Ok(vec![9])).unwrap(), vec![9]);
        forget(id);
    }
}
