//! Evaluating any strided rectangular region of a node's output. Slices, transposes and
//! broadcasts map the region onto their inputs, so sources generate only what is kept.

use crate::backend::cache;
use crate::backend::launch::{self, Span};
use crate::data::Data;
use crate::exec::{ExecCtx, ExecError, held, reduce, scan, sources};
use crate::graph::node::{NodeRef, Op, SliceItem, Source};
use crate::kernel::{Kernel, lower};
use crate::sema::dtype::DType;
use ndarray::{Axis, IxDyn, Slice};

/// The indices `start + step * i` for `i < len` of one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisRange {
    /// The first index.
    pub start: i64,
    /// The distance between indices (may be negative).
    pub step: i64,
    /// How many indices.
    pub len: usize,
}

impl AxisRange {
    /// The whole axis `0..n`.
    pub fn full(n: usize) -> AxisRange {
        AxisRange::span(0, n)
    }
    /// `lo..lo+len` with step 1.
    pub fn span(lo: usize, len: usize) -> AxisRange {
        AxisRange {
            start: lo as i64,
            step: 1,
            len,
        }
    }
    /// The index of element `i`.
    pub fn at(&self, i: usize) -> i64 {
        self.start + self.step * i as i64
    }
    /// The smallest and largest index (for a non-empty range).
    pub fn bounds(&self) -> (i64, i64) {
        let last = self.at(self.len.saturating_sub(1));
        (self.start.min(last), self.start.max(last))
    }
    /// Composes: `inner` indexes into this range.
    pub fn compose(&self, inner: &AxisRange) -> AxisRange {
        AxisRange {
            start: self.start + self.step * inner.start,
            step: self.step * inner.step,
            len: inner.len,
        }
    }
}

/// A region: one range per axis.
pub type Region = Vec<AxisRange>;

/// The region covering a whole shape.
pub fn full_region(shape: &[usize]) -> Region {
    shape.iter().map(|&n| AxisRange::full(n)).collect()
}

/// The lengths of a region.
pub fn region_shape(region: &Region) -> Vec<usize> {
    region.iter().map(|r| r.len).collect()
}

/// Takes a region of in-memory data.
pub fn slice_data(data: &Data, region: &Region) -> Data {
    map_data!(data, a => {
        let mut view = a.view();
        for (k, r) in region.iter().enumerate() {
            if r.len == 0 {
                view.slice_axis_inplace(Axis(k), Slice::new(0, Some(0), 1));
                continue;
            }
            let (lo, hi) = r.bounds();
            let step = if r.len == 1 { 1 } else { r.step as isize };
            view.slice_axis_inplace(Axis(k), Slice::new(lo as isize, Some(hi as isize + 1), step));
        }
        view.to_owned()
    })
}

