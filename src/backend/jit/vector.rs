//! The JIT's vector loop: the kernel body for `WIDTH` consecutive elements per iteration,
//! float values held in SIMD registers (`f64` in two `f64x2`, `f32` in one `f32x4`) and
//! computed with SIMD instructions where the operation has an exact vector form (arithmetic,
//! square root, rounding to integers, comparisons, nan-aware minimum/maximum, selects);
//! everything else (integer dtypes, helper calls, casts) runs lane by lane with the scalar
//! code generator's own instructions, so the vector loop computes bitwise what the scalar
//! loop computes (a vector `f32` add is the scalar `f32` add, lane by lane). The
//! loop is compiled for one pattern of input strides (`StrideKind`): contiguous inputs are
//! loaded as vectors, broadcast ones once before the loop.

use super::codegen::{Gen, float_cc, natural_dtype, ty};
use crate::backend::BackendError;
use crate::kernel::{BinaryOp, Instr, Kernel, MapOp, RandomDist, UnaryOp};
use crate::sema::dtype::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{Endianness, InstBuilder, MemFlags, Value, types};

/// Elements per iteration of the vector loop.
pub const WIDTH: usize = 4;

/// How a float dtype is held in the vector loop: its register type, the lane-mask type its
/// comparisons give, and how many registers make `WIDTH` elements; `None` for other dtypes
/// (they run lane by lane).
fn packing(d: DType) -> Option<(types::Type, types::Type, usize)> {
    match d {
        DType::F64 => Some((types::F64X2, types::I64X2, WIDTH / 2)),
        DType::F32 => Some((types::F32X4, types::I32X4, WIDTH / 4)),
        _ => None,
    }
}

/// How an input is laid out along the innermost axis of a launch, as seen by the tile body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StrideKind {
    /// Stride 0: one value for the whole tile (broadcast).
    Zero,
    /// Consecutive elements.
    Contiguous,
    /// Any other stride (reversed, strided, transposed).
    Other,
}

impl StrideKind {
    /// The kind of a stride of `stride` bytes for elements of `size` bytes.
    pub fn of(stride: isize, size: usize) -> StrideKind {
        if stride == 0 {
            StrideKind::Zero
        } else if stride == size as isize {
            StrideKind::Contiguous
        } else {
            StrideKind::Other
        }
    }
}

/// A value of the body inside the vector loop.
#[derive(Clone)]
pub enum Vectored {
    /// The same value for every element (computed before the loop).
    Invariant(Value),
    /// Float values in the registers `packing` gives their dtype.
    Packed(Vec<Value>),
    /// A boolean as lane masks (all ones = true) from packed comparisons: two `i64x2` (of an
    /// `f64` comparison) or one `i32x4` (of an `f32` one).
    Mask(Vec<Value>),
    /// `WIDTH` scalars of the value's dtype (bools as 0/1 bytes).
    Lanes(Vec<Value>),
}

/// Where each slot's data is, for the vector loop.
pub struct Slots {
    /// Per body instruction: the base address of a load or random slot.
    pub base: Vec<Option<Value>>,
    /// Per body instruction: the stride kind of its load (random slots are contiguous).
    pub kind: Vec<StrideKind>,
    /// Per body instruction: the byte stride of a load with `StrideKind::Other`.
    pub stride: Vec<Option<Value>>,
}

fn little() -> MemFlags {
    MemFlags::new().with_endianness(Endianness::Little)
}

impl Gen<'_, '_> {
    /// The `WIDTH` lanes of vector registers, in element order.
    fn extract_all(&mut self, regs: &[Value]) -> Vec<Value> {
        let per = (WIDTH / regs.len()) as u8;
        let mut out = Vec::with_capacity(WIDTH);
        for r in regs {
            for k in 0..per {
                out.push(self.b.ins().extractlane(*r, k));
            }
        }
        out
    }

    /// `WIDTH` scalars packed into registers of type `t`.
    fn pack_scalars(&mut self, t: types::Type, lanes: &[Value]) -> Vec<Value> {
        let per = t.lane_count() as usize;
        lanes
            .chunks(per)
            .map(|group| {
                let mut v = self.b.ins().scalar_to_vector(t, group[0]);
                for (k, x) in group.iter().enumerate().skip(1) {
                    v = self.b.ins().insertlane(v, *x, k as u8);
                }
                v
            })
            .collect()
    }

