//! Evaluating the toolbox's graph ops (`graph::blockops`): `map_blocks` templates run on
//! each block, per-axis index maps (pad, roll, tile, repeat and the halos of
//! `map_overlap`, which read each block plus its neighbours' edges and never a padded copy
//! of the array), partial histograms combined in block order, and table lookups.
//! Order statistics live in `select.rs`.

use crate::data::{Data, Element};
use crate::exec::region::{
    AxisRange, Region, concat_data, eval, full_region, region_shape, slice_data,
};
use crate::exec::{ExecCtx, ExecError, chunk_regions};
use crate::graph::blockops::{
    AxisMap, BlockOp, CountKind, Counts, LookupKind, MapBlocks, PadMode, Remap,
};
use crate::graph::node::{FullValue, NodeRef};
use crate::sema::dtype::DType;
use ndarray::{ArrayD, Axis, IxDyn, Slice};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::sync::Arc;

/// Evaluates `region` of a toolbox node.
pub fn eval_block(
    ctx: &ExecCtx,
    node: &NodeRef,
    op: &BlockOp,
    region: &Region,
) -> Result<Data, ExecError> {
    match op {
        BlockOp::MapBlocks(m) => eval_map_blocks(ctx, node, m, region),
        BlockOp::Remap(r) => eval_remap(ctx, node, r, region),
        BlockOp::Counts(c) => Ok(slice_data(&eval_counts(ctx, node, c)?, region)),
        BlockOp::Edges { bins } => {
            let (lo, hi) = histogram_range(ctx, &node.inputs[0])?;
            let e = uniform_edges(lo, hi, *bins);
            let d = Data::F64(ArrayD::from_shape_vec(IxDyn(&[e.len()]), e).expect("edges"));
            Ok(slice_data(&d.into_dtype(node.dtype), region))
        }
        BlockOp::Lookup(kind) => eval_lookup(ctx, node, *kind, region),
        BlockOp::Quantile(q) => crate::exec::select::eval_quantile(ctx, node, q, region),
        BlockOp::Guard { message } => {
            let bad = eval(ctx, &node.inputs[1], region)?;
            if bad.to_f64_vec().iter().any(|&v| v != 0.0) {
                return Err(ExecError::Invalid((*message).to_string()));
            }
            eval(ctx, &node.inputs[0], region)
        }
    }
}

// ---------------------------------------------------------------------------------------
// map_blocks

/// A computed block of a `map_blocks` node: (node id, block index) and the block.
type KeptBlock = Option<((usize, Vec<usize>), Arc<Data>)>;

thread_local! {
    /// The block of a `map_blocks` node this thread computed last, while a consumer is
    /// still pulling it in pieces.
    static LAST_BLOCK: std::cell::RefCell<KeptBlock> = const { std::cell::RefCell::new(None) };
}

/// The blocks of one axis's grid that meet the index range `lo..=hi`: (block, first index,
/// length).
fn blocks_meeting(chunks: &[usize], lo: usize, hi: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (j, &c) in chunks.iter().enumerate() {
        if start <= hi && start + c > lo {
            out.push((j, start, c));
        }
        start += c;
    }
    out
}

