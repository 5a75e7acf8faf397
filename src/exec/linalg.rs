//! Linear algebra in the executor: the blocked matrix product and the two halves of TSQR.
//!
//! `MatMul` computes one output block as the sum over the contracted axis's blocks, in a
//! fixed order, of one dense GEMM (faer, single-threaded) per block pair; integer and bool
//! products use an exact wrapping loop. A region that is not exactly one output block is
//! computed block by block and cut, so every element has the same value whichever region
//! asked for it (bitwise repeatable for any thread count). `TsqrR` gives the R factor of
//! each row block of a matrix (the first pass of TSQR); `TsqrQ` rebuilds a block of the
//! final Q from its row block and the small second-level factor (the second pass), so Q is
//! never held whole.

use crate::data::Data;
use crate::exec::region::{AxisRange, Region, eval as eval_region, region_shape, slice_data};
use crate::exec::{ExecCtx, ExecError};
use crate::graph::node::{Node, NodeRef};
use crate::sema::dtype::DType;
use faer::{Accum, MatMut, MatRef, Par};
use ndarray::{ArrayD, IxDyn};
use std::sync::Arc;

pub use crate::graph::linalg_op::{LinalgOp, TsqrFactors};

/// Evaluates `region` of a linear-algebra node.
pub fn eval(
    ctx: &ExecCtx,
    node: &NodeRef,
    op: &LinalgOp,
    region: &Region,
) -> Result<Data, ExecError> {
    let nd = node.shape.len();
    // The blocked axes whose blocks must be computed whole: m and n for a product, the
    // rows for TSQR.
    let blocked: Vec<usize> = match op {
        LinalgOp::MatMul => vec![nd - 2, nd - 1],
        LinalgOp::TsqrR | LinalgOp::TsqrQ(_) => vec![0],
    };
    // A TSQR Q block is remembered even when read whole: `q.T @ q` reads each block twice
    // in a row (once per operand), and recomputing it costs a QR of the row block.
    let always_keep = matches!(op, LinalgOp::TsqrQ(_));
    by_blocks(node, region, &blocked, &mut |r, cache| {
        let cache = cache || always_keep;
        if cache && let Some(d) = last_block::get(node, r) {
            return Ok(d);
        }
        let d = Arc::new(match op {
            LinalgOp::MatMul => matmul_block(ctx, node, r),
            LinalgOp::TsqrR => tsqr_r_block(ctx, node, r),
            LinalgOp::TsqrQ(f) => tsqr_q_block(ctx, node, f, r),
        }?);
        if cache {
            last_block::put(node, r, d.clone());
        }
        Ok(d)
    })
}

/// The last block each thread computed, so that a consumer pulling one block in pieces (a
/// reduction reads sub-blocks of 2^16 elements) computes it once, not once per piece. One
/// block per thread at most; the node is held weakly (its address cannot be reused while
/// the entry lives, and a dropped graph's entry never matches a live node).
mod last_block {
    use crate::data::Data;
    use crate::exec::region::Region;
    use crate::graph::node::{Node, NodeRef};
    use std::cell::RefCell;
    use std::sync::{Arc, Weak};

    type Entry = (Weak<Node>, Region, Arc<Data>);

    thread_local! {
        static LAST: RefCell<Option<Entry>> = const { RefCell::new(None) };
    }

    /// The block `region` of `node`, if this thread computed it last.
    pub fn get(node: &NodeRef, region: &Region) -> Option<Arc<Data>> {
        LAST.with(|l| {
            let l = l.borrow();
            let (w, r, d) = l.as_ref()?;
            (std::ptr::eq(w.as_ptr(), Arc::as_ptr(node)) && r == region).then(|| d.clone())
        })
    }

    /// Remembers the block `region` of `node` (replacing the previous one).
    pub fn put(node: &NodeRef, region: &Region, data: Arc<Data>) {
        LAST.with(|l| *l.borrow_mut() = Some((Arc::downgrade(node), region.clone(), data)));
    }
}

/// Computes one whole block (`region`); the flag says whether to remember it.
type BlockFn<'a> = dyn FnMut(&Region, bool) -> Result<Arc<Data>, ExecError> + 'a;

