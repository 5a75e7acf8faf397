//! Launching a compiled kernel over a strided region: the loop nest's outer axes and the
//! tiling of the innermost axis, shared by every CPU backend, so they differ only in how
//! they run the body over one tile. Random instructions are filled here, a tile at a time,
//! by the vectorised Philox routines of `kernel::philox` (the generator "intrinsic"): the
//! body then reads them from an L1-sized buffer in the same loop.

use crate::backend::BackendError;
use crate::data::Data;
use crate::kernel::philox::RandomStream;
use crate::kernel::{Instr, Kernel, RandomDist, Sink};
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};

/// Elements of the innermost axis per call of a tile body (L1-sized columns).
pub const TILE: usize = 1024;

/// One axis of a launch region: indices `start + step * i` for `i < len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub step: i64,
    pub len: usize,
}

/// A kernel's body compiled for one backend.
pub trait TileBody: Send + Sync {
    /// Runs the body for `len` consecutive elements of the innermost axis.
    ///
    /// `ptrs`/`strides` (bytes) hold, in order: one entry per input view, one per random
    /// instruction (contiguous buffers filled by the launch), one per output value
    /// (`output_values`, contiguous). `idx[a]` is the global index of axis `a` at the tile's
    /// first element, `idx[rank]` the step of the innermost axis. `params` are the
    /// parameters' bits.
    ///
    /// # Safety
    /// Every pointer must address `len` elements of its dtype at its stride.
    unsafe fn run(
        &self,
        len: usize,
        ptrs: &[*const u8],
        strides: &[isize],
        idx: &[i64],
        params: &[u64],
    ) -> Result<(), BackendError>;
}

/// The distinct values the sinks consume, in order of first use: each gets one output of
/// the region's shape (several reductions of one value share it).
pub fn output_values(kernel: &Kernel) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for s in &kernel.sinks {
        if !out.contains(&s.value()) {
            out.push(s.value());
        }
    }
    out
}

/// The output each sink reads.
pub fn sink_outputs(kernel: &Kernel) -> Vec<usize> {
    let values = output_values(kernel);
    kernel
        .sinks
        .iter()
        .map(|s| values.iter().position(|v| *v == s.value()).unwrap_or(0))
        .collect()
}

/// A strided view of an input, as the launch sees it.
struct View {
    ptr: *const u8,
    /// Element strides per region axis (0 where broadcast).
    strides: Vec<isize>,
    size: isize,
}

fn view_of(data: &Data, region_lens: &[usize]) -> Result<View, String> {
    let nd = region_lens.len();
    let (ptr, shape, strides) = with_data!(data, a => (
        a.as_ptr() as *const u8,
        a.shape().to_vec(),
        a.strides().to_vec()
    ));
    let size = data.dtype().size() as isize;
    if shape.len() > nd {
        return Err(format!(
            "an input of rank {} for a region of rank {nd}",
            shape.len()
        ));
    }
    let off = nd - shape.len();
    let mut st = vec![0isize; nd];
    for (j, (&n, &s)) in shape.iter().zip(&strides).enumerate() {
        let k = j + off;
        if n == region_lens[k] {
            st[k] = if n == 1 { 0 } else { s };
        } else if n != 1 {
            return Err(format!(
                "an input of shape {shape:?} does not broadcast to the region {region_lens:?}"
            ));
        }
    }
    Ok(View {
        ptr,
        strides: st,
        size,
    })
}

