//! Running generated kernels on NVIDIA GPUs through cudarc's driver API (`--device cuda`,
//! `cuda:N`, `cuda:all`; `Session::set_device`).
//!
//! `open` loads the driver (`libcuda.so.1`) and NVRTC at run time and creates a context per
//! device; without either it says what is missing. `CudaBackend::compile` emits the kernel's
//! CUDA C, compiles it to PTX for each device's compute capability and loads it. A launch
//! (`TileBody::launch_region`) runs the whole region on one device, chosen round-robin
//! over the devices held, on a stream of its own (launches from the executor's threads
//! overlap): it copies the bytes each input view spans and the geometry words to
//! the device, runs the grid-stride kernel, and copies the outputs back (reductions are then
//! combined on the host in the CPU's fixed order, so their bits are the CPU's). A device sum
//! (`TileBody::region_piece_sums`) runs the kernel's leaf-sum function and `arr_piece_sums`
//! instead, and only one sum and count per piece come back.
//!
//! Unverified on hardware in this version (built and reviewed on machines without a GPU);
//! `benches/gpu.sh` checks it against the CPU on a GPU machine.

use crate::backend::cuda::{emit, nvrtc};
use crate::backend::launch::{PieceLeaves, Span, TileBody, output_values};
use crate::backend::{Backend, BackendError};
use crate::data::Data;
use crate::kernel::Kernel;
use crate::sema::dtype::DType;
use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, LaunchConfig, PushKernelArg, sys,
};
use ndarray::{ArrayD, IxDyn};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which GPUs a session uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceSpec {
    /// One device by ordinal (`cuda` is `cuda:0`).
    One(usize),
    /// Every device, launches assigned round-robin (`cuda:all`).
    All,
}

impl DeviceSpec {
    /// Reads `cuda`, `cuda:N` or `cuda:all`; `None` for anything else.
    pub fn parse(text: &str) -> Option<DeviceSpec> {
        match text {
            "cuda" => Some(DeviceSpec::One(0)),
            "cuda:all" => Some(DeviceSpec::All),
            _ => text
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceSpec::One),
        }
    }
}

/// One GPU: its context, the PTX architecture its code is compiled for, its multiprocessors.
struct Gpu {
    ctx: Arc<CudaContext>,
    arch: &'static str,
    sms: u32,
}

/// The CUDA backend over the GPUs it holds.
pub struct CudaBackend {
    gpus: Arc<Vec<Gpu>>,
    /// `cuda:N` or `cuda:N,M,...`: the kernel cache's key, so sessions on different GPUs
    /// never share loaded kernels (the same GPUs share the primary context, and may).
    name: &'static str,
}

fn driver_err(what: &str) -> impl Fn(cudarc::driver::DriverError) -> BackendError + '_ {
    move |e| BackendError(format!("cuda: {what}: {e:?}"))
}

