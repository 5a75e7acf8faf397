//! The lazy array graph: nodes for sources, element-wise maps, reductions, scans, slices,
//! transposes, reshapes, broadcasts, concatenation and rechunks. Every node knows its dtype,
//! shape and chunk grid; nodes are immutable and shared (`Arc`), so a graph is a DAG.

use crate::data::Data;
use crate::kernel::MapOp;
use crate::kernel::philox::RandomStream;
use crate::sema::dtype::DType;
use std::sync::Arc;

/// A shared graph node.
pub type NodeRef = Arc<Node>;

/// One lazy array.
#[derive(Debug)]
pub struct Node {
    /// What computes it.
    pub op: Op,
    /// Its operands.
    pub inputs: Vec<NodeRef>,
    /// Its element type.
    pub dtype: DType,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Block lengths per axis.
    pub chunks: Vec<Vec<usize>>,
}

/// A random distribution with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    Normal { loc: f64, scale: f64 },
    Uniform { low: f64, high: f64 },
    Integers { low: i64, high: i64 },
}

/// Arrays computed from their indices alone.
#[derive(Clone, Debug)]
pub enum Source {
    /// Counter-based random numbers; the counter is the flat index in `shape`.
    Random {
        dist: Distribution,
        stream: RandomStream,
    },
    /// `start + step * i` over a 1-D array.
    Arange { start: f64, step: f64 },
    /// NumPy's linspace: `start + i * delta`, with the last element exactly `stop` if `endpoint`.
    Linspace {
        start: f64,
        stop: f64,
        num: usize,
        endpoint: bool,
    },
    /// One value everywhere (held as f64 or i64 bits by `FullValue`).
    Full(FullValue),
    /// Ones where `col - row == k`.
    Eye { k: i64 },
    /// `true` where `col - row <= k` (`lower`) or `>= k` (upper), over the last two axes.
    Tri { k: i64, lower: bool },
    /// An array held in memory (literals, computed or persisted values).
    Data(Arc<Data>),
    /// An array read region by region from outside (files: HDF5, npy, Zarr).
    External(Arc<dyn ArraySource>),
}

/// Something outside the graph that can produce any rectangular region of an array on
/// demand (a dataset in a file). Implementations live in `src/io/`; the executor calls
/// `read` from several threads at once, one call per block it needs.
pub trait ArraySource: Send + Sync + std::fmt::Debug {
    /// A short description for plans (`from_hdf5("a.h5", "/t2m")`).
    fn describe(&self) -> String;
    /// Reads the elements `start[k] + step[k] * i` for `i < len[k]` on each axis `k`, in
    /// row-major order, as an array of the source's dtype and shape `len`. `step` may be
    /// negative. An error message says what failed (the file, the dataset, the cause).
    fn read(&self, start: &[i64], step: &[i64], len: &[usize]) -> Result<Data, String>;
    /// Bytes of decoded storage chunks this source keeps in the shared chunk cache
    /// (`io::chunked`) while `threads` threads read blocks of the grid `chunks` under a
    /// memory limit of `limit` bytes; 0 for sources that decode nothing. The memory plan
    /// counts them.
    fn cache_bytes(&self, _chunks: &[Vec<usize>], _threads: usize, _limit: usize) -> usize {
        0
    }
}

/// A fill value that keeps integers exact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FullValue {
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Mean,
    Var,
    Std,
    Min,
    Max,
    ArgMin,
    ArgMax,
    Any,
    All,
    CountNonzero,
    NanSum,
    NanProd,
    NanMean,
    NanVar,
    NanStd,
    NanMin,
    NanMax,
}

impl ReduceOp {
    /// Every reduction (kernel text names them).
    pub const ALL: [ReduceOp; 19] = {
        use ReduceOp::*;
        [
            Sum,
            Prod,
            Mean,
            Var,
            Std,
            Min,
            Max,
            ArgMin,
            ArgMax,
            Any,
            All,
            CountNonzero,
            NanSum,
            NanProd,
            NanMean,
            NanVar,
            NanStd,
            NanMin,
            NanMax,
        ]
    };