    /// The value as `WIDTH` scalars of dtype `d`.
    fn lanes(&mut self, v: &Vectored, d: DType) -> Vec<Value> {
        match v {
            Vectored::Invariant(x) => vec![*x; WIDTH],
            Vectored::Lanes(l) => l.clone(),
            Vectored::Packed(p) => self.extract_all(p),
            Vectored::Mask(m) => {
                debug_assert_eq!(d, DType::Bool);
                self.extract_all(m)
                    .into_iter()
                    .map(|x| self.b.ins().icmp_imm(IntCC::NotEqual, x, 0))
                    .collect()
            }
        }
    }

    /// A float value of dtype `d` in its registers (see `packing`).
    fn packed(&mut self, v: &Vectored, d: DType) -> Vec<Value> {
        let (t, _, parts) = packing(d).expect("packed values are floats");
        match v {
            Vectored::Packed(p) => p.clone(),
            Vectored::Invariant(x) => vec![self.b.ins().splat(t, *x); parts],
            Vectored::Lanes(l) => self.pack_scalars(t, l),
            Vectored::Mask(_) => unreachable!("a mask is not a float value"),
        }
    }

    /// A boolean value as the lane masks that select between values of float dtype `d`.
    fn mask(&mut self, v: &Vectored, d: DType) -> Vec<Value> {
        let (_, t, parts) = packing(d).expect("masks select floats");
        let int = t.lane_type();
        let to_mask = |g: &mut Self, b: Value| {
            let wide = g.b.ins().uextend(int, b);
            g.b.ins().ineg(wide)
        };
        match v {
            Vectored::Mask(m) if m.len() == parts => m.clone(),
            Vectored::Invariant(b) => {
                let m = to_mask(self, *b);
                vec![self.b.ins().splat(t, m); parts]
            }
            // Lanes, or masks of the other float width: through one boolean per element.
            _ => {
                let bools = self.lanes(v, DType::Bool);
                let masks: Vec<Value> = bools.into_iter().map(|b| to_mask(self, b)).collect();
                self.pack_scalars(t, &masks)
            }
        }
    }

    /// `bitselect` of float registers by a lane mask of their width.
    fn select_packed(&mut self, mask: Value, a: Value, b: Value) -> Value {
        let t = self.b.func.dfg.value_type(a);
        let m = self.b.ins().bitcast(t, little(), mask);
        self.b.ins().bitselect(m, a, b)
    }

    fn fcmp_mask(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        // Vector comparisons give lane masks of the operands' lane width (i64x2, i32x4).
        self.b.ins().fcmp(cc, a, b)
    }

    /// `scalar::minimum` / `maximum` on float registers, as `Gen::min_max` does per element.
    fn min_max_packed(&mut self, max: bool, a: Value, b: Value) -> Value {
        let a_nan = self.fcmp_mask(FloatCC::Unordered, a, a);
        let cond = if max {
            let ge = self.fcmp_mask(FloatCC::GreaterThanOrEqual, a, b);
            self.b.ins().bor(a_nan, ge)
        } else {
            let b_nan = self.fcmp_mask(FloatCC::Unordered, b, b);
            let le = self.fcmp_mask(FloatCC::LessThanOrEqual, a, b);
            let ok = self.b.ins().band_not(le, b_nan);
            self.b.ins().bor(a_nan, ok)
        };
        self.select_packed(cond, a, b)
    }

