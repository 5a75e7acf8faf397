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

    /// Runs the whole region at once, for a backend that does not run host tiles (the GPU
    /// copies the inputs over and the outputs back); `None` (the CPU backends) lets
    /// `launch` walk the region in tiles. The outputs are those `launch` returns.
    fn launch_region(
        &self,
        _kernel: &Kernel,
        _region: &[Span],
        _inputs: &[Data],
        _params: &[u64],
    ) -> Option<Result<Vec<Data>, BackendError>> {
        None
    }

    /// Sums the kernel's one float output over pieces of the region where the kernel runs,
    /// for a backend that sums on its device (`Backend::sums_on_device`: the GPU, so that only
    /// one sum per piece comes back, not every value); `None` (the CPU backends) when it does
    /// not. Returns per piece its sum and the number of values added (see `PieceLeaves`).
    fn region_piece_sums(
        &self,
        _kernel: &Kernel,
        _region: &[Span],
        _inputs: &[Data],
        _params: &[u64],
        _pieces: &PieceLeaves,
    ) -> Option<Result<Vec<(f64, u64)>, BackendError>> {
        None
    }
}

/// How a device sum (`TileBody::region_piece_sums`) cuts a launch region: its row-major
/// order in pieces, one after another, each summed on its own in `exec::reduce::pairwise_sum`'s
/// order: cut into that function's leaves (runs of at most 128 values, each summed as
/// `pairwise_sum` sums so short a slice), whose sums combine in its tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceLeaves {
    /// The leaves of every piece, in order, as row-major positions in the region: leaf `l`
    /// holds the values at `bounds[l] .. bounds[l + 1]` (one more entry than leaves).
    pub bounds: Vec<u64>,
    /// Per piece, the index of its first leaf.
    pub first_leaf: Vec<u64>,
    /// Per piece, its number of values (the length that shapes its tree).
    pub len: Vec<u64>,
    /// Whether a nan counts as 0.0 and is not counted (NumPy's `nansum`); otherwise every
    /// value is added and counted.
    pub skip_nan: bool,
}

/// The device sums of `body` over `region` (`TileBody::region_piece_sums`), the launch
/// checked first; `None` for a backend that does not sum on its device.
pub fn launch_piece_sums(
    body: &dyn TileBody,
    kernel: &Kernel,
    region: &[Span],
    inputs: &[Data],
    params: &[u64],
    pieces: &PieceLeaves,
) -> Option<Result<Vec<(f64, u64)>, BackendError>> {
    if let Err(e) = check_launch(kernel, region, inputs.iter().map(Data::dtype), params) {
        return Some(Err(e));
    }
    body.region_piece_sums(kernel, region, inputs, params, pieces)
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

/// An input of a launch read in place: a whole array, or a strided window into one (the
/// kernel's loads of slices of in-memory data read the data itself, not a copy).
pub struct Window<'a> {
    data: &'a Data,
    /// Elements from the array's first element to the window's.
    offset: isize,
    shape: Vec<usize>,
    /// Element strides per window axis.
    strides: Vec<isize>,
}

