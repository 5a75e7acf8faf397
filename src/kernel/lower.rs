//! Lowering: a fused graph group becomes one kernel.
//!
//! `compile_group` turns the connected element-wise nodes under a root into a kernel whose
//! loads are the group's operands and whose sink stores the root (what `opt::fuse` keeps in
//! an `Op::Fused` node). `specialize` then, for a launch, puts the operands that can be
//! computed from indices inside the kernel — random numbers (through slices, transposes and
//! rechunks, as an affine flat index), `arange`, `full`, `eye`, `tri` — so they are never
//! materialised; their seeds, `loc`, `scale`, starts and fill values become parameters (a
//! new seed does not make a new kernel). `with_reductions` replaces the store by reduction
//! sinks.

use crate::graph::node::{Distribution, FullValue, Node, NodeRef, Op, ReduceOp, SliceItem, Source};
use crate::kernel::ir::{Instr, Kernel, RandomDist, Scalar, Sink, ValueId};
use crate::kernel::{BinaryOp, MapOp};
use crate::sema::dtype::DType;
use std::collections::HashMap;
use std::sync::Arc;

/// Compiles the connected element-wise nodes under `root` into one kernel storing the
/// root, treating nodes for which `is_leaf` holds (and every non-element-wise node) as its
/// loads. Returns the kernel and its load operands, in input order.
pub fn compile_group(root: &NodeRef, is_leaf: &dyn Fn(&NodeRef) -> bool) -> (Kernel, Vec<NodeRef>) {
    let mut leaves: Vec<NodeRef> = Vec::new();
    let mut kernel = Kernel::new(root.shape.len(), Vec::new());
    let mut memo: HashMap<*const Node, ValueId> = HashMap::new();
    // An explicit stack (post-order) so deep expression chains do not use the machine stack.
    let mut stack: Vec<(NodeRef, bool)> = vec![(root.clone(), false)];
    while let Some((node, expanded)) = stack.pop() {
        let key = Arc::as_ptr(&node);
        if memo.contains_key(&key) {
            continue;
        }
        let is_map = matches!(node.op, Op::Map { .. }) && !is_leaf(&node);
        if !is_map {
            leaves.push(node.clone());
            kernel.inputs.push(node.dtype);
            let v = kernel.push(Instr::Load(leaves.len() - 1));
            memo.insert(key, v);
            continue;
        }
        if !expanded {
            stack.push((node.clone(), true));
            for input in node.inputs.iter().rev() {
                if !memo.contains_key(&Arc::as_ptr(input)) {
                    stack.push((input.clone(), false));
                }
            }
            continue;
        }
        let Op::Map { op, compute } = &node.op else {
            continue;
        };
        let mut args = Vec::with_capacity(node.inputs.len());
        for (k, input) in node.inputs.iter().enumerate() {
            let v = memo[&Arc::as_ptr(input)];
            let want = match op {
                MapOp::Where if k == 0 => DType::Bool,
                MapOp::Cast => kernel.types[v],
                _ => *compute,
            };
            args.push(kernel.cast_to(v, want));
        }
        let v = kernel.push(Instr::Apply {
            op: *op,
            args,
            compute: *compute,
            out: node.dtype,
        });
        memo.insert(key, v);
    }
    let result = memo[&Arc::as_ptr(root)];
    kernel.sinks.push(Sink::Store(result));
    (kernel, leaves)
}

/// A kernel ready to launch: the kernel, the operands still loaded (each broadcast to the
/// region), the parameters' bits, and how many generated elements each element of the
/// region costs (for the `generated` counter).
#[derive(Clone, Debug)]
pub struct Specialized {
    pub kernel: Kernel,
    pub loads: Vec<NodeRef>,
    pub params: Vec<u64>,
    pub generated_per_element: u64,
}

/// An index along one source axis: `base + Σ coefs[k] * index(k)` over the region's axes.
#[derive(Clone, Debug)]
struct Affine {
    base: i64,
    coefs: Vec<i64>,
}