fn eval_map_blocks(
    ctx: &ExecCtx,
    node: &NodeRef,
    m: &MapBlocks,
    region: &Region,
) -> Result<Data, ExecError> {
    let nd = node.shape.len();
    let per_axis: Vec<Vec<(usize, usize, usize)>> = (0..nd)
        .map(|k| {
            let (lo, hi) = region[k].bounds();
            blocks_meeting(&node.chunks[k], lo as usize, hi as usize)
        })
        .collect();
    let counts: Vec<usize> = per_axis.iter().map(Vec::len).collect();
    let mut parts = Vec::new();
    for combo in combos(&counts) {
        let idx: Vec<usize> = combo
            .iter()
            .enumerate()
            .map(|(k, &c)| per_axis[k][c].0)
            .collect();
        // A consumer pulling one block in pieces (a reduction) computes it once: the block
        // is kept for the thread's next request until a piece reaching its end is served.
        let key = (m.id, idx.clone());
        let hit = LAST_BLOCK.with(|c| {
            c.borrow()
                .as_ref()
                .filter(|(k, _)| *k == key)
                .map(|(_, d)| d.clone())
        });
        let block = match hit {
            Some(d) => d,
            None => Arc::new(map_one_block(ctx, node, m, &idx)?),
        };
        let whole = (0..nd).all(|k| {
            let (lo, hi) = region[k].bounds();
            let (_, start, len) = per_axis[k][combo[k]];
            lo as usize <= start && hi as usize + 1 >= start + len
        });
        let reaches_end = (0..nd).all(|k| {
            let (_, hi) = region[k].bounds();
            let (_, start, len) = per_axis[k][combo[k]];
            hi as usize + 1 >= start + len
        });
        LAST_BLOCK.with(|c| {
            *c.borrow_mut() = if whole || reaches_end {
                None
            } else {
                Some((key, block.clone()))
            };
        });
        parts.push(block);
    }
    let rel: Region = region
        .iter()
        .enumerate()
        .map(|(k, r)| AxisRange {
            start: r.start - per_axis[k].first().map_or(0, |b| b.1) as i64,
            step: r.step,
            len: r.len,
        })
        .collect();
    if parts.len() == 1 {
        let block = parts.pop().expect("one part");
        if rel == full_region(block.shape()) {
            return Ok(Arc::unwrap_or_clone(block));
        }
        return Ok(slice_data(&block, &rel));
    }
    let parts = parts.into_iter().map(Arc::unwrap_or_clone).collect();
    let joined = assemble_grid(parts, &counts, node.dtype);
    if rel == full_region(joined.shape()) {
        return Ok(joined);
    }
    Ok(slice_data(&joined, &rel))
}

/// Every multi-index below `counts`, in row-major order.
fn combos(counts: &[usize]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for &n in counts {
        let mut next = Vec::with_capacity(out.len() * n);
        for p in &out {
            for i in 0..n {
                let mut q = p.clone();
                q.push(i);
                next.push(q);
            }
        }
        out = next;
    }
    out
}

/// Joins parts laid out in row-major order over a grid of `counts` parts per axis.
fn assemble_grid(mut parts: Vec<Data>, counts: &[usize], dtype: DType) -> Data {
    for axis in (0..counts.len()).rev() {
        let per = counts[axis].max(1);
        let mut next = Vec::with_capacity(parts.len() / per);
        let mut it = parts.into_iter();
        loop {
            let group: Vec<Data> = it.by_ref().take(per).collect();
            if group.is_empty() {
                break;
            }
            let mut shape = group[0].shape().to_vec();
            shape[axis] = group.iter().map(|g| g.shape()[axis]).sum();
            next.push(concat_data(group, axis, dtype, &shape));
        }
        parts = next;
    }
    parts.pop().unwrap_or_else(|| Data::zeros(dtype, &[]))
}

/// The region of one block of a node's grid.
fn block_region(chunks: &[Vec<usize>], idx: &[usize]) -> Region {
    chunks
        .iter()
        .zip(idx)
        .map(|(c, &j)| AxisRange::span(c[..j].iter().sum(), c[j]))
        .collect()
}

