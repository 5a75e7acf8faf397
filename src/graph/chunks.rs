//! Chunk grids: normalising `chunks=` arguments, the automatic choice, and how slicing maps
//! block boundaries (as Dask does).

/// The most blocks one axis may be cut into.
pub const MAX_BLOCKS_PER_AXIS: usize = 10_000_000;

/// Target bytes of an automatically chosen block.
pub const AUTO_CHUNK_BYTES: usize = 8 << 20;

/// A `chunks=` argument as the user wrote it, one entry per axis.
#[derive(Clone, Debug, PartialEq)]
pub enum ChunkSpec {
    /// Pick blocks of a few MiB.
    Auto,
    /// One entry per axis: a block length (`-1` = the whole axis) or explicit lengths.
    PerAxis(Vec<AxisChunks>),
    /// The same block length on every axis.
    Uniform(i64),
}

/// The chunking of one axis in a `chunks=` argument.
#[derive(Clone, Debug, PartialEq)]
pub enum AxisChunks {
    Len(i64),
    Explicit(Vec<usize>),
}

/// Cuts an axis of length `n` into blocks of `len` (the last may be smaller).
pub fn regular(n: usize, len: usize) -> Vec<usize> {
    if n == 0 {
        return vec![0];
    }
    // Grids are held in memory: never more than MAX_BLOCKS_PER_AXIS blocks on one axis
    // (user-given chunks are refused before this; automatic ones grow).
    let len = len.max(1).max(n.div_ceil(MAX_BLOCKS_PER_AXIS));
    let mut out = vec![len; n / len];
    if !n.is_multiple_of(len) {
        out.push(n % len);
    }
    out
}

/// Resolves a chunk spec for `shape`, or explains why it does not fit.
pub fn resolve(
    spec: &ChunkSpec,
    shape: &[usize],
    itemsize: usize,
    auto_bytes: usize,
) -> Result<Vec<Vec<usize>>, String> {
    match spec {
        ChunkSpec::Auto => Ok(auto_with(shape, itemsize, auto_bytes)),
        ChunkSpec::Uniform(len) => shape.iter().map(|&n| axis_from_len(*len, n)).collect(),
        ChunkSpec::PerAxis(axes) => {
            if axes.len() != shape.len() {
                return Err(format!(
                    "chunks has {} entries but the array has {} dimensions",
                    axes.len(),
                    shape.len()
                ));
            }
            axes.iter()
                .zip(shape)
                .map(|(a, &n)| match a {
                    AxisChunks::Len(len) => axis_from_len(*len, n),
                    AxisChunks::Explicit(lens) => {
                        let total: usize = lens.iter().sum();
                        if total != n {
                            Err(format!(
                                "explicit chunks {lens:?} add up to {total}, but the axis has length {n}"
                            ))
                        } else {
                            Ok(lens.clone())
                        }
                    }
                })
                .collect()
        }
    }
}

fn axis_from_len(len: i64, n: usize) -> Result<Vec<usize>, String> {
    match len {
        -1 => Ok(vec![n]),
        l if l > 0 && n.div_ceil(l as usize) > MAX_BLOCKS_PER_AXIS => Err(format!(
            "chunks of {l} cut an axis of length {n} into {} blocks; use chunks of at least {}",
            n.div_ceil(l as usize),
            n.div_ceil(MAX_BLOCKS_PER_AXIS)
        )),
        l if l > 0 => Ok(regular(n, l as usize)),
        l => Err(format!("a chunk length must be positive or -1, not {l}")),
    }
}

/// Blocks of about `AUTO_CHUNK_BYTES`, cutting the leading axes first and keeping at least two
/// blocks for large arrays so both cores have work.
pub fn auto(shape: &[usize], itemsize: usize) -> Vec<Vec<usize>> {
    auto_with(shape, itemsize, AUTO_CHUNK_BYTES)
}

/// Like `auto`, with blocks of at most `max_bytes`.
pub fn auto_with(shape: &[usize], itemsize: usize, max_bytes: usize) -> Vec<Vec<usize>> {
    let total: usize = shape.iter().fold(itemsize, |p, &n| p.saturating_mul(n));
    let target = max_bytes.min((total / 2).max(1 << 16)).max(itemsize);
    let mut lens: Vec<usize> = shape.to_vec();
    // Shrink from the first axis while the block is too big.
    let mut bytes = total;
    for len in lens.iter_mut() {
        if bytes <= target {
            break;
        }
        let n = (*len).max(1);
        let per_index = bytes / n;
        let keep = (target / per_index.max(1)).max(1).min(n);
        *len = keep;
        bytes = per_index * keep;
    }
    shape
        .iter()
        .zip(lens)
        .map(|(&n, len)| regular(n, len.max(1)))
        .collect()
}