/// Opens the devices of `spec`: a clear error naming what is missing when there is no
/// driver, no NVRTC or no such device.
pub fn open(spec: DeviceSpec) -> Result<CudaBackend, String> {
    // SAFETY: probing `dlopen`s the driver's library names; nothing else runs.
    if !unsafe { sys::is_culib_present() } {
        return Err(
            "--device cuda: libcuda.so.1 not found: no NVIDIA driver on this machine".into(),
        );
    }
    nvrtc::available().map_err(|e| format!("--device cuda: {e}"))?;
    let count = CudaContext::device_count()
        .map_err(|e| format!("--device cuda: the NVIDIA driver failed to start: {e:?}"))?;
    let count = usize::try_from(count).unwrap_or(0);
    if count == 0 {
        return Err("--device cuda: the NVIDIA driver sees no GPU".into());
    }
    let ordinals: Vec<usize> = match spec {
        DeviceSpec::All => (0..count).collect(),
        DeviceSpec::One(n) if n < count => vec![n],
        DeviceSpec::One(n) => {
            return Err(format!(
                "--device cuda:{n}: this machine has {count} GPU(s), numbered from 0"
            ));
        }
    };
    let list: Vec<String> = ordinals.iter().map(|n| n.to_string()).collect();
    // One leaked name per distinct opening (a handful per process).
    let name: &'static str = Box::leak(format!("cuda:{}", list.join(",")).into_boxed_str());
    let mut gpus = Vec::new();
    for n in ordinals {
        let ctx = CudaContext::new(n).map_err(|e| format!("--device cuda:{n}: {e:?}"))?;
        let attr = |a| {
            ctx.attribute(a)
                .map_err(|e| format!("--device cuda:{n}: {e:?}"))
        };
        let major = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?;
        let minor = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?;
        let sms = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?;
        // One leaked string per device opened (NVRTC's options take a static name).
        let arch: &'static str = Box::leak(format!("compute_{major}{minor}").into_boxed_str());
        gpus.push(Gpu {
            ctx,
            arch,
            sms: u32::try_from(sms).unwrap_or(1).max(1),
        });
    }
    Ok(CudaBackend {
        gpus: Arc::new(gpus),
        name,
    })
}

impl CudaBackend {
    /// The least free memory of the GPUs held, in bytes (what one launch may hold on each).
    pub fn free_memory(&self) -> Result<usize, String> {
        let mut least = usize::MAX;
        for gpu in self.gpus.iter() {
            let (free, _total) = gpu
                .ctx
                .mem_get_info()
                .map_err(|e| format!("--device {}: {e:?}", self.name))?;
            least = least.min(free);
        }
        Ok(least)
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> &'static str {
        self.name
    }

    fn falls_back(&self) -> bool {
        false
    }

    fn host_tiles(&self) -> bool {
        false
    }

    fn sums_on_device(&self) -> bool {
        true
    }

    fn compile(&self, kernel: &Kernel) -> Result<Arc<dyn TileBody>, BackendError> {
        let source = emit::program(&[(KERNEL.to_string(), kernel)])?;
        let functions = load(&self.gpus, &source, &[KERNEL])?
            .into_iter()
            .flatten()
            .collect();
        Ok(Arc::new(CudaBody {
            kernel: kernel.clone(),
            gpus: self.gpus.clone(),
            functions,
            sums: std::sync::OnceLock::new(),
            next: AtomicUsize::new(0),
        }))
    }
}

/// The name of a compiled kernel's function.
const KERNEL: &str = "arr_kernel";
/// The name of a compiled kernel's leaf-sum function (`emit::leaf_sums_function`).
const LEAF_SUMS: &str = "arr_leaf_sums";
/// The prelude's function combining leaf sums into piece sums.
const PIECE_SUMS: &str = "arr_piece_sums";

/// Compiles `source` for every GPU held and finds the functions `names` in it: per GPU, the
/// functions in the order of `names`.
fn load(
    gpus: &[Gpu],
    source: &str,
    names: &[&str],
) -> Result<Vec<Vec<CudaFunction>>, BackendError> {
    gpus.iter()
        .map(|gpu| {
            let ptx = nvrtc::compile(source, gpu.arch)?;
            let module = gpu.ctx.load_module(ptx).map_err(driver_err(
                "loading the PTX (a driver older than NVRTC cannot: install an older \
                     nvidia-cuda-nvrtc-cu12, such as 12.4.127)",
            ))?;
            names
                .iter()
                .map(|name| {
                    module
                        .load_function(name)
                        .map_err(driver_err("finding the kernel"))
                })
                .collect()
        })
        .collect()
}

/// A kernel loaded on every GPU held.
struct CudaBody {
    kernel: Kernel,
    gpus: Arc<Vec<Gpu>>,
    functions: Vec<CudaFunction>,
    /// Per GPU, the kernel's leaf-sum function and `arr_piece_sums`, compiled at the first
    /// device sum.
    sums: std::sync::OnceLock<Result<Vec<Vec<CudaFunction>>, BackendError>>,
    /// The next GPU to launch on (round-robin).
    next: AtomicUsize,
}

