//! Graph ops of the block, stencil and statistics toolbox (LANGUAGE.md §11a): what each
//! node computes, as plain data. They hang off the graph as one `Op::Block` variant, so the
//! optimiser treats them as opaque (no pass looks inside); `exec::blocks` evaluates them.

use crate::graph::node::{FullValue, NodeRef};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One toolbox op.
#[derive(Clone)]
pub enum BlockOp {
    /// `map_blocks`: output block `b` is a template graph applied to block `b` of each input.
    MapBlocks(Arc<MapBlocks>),
    /// Each output index reads one input index per axis, or the fill value (pad, roll,
    /// tile, repeat, overlap halos).
    Remap(Arc<Remap>),
    /// Partial counts per input block, summed in block order (histogram, bincount).
    Counts(Arc<Counts>),
    /// `bins + 1` evenly spaced edges between the two values of the input (histogram).
    Edges { bins: usize },
    /// An element-wise lookup into a small table (digitize, searchsorted, isin).
    Lookup(LookupKind),
    /// Exact order statistics (percentile, quantile, median and their nan-forms).
    Quantile(Arc<Quantile>),
    /// Input 0 where input 1 (a bool array of the same shape) is false everywhere; a region
    /// where it is true somewhere fails with `message` (nanargmin of an all-nan slice).
    Guard { message: &'static str },
}

/// A unique number for ops compared by identity (CSE keys through `Debug`).
pub fn fresh_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl std::fmt::Debug for BlockOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlockOp::MapBlocks(m) => write!(f, "map_blocks#{}", m.id),
            BlockOp::Remap(r) => write!(f, "remap{:?}/{:?}", r.axes, r.fill),
            BlockOp::Counts(c) => write!(f, "counts{:?}", c),
            BlockOp::Edges { bins } => write!(f, "edges({bins})"),
            BlockOp::Lookup(k) => write!(f, "lookup{k:?}"),
            BlockOp::Quantile(q) => write!(f, "quantile{q:?}"),
            BlockOp::Guard { message } => write!(f, "guard({message:?})"),
        }
    }
}

impl BlockOp {
    /// A short name for plans.
    pub fn name(&self) -> String {
        match self {
            BlockOp::MapBlocks(m) => m.name.clone(),
            BlockOp::Remap(r) => r.name.to_string(),
            BlockOp::Counts(c) => match c.kind {
                CountKind::Bincount { .. } => "bincount".into(),
                _ => "histogram".into(),
            },
            BlockOp::Edges { .. } => "histogram edges".into(),
            BlockOp::Lookup(k) => match k {
                LookupKind::SearchSorted { .. } => "searchsorted".into(),
                LookupKind::Digitize { .. } => "digitize".into(),
                LookupKind::IsIn { .. } => "isin".into(),
            },
            BlockOp::Quantile(_) => "quantile".into(),
            BlockOp::Guard { .. } => "guard".into(),
        }
    }
}

/// `map_blocks`: the function traced once per distinct combination of block shapes.
pub struct MapBlocks {
    /// For plans: `map_blocks(f)`.
    pub name: String,
    /// Identity (two calls never merge: functions may differ in what they capture).
    pub id: usize,
    /// For each input, per input axis: the output axis whose block index selects this
    /// input's block, or `None` when the input has one block on that axis.
    pub axis_map: Vec<Vec<Option<usize>>>,
    /// The traced function, one per combination of input block shapes.
    pub templates: Vec<Template>,
    /// Per output axis, per block: elements cut from the start and end of each result
    /// block (`map_overlap`'s trim; empty: none).
    pub trim: Vec<Vec<(usize, usize)>>,
}

/// The function applied to blocks of given shapes: a graph over placeholder sources.
pub struct Template {
    /// The block shape of each input.
    pub in_shapes: Vec<Vec<usize>>,
    /// One placeholder source node per input (replaced by the block's data when run).
    pub placeholders: Vec<NodeRef>,
    /// The result for one block.
    pub result: NodeRef,
}