/// An output buffer the kernel fills: allocated, not zeroed (every element is written by
/// the launch before the buffer becomes an array).
enum OutBuf {
    Bool(Vec<bool>),
    U8(Vec<u8>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl OutBuf {
    fn new(dtype: DType, n: usize) -> OutBuf {
        match dtype {
            DType::Bool => OutBuf::Bool(Vec::with_capacity(n)),
            DType::U8 => OutBuf::U8(Vec::with_capacity(n)),
            DType::I32 => OutBuf::I32(Vec::with_capacity(n)),
            DType::I64 => OutBuf::I64(Vec::with_capacity(n)),
            DType::F32 => OutBuf::F32(Vec::with_capacity(n)),
            DType::F64 => OutBuf::F64(Vec::with_capacity(n)),
        }
    }

    fn ptr(&mut self) -> *const u8 {
        match self {
            OutBuf::Bool(v) => v.as_mut_ptr() as *const u8,
            OutBuf::U8(v) => v.as_mut_ptr() as *const u8,
            OutBuf::I32(v) => v.as_mut_ptr() as *const u8,
            OutBuf::I64(v) => v.as_mut_ptr() as *const u8,
            OutBuf::F32(v) => v.as_mut_ptr() as *const u8,
            OutBuf::F64(v) => v.as_mut_ptr() as *const u8,
        }
    }

    /// The array, once all `n` elements were written.
    ///
    /// # Safety
    /// Every one of the first `n` elements must have been written with a valid value.
    unsafe fn finish(self, n: usize, shape: &[usize]) -> Data {
        let dim = IxDyn(shape);
        macro_rules! done {
            ($v:expr, $variant:ident) => {{
                let mut v = $v;
                // SAFETY: the caller guarantees the first `n` elements are initialised, and
                // the capacity is `n`.
                unsafe { v.set_len(n) };
                ArrayD::from_shape_vec(dim, v)
                    .map(Data::$variant)
                    .unwrap_or_else(|_| Data::zeros(DType::$variant, shape))
            }};
        }
        match self {
            OutBuf::Bool(v) => done!(v, Bool),
            OutBuf::U8(v) => done!(v, U8),
            OutBuf::I32(v) => done!(v, I32),
            OutBuf::I64(v) => done!(v, I64),
            OutBuf::F32(v) => done!(v, F32),
            OutBuf::F64(v) => done!(v, F64),
        }
    }
}

/// Runs `body` (compiled from `kernel`) over `region` with these inputs and parameter bits;
/// returns one array of the region's shape per output value (`output_values`).
pub fn launch(
    body: &dyn TileBody,
    kernel: &Kernel,
    region: &[Span],
    inputs: &[Data],
    params: &[u64],
) -> Result<Vec<Data>, BackendError> {
    let err = |m: String| BackendError(m);
    if region.len() != kernel.rank {
        return Err(err(format!(
            "a rank-{} kernel launched over a rank-{} region",
            kernel.rank,
            region.len()
        )));
    }
    if inputs.len() != kernel.inputs.len() || params.len() != kernel.params.len() {
        return Err(err(
            "the launch's inputs or parameters do not match the kernel".into(),
        ));
    }
    for (d, want) in inputs.iter().zip(&kernel.inputs) {
        if d.dtype() != *want {
            return Err(err(format!(
                "an input is {} where {want} is declared",
                d.dtype()
            )));
        }
    }
    let shape: Vec<usize> = region.iter().map(|s| s.len).collect();
    // A rank-0 region is one element along a virtual axis.
    let spans: Vec<Span> = if region.is_empty() {
        vec![Span {
            start: 0,
            step: 1,
            len: 1,
        }]
    } else {
        region.to_vec()
    };
    let nd = spans.len();
    let lens: Vec<usize> = spans.iter().map(|s| s.len).collect();
    let views: Vec<View> = inputs
        .iter()
        .map(|d| view_of(d, &lens))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let out_values = output_values(kernel);
    let n: usize = lens.iter().product();
    if n == 0 {
        return Ok(out_values
            .iter()
            .map(|v| Data::zeros(kernel.types[*v], &shape))
            .collect());
    }
    let mut outputs: Vec<OutBuf> = out_values
        .iter()
        .map(|v| OutBuf::new(kernel.types[*v], n))
        .collect();
    let out_ptrs: Vec<*const u8> = outputs.iter_mut().map(OutBuf::ptr).collect();
    let out_sizes: Vec<isize> = out_values
        .iter()
        .map(|v| kernel.types[*v].size() as isize)
        .collect();
    // The random instructions, with their streams and parameters.
    struct Gen {
        dist: RandomDist,
        stream: RandomStream,
        low: i64,
        high: i64,
        flat: Vec<i64>,
        f64s: Vec<f64>,
        i64s: Vec<i64>,
    }
    let mut gens: Vec<Gen> = kernel
        .body
        .iter()
        .filter_map(|i| match i {
            Instr::Random {
                dist,
                seed,
                stream,
                flat,
            } => {
                let (low, high) = match dist {
                    RandomDist::Integers { low, high } => {
                        (params[*low] as i64, params[*high] as i64)
                    }
                    _ => (0, 0),
                };
                let mut flat = flat.clone();
                flat.resize(nd + 1, 0);
                Some(Gen {
                    dist: *dist,
                    stream: RandomStream::new(params[*seed], params[*stream] as u32),
                    low,
                    high,
                    flat,
                    f64s: Vec::new(),
                    i64s: Vec::new(),
                })
            }
            _ => None,
        })
        .collect();
    for g in &mut gens {
        match g.dist {
            RandomDist::Integers { .. } => g.i64s = vec![0; TILE],
            _ => g.f64s = vec![0.0; TILE],
        }
    }
    let n_in = views.len();
    let n_slots = n_in + gens.len() + out_ptrs.len();
    let mut ptrs: Vec<*const u8> = vec![std::ptr::null(); n_slots];
    let mut strides: Vec<isize> = vec![0; n_slots];
    for (k, g) in gens.iter().enumerate() {
        strides[n_in + k] = 8;
        let _ = g;
    }
    for (k, s) in out_sizes.iter().enumerate() {
        strides[n_in + gens.len() + k] = *s;
    }
    for (k, v) in views.iter().enumerate() {
        strides[k] = v.strides[nd - 1] * v.size;
    }
    let inner = spans[nd - 1];
    let outer_lens = &lens[..nd - 1];
    let n_outer: usize = outer_lens.iter().product();
    let mut pos = vec![0usize; nd - 1];
    let mut idx = vec![0i64; nd + 1];
    idx[nd] = inner.step;
    for o in 0..n_outer {
        for a in 0..nd - 1 {
            idx[a] = spans[a].start + spans[a].step * pos[a] as i64;
        }
        let in_base: Vec<isize> = views
            .iter()
            .map(|v| {
                (0..nd - 1)
                    .map(|a| pos[a] as isize * v.strides[a])
                    .sum::<isize>()
            })
            .collect();
        let flat_outer: Vec<i64> = gens
            .iter()
            .map(|g| g.flat[0] + (0..nd - 1).map(|a| g.flat[1 + a] * idx[a]).sum::<i64>())
            .collect();
        let mut j0 = 0usize;
        while j0 < inner.len {
            let len = TILE.min(inner.len - j0);
            let g_inner = inner.start + inner.step * j0 as i64;
            idx[nd - 1] = g_inner;
            for (k, v) in views.iter().enumerate() {
                let off = (in_base[k] + j0 as isize * v.strides[nd - 1]) * v.size;
                ptrs[k] = v.ptr.wrapping_offset(off);
            }
            for (k, g) in gens.iter_mut().enumerate() {
                let coef = g.flat[nd];
                let start = flat_outer[k] + coef * g_inner;
                let step = coef * inner.step;
                if start < 0 || start + step * (len as i64 - 1) < 0 {
                    return Err(err("a random index below zero".into()));
                }
                match g.dist {
                    RandomDist::Normal => {
                        g.stream
                            .fill_normal_strided(start as u64, step, &mut g.f64s[..len]);
                        ptrs[n_in + k] = g.f64s.as_ptr() as *const u8;
                    }
                    RandomDist::Uniform => {
                        g.stream
                            .fill_uniform_strided(start as u64, step, &mut g.f64s[..len]);
                        ptrs[n_in + k] = g.f64s.as_ptr() as *const u8;
                    }
                    RandomDist::Integers { .. } => {
                        g.stream.fill_integers_strided(
                            start as u64,
                            step,
                            g.low,
                            g.high,
                            &mut g.i64s[..len],
                        );
                        ptrs[n_in + k] = g.i64s.as_ptr() as *const u8;
                    }
                }
            }
            let out_off = (o * inner.len + j0) as isize;
            for (k, p) in out_ptrs.iter().enumerate() {
                ptrs[n_in + gens.len() + k] = p.wrapping_offset(out_off * out_sizes[k]);
            }
            // SAFETY: every pointer addresses `len` elements: input views were checked to
            // cover the region (shapes equal or broadcast), random buffers hold TILE
            // elements, outputs hold the whole region.
            unsafe { body.run(len, &ptrs, &strides, &idx, params)? };
            j0 += len;
        }
        for a in (0..nd - 1).rev() {
            pos[a] += 1;
            if pos[a] < outer_lens[a] {
                break;
            }
            pos[a] = 0;
        }
    }
    // SAFETY: the loops above ran the body over every element of the region, which writes
    // each output at every position (an error returned before this point drops the buffers
    // with length 0).
    Ok(outputs
        .into_iter()
        .map(|o| unsafe { o.finish(n, &shape) })
        .collect())
}

/// Runs an element-wise kernel (one `Store` sink) over the whole of `shape` with inputs that
/// broadcast to it; used where there is no region (constant folding, tests).
pub fn run_elementwise(
    body: &dyn TileBody,
    kernel: &Kernel,
    inputs: &[Data],
    shape: &[usize],
) -> Result<Data, BackendError> {
    let region: Vec<Span> = shape
        .iter()
        .map(|&n| Span {
            start: 0,
            step: 1,
            len: n,
        })
        .collect();
    let mut outs = launch(body, kernel, &region, inputs, &[])?;
    match kernel.sinks.first() {
        Some(Sink::Store(_)) if !outs.is_empty() => Ok(outs.swap_remove(0)),
        _ => Err(BackendError("an element-wise kernel has one store".into())),
    }
}
