//! The loop-nest kernel IR (DESIGN §3): a typed SSA body evaluated once per element of a
//! strided region of rank `rank`, with its sinks.
//!
//! The index space is a region `start[k] + step[k] * i` (`i < len[k]`) per axis, given at
//! launch; so are the inputs, as strided views (stride 0 = broadcast, negative = reversed,
//! any order = transposed: slices and transposes are views, never copies), and the values of
//! the parameters (seeds, `loc`, `scale`, fill values), so a new seed or a new region does not
//! make a new kernel. Elements are visited in row-major order of the region.
//!
//! Sinks: `Store` writes a value to an output of the region's shape; `Reduce` hands the
//! values of the launch's region, in row-major order, to the accumulator of a reduction. The
//! reduction order is stated once (`exec::reduce`): each launch region (a piece of at most
//! 64K elements) is summed by NumPy's pairwise rule (8 lanes over leaves of 128), and pieces,
//! then blocks, are combined in a fixed pairwise tree in block order; every backend follows it.
//!
//! A `Kernel` is `Hash + Eq` (floats are held as bit patterns): it is the JIT's cache key.

use crate::graph::node::ReduceOp;
use crate::kernel::MapOp;
use crate::sema::dtype::DType;

/// An SSA value number: value `i` is the result of `body[i]`.
pub type ValueId = usize;

/// A typed constant; floats as bit patterns so constants are `Hash + Eq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    Bool(bool),
    U8(u8),
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

impl Scalar {
    /// The constant's dtype.
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::U8(_) => DType::U8,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    /// The value as the 64 bits a launch passes for a parameter: floats by their bits,
    /// integers sign-extended, bools as 0/1.
    pub fn to_bits(self) -> u64 {
        match self {
            Scalar::Bool(b) => b as u64,
            Scalar::U8(v) => v as u64,
            Scalar::I32(v) => v as i64 as u64,
            Scalar::I64(v) => v as u64,
            Scalar::F32(b) => b as u64,
            Scalar::F64(b) => b,
        }
    }

    /// The value of `dtype` whose parameter bits are `bits` (inverse of `to_bits`).
    pub fn from_bits(dtype: DType, bits: u64) -> Scalar {
        match dtype {
            DType::Bool => Scalar::Bool(bits != 0),
            DType::U8 => Scalar::U8(bits as u8),
            DType::I32 => Scalar::I32(bits as i32),
            DType::I64 => Scalar::I64(bits as i64),
            DType::F32 => Scalar::F32(bits as u32),
            DType::F64 => Scalar::F64(bits),
        }
    }

    /// An f64 constant.
    pub fn f64(v: f64) -> Scalar {
        Scalar::F64(v.to_bits())
    }
}

/// A counter-based random distribution (`kernel::philox`), computed from the flat index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RandomDist {
    /// Standard normal (Box–Muller over one Philox block per index pair), f64.
    Normal,
    /// Uniform in [0, 1) with 53 random bits, f64.
    Uniform,
    /// Integers in [low, high), i64; `low` and `high` are parameters.
    Integers { low: usize, high: usize },
}

/// One instruction of a kernel's body.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Instr {
    /// A constant.
    Const(Scalar),
    /// Parameter `k` of the launch (its dtype is `Kernel::params[k]`).
    Param(usize),
    /// The global index along axis `axis` of the region (`start + step * i`), as i64.
    Index(usize),
    /// The element of input view `k` at the current position.
    Load(usize),
    /// A random value at the flat index `flat[0] + Σ flat[1 + k] * index(k)` of the stream
    /// whose seed and stream number are parameters `seed` and `stream` (i64 bit patterns).
    Random {
        dist: RandomDist,
        seed: usize,
        stream: usize,
        flat: Vec<i64>,
    },
    /// An element-wise operation computed in `compute`, giving `out`. Operands already have
    /// the compute dtype (the condition of `Where` is bool).
    Apply {
        op: MapOp,
        args: Vec<ValueId>,
        compute: DType,
        out: DType,
    },
    /// A conversion (NumPy's `astype` rules: `data::convert`).
    Cast(ValueId, DType),
    /// The same bits read as another dtype of the same size (i64 <-> f64, i32 <-> f32): how
    /// the generator's transforms take a float apart (`random_ir`).
    Bitcast(ValueId, DType),
}