/// A device buffer of any dtype.
enum DevBuf {
    Bool(CudaSlice<bool>),
    U8(CudaSlice<u8>),
    I32(CudaSlice<i32>),
    I64(CudaSlice<i64>),
    F32(CudaSlice<f32>),
    F64(CudaSlice<f64>),
}

macro_rules! with_dev {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            DevBuf::Bool($v) => $body,
            DevBuf::U8($v) => $body,
            DevBuf::I32($v) => $body,
            DevBuf::I64($v) => $body,
            DevBuf::F32($v) => $body,
            DevBuf::F64($v) => $body,
        }
    };
}

/// An input view on the device: the bytes it spans, and the offset of its element at
/// region position 0 within them.
struct DevView {
    buf: DevBuf,
    base: usize,
}

/// The element strides of `data` along each region axis (0 where broadcast), as
/// `launch::view_of` computes them.
fn view_strides(data: &Data, lens: &[usize]) -> Result<Vec<isize>, BackendError> {
    let (shape, strides) = with_data!(data, a => (a.shape().to_vec(), a.strides().to_vec()));
    let nd = lens.len();
    if shape.len() > nd {
        return Err(BackendError(format!(
            "an input of rank {} for a region of rank {nd}",
            shape.len()
        )));
    }
    let off = nd - shape.len();
    let mut st = vec![0isize; nd];
    for (j, (&n, &s)) in shape.iter().zip(&strides).enumerate() {
        let k = j + off;
        if n == lens[k] {
            st[k] = if n == 1 { 0 } else { s };
        } else if n != 1 {
            return Err(BackendError(format!(
                "an input of shape {shape:?} does not broadcast to the region {lens:?}"
            )));
        }
    }
    Ok(st)
}

/// Copies the elements `data` spans (from its lowest to its highest address) to the device.
fn upload(stream: &Arc<CudaStream>, data: &Data) -> Result<DevView, BackendError> {
    let err = driver_err("copying an input to the GPU");
    macro_rules! up {
        ($a:expr, $variant:ident) => {{
            let a = $a;
            let (mut lo, mut hi) = (0isize, 0isize);
            for (&n, &s) in a.shape().iter().zip(a.strides()) {
                if n == 0 {
                    return Ok(DevView {
                        buf: DevBuf::$variant(stream.alloc_zeros(1).map_err(&err)?),
                        base: 0,
                    });
                }
                let reach = (n as isize - 1) * s;
                if reach < 0 {
                    lo += reach;
                } else {
                    hi += reach;
                }
            }
            let len = (hi - lo + 1) as usize;
            // SAFETY: every element of the array lies in one allocation between the
            // addresses of its lowest (`lo`) and highest (`hi`) elements, so the `len`
            // elements from `lo` are initialised memory of that allocation.
            let host = unsafe { std::slice::from_raw_parts(a.as_ptr().offset(lo), len) };
            DevView {
                buf: DevBuf::$variant(stream.clone_htod(host).map_err(&err)?),
                base: (-lo) as usize,
            }
        }};
    }
    Ok(match data {
        Data::Bool(a) => up!(a, Bool),
        Data::U8(a) => up!(a, U8),
        Data::I32(a) => up!(a, I32),
        Data::I64(a) => up!(a, I64),
        Data::F32(a) => up!(a, F32),
        Data::F64(a) => up!(a, F64),
    })
}