    /// The builtin's name.
    pub fn name(self) -> &'static str {
        use ReduceOp::*;
        match self {
            Sum => "sum",
            Prod => "prod",
            Mean => "mean",
            Var => "var",
            Std => "std",
            Min => "min",
            Max => "max",
            ArgMin => "argmin",
            ArgMax => "argmax",
            Any => "any",
            All => "all",
            CountNonzero => "count_nonzero",
            NanSum => "nansum",
            NanProd => "nanprod",
            NanMean => "nanmean",
            NanVar => "nanvar",
            NanStd => "nanstd",
            NanMin => "nanmin",
            NanMax => "nanmax",
        }
    }

    /// Whether nan elements are skipped.
    pub fn skips_nan(self) -> bool {
        use ReduceOp::*;
        matches!(
            self,
            NanSum | NanProd | NanMean | NanVar | NanStd | NanMin | NanMax
        )
    }

    /// The result dtype for an input dtype (NumPy's rules).
    pub fn result_dtype(self, input: DType) -> DType {
        use ReduceOp::*;
        match self {
            Sum | Prod | NanSum | NanProd => input.sum_type(),
            Mean | Var | Std | NanMean | NanVar | NanStd => {
                if input == DType::F32 {
                    DType::F32
                } else {
                    DType::F64
                }
            }
            Min | Max | NanMin | NanMax => input,
            ArgMin | ArgMax | CountNonzero => DType::I64,
            Any | All => DType::Bool,
        }
    }
}

/// A scan along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScanOp {
    CumSum,
    CumProd,
}

/// One item of a basic slice, in output order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceItem {
    /// Keep input axis `axis` at indices `start + step * i` for `i < len`.
    Take {
        axis: usize,
        start: i64,
        step: i64,
        len: usize,
    },
    /// Fix input axis `axis` at one index (the axis disappears).
    Fix { axis: usize, index: usize },
    /// A new axis of length 1.
    NewAxis,
}

/// The kept rows of each mask block of an `Op::Compress` node, computed by the one pass
/// that also counted them (`exec::compress`), so the mask's input is not computed again. A
/// block whose piece did not fit that pass's memory share is `None` and is computed again
/// when pulled.
#[derive(Default)]
pub struct MaskPieces {
    /// One entry per mask block: its kept rows, when held.
    pub blocks: Vec<Option<Arc<Data>>>,
}

impl MaskPieces {
    /// Bytes the held pieces occupy.
    pub fn held_bytes(&self) -> usize {
        self.blocks.iter().flatten().map(|d| d.nbytes()).sum()
    }
}

impl std::fmt::Debug for MaskPieces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = self.blocks.iter().filter(|b| b.is_some()).count();
        write!(f, "MaskPieces({held} of {} held)", self.blocks.len())
    }
}

/// What computes a node.
#[derive(Clone, Debug)]
pub enum Op {
    Source(Source),
    /// Element-wise op over broadcast inputs, computed in `compute` dtype.
    Map {
        op: MapOp,
        compute: DType,
    },
    Reduce {
        op: ReduceOp,
        axes: Vec<usize>,
        keepdims: bool,
        ddof: f64,
    },
    Scan {
        op: ScanOp,
        axis: usize,
    },
    Slice(Vec<SliceItem>),
    /// Output axis `k` is input axis `perm[k]`.
    Transpose(Vec<usize>),
    Reshape,
    BroadcastTo,
    Concat {
        axis: usize,
    },
    Rechunk,
    /// The diagonal of input axes `axis1`, `axis2`, appended as the last output axis.
    Diagonal {
        offset: i64,
        axis1: usize,
        axis2: usize,
    },
    /// `x[mask]` along axis 0: inputs are `x` (n, ...) and a 1-D bool `mask` (n). The kept
    /// rows of each mask block form one output block; `starts[b]` is the first output row of
    /// mask block `b` (with a final entry for the total). `revealed` turns on once the length
    /// has been shown to the user, so `x.shape` prints `?` until then.
    Compress {
        starts: Vec<usize>,
        revealed: Arc<std::sync::atomic::AtomicBool>,
        /// The kept rows of each mask block, from the pass that counted them.
        pieces: Arc<MaskPieces>,
    },
    /// `x[idx]` along `axis`: inputs are `x` and a 1-D integer `idx`.
    Gather {
        axis: usize,
    },
    /// A registered Rust function applied to each block of its f64 input (same shape out).
    Native(Arc<crate::embed::NativeFn>),
    /// Element-wise nodes fused into one kernel by the optimiser (`opt::fuse`): the inputs
    /// are the kernel's loads, each broadcast to the node's shape.
    Fused(Arc<crate::kernel::Kernel>),
    /// Several results computed together (`print(a.sum(), a.mean(), a.std())`): only ever
    /// the root of a plan, so the optimiser sees them as one graph (shared work merges) and
    /// the executor can read a shared input once for all of them. Never evaluated itself.
    Pack,
    /// Linear algebra evaluated by `exec::linalg` (blocked matmul, TSQR's Q).
    Linalg(crate::graph::linalg_op::LinalgOp),
    /// A block, stencil or statistics op of the toolbox (`graph::blockops`), evaluated by
    /// `exec::blocks`.
    Block(crate::graph::blockops::BlockOp),
}