/// Follows slices, transposes and rechunks from `node` (of rank `rank`) down to a source,
/// giving each source axis as an affine function of the region's global indices.
fn peel(node: &NodeRef) -> Option<(NodeRef, Vec<Affine>)> {
    let rank = node.shape.len();
    let unit = |k: usize| {
        let mut coefs = vec![0; rank];
        coefs[k] = 1;
        Affine { base: 0, coefs }
    };
    let mut axes: Vec<Affine> = (0..rank).map(unit).collect();
    let mut cur = node.clone();
    loop {
        match &cur.op {
            Op::Source(_) => return Some((cur, axes)),
            Op::Rechunk => cur = cur.inputs[0].clone(),
            Op::Transpose(perm) => {
                let mut inner = vec![
                    Affine {
                        base: 0,
                        coefs: vec![0; rank]
                    };
                    perm.len()
                ];
                for (k, &p) in perm.iter().enumerate() {
                    inner[p] = axes[k].clone();
                }
                axes = inner;
                cur = cur.inputs[0].clone();
            }
            Op::Slice(items) => {
                let input = cur.inputs[0].clone();
                let mut inner = vec![
                    Affine {
                        base: 0,
                        coefs: vec![0; rank]
                    };
                    input.shape.len()
                ];
                let mut out_axis = 0;
                for item in items {
                    match *item {
                        SliceItem::Take {
                            axis, start, step, ..
                        } => {
                            let a = axes.get(out_axis)?;
                            inner[axis] = Affine {
                                base: start.checked_add(step.checked_mul(a.base)?)?,
                                coefs: a
                                    .coefs
                                    .iter()
                                    .map(|c| c.checked_mul(step))
                                    .collect::<Option<_>>()?,
                            };
                            out_axis += 1;
                        }
                        SliceItem::Fix { axis, index } => {
                            inner[axis] = Affine {
                                base: index as i64,
                                coefs: vec![0; rank],
                            }
                        }
                        SliceItem::NewAxis => out_axis += 1,
                    }
                }
                axes = inner;
                cur = input;
            }
            _ => return None,
        }
    }
}

/// Builds the i64 value `a` in the kernel.
fn emit_affine(k: &mut Kernel, a: &Affine) -> ValueId {
    let mut acc = k.push(Instr::Const(Scalar::I64(a.base)));
    for (axis, &c) in a.coefs.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let mut term = k.push(Instr::Index(axis));
        if c != 1 {
            let cv = k.push(Instr::Const(Scalar::I64(c)));
            term = binary(k, BinaryOp::Mul, cv, term, DType::I64);
        }
        acc = binary(k, BinaryOp::Add, acc, term, DType::I64);
    }
    acc
}

fn binary(k: &mut Kernel, op: BinaryOp, a: ValueId, b: ValueId, dtype: DType) -> ValueId {
    let out = if op.is_comparison() {
        DType::Bool
    } else {
        dtype
    };
    k.push(Instr::Apply {
        op: MapOp::Binary(op),
        args: vec![a, b],
        compute: dtype,
        out,
    })
}