fn alloc_out(stream: &Arc<CudaStream>, dtype: DType, n: usize) -> Result<DevBuf, BackendError> {
    let err = driver_err("allocating an output on the GPU");
    Ok(match dtype {
        DType::Bool => DevBuf::Bool(stream.alloc_zeros(n).map_err(&err)?),
        DType::U8 => DevBuf::U8(stream.alloc_zeros(n).map_err(&err)?),
        DType::I32 => DevBuf::I32(stream.alloc_zeros(n).map_err(&err)?),
        DType::I64 => DevBuf::I64(stream.alloc_zeros(n).map_err(&err)?),
        DType::F32 => DevBuf::F32(stream.alloc_zeros(n).map_err(&err)?),
        DType::F64 => DevBuf::F64(stream.alloc_zeros(n).map_err(&err)?),
    })
}

fn download(stream: &Arc<CudaStream>, buf: &DevBuf, shape: &[usize]) -> Result<Data, BackendError> {
    let err = driver_err("copying a result from the GPU");
    let dim = IxDyn(shape);
    let bad = |_| BackendError("cuda: a result of the wrong size".into());
    Ok(match buf {
        DevBuf::Bool(s) => Data::Bool(
            ArrayD::from_shape_vec(dim, stream.clone_dtoh(s).map_err(&err)?).map_err(bad)?,
        ),
        DevBuf::U8(s) => {
            Data::U8(ArrayD::from_shape_vec(dim, stream.clone_dtoh(s).map_err(&err)?).map_err(bad)?)
        }
        DevBuf::I32(s) => Data::I32(
            ArrayD::from_shape_vec(dim, stream.clone_dtoh(s).map_err(&err)?).map_err(bad)?,
        ),
        DevBuf::I64(s) => Data::I64(
            ArrayD::from_shape_vec(dim, stream.clone_dtoh(s).map_err(&err)?).map_err(bad)?,
        ),
        DevBuf::F32(s) => Data::F32(
            ArrayD::from_shape_vec(dim, stream.clone_dtoh(s).map_err(&err)?).map_err(bad)?,
        ),
        DevBuf::F64(s) => Data::F64(
            ArrayD::from_shape_vec(dim, stream.clone_dtoh(s).map_err(&err)?).map_err(bad)?,
        ),
    })
}

/// A launch's region, geometry and inputs on one GPU, ready for a kernel.
struct Prepared {
    /// The GPU (index into the GPUs held).
    which: usize,
    stream: Arc<CudaStream>,
    geo: CudaSlice<u64>,
    status: CudaSlice<u32>,
    views: Vec<DevView>,
    /// The region's shape and number of elements.
    shape: Vec<usize>,
    n: usize,
}

impl Prepared {
    /// A grid-stride launch configuration for `items` work items on this GPU.
    fn config(&self, gpus: &[Gpu], items: usize) -> LaunchConfig {
        let blocks = items
            .div_ceil(emit::THREADS as usize)
            .min(gpus[self.which].sms as usize * 32) as u32;
        LaunchConfig {
            grid_dim: (blocks.max(1), 1, 1),
            block_dim: (emit::THREADS, 1, 1),
            shared_mem_bytes: 0,
        }
    }

    /// Fails when a kernel set a bit of the status word.
    fn check_status(&self) -> Result<(), BackendError> {
        let status = self
            .stream
            .clone_dtoh(&self.status)
            .map_err(driver_err("reading the status word"))?;
        if status.first().copied().unwrap_or(0) & emit::STATUS_NEGATIVE_RANDOM_INDEX != 0 {
            return Err(BackendError("a random index below zero".into()));
        }
        Ok(())
    }
}

/// The input views as kernel arguments.
fn input_views(views: &[DevView]) -> Vec<InView<'_>> {
    views
        .iter()
        .map(|v| with_dev!(&v.buf, s => InView::from(s.slice(v.base..))))
        .collect()
}