/// A per-axis index map.
#[derive(Clone, Debug)]
pub struct Remap {
    /// For plans.
    pub name: &'static str,
    /// One map per axis.
    pub axes: Vec<AxisMap>,
    /// The value of elements no input index maps to (constant padding).
    pub fill: FullValue,
}

/// How the indices outside an axis are read (NumPy's `pad` modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PadMode {
    /// The fill value.
    Constant,
    /// The nearest edge element.
    Edge,
    /// Mirrored, without repeating the edge element.
    Reflect,
    /// Mirrored, repeating the edge element.
    Symmetric,
    /// Periodic.
    Wrap,
}

/// Where output index `i` of one axis reads from.
#[derive(Clone, Debug)]
pub enum AxisMap {
    /// Index `i` itself.
    Same,
    /// `i - before` on an axis of length `n`, outside `0..n` by `mode`.
    Pad {
        before: usize,
        n: usize,
        mode: PadMode,
    },
    /// `(i - shift) mod n`.
    Roll { shift: usize, n: usize },
    /// `i mod n`.
    Tile { n: usize },
    /// The source index whose run of repeats holds `i`: `ends[j]` is the end of run `j`.
    Repeat { ends: Arc<Vec<usize>> },
    /// Every source index repeated `r` times: `i / r`.
    RepeatEach { r: usize },
    /// Blocks of the input extended by `before`/`after` elements on each side (halos),
    /// outside the axis by `mode`. `starts[j]` is block `j`'s first output index.
    Overlap {
        /// Input block lengths.
        blocks: Vec<usize>,
        /// Halo before and after each block (the first block's `before` and the last's
        /// `after` are 0 under boundary "none").
        halos: Vec<(usize, usize)>,
        /// The axis length.
        n: usize,
        mode: PadMode,
    },
}

/// Which counts a `Counts` node makes.
#[derive(Clone, Debug, PartialEq)]
pub enum CountKind {
    /// Occurrences of each integer `0..len`.
    Bincount { len: usize },
    /// `bins` equal bins between the two values of the range input (NumPy's rule for
    /// values on an edge).
    Uniform { bins: usize },
    /// Bins between consecutive given edges (the last bin closed).
    Edges(Arc<Vec<f64>>),
}

/// A histogram or bincount: inputs are `x`, then the weights if `weighted`, then the
/// range (a 2-element f64 array) for `Uniform`.
#[derive(Clone, Debug)]
pub struct Counts {
    /// What is counted.
    pub kind: CountKind,
    /// Whether a weights input follows `x`.
    pub weighted: bool,
    /// Counts divided by the total and the bin widths (a density).
    pub density: bool,
}

/// Element-wise lookups: inputs are `x` and a 1-D table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupKind {
    /// Insertion points of `x` into the sorted table.
    SearchSorted { right: bool },
    /// The bin of `x` among monotone edges (NumPy's digitize).
    Digitize { right: bool },
    /// Whether `x` is among the table's values.
    IsIn { invert: bool },
}

/// Exact quantiles of the input, NumPy's `method="linear"`.
#[derive(Clone, Debug)]
pub struct Quantile {
    /// The quantiles, as fractions in `[0, 1]`.
    pub qs: Vec<f64>,
    /// Whether the output has a leading axis of the quantiles (`q` was a list).
    pub q_axis: bool,
    /// The reduced axis, or `None` for all elements.
    pub axis: Option<usize>,
    /// Whether the reduced axis stays as length 1.
    pub keepdims: bool,
    /// `median`: the mean of the middle pair instead of the linear interpolation.
    pub median: bool,
    /// The nan-forms skip nan; the others give nan when a lane holds one.
    pub skip_nan: bool,
    /// Elements a task may hold at once for an exact selection in memory; larger inputs
    /// are narrowed by radix passes first.
    pub budget_elems: usize,
}