    /// One op on packed operands of float dtype `d`, when it has an exact vector form: the
    /// result is `Packed` or `Mask`.
    fn packed_op(&mut self, op: &MapOp, args: &[Vec<Value>], d: DType) -> Option<Vectored> {
        use BinaryOp::*;
        use UnaryOp::*;
        let (t, _, parts) = packing(d)?;
        let mut packed = Vec::with_capacity(parts);
        let mut masks = Vec::with_capacity(parts);
        for k in 0..parts {
            let a = args[0][k];
            let b = args.get(1).map(|x| x[k]);
            match (op, b) {
                (MapOp::Binary(bop), Some(b)) if bop.is_comparison() => {
                    masks.push(self.fcmp_mask(float_cc(*bop), a, b));
                }
                (MapOp::Binary(bop), Some(b)) => packed.push(match bop {
                    Add => self.b.ins().fadd(a, b),
                    Sub => self.b.ins().fsub(a, b),
                    Mul => self.b.ins().fmul(a, b),
                    Div => self.b.ins().fdiv(a, b),
                    Minimum => self.min_max_packed(false, a, b),
                    Maximum => self.min_max_packed(true, a, b),
                    _ => return None,
                }),
                (MapOp::Unary(uop), None) => match uop {
                    Pos => packed.push(a),
                    Neg => packed.push(self.b.ins().fneg(a)),
                    Abs => packed.push(self.b.ins().fabs(a)),
                    Sqrt => packed.push(self.b.ins().sqrt(a)),
                    Floor => packed.push(self.b.ins().floor(a)),
                    Ceil => packed.push(self.b.ins().ceil(a)),
                    Trunc => packed.push(self.b.ins().trunc(a)),
                    IsNan => masks.push(self.fcmp_mask(FloatCC::Unordered, a, a)),
                    IsInf | IsFinite => {
                        let abs = self.b.ins().fabs(a);
                        let inf = if d == DType::F32 {
                            self.b.ins().f32const(f32::INFINITY)
                        } else {
                            self.b.ins().f64const(f64::INFINITY)
                        };
                        let inf = self.b.ins().splat(t, inf);
                        let cc = if *uop == IsInf {
                            FloatCC::Equal
                        } else {
                            FloatCC::LessThan
                        };
                        masks.push(self.fcmp_mask(cc, abs, inf));
                    }
                    _ => return None,
                },
                (MapOp::Clip, Some(lo)) => {
                    let hi = args[2][k];
                    let low = self.min_max_packed(true, a, lo);
                    packed.push(self.min_max_packed(false, low, hi));
                }
                _ => return None,
            }
        }
        Some(if masks.is_empty() {
            Vectored::Packed(packed)
        } else {
            Vectored::Mask(masks)
        })
    }