impl CudaBody {
    /// Copies the launch geometry and the inputs to the next GPU (round-robin), on a stream
    /// of its own: launches from the executor's threads overlap on the GPU.
    fn prepare(
        &self,
        region: &[Span],
        inputs: &[Data],
        params: &[u64],
    ) -> Result<Prepared, BackendError> {
        let k = &self.kernel;
        let shape: Vec<usize> = region.iter().map(|s| s.len).collect();
        let spans: Vec<Span> = if region.is_empty() {
            vec![Span {
                start: 0,
                step: 1,
                len: 1,
            }]
        } else {
            region.to_vec()
        };
        let lens: Vec<usize> = spans.iter().map(|s| s.len).collect();
        let n: usize = lens.iter().product();
        let g = emit::Geometry::of(k);
        let mut geo: Vec<u64> = vec![0; g.words()];
        geo[..params.len()].copy_from_slice(params);
        for (a, s) in spans.iter().enumerate() {
            let w = g.axis(a);
            geo[w] = s.start as u64;
            geo[w + 1] = s.step as u64;
            geo[w + 2] = s.len as u64;
        }
        for (i, d) in inputs.iter().enumerate() {
            for (a, st) in view_strides(d, &lens)?.iter().enumerate() {
                geo[g.stride(i, a)] = *st as i64 as u64;
            }
        }
        let which = self.next.fetch_add(1, Ordering::Relaxed) % self.gpus.len();
        let stream = self.gpus[which]
            .ctx
            .new_stream()
            .map_err(driver_err("creating a stream"))?;
        let geo = stream
            .clone_htod(&geo[..])
            .map_err(driver_err("copying the launch geometry"))?;
        let status: CudaSlice<u32> = stream
            .alloc_zeros(1)
            .map_err(driver_err("allocating the status word"))?;
        let views: Vec<DevView> = inputs
            .iter()
            .map(|d| upload(&stream, d))
            .collect::<Result<_, _>>()?;
        Ok(Prepared {
            which,
            stream,
            geo,
            status,
            views,
            shape,
            n,
        })
    }

    fn launch(
        &self,
        region: &[Span],
        inputs: &[Data],
        params: &[u64],
    ) -> Result<Vec<Data>, BackendError> {
        let k = &self.kernel;
        let outs = output_values(k);
        let shape: Vec<usize> = region.iter().map(|s| s.len).collect();
        if shape.contains(&0) {
            return Ok(outs
                .iter()
                .map(|v| Data::zeros(k.types[*v], &shape))
                .collect());
        }
        let mut prep = self.prepare(region, inputs, params)?;
        let stream = prep.stream.clone();
        let mut out_bufs: Vec<DevBuf> = outs
            .iter()
            .map(|v| alloc_out(&stream, k.types[*v], prep.n))
            .collect::<Result<_, _>>()?;
        let n64 = prep.n as u64;
        let cfg = prep.config(&self.gpus, prep.n);
        {
            let input_views = input_views(&prep.views);
            let mut b = stream.launch_builder(&self.functions[prep.which]);
            b.arg(&prep.geo).arg(&mut prep.status).arg(&n64);
            for v in &input_views {
                v.push(&mut b);
            }
            for o in out_bufs.iter_mut() {
                with_dev!(o, s => { b.arg(s); });
            }
            // SAFETY: the arguments match the generated signature (`emit::kernel_function`):
            // the geometry words, the status word, the element count, one pointer per input
            // view at its region-position-0 element with the strides in `geo` staying inside
            // the bytes copied (the view covers the region), and one output of `n` elements
            // per output value.
            unsafe { b.launch(cfg) }.map_err(driver_err("launching the kernel"))?;
        }
        prep.check_status()?;
        out_bufs
            .iter()
            .map(|o| download(&stream, o, &prep.shape))
            .collect()
    }