/// Runs the traced function on block `idx` of the output.
fn map_one_block(
    ctx: &ExecCtx,
    node: &NodeRef,
    m: &MapBlocks,
    idx: &[usize],
) -> Result<Data, ExecError> {
    let regions: Vec<Region> = node
        .inputs
        .iter()
        .zip(&m.axis_map)
        .map(|(input, axes)| {
            let in_idx: Vec<usize> = axes.iter().map(|a| a.map_or(0, |o| idx[o])).collect();
            block_region(&input.chunks, &in_idx)
        })
        .collect();
    let want: Vec<usize> = block_region(&node.chunks, idx)
        .iter()
        .map(|r| r.len)
        .collect();
    // A row-wise function runs over slabs of rows: the task never holds a whole input block.
    if let Some(out) = crate::exec::block_slabs::map_in_slabs(ctx, node, m, idx, &regions, &want)? {
        return Ok(out);
    }
    let mut blocks = Vec::with_capacity(node.inputs.len());
    for (input, region) in node.inputs.iter().zip(&regions) {
        blocks.push(eval(ctx, input, region)?);
    }
    let template = m
        .templates
        .iter()
        .find(|t| {
            t.in_shapes
                .iter()
                .zip(&blocks)
                .all(|(s, b)| s.as_slice() == b.shape())
        })
        .ok_or_else(|| {
            ExecError::Internal(format!(
                "{}: no traced template for blocks of shapes {:?}",
                m.name,
                blocks
                    .iter()
                    .map(|b| b.shape().to_vec())
                    .collect::<Vec<_>>()
            ))
        })?;
    let mut blocks: Vec<Option<Data>> = blocks.into_iter().map(Some).collect();
    let root = crate::opt::rewrite::rewrite(&template.result, &mut |n, inputs| {
        if let Some(i) = template.placeholders.iter().position(|p| Arc::ptr_eq(p, n))
            && let Some(data) = blocks[i].take()
        {
            let chunks = data.shape().iter().map(|&d| vec![d]).collect();
            return crate::exec::data_node(data, chunks);
        }
        crate::opt::rewrite::same_with_inputs(n, inputs)
    });
    let mut out = eval(ctx, &root, &full_region(&root.shape))?;
    if !m.trim.is_empty() && out.shape().len() == want.len() {
        let cut: Region = (0..want.len())
            .map(|k| AxisRange::span(m.trim[k][idx[k]].0, want[k]))
            .collect();
        let fits = cut
            .iter()
            .zip(out.shape())
            .all(|(r, &n)| r.start as usize + r.len <= n);
        if fits {
            out = slice_data(&out, &cut);
        }
    }
    if out.shape() != want.as_slice() || out.dtype() != node.dtype {
        return Err(ExecError::Internal(format!(
            "{} gave {} {:?} for block {:?}, expected {} {:?}",
            m.name,
            out.dtype(),
            out.shape(),
            idx,
            node.dtype,
            want
        )));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// index maps

/// Index `s` of an axis of length `n` read by `mode` (`None`: the fill value).
pub fn pad_index(s: i64, n: usize, mode: PadMode) -> Option<usize> {
    let n_i = n as i64;
    if (0..n_i).contains(&s) {
        return Some(s as usize);
    }
    if n == 0 {
        return None;
    }
    Some(match mode {
        PadMode::Constant => return None,
        PadMode::Edge => s.clamp(0, n_i - 1) as usize,
        PadMode::Wrap => s.rem_euclid(n_i) as usize,
        PadMode::Reflect => {
            if n == 1 {
                0
            } else {
                let p = 2 * (n_i - 1);
                let m = s.rem_euclid(p);
                (if m >= n_i { p - m } else { m }) as usize
            }
        }
        PadMode::Symmetric => {
            let p = 2 * n_i;
            let m = s.rem_euclid(p);
            (if m >= n_i { p - 1 - m } else { m }) as usize
        }
    })
}

/// Where output index `i` reads from.
fn map_index(map: &AxisMap, i: usize) -> Option<usize> {
    match map {
        AxisMap::Same => Some(i),
        AxisMap::Pad { before, n, mode } => pad_index(i as i64 - *before as i64, *n, *mode),
        AxisMap::Roll { shift, n } => Some((i + n - shift % n) % n),
        AxisMap::Tile { n } => Some(i % n),
        AxisMap::Repeat { ends } => Some(ends.partition_point(|&e| e <= i)),
        AxisMap::RepeatEach { r } => Some(i / r),
        AxisMap::Overlap {
            blocks,
            halos,
            n,
            mode,
        } => {
            let mut out_start = 0;
            let mut in_start = 0;
            for (b, (&len, &(before, after))) in blocks.iter().zip(halos).enumerate() {
                let out_len = before + len + after;
                if i < out_start + out_len || b + 1 == blocks.len() {
                    let s = in_start as i64 - before as i64 + (i - out_start) as i64;
                    return pad_index(s, *n, *mode);
                }
                out_start += out_len;
                in_start += len;
            }
            None
        }
    }
}

/// One piece of an axis: the fill value, or a span of the input with the positions taken
/// from it (`None`: all of it, in order).
enum Seg {
    Fill(usize),
    Read {
        lo: usize,
        span: usize,
        picks: Option<Vec<usize>>,
        len: usize,
    },
}

impl Seg {
    fn len(&self) -> usize {
        match self {
            Seg::Fill(n) => *n,
            Seg::Read { len, .. } => *len,
        }
    }
}

/// Largest span of an axis read at once, relative to the positions it serves.
const SPAN_FACTOR: usize = 2;

/// Cuts one axis's source indices into pieces: fill runs, and read runs whose span is not
/// much larger than what they serve (a wrap-around or a jump starts a new piece).
fn segments(src: &[Option<usize>]) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        if src[i].is_none() {
            let j = (i..src.len())
                .find(|&j| src[j].is_some())
                .unwrap_or(src.len());
            out.push(Seg::Fill(j - i));
            i = j;
            continue;
        }
        // Grow a read run while its span stays bounded.
        let (mut lo, mut hi) = (usize::MAX, 0usize);
        let mut j = i;
        while j < src.len() {
            let Some(s) = src[j] else { break };
            let (nlo, nhi) = (lo.min(s), hi.max(s));
            let served = j - i + 1;
            if j > i && nhi - nlo + 1 > SPAN_FACTOR * served + 64 {
                break;
            }
            lo = nlo;
            hi = nhi;
            j += 1;
        }
        let vals: Vec<usize> = src[i..j].iter().map(|s| s.unwrap_or(0) - lo).collect();
        let span = hi - lo + 1;
        let identity = vals.len() == span && vals.iter().enumerate().all(|(k, &v)| k == v);
        out.push(Seg::Read {
            lo,
            span,
            picks: (!identity).then_some(vals),
            len: j - i,
        });
        i = j;
    }
    out
}