/// The block index ranges `[lo, hi)` of a grid axis whose blocks hold indices `lo..=hi`.
fn blocks_covering(chunks: &[usize], lo: usize, hi: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for &c in chunks {
        let end = start + c;
        if c > 0 && end > lo && start <= hi {
            out.push((start, c));
        }
        start = end;
    }
    out
}

/// Evaluates `region` by computing whole blocks of the `blocked` axes (other axes pass the
/// region through) and cutting the region out of them. `block(r, cache)` computes one block;
/// `cache` is set when only part of it is wanted (the rest may be asked for next).
fn by_blocks(
    node: &Node,
    region: &Region,
    blocked: &[usize],
    block: &mut BlockFn<'_>,
) -> Result<Data, ExecError> {
    // Per blocked axis: the covering blocks.
    let mut cover: Vec<Vec<(usize, usize)>> = Vec::new();
    for &ax in blocked {
        let (lo, hi) = region[ax].bounds();
        cover.push(blocks_covering(&node.chunks[ax], lo as usize, hi as usize));
    }
    let exact = blocked
        .iter()
        .zip(&cover)
        .all(|(&ax, c)| c.len() == 1 && region[ax] == AxisRange::span(c[0].0, c[0].1));
    if exact {
        let d = block(region, false)?;
        return Ok(Arc::try_unwrap(d).unwrap_or_else(|d| (*d).clone()));
    }
    // The box of whole blocks around the region, computed block by block.
    let mut boxr = region.clone();
    for (&ax, c) in blocked.iter().zip(&cover) {
        let lo = c[0].0;
        let hi = c.last().map(|&(s, l)| s + l).unwrap_or(lo);
        boxr[ax] = AxisRange::span(lo, hi - lo);
    }
    let mut out = Data::zeros(node.dtype, &region_shape(&boxr));
    let mut idx = vec![0usize; blocked.len()];
    loop {
        let mut r = boxr.clone();
        for (j, &ax) in blocked.iter().enumerate() {
            let (s, l) = cover[j][idx[j]];
            r[ax] = AxisRange::span(s, l);
        }
        let part = block(&r, true)?;
        write_into(&mut out, &part, &boxr, &r, blocked);
        // Next block (row-major over the blocked axes).
        let mut j = blocked.len();
        loop {
            if j == 0 {
                let rel: Region = region
                    .iter()
                    .zip(&boxr)
                    .map(|(r, b)| AxisRange {
                        start: r.start - b.start,
                        step: r.step,
                        len: r.len,
                    })
                    .collect();
                return Ok(slice_data(&out, &rel));
            }
            j -= 1;
            idx[j] += 1;
            if idx[j] < cover[j].len() {
                break;
            }
            idx[j] = 0;
        }
    }
}

/// Copies `part` (the region `r`) into `out` (the region `boxr`) along the blocked axes.
fn write_into(out: &mut Data, part: &Data, boxr: &Region, r: &Region, blocked: &[usize]) {
    use ndarray::Slice;
    macro_rules! put {
        ($o:expr, $p:expr) => {{
            let mut view = $o.view_mut();
            for &ax in blocked {
                let lo = (r[ax].start - boxr[ax].start) as isize;
                let hi = lo + r[ax].len as isize;
                view.slice_axis_inplace(ndarray::Axis(ax), Slice::from(lo..hi));
            }
            view.assign($p);
        }};
    }
    match (out, part) {
        (Data::F64(o), Data::F64(p)) => put!(o, p),
        (Data::F32(o), Data::F32(p)) => put!(o, p),
        (Data::I64(o), Data::I64(p)) => put!(o, p),
        (Data::I32(o), Data::I32(p)) => put!(o, p),
        (Data::U8(o), Data::U8(p)) => put!(o, p),
        (Data::Bool(o), Data::Bool(p)) => put!(o, p),
        _ => unreachable!("blocks have the node's dtype"),
    }
}

/// A standard-layout copy (or the array itself) as a flat vector.
fn flat<T: Clone>(a: ArrayD<T>) -> Vec<T> {
    if a.is_standard_layout() {
        a.into_raw_vec_and_offset().0
    } else {
        a.iter().cloned().collect()
    }
}