    /// Body instruction `i` (not loop-invariant) for the `WIDTH` elements from `j`.
    pub fn vector_instr(
        &mut self,
        kernel: &Kernel,
        i: usize,
        vals: &[Vectored],
        slots: &Slots,
        j: Value,
        inner: (Value, Value),
    ) -> Result<Vectored, BackendError> {
        let d = kernel.types[i];
        Ok(match &kernel.body[i] {
            Instr::Const(_) | Instr::Param(_) => {
                return Err(BackendError("the vector loop lost an invariant".into()));
            }
            Instr::Index(_) => {
                let (base, step) = inner;
                let lanes = (0..WIDTH)
                    .map(|l| {
                        let jl = self.b.ins().iadd_imm(j, l as i64);
                        let off = self.b.ins().imul(jl, step);
                        self.b.ins().iadd(base, off)
                    })
                    .collect();
                Vectored::Lanes(lanes)
            }
            Instr::Load(_) | Instr::Random { .. } => {
                let base = slots.base[i].ok_or_else(|| BackendError("a lost slot".into()))?;
                let t = match &kernel.body[i] {
                    Instr::Random {
                        dist: RandomDist::Integers { .. },
                        ..
                    } => types::I64,
                    Instr::Random { .. } => types::F64,
                    _ => ty(d),
                };
                let flags = MemFlags::new();
                match slots.kind[i] {
                    StrideKind::Contiguous => {
                        let size = t.bytes() as i64;
                        let off = self.b.ins().imul_imm(j, size);
                        let addr = self.b.ins().iadd(base, off);
                        let float = match t {
                            types::F64 => Some(DType::F64),
                            types::F32 => Some(DType::F32),
                            _ => None,
                        };
                        if let Some((vt, _, parts)) = float.and_then(packing) {
                            Vectored::Packed(
                                (0..parts)
                                    .map(|k| self.b.ins().load(vt, flags, addr, (16 * k) as i32))
                                    .collect(),
                            )
                        } else {
                            Vectored::Lanes(
                                (0..WIDTH)
                                    .map(|l| {
                                        self.b.ins().load(
                                            t,
                                            flags,
                                            addr,
                                            (size as usize * l) as i32,
                                        )
                                    })
                                    .collect(),
                            )
                        }
                    }
                    StrideKind::Other => {
                        let st =
                            slots.stride[i].ok_or_else(|| BackendError("a lost stride".into()))?;
                        let off = self.b.ins().imul(j, st);
                        let mut addr = self.b.ins().iadd(base, off);
                        let mut lanes = Vec::with_capacity(WIDTH);
                        for l in 0..WIDTH {
                            if l > 0 {
                                addr = self.b.ins().iadd(addr, st);
                            }
                            lanes.push(self.b.ins().load(t, flags, addr, 0));
                        }
                        Vectored::Lanes(lanes)
                    }
                    StrideKind::Zero => {
                        return Err(BackendError(
                            "a broadcast load inside the vector loop".into(),
                        ));
                    }
                }
            }
            Instr::Apply {
                op,
                args,
                compute,
                out,
            } => {
                let arg_types: Vec<DType> = args.iter().map(|a| kernel.types[*a]).collect();
                let natural = natural_dtype(op, *compute, &arg_types);
                let float = packing(*compute).is_some();
                let where_float = float
                    && matches!(op, MapOp::Where)
                    && *out == *compute
                    && arg_types[1..].iter().all(|t| t == compute);
                if where_float {
                    let m = self.mask(&vals[args[0]], *compute);
                    let a = self.packed(&vals[args[1]], *compute);
                    let b = self.packed(&vals[args[2]], *compute);
                    return Ok(Vectored::Packed(
                        (0..m.len())
                            .map(|k| self.select_packed(m[k], a[k], b[k]))
                            .collect(),
                    ));
                }
                let all_compute = arg_types.iter().all(|t| t == compute);
                if float && all_compute && natural == *out {
                    let packed: Vec<Vec<Value>> = args
                        .iter()
                        .map(|a| self.packed(&vals[*a], *compute))
                        .collect();
                    if let Some(v) = self.packed_op(op, &packed, *compute) {
                        return Ok(v);
                    }
                }
                let lanes: Vec<Vec<Value>> = args
                    .iter()
                    .zip(&arg_types)
                    .map(|(a, t)| self.lanes(&vals[*a], *t))
                    .collect();
                let mut out_lanes = Vec::with_capacity(WIDTH);
                for l in 0..WIDTH {
                    let a: Vec<Value> = lanes.iter().map(|x| x[l]).collect();
                    out_lanes.push(self.apply(op, &a, *compute, *out, &arg_types)?);
                }
                Vectored::Lanes(out_lanes)
            }
            Instr::Bitcast(v, to) => {
                let from = kernel.types[*v];
                let lanes = self.lanes(&vals[*v], from);
                Vectored::Lanes(
                    lanes
                        .into_iter()
                        .map(|x| self.bitcast(x, from, *to))
                        .collect(),
                )
            }
            Instr::Cast(v, to) => {
                let from = kernel.types[*v];
                if from == *to {
                    vals[*v].clone()
                } else {
                    let lanes = self.lanes(&vals[*v], from);
                    Vectored::Lanes(lanes.into_iter().map(|x| self.cast(x, from, *to)).collect())
                }
            }
        })
    }

    /// Stores a value for the `WIDTH` elements from `j` into a contiguous output at `base`.
    pub fn vector_store(&mut self, v: &Vectored, d: DType, base: Value, j: Value) {
        let size = d.size() as i64;
        let off = self.b.ins().imul_imm(j, size);
        let addr = self.b.ins().iadd(base, off);
        let flags = MemFlags::new();
        if packing(d).is_some() && !matches!(v, Vectored::Lanes(_)) {
            for (k, r) in self.packed(v, d).into_iter().enumerate() {
                self.b.ins().store(flags, r, addr, (16 * k) as i32);
            }
        } else {
            for (l, x) in self.lanes(v, d).into_iter().enumerate() {
                self.b
                    .ins()
                    .store(flags, x, addr, (size as usize * l) as i32);
            }
        }
    }
}