impl Instr {
    /// The values this instruction reads.
    pub fn operands(&self) -> &[ValueId] {
        match self {
            Instr::Apply { args, .. } => args,
            Instr::Cast(v, _) | Instr::Bitcast(v, _) => std::slice::from_ref(v),
            Instr::Const(_)
            | Instr::Param(_)
            | Instr::Index(_)
            | Instr::Load(_)
            | Instr::Random { .. } => &[],
        }
    }
}

/// Whether `Bitcast` may turn a `from` value into a `to` one: same size, numbers only.
pub fn bitcast_allowed(from: DType, to: DType) -> bool {
    from.size() == to.size() && from != DType::Bool && to != DType::Bool && from.size() >= 4
}

/// Where a value goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sink {
    /// Written to an output of the region's shape.
    Store(ValueId),
    /// Fed, in row-major order of the region, to the accumulator of a reduction.
    Reduce { value: ValueId, op: ReduceOp },
}

impl Sink {
    /// The value the sink consumes.
    pub fn value(&self) -> ValueId {
        match self {
            Sink::Store(v) | Sink::Reduce { value: v, .. } => *v,
        }
    }
}

/// A loop-nest kernel.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    /// The rank of the region it walks.
    pub rank: usize,
    /// The dtype of each input view.
    pub inputs: Vec<DType>,
    /// The dtype of each launch parameter.
    pub params: Vec<DType>,
    /// The body, in order.
    pub body: Vec<Instr>,
    /// The dtype of each value.
    pub types: Vec<DType>,
    /// What is done with the values.
    pub sinks: Vec<Sink>,
}

/// A kernel that breaks the IR's typing rules (from the text parser or a bad lowering).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrError(pub String);

impl std::fmt::Display for IrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Kernel {
    /// An empty kernel over regions of rank `rank` with these inputs.
    pub fn new(rank: usize, inputs: Vec<DType>) -> Kernel {
        Kernel {
            rank,
            inputs,
            params: Vec::new(),
            body: Vec::new(),
            types: Vec::new(),
            sinks: Vec::new(),
        }
    }

    /// The dtype an instruction gives, given the dtypes of earlier values.
    fn type_of(&self, instr: &Instr) -> DType {
        match instr {
            Instr::Const(c) => c.dtype(),
            Instr::Param(k) => self.params.get(*k).copied().unwrap_or(DType::I64),
            Instr::Index(_) => DType::I64,
            Instr::Load(k) => self.inputs.get(*k).copied().unwrap_or(DType::F64),
            Instr::Random { dist, .. } => match dist {
                RandomDist::Integers { .. } => DType::I64,
                _ => DType::F64,
            },
            Instr::Apply { out, .. } => *out,
            Instr::Cast(_, d) | Instr::Bitcast(_, d) => *d,
        }
    }

    /// Appends an instruction and returns its value.
    pub fn push(&mut self, instr: Instr) -> ValueId {
        let dtype = self.type_of(&instr);
        self.body.push(instr);
        self.types.push(dtype);
        self.body.len() - 1
    }

    /// Adds a parameter of `dtype` and returns the instruction reading it.
    pub fn param(&mut self, dtype: DType) -> ValueId {
        self.params.push(dtype);
        self.push(Instr::Param(self.params.len() - 1))
    }

    /// Returns `v` converted to `dtype`, adding a cast when needed.
    pub fn cast_to(&mut self, v: ValueId, dtype: DType) -> ValueId {
        if self.types[v] == dtype {
            v
        } else {
            self.push(Instr::Cast(v, dtype))
        }
    }

    /// The value of the first `Store` sink (the result of an element-wise kernel).
    pub fn result(&self) -> Option<ValueId> {
        self.sinks.iter().find_map(|s| match s {
            Sink::Store(v) => Some(*v),
            _ => None,
        })
    }