/// A block of the fill value.
fn filled(value: FullValue, dtype: DType, shape: &[usize]) -> Data {
    let n: usize = shape.iter().product();
    let d = match value {
        FullValue::Float(f) => Data::F64(ArrayD::from_elem(IxDyn(&[n]), f)),
        FullValue::Int(i) => Data::I64(ArrayD::from_elem(IxDyn(&[n]), i)),
        FullValue::Bool(b) => Data::Bool(ArrayD::from_elem(IxDyn(&[n]), b)),
    };
    d.into_dtype(dtype).reshaped(shape)
}

fn eval_remap(
    ctx: &ExecCtx,
    node: &NodeRef,
    r: &Remap,
    region: &Region,
) -> Result<Data, ExecError> {
    let input = &node.inputs[0];
    let segs: Vec<Vec<Seg>> = region
        .iter()
        .zip(&r.axes)
        .map(|(range, map)| {
            let src: Vec<Option<usize>> = (0..range.len)
                .map(|i| map_index(map, range.at(i) as usize))
                .collect();
            segments(&src)
        })
        .collect();
    let counts: Vec<usize> = segs.iter().map(Vec::len).collect();
    let mut parts = Vec::new();
    for combo in combos(&counts) {
        let pieces: Vec<&Seg> = combo
            .iter()
            .enumerate()
            .map(|(k, &c)| &segs[k][c])
            .collect();
        let shape: Vec<usize> = pieces.iter().map(|s| s.len()).collect();
        if pieces.iter().any(|s| matches!(s, Seg::Fill(_))) {
            parts.push(filled(r.fill, node.dtype, &shape));
            continue;
        }
        let rect: Region = pieces
            .iter()
            .map(|s| match s {
                Seg::Read { lo, span, .. } => AxisRange::span(*lo, *span),
                Seg::Fill(_) => unreachable!("fill pieces handled above"),
            })
            .collect();
        let data = eval(ctx, input, &rect)?;
        let picks: Vec<Option<&Vec<usize>>> = pieces
            .iter()
            .map(|s| match s {
                Seg::Read { picks, .. } => picks.as_ref(),
                Seg::Fill(_) => None,
            })
            .collect();
        parts.push(map_data!(data, a => place_runs(a, &picks)));
    }
    Ok(assemble_grid(parts, &counts, node.dtype))
}