/// Emits the source's value at the affine position; `None` if this source is not computed
/// from indices.
fn emit_source(
    k: &mut Kernel,
    params: &mut Vec<u64>,
    src: &Source,
    node: &Node,
    axes: &[Affine],
) -> Option<(ValueId, bool)> {
    let mut param = |k: &mut Kernel, s: Scalar| {
        params.push(s.to_bits());
        k.param(s.dtype())
    };
    let v = match src {
        Source::Random { dist, stream } => {
            // flat = Σ index(source axis a) * stride(a), affine in the region's indices.
            let st = row_major_strides(&node.shape);
            let mut flat = vec![0i64; k.rank + 1];
            for (a, aff) in axes.iter().enumerate() {
                let s = i64::try_from(st[a]).ok()?;
                flat[0] = flat[0].checked_add(aff.base.checked_mul(s)?)?;
                for (j, c) in aff.coefs.iter().enumerate() {
                    flat[1 + j] = flat[1 + j].checked_add(c.checked_mul(s)?)?;
                }
            }
            let seed = param(k, Scalar::I64(stream.seed as i64));
            let strm = param(k, Scalar::I64(stream.stream as i64));
            let (seed, strm) = (param_index(k, seed), param_index(k, strm));
            let value = match *dist {
                Distribution::Normal { loc, scale } => {
                    let r = k.push(Instr::Random {
                        dist: RandomDist::Normal,
                        seed,
                        stream: strm,
                        flat,
                    });
                    let loc = param(k, Scalar::f64(loc));
                    let scale = param(k, Scalar::f64(scale));
                    let m = binary(k, BinaryOp::Mul, scale, r, DType::F64);
                    binary(k, BinaryOp::Add, loc, m, DType::F64)
                }
                Distribution::Uniform { low, high } => {
                    let r = k.push(Instr::Random {
                        dist: RandomDist::Uniform,
                        seed,
                        stream: strm,
                        flat,
                    });
                    let lo = param(k, Scalar::f64(low));
                    let width = param(k, Scalar::f64(high - low));
                    let m = binary(k, BinaryOp::Mul, width, r, DType::F64);
                    binary(k, BinaryOp::Add, lo, m, DType::F64)
                }
                Distribution::Integers { low, high } => {
                    let lo = param(k, Scalar::I64(low));
                    let hi = param(k, Scalar::I64(high));
                    let (lo, hi) = (param_index(k, lo), param_index(k, hi));
                    k.push(Instr::Random {
                        dist: RandomDist::Integers { low: lo, high: hi },
                        seed,
                        stream: strm,
                        flat,
                    })
                }
            };
            return Some((k.cast_to(value, node.dtype), true));
        }
        Source::Arange { start, step } => {
            let i = emit_affine(k, axes.first()?);
            if node.dtype.is_float() {
                let s = param(k, Scalar::f64(*start));
                let st = param(k, Scalar::f64(*step));
                let f = k.push(Instr::Cast(i, DType::F64));
                let m = binary(k, BinaryOp::Mul, st, f, DType::F64);
                binary(k, BinaryOp::Add, s, m, DType::F64)
            } else {
                let s = param(k, Scalar::I64(*start as i64));
                let st = param(k, Scalar::I64(*step as i64));
                let m = binary(k, BinaryOp::Mul, st, i, DType::I64);
                binary(k, BinaryOp::Add, s, m, DType::I64)
            }
        }
        Source::Full(value) => {
            let v = match value {
                FullValue::Float(f) => param(k, Scalar::f64(*f)),
                FullValue::Int(i) => param(k, Scalar::I64(*i)),
                FullValue::Bool(b) => param(k, Scalar::I64(*b as i64)),
            };
            return Some((k.cast_to(v, node.dtype), false));
        }
        Source::Eye { k: diag } | Source::Tri { k: diag, .. } => {
            let nd = axes.len();
            if nd < 2 {
                return None;
            }
            let r = emit_affine(k, &axes[nd - 2]);
            let c = emit_affine(k, &axes[nd - 1]);
            let d = binary(k, BinaryOp::Sub, c, r, DType::I64);
            let kv = param(k, Scalar::I64(*diag));
            let cmp = match src {
                Source::Tri { lower: true, .. } => BinaryOp::Le,
                Source::Tri { lower: false, .. } => BinaryOp::Ge,
                _ => BinaryOp::Eq,
            };
            binary(k, cmp, d, kv, DType::I64)
        }
        _ => return None,
    };
    Some((k.cast_to(v, node.dtype), true))
}

fn param_index(k: &Kernel, v: ValueId) -> usize {
    match k.body[v] {
        Instr::Param(p) => p,
        _ => 0,
    }
}