impl Drop for Node {
    /// Without recursion: dropping the last reference to a graph 10^6 nodes deep takes no
    /// machine stack (`walk::drop_inputs`).
    fn drop(&mut self) {
        crate::graph::walk::drop_inputs(&mut self.inputs);
    }
}

impl Node {
    /// Total element count.
    pub fn size(&self) -> usize {
        self.shape.iter().fold(1usize, |p, &n| p.saturating_mul(n))
    }

    /// Total bytes if fully materialised.
    pub fn nbytes(&self) -> usize {
        self.size().saturating_mul(self.dtype.size())
    }

    /// Number of blocks in the chunk grid.
    pub fn n_chunks(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.len().max(1))
            .fold(1usize, |p, n| p.saturating_mul(n))
    }

    /// Bytes of the largest block.
    pub fn max_chunk_bytes(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .fold(self.dtype.size(), usize::saturating_mul)
    }

    /// A short name of the op for plans.
    pub fn op_name(&self) -> String {
        match &self.op {
            Op::Source(s) => match s {
                Source::Random { dist, .. } => match dist {
                    Distribution::Normal { .. } => "random.normal".into(),
                    Distribution::Uniform { .. } => "random.uniform".into(),
                    Distribution::Integers { .. } => "random.integers".into(),
                },
                Source::Arange { .. } => "arange".into(),
                Source::Linspace { .. } => "linspace".into(),
                Source::Full(_) => "full".into(),
                Source::Eye { .. } => "eye".into(),
                Source::Tri { .. } => "tri".into(),
                Source::Data(_) => "data".into(),
                Source::External(s) => s.describe(),
            },
            Op::Map { op, .. } => op.name(),
            Op::Reduce { op, axes, .. } => format!("{}(axis={:?})", op.name(), axes),
            Op::Scan { op, axis } => format!(
                "{}(axis={axis})",
                match op {
                    ScanOp::CumSum => "cumsum",
                    ScanOp::CumProd => "cumprod",
                }
            ),
            Op::Slice(_) => "slice".into(),
            Op::Transpose(p) => format!("transpose{p:?}"),
            Op::Reshape => "reshape".into(),
            Op::BroadcastTo => "broadcast_to".into(),
            Op::Concat { axis } => format!("concatenate(axis={axis})"),
            Op::Rechunk => "rechunk".into(),
            Op::Diagonal { .. } => "diagonal".into(),
            Op::Compress { .. } => "mask".into(),
            Op::Gather { axis } => format!("gather(axis={axis})"),
            Op::Native(f) => format!("rust fn {}", f.name),
            Op::Fused(k) => format!("kernel[{}]", k.op_names().join(" ")),
            Op::Pack => "results".into(),
            Op::Linalg(l) => l.name().into(),
            Op::Block(b) => b.name(),
        }
    }
}