/// Evaluates `region` of `node`.
pub fn eval(ctx: &ExecCtx, node: &NodeRef, region: &Region) -> Result<Data, ExecError> {
    ctx.check_cancelled()?;
    if region.iter().any(|r| r.len == 0) {
        return Ok(Data::zeros(node.dtype, &region_shape(region)));
    }
    if let Some(cached) = ctx.cached(node) {
        return Ok(slice_data(&cached, region));
    }
    if let Some(shared) = super::compress::shared_block(ctx, node, region)? {
        return Ok(shared);
    }
    match &node.op {
        Op::Source(Source::Data(d)) => Ok(slice_data(d, region)),
        Op::Source(Source::External(src)) => {
            if let Some(data) = held::lookup(node, region) {
                return Ok(data);
            }
            let start: Vec<i64> = region.iter().map(|r| r.start).collect();
            let step: Vec<i64> = region.iter().map(|r| r.step).collect();
            let len: Vec<usize> = region.iter().map(|r| r.len).collect();
            ctx.stats.add_read(len.iter().product::<usize>() as u64);
            let data = src.read(&start, &step, &len).map_err(ExecError::Io)?;
            if data.shape() != len.as_slice() || data.dtype() != node.dtype {
                return Err(ExecError::Io(format!(
                    "{} gave {} {:?} for a {} {:?} region",
                    src.describe(),
                    data.dtype(),
                    data.shape(),
                    node.dtype,
                    len
                )));
            }
            Ok(data)
        }
        Op::Source(src) => Ok(sources::generate(ctx, node, src, region)),
        Op::Map { .. } => {
            let (kernel, leaves) = compile_kernel(ctx, node);
            run_kernel_over(ctx, &kernel, &leaves, node, region)
        }
        Op::Fused(kernel) => run_kernel_over(ctx, kernel, &node.inputs, node, region),
        Op::Pack => Err(ExecError::Internal(
            "a pack of results is computed by compute_many, never pulled".into(),
        )),
        Op::Reduce { .. } => reduce::eval_reduce(ctx, node, region),
        Op::Block(op) => crate::exec::blocks::eval_block(ctx, node, op, region),
        Op::Scan { op, axis } => scan::eval_scan(ctx, node, *op, *axis, region),
        Op::Linalg(op) => crate::exec::linalg::eval(ctx, node, op, region),
        Op::Slice(items) => eval_slice(ctx, node, items, region),
        Op::Transpose(perm) => {
            let mut inner = vec![AxisRange::full(0); perm.len()];
            for (k, &p) in perm.iter().enumerate() {
                inner[p] = region[k];
            }
            let data = eval(ctx, &node.inputs[0], &inner)?;
            Ok(map_data!(data, a => a.permuted_axes(IxDyn(perm)).as_standard_layout().into_owned()))
        }
        Op::Reshape => eval_reshape(ctx, node, region),
        Op::BroadcastTo => {
            let input = &node.inputs[0];
            let inner = broadcast_region(region, &input.shape);
            let data = eval(ctx, input, &inner)?;
            Ok(broadcast_data(data, &region_shape(region)))
        }
        Op::Concat { axis } => eval_concat(ctx, node, *axis, region),
        Op::Rechunk => eval(ctx, &node.inputs[0], region),
        Op::Diagonal {
            offset,
            axis1,
            axis2,
        } => eval_diagonal(ctx, node, *offset, *axis1, *axis2, region),
        Op::Compress { starts, pieces, .. } => {
            super::compress::eval_compress(ctx, node, starts, pieces, region)
        }
        Op::Gather { axis } => eval_gather(ctx, node, *axis, region),
        Op::Native(f) => {
            let name = &f.name;
            let input = eval(ctx, &node.inputs[0], region)?.into_dtype(DType::F64);
            let Data::F64(a) = input else {
                unreachable!("converted to f64 above")
            };
            let out = (f.block)(a.view());
            if out.shape() != a.shape() {
                return Err(ExecError::Io(format!(
                    "rust fn {name} returned shape {:?} for a block of shape {:?}",
                    out.shape(),
                    a.shape()
                )));
            }
            Ok(Data::F64(out))
        }
    }
}

/// Maps a region of a broadcast result onto an operand of shape `shape` (right-aligned;
/// length-1 axes read index 0).
pub fn broadcast_region(region: &Region, shape: &[usize]) -> Region {
    let off = region.len() - shape.len();
    shape
        .iter()
        .enumerate()
        .map(|(j, &n)| {
            let r = region[j + off];
            if n == 1 { AxisRange::span(0, 1) } else { r }
        })
        .collect()
}

/// Broadcasts data to `shape` and makes it standard layout.
pub fn broadcast_data(data: Data, shape: &[usize]) -> Data {
    if data.shape() == shape {
        return data;
    }
    map_data!(data, a => match a.broadcast(IxDyn(shape)) {
        Some(view) => view.to_owned(),
        None => a,
    })
}

/// Compiles the connected element-wise nodes under `root` into one kernel, whose inputs are
/// the non-element-wise nodes at its edge (and nodes already materialised).
pub fn compile_kernel(ctx: &ExecCtx, root: &NodeRef) -> (Kernel, Vec<NodeRef>) {
    lower::compile_group(root, &|n| ctx.cached(n).is_some())
}

/// The launch region of an executor region.
pub fn spans(region: &Region) -> Vec<Span> {
    region
        .iter()
        .map(|r| Span {
            start: r.start,
            step: r.step,
            len: r.len,
        })
        .collect()
}