fn row_major_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for a in (0..shape.len().saturating_sub(1)).rev() {
        s[a] = s[a + 1].saturating_mul(shape[a + 1]);
    }
    s
}

/// Specialises `kernel` (loads `leaves`, output `shape`) for launching: operands of the
/// output's full shape that are computed from indices move inside the kernel.
pub fn specialize(kernel: &Kernel, leaves: &[NodeRef], shape: &[usize]) -> Specialized {
    let mut out = Kernel::new(kernel.rank, Vec::new());
    let mut params: Vec<u64> = Vec::new();
    let mut loads: Vec<NodeRef> = Vec::new();
    let mut generated = 0u64;
    let mut map: Vec<ValueId> = Vec::with_capacity(kernel.body.len());
    let mut leaf_values: HashMap<usize, ValueId> = HashMap::new();
    for instr in &kernel.body {
        let v = match instr {
            Instr::Load(i) => {
                if let Some(v) = leaf_values.get(i) {
                    *v
                } else {
                    let leaf = &leaves[*i];
                    let full_fill = matches!(leaf.op, Op::Source(Source::Full(_)));
                    let inline = if (leaf.shape == shape || full_fill) && !shape.is_empty() {
                        peel(leaf).and_then(|(src_node, axes)| match &src_node.op {
                            Op::Source(src) => {
                                emit_source(&mut out, &mut params, src, &src_node, &axes)
                            }
                            _ => None,
                        })
                    } else {
                        None
                    };
                    let v = match inline {
                        Some((v, counts)) => {
                            generated += counts as u64;
                            // The source's dtype may differ from the leaf's only by a cast
                            // the graph made explicit; keep the leaf's dtype.
                            out.cast_to(v, leaf.dtype)
                        }
                        None => {
                            loads.push(leaf.clone());
                            out.inputs.push(leaf.dtype);
                            out.push(Instr::Load(loads.len() - 1))
                        }
                    };
                    leaf_values.insert(*i, v);
                    v
                }
            }
            Instr::Apply {
                op,
                args,
                compute,
                out: o,
            } => out.push(Instr::Apply {
                op: *op,
                args: args.iter().map(|a| map[*a]).collect(),
                compute: *compute,
                out: *o,
            }),
            Instr::Cast(a, d) => out.push(Instr::Cast(map[*a], *d)),
            Instr::Param(p) => {
                out.params.push(kernel.params[*p]);
                out.push(Instr::Param(out.params.len() - 1))
            }
            Instr::Random {
                dist,
                seed,
                stream,
                flat,
            } => out.push(Instr::Random {
                dist: *dist,
                seed: *seed,
                stream: *stream,
                flat: flat.clone(),
            }),
            other => out.push(other.clone()),
        };
        map.push(v);
    }
    out.sinks = kernel
        .sinks
        .iter()
        .map(|s| match s {
            Sink::Store(v) => Sink::Store(map[*v]),
            Sink::Reduce { value, op } => Sink::Reduce {
                value: map[*value],
                op: *op,
            },
        })
        .collect();
    Specialized {
        kernel: out,
        loads,
        params,
        generated_per_element: generated,
    }
}

/// The kernel with its store replaced by one reduction sink per op (the stored value is
/// what they reduce).
pub fn with_reductions(kernel: &Kernel, ops: &[ReduceOp]) -> Kernel {
    let mut k = kernel.clone();
    if let Some(v) = k.result() {
        k.sinks = ops
            .iter()
            .map(|op| Sink::Reduce { value: v, op: *op })
            .collect();
    }
    k
}

/// A kernel that loads one operand and stores it: the kernel of a reduction whose input is
/// not element-wise (so the reduction is still a sink of a kernel).
pub fn identity(node: &NodeRef) -> (Kernel, Vec<NodeRef>) {
    let mut k = Kernel::new(node.shape.len(), vec![node.dtype]);
    let v = k.push(Instr::Load(0));
    k.sinks.push(Sink::Store(v));
    (k, vec![node.clone()])
}