/// The dtype a product is accumulated in.
fn accumulate_dtype(out: DType) -> DType {
    match out {
        DType::F32 => DType::F32,
        DType::F64 => DType::F64,
        _ => DType::I64,
    }
}

/// One output block of a product: `region` covers whole blocks of m and n.
fn matmul_block(ctx: &ExecCtx, node: &NodeRef, region: &Region) -> Result<Data, ExecError> {
    let nd = node.shape.len();
    let (a, b) = (&node.inputs[0], &node.inputs[1]);
    let batch = &region[..nd - 2];
    let (mr, nr) = (region[nd - 2], region[nd - 1]);
    let (m, n) = (mr.len, nr.len);
    let nbatch: usize = batch.iter().map(|r| r.len).product();
    let acc = accumulate_dtype(node.dtype);
    // The contracted axis's blocks, as (first index, length).
    let mut kblocks = Vec::new();
    let mut klo = 0;
    for &kc in &a.chunks[nd - 1] {
        if kc > 0 {
            kblocks.push((klo, kc));
        }
        klo += kc;
    }
    let operands = Operands {
        ctx,
        a,
        b,
        batch,
        rows: mr,
        cols: nr,
        acc,
        len: nbatch * m * n,
    };
    let sum = operands.sum(&kblocks)?;
    let shape = region_shape(region);
    let data = match sum {
        Partial::F64(v) => Data::F64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape")),
        Partial::F32(v) => Data::F32(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape")),
        Partial::I64(v) => Data::I64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape")),
    };
    Ok(data.into_dtype(node.dtype))
}

/// How many consecutive blocks of the contracted axis one leaf of a product's sum
/// accumulates in order (one GEMM each into one buffer). Leaves are added pairwise, the two
/// halves in parallel, so a product with few output blocks and many contracted blocks
/// (`x.T @ x` of a tall array) uses every thread. The grouping depends on the shapes only:
/// the result is bitwise the same for any thread count (and, up to 8 contracted blocks, the
/// plain in-order sum).
const K_LEAF_BLOCKS: usize = 8;

/// A partial sum of one output block in the accumulation dtype.
enum Partial {
    F64(Vec<f64>),
    F32(Vec<f32>),
    I64(Vec<i64>),
}

impl Partial {
    fn zeros(dtype: DType, len: usize) -> Partial {
        match dtype {
            DType::F64 => Partial::F64(vec![0.0; len]),
            DType::F32 => Partial::F32(vec![0.0; len]),
            _ => Partial::I64(vec![0; len]),
        }
    }

    /// `self += other`, element by element (integers wrap).
    fn add(&mut self, other: Partial) {
        match (self, other) {
            (Partial::F64(x), Partial::F64(y)) => x.iter_mut().zip(y).for_each(|(p, q)| *p += q),
            (Partial::F32(x), Partial::F32(y)) => x.iter_mut().zip(y).for_each(|(p, q)| *p += q),
            (Partial::I64(x), Partial::I64(y)) => x
                .iter_mut()
                .zip(y)
                .for_each(|(p, q)| *p = p.wrapping_add(q)),
            _ => unreachable!("partials of one product share the accumulation dtype"),
        }
    }
}

/// One output block of a product: its operands and where it lies.
struct Operands<'a> {
    ctx: &'a ExecCtx,
    a: &'a NodeRef,
    b: &'a NodeRef,
    batch: &'a [AxisRange],
    rows: AxisRange,
    cols: AxisRange,
    acc: DType,
    len: usize,
}