    /// The device sums of the kernel's one float output over `pieces` of the region
    /// (`TileBody::region_piece_sums`): the leaf-sum kernel, one thread per leaf, then
    /// `arr_piece_sums`, one thread per piece; only the piece sums and counts come back.
    fn piece_sums(
        &self,
        region: &[Span],
        inputs: &[Data],
        params: &[u64],
        pieces: &PieceLeaves,
    ) -> Result<Vec<(f64, u64)>, BackendError> {
        let leaves = pieces.bounds.len().saturating_sub(1);
        let n: usize = region.iter().map(|s| s.len).product();
        let well_formed = pieces.first_leaf.len() == pieces.len.len()
            && pieces.bounds.first() == Some(&0)
            && pieces.bounds.last() == Some(&(n as u64))
            && pieces
                .bounds
                .windows(2)
                .all(|w| w[0] < w[1] && w[1] - w[0] <= 128)
            && pieces
                .first_leaf
                .iter()
                .all(|f| (*f as usize) < leaves.max(1))
            && pieces.len.iter().sum::<u64>() == n as u64;
        if !well_formed || pieces.len.is_empty() {
            return Err(BackendError(
                "cuda: device sums given leaves that do not cut the region".into(),
            ));
        }
        let functions = self
            .sums
            .get_or_init(|| {
                let source = emit::sums_program(&[(LEAF_SUMS.to_string(), &self.kernel)])?;
                load(&self.gpus, &source, &[LEAF_SUMS, PIECE_SUMS])
            })
            .as_ref()
            .map_err(Clone::clone)?;
        let mut prep = self.prepare(region, inputs, params)?;
        let stream = prep.stream.clone();
        let copy = |v: &[u64]| {
            stream
                .clone_htod(v)
                .map_err(driver_err("copying the leaves of a device sum"))
        };
        let bounds = copy(&pieces.bounds)?;
        let first_leaf = copy(&pieces.first_leaf)?;
        let piece_len = copy(&pieces.len)?;
        let alloc = driver_err("allocating the sums of a device sum");
        let mut leaf_sum: CudaSlice<f64> = stream.alloc_zeros(leaves).map_err(&alloc)?;
        let mut leaf_count: CudaSlice<u32> = stream.alloc_zeros(leaves).map_err(&alloc)?;
        let count = pieces.len.len();
        let mut piece_sum: CudaSlice<f64> = stream.alloc_zeros(count).map_err(&alloc)?;
        let mut piece_count: CudaSlice<u64> = stream.alloc_zeros(count).map_err(&alloc)?;
        let leaves64 = leaves as u64;
        let count64 = count as u64;
        let skip_nan = u32::from(pieces.skip_nan);
        let leaf_cfg = prep.config(&self.gpus, leaves);
        let piece_cfg = prep.config(&self.gpus, count);
        {
            let input_views = input_views(&prep.views);
            let fs = &functions[prep.which];
            let mut b = stream.launch_builder(&fs[0]);
            b.arg(&prep.geo)
                .arg(&mut prep.status)
                .arg(&bounds)
                .arg(&leaves64)
                .arg(&skip_nan);
            for v in &input_views {
                v.push(&mut b);
            }
            b.arg(&mut leaf_sum).arg(&mut leaf_count);
            // SAFETY: the arguments match `emit::leaf_sums_function`'s signature: geometry,
            // status, `leaves + 1` bounds within the region's `n` elements (checked above),
            // the leaf count, the nan flag, the input views as for `launch`, and one sum and
            // one count per leaf.
            unsafe { b.launch(leaf_cfg) }.map_err(driver_err("launching the leaf sums"))?;
            let mut b = stream.launch_builder(&fs[1]);
            b.arg(&leaf_sum)
                .arg(&leaf_count)
                .arg(&first_leaf)
                .arg(&piece_len)
                .arg(&count64)
                .arg(&mut piece_sum)
                .arg(&mut piece_count);
            // SAFETY: `arr_piece_sums` reads each piece's leaves from its first one on, as
            // many as its tree has: the pieces' trees cover the leaves one after another
            // (the caller cut them so); one sum and one count per piece.
            unsafe { b.launch(piece_cfg) }.map_err(driver_err("launching the piece sums"))?;
        }
        prep.check_status()?;
        let sums = stream
            .clone_dtoh(&piece_sum)
            .map_err(driver_err("copying the piece sums back"))?;
        let counts = stream
            .clone_dtoh(&piece_count)
            .map_err(driver_err("copying the piece counts back"))?;
        Ok(sums.into_iter().zip(counts).collect())
    }
}

