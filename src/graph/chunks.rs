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
pub fn slice_axis(chunks: &[usize], start: i64, step: i64, len: usize) -> Vec<usize> {
    if len == 0 {
        return vec![0];
    }
    let mut bounds = Vec::with_capacity(chunks.len() + 1);
    let mut acc = 0i64;
    bounds.push(0);
    for c in chunks {
        acc += *c as i64;
        bounds.push(acc);
    }
    let block_of = |idx: i64| -> usize { bounds.partition_point(|b| *b <= idx) - 1 };
    let mut out = Vec::new();
    let mut current = block_of(start);
    let mut count = 0usize;
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

    #[test]
    fn auto_is_bounded() {
        let c = auto(&[20000, 20000], 8);
        let block: usize = c.iter().map(|a| a[0]).product::<usize>() * 8;
        assert!(block <= AUTO_CHUNK_BYTES);
        assert!(c[0].len() >= 2);
    }
}