impl Operands<'_> {
    /// The sum over the contracted blocks `kblocks` (`K_LEAF_BLOCKS` in order per leaf,
    /// leaves added pairwise).
    fn sum(&self, kblocks: &[(usize, usize)]) -> Result<Partial, ExecError> {
        if kblocks.len() <= K_LEAF_BLOCKS {
            let mut out = Partial::zeros(self.acc, self.len);
            for &(klo, kc) in kblocks {
                self.accumulate(&mut out, AxisRange::span(klo, kc), kc)?;
            }
            return Ok(out);
        }
        let leaves = kblocks.len().div_ceil(K_LEAF_BLOCKS);
        let mid = leaves / 2 * K_LEAF_BLOCKS;
        let (left, right) = rayon::join(|| self.sum(&kblocks[..mid]), || self.sum(&kblocks[mid..]));
        let mut left = left?;
        left.add(right?);
        Ok(left)
    }

    /// `out += a[.., rows, k] @ b[.., k, cols]` for one contracted block `k` of length `kc`.
    fn accumulate(&self, out: &mut Partial, kr: AxisRange, kc: usize) -> Result<(), ExecError> {
        self.ctx.check_cancelled()?;
        let nbatch: usize = self.batch.iter().map(|r| r.len).product();
        let (m, n) = (self.rows.len, self.cols.len);
        let mut ra: Region = self.batch.to_vec();
        ra.push(self.rows);
        ra.push(kr);
        let mut rb: Region = self.batch.to_vec();
        rb.push(kr);
        rb.push(self.cols);
        let da = eval_region(self.ctx, self.a, &ra)?.into_dtype(self.acc);
        let db = eval_region(self.ctx, self.b, &rb)?.into_dtype(self.acc);
        match (out, da, db) {
            (Partial::F64(c), Data::F64(x), Data::F64(y)) => {
                gemm_batched(c, &flat(x), &flat(y), nbatch, m, kc, n)
            }
            (Partial::F32(c), Data::F32(x), Data::F32(y)) => {
                gemm_batched(c, &flat(x), &flat(y), nbatch, m, kc, n)
            }
            (Partial::I64(c), Data::I64(x), Data::I64(y)) => {
                int_gemm_batched(c, &flat(x), &flat(y), nbatch, m, kc, n)
            }
            _ => unreachable!("both converted to the accumulation dtype"),
        }
        Ok(())
    }
}

/// `c[p] += a[p] @ b[p]` for every batch element `p`, with faer's GEMM.
fn gemm_batched<T: faer::traits::ComplexField + Copy + num_one::One>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    nbatch: usize,
    m: usize,
    k: usize,
    n: usize,
) {
    for p in 0..nbatch {
        let cp = &mut c[p * m * n..(p + 1) * m * n];
        let ap = &a[p * m * k..(p + 1) * m * k];
        let bp = &b[p * k * n..(p + 1) * k * n];
        let cm = MatMut::from_row_major_slice_mut(cp, m, n);
        let am = MatRef::from_row_major_slice(ap, m, k);
        let bm = MatRef::from_row_major_slice(bp, k, n);
        faer::linalg::matmul::matmul(cm, Accum::Add, am, bm, T::one(), Par::Seq);
    }
}

/// The multiplicative identity of a GEMM element type.
mod num_one {
    /// One.
    pub trait One {
        /// The value 1.
        fn one() -> Self;
    }
    impl One for f64 {
        fn one() -> f64 {
            1.0
        }
    }
    impl One for f32 {
        fn one() -> f32 {
            1.0
        }
    }
}

/// `c[p] += a[p] @ b[p]` with wrapping integer arithmetic (NumPy's integer matmul).
fn int_gemm_batched(
    c: &mut [i64],
    a: &[i64],
    b: &[i64],
    nbatch: usize,
    m: usize,
    k: usize,
    n: usize,
) {
    for p in 0..nbatch {
        for i in 0..m {
            let crow = &mut c[(p * m + i) * n..(p * m + i + 1) * n];
            for l in 0..k {
                let x = a[(p * m + i) * k + l];
                if x == 0 {
                    continue;
                }
                let brow = &b[(p * k + l) * n..(p * k + l + 1) * n];
                for (cv, &bv) in crow.iter_mut().zip(brow) {
                    *cv = cv.wrapping_add(x.wrapping_mul(bv));
                }
            }
        }
    }
}

/// A matrix of f64 in row-major order.
pub struct Dense {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Row-major values.
    pub v: Vec<f64>,
}