/// Runs of consecutive source positions (step +1 or -1) in a list of picks:
/// (output start, source first, length, step).
fn runs(picks: &[usize]) -> Vec<(usize, usize, usize, i64)> {
    let mut out: Vec<(usize, usize, usize, i64)> = Vec::new();
    for (i, &p) in picks.iter().enumerate() {
        if let Some(last) = out.last_mut() {
            let next = last.1 as i64 + last.3 * last.2 as i64;
            if p as i64 == next {
                last.2 += 1;
                continue;
            }
            if last.2 == 1 && (p as i64 == last.1 as i64 + 1 || p as i64 == last.1 as i64 - 1) {
                last.3 = p as i64 - last.1 as i64;
                last.2 = 2;
                continue;
            }
        }
        out.push((i, p, 1, 1));
    }
    out
}

/// Most runs per axis placed by copies of whole runs; more are gathered element by element.
const MAX_RUNS: usize = 16;

/// Takes `picks` (per axis; `None`: all, in order) of `a`: runs of consecutive positions are
/// copied as views (forward or reversed), irregular axes gathered.
fn place_runs<T: Clone>(a: ArrayD<T>, picks: &[Option<&Vec<usize>>]) -> ArrayD<T> {
    let mut a = a;
    let mut axis_runs: Vec<Vec<(usize, usize, usize, i64)>> = Vec::with_capacity(picks.len());
    for (k, p) in picks.iter().enumerate() {
        let n = a.shape()[k];
        match p {
            None => axis_runs.push(vec![(0, 0, n, 1)]),
            Some(p) => {
                let r = runs(p);
                if r.len() > MAX_RUNS {
                    a = a.select(Axis(k), p);
                    axis_runs.push(vec![(0, 0, p.len(), 1)]);
                } else {
                    axis_runs.push(r);
                }
            }
        }
    }
    if axis_runs
        .iter()
        .all(|r| r.len() == 1 && r[0].3 == 1 && r[0].1 == 0)
    {
        let shape: Vec<usize> = axis_runs.iter().map(|r| r[0].2).collect();
        if shape == a.shape() {
            return a;
        }
    }
    let shape: Vec<usize> = axis_runs
        .iter()
        .map(|r| r.iter().map(|x| x.2).sum())
        .collect();
    let Some(first) = a.iter().next().cloned() else {
        return ArrayD::from_shape_fn(IxDyn(&shape), |_| unreachable!("empty output"));
    };
    let mut out = ArrayD::from_elem(IxDyn(&shape), first);
    let counts: Vec<usize> = axis_runs.iter().map(Vec::len).collect();
    for combo in combos(&counts) {
        let dst = out.slice_each_axis_mut(|ax| {
            let (o, _, len, _) = axis_runs[ax.axis.index()][combo[ax.axis.index()]];
            Slice::from(o..o + len)
        });
        let src = a.slice_each_axis(|ax| {
            let (_, s, len, step) = axis_runs[ax.axis.index()][combo[ax.axis.index()]];
            if step >= 0 {
                Slice::new(s as isize, Some((s + len) as isize), 1)
            } else {
                Slice::new((s + 1 - len) as isize, Some(s as isize + 1), -1)
            }
        });
        let mut dst = dst;
        dst.assign(&src);
    }
    out
}