    /// The names of the fused operations, for plans.
    pub fn op_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for i in &self.body {
            match i {
                Instr::Apply { op, .. } => names.push(op.name()),
                Instr::Random { dist, .. } => names.push(
                    match dist {
                        RandomDist::Normal => "random.normal",
                        RandomDist::Uniform => "random.uniform",
                        RandomDist::Integers { .. } => "random.integers",
                    }
                    .into(),
                ),
                _ => {}
            }
        }
        for s in &self.sinks {
            if let Sink::Reduce { op, .. } = s {
                names.push(op.name().into());
            }
        }
        names
    }

    /// Checks the typing rules: operands defined before use and of the right dtypes, inputs,
    /// parameters and axes in range, sinks on defined values. Backends may assume a
    /// validated kernel.
    pub fn validate(&self) -> Result<(), IrError> {
        let err = |i: usize, m: String| Err(IrError(format!("v{i}: {m}")));
        if self.types.len() != self.body.len() {
            return Err(IrError("one dtype per value is required".into()));
        }
        for (i, instr) in self.body.iter().enumerate() {
            let defined = |v: ValueId| v < i;
            match instr {
                Instr::Const(c) => {
                    if c.dtype() != self.types[i] {
                        return err(i, "constant of another dtype".into());
                    }
                }
                Instr::Param(k) => {
                    if *k >= self.params.len() {
                        return err(i, format!("parameter p{k} is not declared"));
                    }
                }
                Instr::Index(a) => {
                    if *a >= self.rank.max(1) {
                        return err(i, format!("axis {a} is outside rank {}", self.rank));
                    }
                }
                Instr::Load(k) => {
                    if *k >= self.inputs.len() {
                        return err(i, format!("input {k} is not declared"));
                    }
                }
                Instr::Random {
                    dist,
                    seed,
                    stream,
                    flat,
                } => {
                    let mut ps = vec![*seed, *stream];
                    if let RandomDist::Integers { low, high } = dist {
                        ps.extend([*low, *high]);
                    }
                    for p in ps {
                        if self.params.get(p) != Some(&DType::I64) {
                            return err(i, format!("p{p} must be an i64 parameter"));
                        }
                    }
                    if flat.len() != self.rank + 1 {
                        return err(
                            i,
                            "the flat index needs a base and one factor per axis".into(),
                        );
                    }
                }
                Instr::Apply {
                    op,
                    args,
                    compute,
                    out,
                } => {
                    let arity = match op {
                        MapOp::Unary(_) | MapOp::Round(_) | MapOp::NanToNum(..) | MapOp::Cast => 1,
                        MapOp::Binary(_) => 2,
                        MapOp::Where | MapOp::Clip => 3,
                    };
                    if args.len() != arity {
                        return err(i, format!("{} takes {arity} operands", op.name()));
                    }
                    for (k, a) in args.iter().enumerate() {
                        if !defined(*a) {
                            return err(i, format!("operand v{a} is not defined before use"));
                        }
                        let want = match op {
                            MapOp::Where if k == 0 => DType::Bool,
                            MapOp::Cast => self.types[*a],
                            _ => *compute,
                        };
                        if self.types[*a] != want {
                            return err(
                                i,
                                format!(
                                    "operand v{a} is {} where {want} is needed",
                                    self.types[*a]
                                ),
                            );
                        }
                    }
                    let _ = out;
                }
                Instr::Cast(v, _) => {
                    if !defined(*v) {
                        return err(i, format!("operand v{v} is not defined before use"));
                    }
                }
                Instr::Bitcast(v, to) => {
                    if !defined(*v) {
                        return err(i, format!("operand v{v} is not defined before use"));
                    }
                    if !bitcast_allowed(self.types[*v], *to) {
                        return err(i, format!("cannot bitcast {} to {to}", self.types[*v]));
                    }
                }
            }
            if self.types[i] != self.type_of(instr) {
                return err(
                    i,
                    "the declared dtype differs from the instruction's".into(),
                );
            }
        }
        if self.sinks.is_empty() {
            return Err(IrError("a kernel needs at least one sink".into()));
        }
        for s in &self.sinks {
            if s.value() >= self.body.len() {
                return Err(IrError(format!(
                    "sink reads v{} which is not defined",
                    s.value()
                )));
            }
        }
        Ok(())
    }
}