/// Block boundaries of an axis after taking `start + step * i` for `i < len` (Dask's rule:
/// every source block contributes one output block of the elements that fall in it).
/// Counts per block are computed arithmetically: the cost is the number of blocks the kept
/// range crosses, never the number of elements.
pub fn slice_axis(chunks: &[usize], start: i64, step: i64, len: usize) -> Vec<usize> {
    if len == 0 {
        return vec![0];
    }
    if step == 0 {
        return vec![len];
    }
    let mut bounds = Vec::with_capacity(chunks.len() + 1);
    let mut acc = 0i64;
    bounds.push(0);
    for c in chunks {
        acc += *c as i64;
        bounds.push(acc);
    }
    let block_of = |idx: i64| -> usize { bounds.partition_point(|b| *b <= idx).max(1) - 1 };
    let (len_i, s) = (len as i128, step as i128);
    // The number of i in 0..len with start + step * i < x (step > 0) or > x (step < 0).
    let before = |x: i128| -> i128 {
        let d = x - start as i128;
        let n = if s > 0 {
            // i < d / s  <=>  i <= ceil(d / s) - 1
            if d <= 0 { 0 } else { (d + s - 1) / s }
        } else {
            // start - |s| i > x  <=>  i < (start - x) / |s|
            let (d, a) = (-d, -s);
            if d <= 0 { 0 } else { (d + a - 1) / a }
        };
        n.clamp(0, len_i)
    };
    let first = block_of(start);
    let last = block_of(start + step * (len as i64 - 1));
    let mut out = Vec::new();
    let mut visit = |b: usize| {
        let (lo, hi) = (bounds[b] as i128, bounds[b + 1] as i128);
        // Indices falling in [lo, hi).
        let count = if s > 0 {
            before(hi) - before(lo)
        } else {
            before(lo - 1) - before(hi - 1)
        };
        if count > 0 {
            out.push(count as usize);
        }
    };
    if step > 0 {
        (first..=last).for_each(&mut visit);
    } else {
        (last..=first).rev().for_each(&mut visit);
    }
    if out.is_empty() {
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dask_slice_rule() {
        // ones(20, chunks=5)[::2].chunks == ((3, 2, 3, 2),)
        assert_eq!(slice_axis(&[5, 5, 5, 5], 0, 2, 10), vec![3, 2, 3, 2]);
        assert_eq!(slice_axis(&[5, 5], 9, -1, 10), vec![5, 5]);
        assert_eq!(regular(2500, 1000), vec![1000, 1000, 500]);
    }

    /// The element-by-element rule the arithmetic one replaces.
    fn slice_axis_by_elements(chunks: &[usize], start: i64, step: i64, len: usize) -> Vec<usize> {
        let mut bounds = vec![0i64];
        for c in chunks {
            bounds.push(bounds.last().unwrap() + *c as i64);
        }
        let block_of = |idx: i64| bounds.partition_point(|b| *b <= idx) - 1;
        let mut out = Vec::new();
        let (mut current, mut count) = (block_of(start), 0usize);
        for i in 0..len as i64 {
            let b = block_of(start + step * i);
            if b != current {
                out.push(count);
                count = 0;
                current = b;
            }
            count += 1;
        }
        out.push(count);
        out
    }

    #[test]
    fn slice_rule_matches_element_walk() {
        let grids: [&[usize]; 4] = [&[5, 5, 5, 5], &[1, 7, 3, 9, 2], &[20], &[3, 0, 4, 0, 6]];
        for chunks in grids {
            let n: i64 = chunks.iter().sum::<usize>() as i64;
            for start in 0..n {
                for step in [-7i64, -3, -2, -1, 1, 2, 3, 5, 11] {
                    let len = if step > 0 {
                        ((n - start) + step - 1) / step
                    } else {
                        (start + 1 + (-step) - 1) / (-step)
                    };
                    for l in [1, len / 2, len] {
                        if l < 1 {
                            continue;
                        }
                        assert_eq!(
                            slice_axis(chunks, start, step, l as usize),
                            slice_axis_by_elements(chunks, start, step, l as usize),
                            "{chunks:?} start {start} step {step} len {l}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn slicing_is_linear_in_blocks() {
        // 10^12 elements in 10^6 blocks: answers at once.
        let chunks = regular(1_000_000_000_000, 1_000_000);
        let t = std::time::Instant::now();
        let c = slice_axis(&chunks, 0, 2, 500_000_000_000);
        assert_eq!(c.len(), 1_000_000);
        assert!(c.iter().all(|&l| l == 500_000));
        assert!(t.elapsed().as_secs_f64() < 2.0);
    }

    #[test]
    fn auto_is_bounded() {
        let c = auto(&[20000, 20000], 8);
        let block: usize = c.iter().map(|a| a[0]).product::<usize>() * 8;
        assert!(block <= AUTO_CHUNK_BYTES);
        assert!(c[0].len() >= 2);
    }
}