// ---------------------------------------------------------------------------------------
// histograms

/// The (lo, hi) of a histogram's range input, widened as NumPy does when they are equal.
fn histogram_range(ctx: &ExecCtx, range: &NodeRef) -> Result<(f64, f64), ExecError> {
    let r = eval(ctx, range, &full_region(&range.shape))?.to_f64_vec();
    let (mut lo, mut hi) = (r[0], r[1]);
    if !lo.is_finite() || !hi.is_finite() {
        return Err(ExecError::Invalid(format!(
            "histogram: the range [{lo}, {hi}] is not finite (the data holds nan or inf; give range=)"
        )));
    }
    if lo > hi {
        return Err(ExecError::Invalid(
            "histogram: max must be larger than min in range".into(),
        ));
    }
    if lo == hi {
        lo -= 0.5;
        hi += 0.5;
    }
    Ok((lo, hi))
}

/// NumPy's `linspace(lo, hi, bins + 1)`.
pub fn uniform_edges(lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let step = (hi - lo) / bins as f64;
    (0..=bins)
        .map(|i| {
            if i == bins {
                hi
            } else if step == 0.0 {
                i as f64 / bins as f64 * (hi - lo) + lo
            } else {
                i as f64 * step + lo
            }
        })
        .collect()
}

/// The bin of `v` among `edges` (equal bins from `lo` to `hi` when `uniform`), NumPy's
/// rule: bins are half-open except the last, which holds its right edge.
fn bin_of(v: f64, edges: &[f64], uniform: Option<(f64, f64)>) -> Option<usize> {
    let bins = edges.len() - 1;
    let (first, last) = (edges[0], edges[bins]);
    if !(v >= first && v <= last) {
        return None;
    }
    match uniform {
        Some((lo, hi)) => {
            let f = (v - lo) / (hi - lo) * bins as f64;
            let mut i = (f as usize).min(bins);
            if i == bins {
                i -= 1;
            }
            if v < edges[i] {
                i = i.saturating_sub(1);
            }
            if v >= edges[i + 1] && i != bins - 1 {
                i += 1;
            }
            Some(i)
        }
        None => {
            let i = edges.partition_point(|&e| e <= v);
            Some(if v == last { bins - 1 } else { i - 1 })
        }
    }
}