impl<'a> Window<'a> {
    /// The whole of `data`.
    pub fn whole(data: &'a Data) -> Window<'a> {
        let (shape, strides) = with_data!(data, a => (a.shape().to_vec(), a.strides().to_vec()));
        Window {
            data,
            offset: 0,
            shape,
            strides,
        }
    }

    /// The indices `start[k] + step[k] * i` (`i < len[k]`) of each axis of `data`; `None`
    /// when the ranks differ or an index lies outside the array.
    pub fn slice(data: &'a Data, start: &[i64], step: &[i64], len: &[usize]) -> Option<Window<'a>> {
        let whole = Window::whole(data);
        let nd = whole.shape.len();
        if start.len() != nd || step.len() != nd || len.len() != nd {
            return None;
        }
        let mut offset = 0isize;
        let mut strides = Vec::with_capacity(nd);
        for k in 0..nd {
            let n = whole.shape[k] as i64;
            let last = start[k].checked_add(step[k].checked_mul(len[k] as i64 - 1)?)?;
            if len[k] > 0 && !((0..n).contains(&start[k]) && (0..n).contains(&last)) {
                return None;
            }
            if len[k] > 0 {
                offset += start[k] as isize * whole.strides[k];
            }
            strides.push(step[k] as isize * whole.strides[k]);
        }
        Some(Window {
            data,
            offset,
            shape: len.to_vec(),
            strides,
        })
    }
}

fn view_of(input: &Window, region_lens: &[usize]) -> Result<View, String> {
    let nd = region_lens.len();
    let data = input.data;
    let (shape, strides) = (input.shape.clone(), input.strides.clone());
    let size = data.dtype().size() as isize;
    let empty = shape.contains(&0);
    // An empty window is never read; its offset may point past the array.
    let ptr = with_data!(data, a => a.as_ptr().cast::<u8>()).wrapping_offset(if empty {
        0
    } else {
        input.offset * size
    });
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

/// Checks a launch against its kernel: the region's rank, the number of inputs (of these
/// dtypes) and of parameters.
fn check_launch(
    kernel: &Kernel,
    region: &[Span],
    input_dtypes: impl ExactSizeIterator<Item = DType>,
    params: &[u64],
) -> Result<(), BackendError> {
    let err = |m: String| BackendError(m);
    if region.len() != kernel.rank {
        return Err(err(format!(
            "a rank-{} kernel launched over a rank-{} region",
            kernel.rank,
            region.len()
        )));
    }
    if input_dtypes.len() != kernel.inputs.len() || params.len() != kernel.params.len() {
        return Err(err(
            "the launch's inputs or parameters do not match the kernel".into(),
        ));
    }
    for (have, want) in input_dtypes.zip(&kernel.inputs) {
        if have != *want {
            return Err(err(format!("an input is {have} where {want} is declared")));
        }
    }
    Ok(())
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
    check_launch(kernel, region, inputs.iter().map(Data::dtype), params)?;
    if let Some(outs) = body.launch_region(kernel, region, inputs, params) {
        return outs;
    }
    let windows: Vec<Window> = inputs.iter().map(Window::whole).collect();
    run_tiles(body, kernel, region, &windows, params, None)
}

/// `launch` with inputs read in place through windows, for backends that run host tiles
/// (`Backend::host_tiles`): `launch_region` is never asked.
pub fn launch_windows(
    body: &dyn TileBody,
    kernel: &Kernel,
    region: &[Span],
    inputs: &[Window],
    params: &[u64],
) -> Result<Vec<Data>, BackendError> {
    checked_windows(body, kernel, region, inputs, params, None)
}

/// `launch_windows` for a kernel with one output, written into `into` (the output's
/// row-major element bytes for the region, exactly) rather than into a new array: a caller
/// assembling a larger array runs the kernel straight into its part of it.
pub fn launch_windows_into(
    body: &dyn TileBody,
    kernel: &Kernel,
    region: &[Span],
    inputs: &[Window],
    params: &[u64],
    into: &mut [std::mem::MaybeUninit<u8>],
) -> Result<(), BackendError> {
    checked_windows(body, kernel, region, inputs, params, Some(into)).map(|_| ())
}

/// The windows' launch checked, then run on host tiles.
fn checked_windows(
    body: &dyn TileBody,
    kernel: &Kernel,
    region: &[Span],
    inputs: &[Window],
    params: &[u64],
    into: Option<&mut [std::mem::MaybeUninit<u8>]>,
) -> Result<Vec<Data>, BackendError> {
    let dtypes = inputs.iter().map(|w| w.data.dtype());
    check_launch(kernel, region, dtypes, params)?;
    run_tiles(body, kernel, region, inputs, params, into)
}

/// The host tile loop of a checked launch: the outputs in new arrays, or the one output
/// written into `into` (then nothing is returned).
fn run_tiles(
    body: &dyn TileBody,
    kernel: &Kernel,
    region: &[Span],
    inputs: &[Window],
    params: &[u64],
    into: Option<&mut [std::mem::MaybeUninit<u8>]>,
) -> Result<Vec<Data>, BackendError> {
    let err = |m: String| BackendError(m);
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
        .map(|w| view_of(w, &lens))
        .collect::<Result<_, _>>()
        .map_err(err)?;
    let out_values = output_values(kernel);
    let n: usize = lens.iter().product();
    if let Some(bytes) = &into {
        let fits = matches!(out_values[..], [v] if bytes.len() == n * kernel.types[v].size());
        if !fits {
            return Err(err("a launch into memory of another size".into()));
        }
    }
    if n == 0 {
        return Ok(match into {
            Some(_) => Vec::new(),
            None => out_values
                .iter()
                .map(|v| Data::zeros(kernel.types[*v], &shape))
                .collect(),
        });
    }
    let mut outputs: Vec<OutBuf> = match into {
        Some(_) => Vec::new(),
        None => out_values
            .iter()
            .map(|v| OutBuf::new(kernel.types[*v], n))
            .collect(),
    };
    let out_ptrs: Vec<*const u8> = match into {
        Some(bytes) => vec![bytes.as_mut_ptr() as *const u8],
        None => outputs.iter_mut().map(OutBuf::ptr).collect(),
    };
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
    // Trailing axes that step through every input, generator and output as one run are
    // walked as one innermost axis (a (n, n, 3) region is n² / TILE tiles, not n² calls).
    let m = merged_from(
        kernel,
        &spans,
        &views,
        &gens.iter().map(|g| &g.flat[..]).collect::<Vec<_>>(),
    );
    let inner = spans[nd - 1];
    let inner_len: usize = lens[m..].iter().product();
    let outer_lens = &lens[..m];
    let n_outer: usize = outer_lens.iter().product();
    let mut pos = vec![0usize; m];
    let mut idx = vec![0i64; nd + 1];
    for a in m..nd {
        idx[a] = spans[a].start;
    }
    idx[nd] = inner.step;
    // Offsets of the current row, reused from row to row (no allocation per row).
    let mut in_base: Vec<isize> = vec![0; views.len()];
    let mut flat_outer: Vec<i64> = vec![0; gens.len()];
    // Each generator's flat index at the first element of a run, beyond the outer axes.
    let flat_run: Vec<i64> = gens
        .iter()
        .map(|g| (m..nd).map(|a| g.flat[1 + a] * spans[a].start).sum())
        .collect();
    for o in 0..n_outer {
        for a in 0..m {
            idx[a] = spans[a].start + spans[a].step * pos[a] as i64;
        }
        for (base, v) in in_base.iter_mut().zip(&views) {
            *base = (0..m).map(|a| pos[a] as isize * v.strides[a]).sum();
        }
        for (k, (flat, g)) in flat_outer.iter_mut().zip(&gens).enumerate() {
            *flat = g.flat[0] + flat_run[k] + (0..m).map(|a| g.flat[1 + a] * idx[a]).sum::<i64>();
        }
        let mut j0 = 0usize;
        while j0 < inner_len {
            let len = TILE.min(inner_len - j0);
            if m == nd - 1 {
                idx[nd - 1] = inner.start + inner.step * j0 as i64;
            }
            for (k, v) in views.iter().enumerate() {
                let off = (in_base[k] + j0 as isize * v.strides[nd - 1]) * v.size;
                ptrs[k] = v.ptr.wrapping_offset(off);
            }
            for (k, g) in gens.iter_mut().enumerate() {
                let step = g.flat[nd] * inner.step;
                let start = flat_outer[k] + step * j0 as i64;
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
            let out_off = (o * inner_len + j0) as isize;
            for (k, p) in out_ptrs.iter().enumerate() {
                ptrs[n_in + gens.len() + k] = p.wrapping_offset(out_off * out_sizes[k]);
            }
            // SAFETY: every pointer addresses `len` elements: input views were checked to
            // cover the region (shapes equal or broadcast) and step through merged axes as
            // one run (`merged_from`), random buffers hold TILE elements, outputs hold the
            // whole region.
            unsafe { body.run(len, &ptrs, &strides, &idx, params)? };
            j0 += len;
        }
        for a in (0..m).rev() {
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

/// The first axis of the trailing run of axes the launch walks as one innermost axis: axis
/// `a` joins the run when the body does not read its index (`Index`), and stepping it once
/// moves every input view and every generator's flat index exactly as far as a whole run of
/// the axes after it (outputs are contiguous, so always do). `rank - 1` when nothing merges.
fn merged_from(kernel: &Kernel, spans: &[Span], views: &[View], flats: &[&[i64]]) -> usize {
    let nd = spans.len();
    let reads_index = |a: usize| {
        kernel
            .body
            .iter()
            .any(|i| matches!(i, Instr::Index(x) if *x == a))
    };
    if kernel.rank == 0 || reads_index(nd - 1) {
        return nd - 1;
    }
    let mut m = nd - 1;
    // Elements in the run so far (axes m..nd).
    let mut run: i64 = spans[nd - 1].len as i64;
    while m > 0 {
        let a = m - 1;
        if reads_index(a) {
            break;
        }
        if spans[a].len == 1 {
            // Never stepped: its strides and flat coefficient are never used.
            m = a;
            continue;
        }
        let fits_views = views
            .iter()
            .all(|v| v.strides[a] as i64 == v.strides[nd - 1] as i64 * run);
        let unit = |f: &[i64]| f[nd] * spans[nd - 1].step;
        let fits_gens = flats
            .iter()
            .all(|f| f[1 + a] * spans[a].step == unit(f) * run);
        if !(fits_views && fits_gens) {
            break;
        }
        run = match run.checked_mul(spans[a].len as i64) {
            Some(r) => r,
            None => break,
        };
        m = a;
    }
    m
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