/// Specialises `kernel` for `region` (operands computed from indices move inside it),
/// evaluates the operands it still loads, and launches it on the context's backend.
/// Returns one array per output value of the kernel (`launch::output_values`).
pub fn launch_kernel(
    ctx: &ExecCtx,
    kernel: &Kernel,
    leaves: &[NodeRef],
    out_shape: &[usize],
    region: &Region,
) -> Result<Vec<Data>, ExecError> {
    ctx.check_cancelled()?;
    let spec = lower::specialize(kernel, leaves, out_shape);
    // The launch broadcasts operands itself, reading them in place. File blocks are read
    // first and offered to the other operands, which may read them again (`held.rs`).
    // Backends running host tiles read operands already in memory in place (a slice of a
    // `map_blocks` block is a window into the block, not a copy of it).
    let in_place = ctx.backend.host_tiles();
    let mut offered = Vec::new();
    if spec.loads.len() > 1 {
        for (i, leaf) in spec.loads.iter().enumerate() {
            if held::worth_offering(leaf) {
                let inner = broadcast_region(region, &leaf.shape);
                let data = std::sync::Arc::new(eval(ctx, leaf, &inner)?);
                let offer = held::offer(leaf, &inner, data.clone());
                offered.push((i, data, offer));
            }
        }
    }
    let mut slots: Vec<Option<Operand>> = Vec::with_capacity(spec.loads.len());
    for (i, leaf) in spec.loads.iter().enumerate() {
        let inner = broadcast_region(region, &leaf.shape);
        slots.push(if offered.iter().any(|o| o.0 == i) {
            None
        } else if in_place && let Some((data, at)) = in_memory(ctx, leaf, &inner) {
            Some(Operand::InPlace(data, at))
        } else {
            Some(Operand::Computed(eval(ctx, leaf, &inner)?))
        });
    }
    // Withdrawn last offer first, so each block's only other reference is gone.
    while let Some((i, data, offer)) = offered.pop() {
        drop(offer);
        slots[i] = Some(Operand::Computed(
            std::sync::Arc::try_unwrap(data).unwrap_or_else(|d| (*d).clone()),
        ));
    }
    let inputs: Vec<Operand> = slots.into_iter().flatten().collect();
    if inputs.len() != spec.loads.len() {
        return Err(ExecError::Internal(
            "a kernel operand was not evaluated".into(),
        ));
    }
    let n: usize = region.iter().map(|r| r.len).product();
    ctx.stats
        .add_generated(spec.generated_per_element * n as u64);
    let expanded;
    let kernel = if random_as_ir() {
        expanded = crate::kernel::random_ir::expand(&spec.kernel);
        &expanded
    } else {
        &spec.kernel
    };
    let body = cache::compiled(&*ctx.backend, kernel)
        .map_err(|e| ExecError::Internal(format!("kernel: {e}")))?;
    let launched = if in_place {
        let windows = inputs
            .iter()
            .map(|op| match op {
                Operand::Computed(d) => Ok(launch::Window::whole(d)),
                Operand::InPlace(d, at) => {
                    let start: Vec<i64> = at.iter().map(|r| r.start).collect();
                    let step: Vec<i64> = at.iter().map(|r| r.step).collect();
                    launch::Window::slice(d, &start, &step, &region_shape(at)).ok_or_else(|| {
                        ExecError::Internal("a load's window lies outside its data".into())
                    })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        launch::launch_windows(&*body, kernel, &spans(region), &windows, &spec.params)
    } else {
        let inputs: Vec<Data> = inputs
            .into_iter()
            .map(|op| match op {
                Operand::Computed(d) => d,
                Operand::InPlace(d, at) => slice_data(&d, &at),
            })
            .collect();
        launch::launch(&*body, kernel, &spans(region), &inputs, &spec.params)
    };
    launched.map_err(|e| ExecError::Internal(format!("kernel: {e}")))
}

/// `launch_kernel` on a backend that sums on its device (`Backend::sums_on_device`): the
/// sums of the kernel's one float output over the pieces of `region` that `pieces` cuts, with
/// the number of values each added. `None` when an operand of the kernel spans more than
/// `max_operand_elems` elements over the region (the whole region's operands would be held
/// at once; the caller then launches piece by piece) or the backend does not sum on its
/// device.
pub fn launch_kernel_sums(
    ctx: &ExecCtx,
    kernel: &Kernel,
    leaves: &[NodeRef],
    out_shape: &[usize],
    region: &Region,
    pieces: &launch::PieceLeaves,
    max_operand_elems: usize,
) -> Result<Option<Vec<(f64, u64)>>, ExecError> {
    if !ctx.backend.sums_on_device() {
        return Ok(None);
    }
    ctx.check_cancelled()?;
    let spec = lower::specialize(kernel, leaves, out_shape);
    let inners: Vec<Region> = spec
        .loads
        .iter()
        .map(|leaf| broadcast_region(region, &leaf.shape))
        .collect();
    if inners
        .iter()
        .any(|r| region_shape(r).iter().product::<usize>() > max_operand_elems)
    {
        return Ok(None);
    }
    let inputs: Vec<Data> = spec
        .loads
        .iter()
        .zip(&inners)
        .map(|(leaf, inner)| eval(ctx, leaf, inner))
        .collect::<Result<_, _>>()?;
    let n: usize = region.iter().map(|r| r.len).product();
    ctx.stats
        .add_generated(spec.generated_per_element * n as u64);
    let body = cache::compiled(&*ctx.backend, &spec.kernel)
        .map_err(|e| ExecError::Internal(format!("kernel: {e}")))?;
    match launch::launch_piece_sums(
        &*body,
        &spec.kernel,
        &spans(region),
        &inputs,
        &spec.params,
        pieces,
    ) {
        None => Ok(None),
        Some(sums) => sums
            .map(Some)
            .map_err(|e| ExecError::Internal(format!("kernel: {e}"))),
    }
}

/// An operand of a launch: computed for it, or a region of data already in memory.
enum Operand {
    Computed(Data),
    InPlace(std::sync::Arc<Data>, Region),
}

/// The in-memory data (a data source, or a node the context holds) a region of `node`
/// reads through rechunks and plain slices (every axis kept, in order), and the region of
/// it: what a launch can read in place.
fn in_memory(
    ctx: &ExecCtx,
    node: &NodeRef,
    region: &Region,
) -> Option<(std::sync::Arc<Data>, Region)> {
    let mut node = node.clone();
    let mut region = region.clone();
    loop {
        if region.iter().any(|r| r.len == 0) {
            return None;
        }
        if let Some(d) = ctx.cached(&node) {
            return Some((d, region));
        }
        let next = match &node.op {
            Op::Source(Source::Data(d)) => return Some((d.clone(), region)),
            Op::Rechunk => region,
            Op::Slice(items) => plain_slice_input(items, node.inputs[0].shape.len(), &region)?,
            _ => return None,
        };
        node = node.inputs[0].clone();
        region = next;
    }
}

/// The region of a slice's input that `region` of the slice reads, for a plain slice (each
/// item takes a range of its own axis: no axis added or dropped); `None` for any other.
pub fn plain_slice_input(
    items: &[SliceItem],
    input_rank: usize,
    region: &Region,
) -> Option<Region> {
    if items.len() != input_rank || items.len() != region.len() {
        return None;
    }
    items
        .iter()
        .enumerate()
        .map(|(k, item)| match *item {
            SliceItem::Take {
                axis,
                start,
                step,
                len,
            } if axis == k => Some(AxisRange { start, step, len }.compose(&region[k])),
            _ => None,
        })
        .collect()
}

/// Whether kernels compute random numbers with the generators' IR arithmetic
/// (`kernel::random_ir`) instead of the launch's fill routines: `ARR_RANDOM_IR=1`, several
/// times slower, to check that the two agree on whole programs.
fn random_as_ir() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("ARR_RANDOM_IR").is_ok_and(|v| v == "1"))
}

/// Runs `kernel` over `region`, its loads being the same region of `leaves` (broadcast).
fn run_kernel_over(
    ctx: &ExecCtx,
    kernel: &Kernel,
    leaves: &[NodeRef],
    node: &NodeRef,
    region: &Region,
) -> Result<Data, ExecError> {
    let mut outs = launch_kernel(ctx, kernel, leaves, &node.shape, region)?;
    outs.pop()
        .ok_or_else(|| ExecError::Internal("an element-wise kernel without output".into()))
}

fn eval_slice(
    ctx: &ExecCtx,
    node: &NodeRef,
    items: &[SliceItem],
    region: &Region,
) -> Result<Data, ExecError> {
    let input = &node.inputs[0];
    let mut inner = vec![AxisRange::span(0, 1); input.shape.len()];
    let mut out_axis = 0;
    for item in items {
        match *item {
            SliceItem::Take {
                axis,
                start,
                step,
                len,
            } => {
                let own = AxisRange { start, step, len };
                inner[axis] = own.compose(&region[out_axis]);
                out_axis += 1;
            }
            SliceItem::Fix { axis, index } => inner[axis] = AxisRange::span(index, 1),
            SliceItem::NewAxis => out_axis += 1,
        }
    }
    let data = eval(ctx, input, &inner)?;
    Ok(data.reshaped(&region_shape(region)))
}

pub use crate::data::strides;

/// Row-major flat indices of every element of a region.
pub fn region_flat_indices(region: &Region, shape: &[usize]) -> Vec<usize> {
    let st = strides(shape);
    let mut out = vec![0usize];
    for (k, r) in region.iter().enumerate() {
        let mut next = Vec::with_capacity(out.len() * r.len);
        for base in &out {
            for i in 0..r.len {
                next.push(base + r.at(i) as usize * st[k]);
            }
        }
        out = next;
    }
    out
}

fn eval_reshape(ctx: &ExecCtx, node: &NodeRef, region: &Region) -> Result<Data, ExecError> {
    let input = &node.inputs[0];
    let st = strides(&node.shape);
    let lo: usize = region
        .iter()
        .zip(&st)
        .map(|(r, s)| r.bounds().0 as usize * s)
        .sum();
    let hi: usize = region
        .iter()
        .zip(&st)
        .map(|(r, s)| r.bounds().1 as usize * s)
        .sum::<usize>()
        + 1;
    let flat = eval_flat(ctx, input, lo, hi)?;
    let shape = region_shape(region);
    let n: usize = shape.iter().product();
    if hi - lo == n && region.iter().all(|r| r.step == 1 || r.len == 1) {
        return Ok(flat.reshaped(&shape));
    }
    let picks = region_flat_indices(region, &node.shape);
    Ok(map_data!(flat, a => {
        let s = a.as_slice().map(|s| s.to_vec()).unwrap_or_else(|| a.iter().copied().collect());
        let v: Vec<_> = picks.iter().map(|&p| s[p - lo]).collect();
        ndarray::ArrayD::from_shape_vec(IxDyn(&shape), v).expect("picks has one entry per element")
    }))
}

/// Evaluates the row-major flat range `lo..hi` of a node as a 1-D array.
pub fn eval_flat(ctx: &ExecCtx, node: &NodeRef, lo: usize, hi: usize) -> Result<Data, ExecError> {
    let mut rects = Vec::new();
    flat_rects(&node.shape, lo, hi, &mut Vec::new(), &mut rects);
    let mut parts = Vec::with_capacity(rects.len());
    for rect in rects {
        let d = eval(ctx, node, &rect)?;
        let n = d.len();
        parts.push(d.reshaped(&[n]));
    }
    Ok(concat_data(parts, 0, node.dtype, &[hi - lo]))
}

fn flat_rects(shape: &[usize], lo: usize, hi: usize, prefix: &mut Region, out: &mut Vec<Region>) {
    if hi <= lo {
        return;
    }
    if shape.is_empty() {
        out.push(prefix.clone());
        return;
    }
    let inner: usize = shape[1..].iter().product::<usize>().max(1);
    let rest_full = |p: &mut Region| -> Region {
        let mut r = p.clone();
        r.extend(shape[1..].iter().map(|&n| AxisRange::full(n)));
        r
    };
    let r0 = lo / inner;
    let r1 = (hi - 1) / inner;
    if r0 == r1 {
        prefix.push(AxisRange::span(r0, 1));
        flat_rects(&shape[1..], lo - r0 * inner, hi - r0 * inner, prefix, out);
        prefix.pop();
        return;
    }
    let mut first_full = r0;
    if !lo.is_multiple_of(inner) {
        prefix.push(AxisRange::span(r0, 1));
        flat_rects(&shape[1..], lo % inner, inner, prefix, out);
        prefix.pop();
        first_full = r0 + 1;
    }
    let end_full = if hi.is_multiple_of(inner) { r1 + 1 } else { r1 };
    if end_full > first_full {
        prefix.push(AxisRange::span(first_full, end_full - first_full));
        out.push(rest_full(prefix));
        prefix.pop();
    }
    if !hi.is_multiple_of(inner) {
        prefix.push(AxisRange::span(r1, 1));
        flat_rects(&shape[1..], 0, hi % inner, prefix, out);
        prefix.pop();
    }
}

/// Concatenates data along `axis`; `shape` is the result's shape (used when there are no parts).
pub fn concat_data(parts: Vec<Data>, axis: usize, dtype: DType, shape: &[usize]) -> Data {
    if parts.len() == 1 {
        return parts.into_iter().next().expect("one part");
    }
    if parts.is_empty() {
        return Data::zeros(dtype, shape);
    }
    macro_rules! cat {
        ($variant:ident) => {{
            let views: Vec<_> = parts
                .iter()
                .map(|p| match p {
                    Data::$variant(a) => a.view(),
                    _ => unreachable!("concatenated parts share one dtype"),
                })
                .collect();
            Data::$variant(
                ndarray::concatenate(Axis(axis), &views).expect("parts agree off the axis"),
            )
        }};
    }
    match dtype {
        DType::Bool => cat!(Bool),
        DType::U8 => cat!(U8),
        DType::I32 => cat!(I32),
        DType::I64 => cat!(I64),
        DType::F32 => cat!(F32),
        DType::F64 => cat!(F64),
    }
}

/// The sub-range of `r` (as `k` positions) whose indices fall in `off..off+n`.
fn positions_within(r: &AxisRange, off: i64, n: i64) -> (usize, usize) {
    let inside = |k: usize| {
        let i = r.at(k);
        i >= off && i < off + n
    };
    // Indices are monotone in k, so the positions inside form one run; find it by bisection.
    let len = r.len;
    let first_inside_or_after = |pred: &dyn Fn(usize) -> bool| -> usize {
        let (mut a, mut b) = (0usize, len);
        while a < b {
            let m = (a + b) / 2;
            if pred(m) { b = m } else { a = m + 1 }
        }
        a
    };
    let before = |k: usize| {
        if r.step > 0 {
            r.at(k) >= off
        } else {
            r.at(k) < off + n
        }
    };
    let lo = first_inside_or_after(&before);
    let after = |k: usize| {
        if r.step > 0 {
            r.at(k) >= off + n
        } else {
            r.at(k) < off
        }
    };
    let hi = first_inside_or_after(&after).max(lo);
    debug_assert!((lo..hi).all(inside));
    (lo, hi)
}

fn eval_concat(
    ctx: &ExecCtx,
    node: &NodeRef,
    axis: usize,
    region: &Region,
) -> Result<Data, ExecError> {
    let r = region[axis];
    let mut pieces: Vec<(usize, Data)> = Vec::new();
    let mut off = 0i64;
    for input in &node.inputs {
        let n = input.shape[axis] as i64;
        let (k0, k1) = positions_within(&r, off, n);
        if k1 > k0 {
            let mut inner = region.clone();
            inner[axis] = AxisRange {
                start: r.at(k0) - off,
                step: r.step,
                len: k1 - k0,
            };
            pieces.push((k0, eval(ctx, input, &inner)?));
        }
        off += n;
    }
    pieces.sort_by_key(|(k, _)| *k);
    let parts = pieces.into_iter().map(|(_, d)| d).collect();
    Ok(concat_data(parts, axis, node.dtype, &region_shape(region)))
}

/// Diagonal positions evaluated per piece, so a piece reads at most `PIECE`² elements per
/// position of the other axes.
const DIAG_PIECE: usize = 64;

fn eval_diagonal(
    ctx: &ExecCtx,
    node: &NodeRef,
    offset: i64,
    axis1: usize,
    axis2: usize,
    region: &Region,
) -> Result<Data, ExecError> {
    let input = &node.inputs[0];
    let nd = input.shape.len();
    let diag = region[region.len() - 1];
    let (row0, col0) = if offset >= 0 {
        (0, offset)
    } else {
        (-offset, 0)
    };
    let mut parts = Vec::new();
    let mut done = 0;
    while done < diag.len {
        let take = DIAG_PIECE.min(diag.len - done);
        let t0 = diag.at(done);
        let mut inner = Vec::with_capacity(nd);
        let mut other = 0;
        for k in 0..nd {
            if k == axis1 {
                inner.push(AxisRange {
                    start: t0 + row0,
                    step: diag.step,
                    len: take,
                });
            } else if k == axis2 {
                inner.push(AxisRange {
                    start: t0 + col0,
                    step: diag.step,
                    len: take,
                });
            } else {
                inner.push(region[other]);
                other += 1;
            }
        }
        let block = eval(ctx, input, &inner)?;
        let mut perm: Vec<usize> = (0..nd).filter(|&k| k != axis1 && k != axis2).collect();
        perm.push(axis1);
        perm.push(axis2);
        let piece = map_data!(block, a => {
            let a = a.permuted_axes(IxDyn(&perm));
            let views: Vec<_> = (0..take)
                .map(|p| a.index_axis(Axis(nd - 1), p).index_axis(Axis(nd - 2), p).insert_axis(Axis(nd - 2)).to_owned())
                .collect();
            let vs: Vec<_> = views.iter().map(|v| v.view()).collect();
            ndarray::concatenate(Axis(nd - 2), &vs).expect("diagonal pieces agree")
        });
        parts.push(piece);
        done += take;
    }
    Ok(concat_data(
        parts,
        region.len() - 1,
        node.dtype,
        &region_shape(region),
    ))
}

/// Largest span of rows a gather reads at once, relative to the rows it keeps.
const GATHER_SPAN_FACTOR: usize = 4;

fn eval_gather(
    ctx: &ExecCtx,
    node: &NodeRef,
    axis: usize,
    region: &Region,
) -> Result<Data, ExecError> {
    let (x, idx) = (&node.inputs[0], &node.inputs[1]);
    let n = x.shape[axis] as i64;
    let raw = eval(ctx, idx, &vec![region[axis]])?;
    let mut wanted = Vec::with_capacity(raw.len());
    for v in with_data!(&raw, a => a.iter().map(|v| crate::data::Element::to_i64(*v)).collect::<Vec<i64>>())
    {
        let j = if v < 0 { v + n } else { v };
        if j < 0 || j >= n {
            return Err(ExecError::IndexOutOfRange(format!(
                "index {v} is out of range for axis {axis} of size {n}"
            )));
        }
        wanted.push(j as usize);
    }
    if wanted.is_empty() {
        return Ok(Data::zeros(node.dtype, &region_shape(region)));
    }
    let (min, max) = (
        wanted.iter().copied().min().unwrap_or(0),
        wanted.iter().copied().max().unwrap_or(0),
    );
    let mut inner = region.clone();
    if max - min < GATHER_SPAN_FACTOR * wanted.len() + 1024 {
        inner[axis] = AxisRange::span(min, max - min + 1);
        let block = eval(ctx, x, &inner)?;
        let rel: Vec<usize> = wanted.iter().map(|w| w - min).collect();
        return Ok(map_data!(block, a => a.select(Axis(axis), &rel)));
    }
    // Scattered indices: read each distinct row once.
    let mut distinct = wanted.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut rows = Vec::with_capacity(distinct.len());
    for &d in &distinct {
        inner[axis] = AxisRange::span(d, 1);
        rows.push(eval(ctx, x, &inner)?);
    }
    let mut shape = region_shape(region);
    shape[axis] = distinct.len();
    let all = concat_data(rows, axis, node.dtype, &shape);
    let rel: Vec<usize> = wanted
        .iter()
        .map(|w| distinct.binary_search(w).unwrap_or(0))
        .collect();
    Ok(map_data!(all, a => a.select(Axis(axis), &rel)))
}