/// The counts of a histogram or bincount over all of `x`: blocks are counted in parallel
/// a wave at a time and added into the total in block order, so weighted sums repeat
/// bitwise for any thread count.
fn eval_counts(ctx: &ExecCtx, node: &NodeRef, c: &Counts) -> Result<Data, ExecError> {
    let x = &node.inputs[0];
    let weights = c.weighted.then(|| &node.inputs[1]);
    let (edges, uniform) = match &c.kind {
        CountKind::Bincount { len } => (Vec::new(), Some((0.0, *len as f64))),
        CountKind::Uniform { bins } => {
            let (lo, hi) = histogram_range(ctx, &node.inputs[node.inputs.len() - 1])?;
            (uniform_edges(lo, hi, *bins), Some((lo, hi)))
        }
        CountKind::Edges(e) => (e.as_ref().clone(), None),
    };
    let nbins = match &c.kind {
        CountKind::Bincount { len } => *len,
        _ => edges.len() - 1,
    };
    let bincount = matches!(c.kind, CountKind::Bincount { .. });
    let float_weights = weights.is_some_and(|w| w.dtype.is_float() || bincount);
    let count_block = |region: &Region| -> Result<(Vec<i64>, Vec<f64>), ExecError> {
        let xs = eval(ctx, x, region)?;
        let ws = match weights {
            Some(w) => Some(eval(ctx, w, region)?.to_f64_vec()),
            None => None,
        };
        let mut ints = vec![0i64; if float_weights { 0 } else { nbins }];
        let mut floats = vec![0f64; if float_weights { nbins } else { 0 }];
        let mut add = |k: usize, b: usize| {
            if float_weights {
                floats[b] += ws.as_ref().map_or(1.0, |w| w[k]);
            } else {
                ints[b] += ws.as_ref().map_or(1, |w| w[k] as i64);
            }
        };
        if let CountKind::Bincount { .. } = c.kind {
            let vals: Vec<i64> = with_data!(&xs, a => a.iter().map(|v| v.to_i64()).collect());
            for (k, v) in vals.into_iter().enumerate() {
                if v < 0 {
                    return Err(ExecError::Invalid(format!(
                        "bincount: the input holds the negative value {v}"
                    )));
                }
                if v as usize >= nbins {
                    return Err(ExecError::Internal(format!(
                        "bincount: the value {v} is beyond the {nbins} bins counted"
                    )));
                }
                add(k, v as usize);
            }
        } else {
            for (k, v) in xs.to_f64_vec().into_iter().enumerate() {
                if let Some(b) = bin_of(v, &edges, uniform) {
                    add(k, b);
                }
            }
        }
        Ok((ints, floats))
    };
    let regions = chunk_regions(x);
    let wave = rayon::current_num_threads().max(1);
    let count_range = |range: std::ops::Range<usize>| -> Result<(Vec<i64>, Vec<f64>), ExecError> {
        let mut ints = vec![0i64; if float_weights { 0 } else { nbins }];
        let mut floats = vec![0f64; if float_weights { nbins } else { 0 }];
        for group in regions[range].chunks(wave) {
            let partials: Vec<(Vec<i64>, Vec<f64>)> = group
                .par_iter()
                .map(count_block)
                .collect::<Result<_, _>>()?;
            for (pi, pf) in partials {
                for (t, v) in ints.iter_mut().zip(pi) {
                    *t += v;
                }
                for (t, v) in floats.iter_mut().zip(pf) {
                    *t += v;
                }
            }
        }
        Ok((ints, floats))
    };
    let (ints, floats) = if float_weights {
        // Float sums in block order on every rank (a fold per rank would change their bits).
        ctx.local(|| count_range(0..regions.len()))?
    } else {
        // Integer counts add exactly in any order: under MPI each rank counts its share.
        let per_rank = ctx.fold_tasks(regions.len(), |range| {
            count_range(range).map(|(ints, _)| {
                Data::I64(ArrayD::from_shape_vec(IxDyn(&[nbins]), ints).expect("one count per bin"))
            })
        })?;
        let mut ints = vec![0i64; nbins];
        for part in per_rank {
            if let Data::I64(p) = part {
                for (t, v) in ints.iter_mut().zip(p.iter()) {
                    *t += v;
                }
            }
        }
        (ints, Vec::new())
    };
    let counts = if float_weights {
        Data::F64(ArrayD::from_shape_vec(IxDyn(&[nbins]), floats).expect("one count per bin"))
    } else {
        Data::I64(ArrayD::from_shape_vec(IxDyn(&[nbins]), ints).expect("one count per bin"))
    };
    if !c.density {
        return Ok(counts.into_dtype(node.dtype));
    }
    let n = counts.to_f64_vec();
    let total: f64 = n.iter().sum();
    let dens: Vec<f64> = n
        .iter()
        .enumerate()
        .map(|(i, v)| v / (edges[i + 1] - edges[i]) / total)
        .collect();
    Ok(
        Data::F64(ArrayD::from_shape_vec(IxDyn(&[nbins]), dens).expect("one value per bin"))
            .into_dtype(node.dtype),
    )
}

// ---------------------------------------------------------------------------------------
// lookups

