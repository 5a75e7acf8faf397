//! Node constructors: each computes the new node's shape and chunk grid from its inputs.
//! Shapes and dtypes were already checked by `sema`; these only build.

use crate::graph::chunks;
use crate::graph::node::{MaskPieces, Node, NodeRef, Op, ReduceOp, ScanOp, SliceItem, Source};
use crate::kernel::MapOp;
use crate::sema::dtype::DType;
use std::sync::Arc;

/// A source node.
pub fn source(src: Source, dtype: DType, shape: Vec<usize>, chunks: Vec<Vec<usize>>) -> NodeRef {
    Arc::new(Node {
        op: Op::Source(src),
        inputs: Vec::new(),
        dtype,
        shape,
        chunks,
    })
}

/// The broadcast shape of several shapes (checked compatible beforehand).
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Vec<usize> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    (0..ndim)
        .map(|k| {
            shapes
                .iter()
                .filter_map(|s| {
                    let off = ndim - s.len();
                    (k >= off).then(|| s[k - off])
                })
                .find(|&d| d != 1)
                .unwrap_or(1)
        })
        .collect()
}

/// An element-wise node over broadcast inputs.
pub fn map(op: MapOp, compute: DType, out: DType, inputs: Vec<NodeRef>) -> NodeRef {
    let shapes: Vec<&[usize]> = inputs.iter().map(|n| n.shape.as_slice()).collect();
    let shape = broadcast_shapes(&shapes);
    let ndim = shape.len();
    let chunks = (0..ndim)
        .map(|k| {
            // Take the finest grid among the inputs that span this axis.
            inputs
                .iter()
                .filter_map(|n| {
                    let off = ndim - n.shape.len();
                    (k >= off && n.shape[k - off] == shape[k]).then(|| &n.chunks[k - off])
                })
                .max_by_key(|c| c.len())
                .cloned()
                .unwrap_or_else(|| vec![shape[k]])
        })
        .collect();
    Arc::new(Node {
        op: Op::Map { op, compute },
        inputs,
        dtype: out,
        shape,
        chunks,
    })
}

/// A reduction over `axes` (sorted, distinct).
pub fn reduce(
    op: ReduceOp,
    input: NodeRef,
    axes: Vec<usize>,
    keepdims: bool,
    ddof: f64,
) -> NodeRef {
    let mut shape = Vec::new();
    let mut grid = Vec::new();
    for (k, (&n, c)) in input.shape.iter().zip(&input.chunks).enumerate() {
        if axes.contains(&k) {
            if keepdims {
                shape.push(1);
                grid.push(vec![1]);
            }
        } else {
            shape.push(n);
            grid.push(c.clone());
        }
    }
    Arc::new(Node {
        op: Op::Reduce {
            op,
            axes,
            keepdims,
            ddof,
        },
        dtype: op.result_dtype(input.dtype),
        inputs: vec![input],
        shape,
        chunks: grid,
    })
}

/// A scan along `axis`.
pub fn scan(op: ScanOp, input: NodeRef, axis: usize) -> NodeRef {
    Arc::new(Node {
        op: Op::Scan { op, axis },
        dtype: input.dtype.sum_type(),
        shape: input.shape.clone(),
        chunks: input.chunks.clone(),
        inputs: vec![input],
    })
}

/// A basic slice.
pub fn slice(input: NodeRef, items: Vec<SliceItem>) -> NodeRef {
    let mut shape = Vec::new();
    let mut grid = Vec::new();
    for item in &items {
        match *item {
            SliceItem::Take {
                axis,
                start,
                step,
                len,
            } => {
                shape.push(len);
                grid.push(chunks::slice_axis(&input.chunks[axis], start, step, len));
            }
            SliceItem::Fix { .. } => {}
            SliceItem::NewAxis => {
                shape.push(1);
                grid.push(vec![1]);
            }
        }
    }
    Arc::new(Node {
        op: Op::Slice(items),
        dtype: input.dtype,
        inputs: vec![input],
        shape,
        chunks: grid,
    })
}

/// Output axis `k` is input axis `perm[k]`.
pub fn transpose(input: NodeRef, perm: Vec<usize>) -> NodeRef {
    let shape = perm.iter().map(|&p| input.shape[p]).collect();
    let grid = perm.iter().map(|&p| input.chunks[p].clone()).collect();
    Arc::new(Node {
        op: Op::Transpose(perm),
        dtype: input.dtype,
        inputs: vec![input],
        shape,
        chunks: grid,
    })
}

/// A reshape to `shape` (same element count); blocks are row-major contiguous runs.
pub fn reshape(input: NodeRef, shape: Vec<usize>) -> NodeRef {
    let target = input.max_chunk_bytes().max(1 << 16);
    let grid = contiguous_chunks(&shape, input.dtype.size(), target);
    Arc::new(Node {
        op: Op::Reshape,
        dtype: input.dtype,
        inputs: vec![input],
        shape,
        chunks: grid,
    })
}