/// A device view of an input, of any dtype, to push as a kernel argument.
enum InView<'a> {
    Bool(cudarc::driver::CudaView<'a, bool>),
    U8(cudarc::driver::CudaView<'a, u8>),
    I32(cudarc::driver::CudaView<'a, i32>),
    I64(cudarc::driver::CudaView<'a, i64>),
    F32(cudarc::driver::CudaView<'a, f32>),
    F64(cudarc::driver::CudaView<'a, f64>),
}

macro_rules! in_view_from {
    ($t:ty, $variant:ident) => {
        impl<'a> From<cudarc::driver::CudaView<'a, $t>> for InView<'a> {
            fn from(v: cudarc::driver::CudaView<'a, $t>) -> Self {
                InView::$variant(v)
            }
        }
    };
}
in_view_from!(bool, Bool);
in_view_from!(u8, U8);
in_view_from!(i32, I32);
in_view_from!(i64, I64);
in_view_from!(f32, F32);
in_view_from!(f64, F64);

impl<'a> InView<'a> {
    fn push<'b>(&'b self, b: &mut cudarc::driver::LaunchArgs<'b>)
    where
        'a: 'b,
    {
        match self {
            InView::Bool(v) => b.arg(v),
            InView::U8(v) => b.arg(v),
            InView::I32(v) => b.arg(v),
            InView::I64(v) => b.arg(v),
            InView::F32(v) => b.arg(v),
            InView::F64(v) => b.arg(v),
        };
    }
}

impl TileBody for CudaBody {
    unsafe fn run(
        &self,
        _len: usize,
        _ptrs: &[*const u8],
        _strides: &[isize],
        _idx: &[i64],
        _params: &[u64],
    ) -> Result<(), BackendError> {
        Err(BackendError(
            "cuda: kernels run over whole regions on the GPU, not over host tiles".into(),
        ))
    }

    fn launch_region(
        &self,
        _kernel: &Kernel,
        region: &[Span],
        inputs: &[Data],
        params: &[u64],
    ) -> Option<Result<Vec<Data>, BackendError>> {
        Some(self.launch(region, inputs, params))
    }

    fn region_piece_sums(
        &self,
        _kernel: &Kernel,
        region: &[Span],
        inputs: &[Data],
        params: &[u64],
        pieces: &PieceLeaves,
    ) -> Option<Result<Vec<(f64, u64)>, BackendError>> {
        Some(self.piece_sums(region, inputs, params, pieces))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names() {
        assert_eq!(DeviceSpec::parse("cuda"), Some(DeviceSpec::One(0)));
        assert_eq!(DeviceSpec::parse("cuda:3"), Some(DeviceSpec::One(3)));
        assert_eq!(DeviceSpec::parse("cuda:all"), Some(DeviceSpec::All));
        for bad in ["gpu", "cuda:", "cuda:-1", "cuda:x", "cpu", "CUDA"] {
            assert_eq!(DeviceSpec::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn view_strides_broadcast_as_launch_does() {
        let d = Data::F64(ArrayD::zeros(IxDyn(&[1, 4])));
        assert_eq!(view_strides(&d, &[3, 4]).ok(), Some(vec![0, 1]));
        let d = Data::F64(ArrayD::zeros(IxDyn(&[4])));
        assert_eq!(view_strides(&d, &[3, 4]).ok(), Some(vec![0, 1]));
        let d = Data::F64(ArrayD::zeros(IxDyn(&[3, 4])));
        assert_eq!(view_strides(&d, &[3, 4]).ok(), Some(vec![4, 1]));
        assert!(view_strides(&d, &[3, 5]).is_err());
    }
}