impl Dense {
    /// From a 2-D array of any dtype.
    pub fn from_data(d: Data) -> Dense {
        let shape = d.shape().to_vec();
        let Data::F64(a) = d.into_dtype(DType::F64) else {
            unreachable!("converted to f64")
        };
        Dense {
            rows: shape[0],
            cols: shape.get(1).copied().unwrap_or(1),
            v: flat(a),
        }
    }

    /// A faer view.
    pub fn view(&self) -> MatRef<'_, f64> {
        MatRef::from_row_major_slice(&self.v, self.rows, self.cols)
    }

    /// From a faer matrix.
    pub fn from_mat(m: MatRef<'_, f64>) -> Dense {
        let (rows, cols) = (m.nrows(), m.ncols());
        let mut v = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                v.push(m[(i, j)]);
            }
        }
        Dense { rows, cols, v }
    }

    /// As a 2-D f64 array.
    pub fn into_data(self) -> Data {
        Data::F64(ArrayD::from_shape_vec(IxDyn(&[self.rows, self.cols]), self.v).expect("shape"))
    }
}

/// The thin QR of a row block: (Q rows × r, R r × n) with r = min(rows, n).
fn block_qr(a: &Dense) -> (Dense, Dense) {
    let qr = a.view().qr();
    let r = a.rows.min(a.cols);
    let q = qr.compute_thin_Q();
    let rr = qr.thin_R();
    // faer's thin R is r × n.
    (
        Dense::from_mat(q.as_ref()),
        Dense::from_mat(rr.subrows(0, r)),
    )
}

fn row_block(ctx: &ExecCtx, node: &NodeRef, region: &Region) -> Result<Dense, ExecError> {
    let a = &node.inputs[0];
    let rows = region[0];
    let r = vec![rows, AxisRange::full(a.shape[1])];
    Ok(Dense::from_data(eval_region(ctx, a, &r)?))
}

/// The R factor of the row block of the input that the output block `region` stands for.
fn tsqr_r_block(ctx: &ExecCtx, node: &NodeRef, region: &Region) -> Result<Data, ExecError> {
    let a = &node.inputs[0];
    // Output row block i (r_i rows) stands for input row block i.
    let i = block_index(&node.chunks[0], region[0].start as usize);
    let (start, len) = block_span(&a.chunks[0], i);
    let d = row_block(ctx, node, &vec![AxisRange::span(start, len)])?;
    let (_, r) = block_qr(&d);
    let out = r.into_data();
    Ok(slice_data(&out, &vec![AxisRange::full(out.shape()[0]), region[1]]).into_dtype(node.dtype))
}

/// A block of TSQR's Q: the thin Q of the input row block times its slice of the factors.
fn tsqr_q_block(
    ctx: &ExecCtx,
    node: &NodeRef,
    f: &TsqrFactors,
    region: &Region,
) -> Result<Data, ExecError> {
    let i = block_index(&node.chunks[0], region[0].start as usize);
    let d = row_block(ctx, node, &vec![region[0]])?;
    let (q1, _) = block_qr(&d);
    let (lo, hi) = (f.offsets[i], f.offsets[i + 1]);
    let q2 = MatRef::from_row_major_slice(&f.q2[lo * f.cols..hi * f.cols], hi - lo, f.cols);
    let mut out = vec![0.0f64; d.rows * f.cols];
    faer::linalg::matmul::matmul(
        MatMut::from_row_major_slice_mut(&mut out, d.rows, f.cols),
        Accum::Replace,
        q1.view(),
        q2,
        1.0,
        Par::Seq,
    );
    let full = Dense {
        rows: d.rows,
        cols: f.cols,
        v: out,
    }
    .into_data();
    Ok(slice_data(&full, &vec![AxisRange::full(d.rows), region[1]]).into_dtype(node.dtype))
}

/// The index of the block starting at `start`.
fn block_index(chunks: &[usize], start: usize) -> usize {
    let mut s = 0;
    for (i, &c) in chunks.iter().enumerate() {
        if s == start && c > 0 {
            return i;
        }
        s += c;
    }
    chunks.len().saturating_sub(1)
}

/// Start and length of block `i`.
fn block_span(chunks: &[usize], i: usize) -> (usize, usize) {
    (chunks[..i].iter().sum(), chunks[i])
}