/// Blocks that are contiguous in row-major order: cut the leading axes, keep trailing ones whole.
pub fn contiguous_chunks(shape: &[usize], itemsize: usize, target_bytes: usize) -> Vec<Vec<usize>> {
    let mut lens = shape.to_vec();
    let mut inner = itemsize;
    for k in (0..shape.len()).rev() {
        let n = shape[k].max(1);
        if inner * n <= target_bytes {
            inner *= n;
            continue;
        }
        lens[k] = (target_bytes / inner).clamp(1, n);
        for l in lens.iter_mut().take(k) {
            *l = 1;
        }
        break;
    }
    shape
        .iter()
        .zip(lens)
        .map(|(&n, l)| chunks::regular(n, l))
        .collect()
}

/// Broadcasts `input` to `shape`.
pub fn broadcast_to(input: NodeRef, shape: Vec<usize>) -> NodeRef {
    let off = shape.len() - input.shape.len();
    let auto = chunks::auto(&shape, input.dtype.size());
    let grid = (0..shape.len())
        .map(|k| {
            if k >= off && input.shape[k - off] == shape[k] {
                input.chunks[k - off].clone()
            } else {
                auto[k].clone()
            }
        })
        .collect();
    Arc::new(Node {
        op: Op::BroadcastTo,
        dtype: input.dtype,
        inputs: vec![input],
        shape,
        chunks: grid,
    })
}

/// Concatenation along `axis` of inputs of one dtype.
pub fn concat(inputs: Vec<NodeRef>, axis: usize) -> NodeRef {
    let mut shape = inputs[0].shape.clone();
    shape[axis] = inputs.iter().map(|n| n.shape[axis]).sum();
    let mut grid = inputs[0].chunks.clone();
    grid[axis] = inputs
        .iter()
        .flat_map(|n| n.chunks[axis].iter().copied().filter(|&c| c > 0))
        .collect();
    if grid[axis].is_empty() {
        grid[axis] = vec![0];
    }
    Arc::new(Node {
        op: Op::Concat { axis },
        dtype: inputs[0].dtype,
        inputs,
        shape,
        chunks: grid,
    })
}

/// The same array on a new grid.
pub fn rechunk(input: NodeRef, grid: Vec<Vec<usize>>) -> NodeRef {
    Arc::new(Node {
        op: Op::Rechunk,
        dtype: input.dtype,
        shape: input.shape.clone(),
        inputs: vec![input],
        chunks: grid,
    })
}

/// The diagonal of axes `axis1`, `axis2` (distinct), appended as the last axis.
pub fn diagonal(input: NodeRef, offset: i64, axis1: usize, axis2: usize) -> NodeRef {
    let n1 = input.shape[axis1] as i64;
    let n2 = input.shape[axis2] as i64;
    let len = if offset >= 0 {
        (n1.min(n2 - offset)).max(0)
    } else {
        (n2.min(n1 + offset)).max(0)
    } as usize;
    let mut shape = Vec::new();
    let mut grid = Vec::new();
    for k in 0..input.shape.len() {
        if k != axis1 && k != axis2 {
            shape.push(input.shape[k]);
            grid.push(input.chunks[k].clone());
        }
    }
    shape.push(len);
    let block = input.chunks[axis1].iter().copied().max().unwrap_or(1);
    grid.push(chunks::regular(len, block));
    Arc::new(Node {
        op: Op::Diagonal {
            offset,
            axis1,
            axis2,
        },
        dtype: input.dtype,
        inputs: vec![input],
        shape,
        chunks: grid,
    })
}

/// `x[mask]` along axis 0, given how many rows each mask block keeps and the kept rows
/// already computed (`pieces`, one entry per mask block, or empty).
pub fn compress(x: NodeRef, mask: NodeRef, counts: &[usize], pieces: MaskPieces) -> NodeRef {
    let mut starts = Vec::with_capacity(counts.len() + 1);
    let mut total = 0;
    starts.push(0);
    for c in counts {
        total += c;
        starts.push(total);
    }
    let mut shape = x.shape.clone();
    shape[0] = total;
    let mut grid = x.chunks.clone();
    grid[0] = counts.to_vec();
    if grid[0].is_empty() {
        grid[0] = vec![0];
    }
    Arc::new(Node {
        op: Op::Compress {
            starts,
            revealed: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            pieces: Arc::new(pieces),
        },
        dtype: x.dtype,
        inputs: vec![x, mask],
        shape,
        chunks: grid,
    })
}

/// `x[idx]` along `axis` with a 1-D integer index array.
pub fn gather(x: NodeRef, idx: NodeRef, axis: usize) -> NodeRef {
    let mut shape = x.shape.clone();
    shape[axis] = idx.shape[0];
    let mut grid = x.chunks.clone();
    grid[axis] = idx.chunks[0].clone();
    Arc::new(Node {
        op: Op::Gather { axis },
        dtype: x.dtype,
        inputs: vec![x, idx],
        shape,
        chunks: grid,
    })
}

/// `x` where the bool array `bad` (same shape) is false everywhere; computing a region
/// where it is true somewhere fails with `message`.
pub fn guard(x: NodeRef, bad: NodeRef, message: &'static str) -> NodeRef {
    Arc::new(Node {
        op: Op::Block(crate::graph::blockops::BlockOp::Guard { message }),
        dtype: x.dtype,
        shape: x.shape.clone(),
        chunks: x.chunks.clone(),
        inputs: vec![x, bad],
    })
}