/// NumPy's sort order: nan after everything.
fn nan_last(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// A table's values, compared exactly: integers as i64 (unless floats are involved).
enum Keys {
    Int(Vec<i64>),
    Float(Vec<f64>),
}

fn keys(d: &Data, as_float: bool) -> Keys {
    if as_float {
        Keys::Float(d.to_f64_vec())
    } else {
        Keys::Int(with_data!(d, a => a.iter().map(|v| v.to_i64()).collect()))
    }
}

/// How many table entries sort before `v` (`right`: before or equal).
fn insertion<T: Copy>(table: &[T], v: T, right: bool, cmp: impl Fn(T, T) -> Ordering) -> usize {
    if right {
        table.partition_point(|&t| cmp(t, v) != Ordering::Greater)
    } else {
        table.partition_point(|&t| cmp(t, v) == Ordering::Less)
    }
}

fn eval_lookup(
    ctx: &ExecCtx,
    node: &NodeRef,
    kind: LookupKind,
    region: &Region,
) -> Result<Data, ExecError> {
    let (x, table) = (&node.inputs[0], &node.inputs[1]);
    let as_float = x.dtype.is_float() || table.dtype.is_float();
    let t = eval(ctx, table, &full_region(&table.shape))?;
    let xs = eval(ctx, x, region)?;
    let shape = region_shape(region);
    let tk = keys(&t, as_float);
    let xk = keys(&xs, as_float);
    let icmp = |a: i64, b: i64| a.cmp(&b);
    let out: Data = match kind {
        LookupKind::SearchSorted { right } => {
            let v: Vec<i64> = match (&tk, &xk) {
                (Keys::Int(t), Keys::Int(x)) => x
                    .iter()
                    .map(|&v| insertion(t, v, right, icmp) as i64)
                    .collect(),
                (Keys::Float(t), Keys::Float(x)) => x
                    .iter()
                    .map(|&v| insertion(t, v, right, nan_last) as i64)
                    .collect(),
                _ => unreachable!("both keyed alike"),
            };
            Data::I64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("one per element"))
        }
        LookupKind::Digitize { right } => {
            let n = t.len();
            let f = t.to_f64_vec();
            let increasing = f.windows(2).all(|w| w[0] <= w[1]);
            let decreasing = f.windows(2).all(|w| w[0] >= w[1]);
            if !increasing && !decreasing {
                return Err(ExecError::Invalid(
                    "digitize: bins must be monotonically increasing or decreasing".into(),
                ));
            }
            // NumPy: searchsorted on the increasing order, side "right" unless right=true.
            let side_right = !right;
            let v: Vec<i64> = match (&tk, &xk) {
                (Keys::Int(t), Keys::Int(x)) => {
                    let mut t = t.clone();
                    if !increasing {
                        t.reverse();
                    }
                    x.iter()
                        .map(|&v| {
                            let i = insertion(&t, v, side_right, icmp);
                            (if increasing { i } else { n - i }) as i64
                        })
                        .collect()
                }
                (Keys::Float(t), Keys::Float(x)) => {
                    let mut t = t.clone();
                    if !increasing {
                        t.reverse();
                    }
                    x.iter()
                        .map(|&v| {
                            let i = insertion(&t, v, side_right, nan_last);
                            (if increasing { i } else { n - i }) as i64
                        })
                        .collect()
                }
                _ => unreachable!("both keyed alike"),
            };
            Data::I64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("one per element"))
        }
        LookupKind::IsIn { invert } => {
            let v: Vec<bool> = match (tk, &xk) {
                (Keys::Int(mut t), Keys::Int(x)) => {
                    t.sort_unstable();
                    x.iter()
                        .map(|v| t.binary_search(v).is_ok() != invert)
                        .collect()
                }
                (Keys::Float(mut t), Keys::Float(x)) => {
                    t.retain(|v| !v.is_nan());
                    t.sort_by(|a, b| nan_last(*a, *b));
                    x.iter()
                        .map(|&v| {
                            let found =
                                !v.is_nan() && t.binary_search_by(|p| nan_last(*p, v)).is_ok();
                            found != invert
                        })
                        .collect()
                }
                _ => unreachable!("both keyed alike"),
            };
            Data::Bool(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("one per element"))
        }
    };
    Ok(out)
}
