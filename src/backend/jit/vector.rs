//! The JIT's vector loop: the kernel body for `WIDTH` consecutive elements per iteration,
//! `f64` values held in `f64x2` registers (`WIDTH / 2` of them per value) and computed with
//! SIMD instructions where the operation has an exact vector form (arithmetic, square root,
//! rounding to integers, comparisons, nan-aware minimum/maximum, selects); everything else
//! (other dtypes, helper calls, casts) runs lane by lane with the scalar code generator's
//! own instructions, so the vector loop computes bitwise what the scalar loop computes. The
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
/// `f64x2` registers per value.
const PARTS: usize = WIDTH / 2;

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
    /// `f64` values, `PARTS` `f64x2` registers.
    Packed(Vec<Value>),
    /// A boolean as `PARTS` `i64x2` lane masks (all ones = true), from packed comparisons.
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
    fn splat_f64(&mut self, v: Value) -> Value {
        self.b.ins().splat(types::F64X2, v)
    }

    /// The value as `WIDTH` scalars of dtype `d`.
    fn lanes(&mut self, v: &Vectored, d: DType) -> Vec<Value> {
        match v {
            Vectored::Invariant(x) => vec![*x; WIDTH],
            Vectored::Lanes(l) => l.clone(),
            Vectored::Packed(p) => p
                .iter()
                .flat_map(|r| [(*r, 0u8), (*r, 1u8)])
                .map(|(r, k)| self.b.ins().extractlane(r, k))
                .collect(),
            Vectored::Mask(m) => {
                let mut out = Vec::with_capacity(WIDTH);
                for r in m {
                    for k in 0..2u8 {
                        let x = self.b.ins().extractlane(*r, k);
                        out.push(self.b.ins().icmp_imm(IntCC::NotEqual, x, 0));
                    }
                }
                debug_assert_eq!(d, DType::Bool);
                out
            }
        }
    }

    /// An `f64` value as `PARTS` `f64x2` registers.
    fn packed(&mut self, v: &Vectored) -> Vec<Value> {
        match v {
            Vectored::Packed(p) => p.clone(),
            Vectored::Invariant(x) => vec![self.splat_f64(*x); PARTS],
            Vectored::Lanes(l) => l
                .chunks(2)
                .map(|pair| {
                    let v = self.b.ins().scalar_to_vector(types::F64X2, pair[0]);
                    self.b.ins().insertlane(v, pair[1], 1)
                })
                .collect(),
            Vectored::Mask(_) => unreachable!("a mask is not an f64 value"),
        }
    }

    /// A boolean value as `PARTS` `i64x2` masks.
    fn mask(&mut self, v: &Vectored) -> Vec<Value> {
        let to_mask = |g: &mut Self, b: Value| {
            let wide = g.b.ins().uextend(types::I64, b);
            g.b.ins().ineg(wide)
        };
        match v {
            Vectored::Mask(m) => m.clone(),
            Vectored::Invariant(b) => {
                let m = to_mask(self, *b);
                vec![self.b.ins().splat(types::I64X2, m); PARTS]
            }
            Vectored::Lanes(l) => l
                .chunks(2)
                .map(|pair| {
                    let a = to_mask(self, pair[0]);
                    let b = to_mask(self, pair[1]);
                    let v = self.b.ins().scalar_to_vector(types::I64X2, a);
                    self.b.ins().insertlane(v, b, 1)
                })
                .collect(),
            Vectored::Packed(_) => unreachable!("an f64 value is not a mask"),
        }
    }

    fn as_f64x2(&mut self, mask: Value) -> Value {
        self.b.ins().bitcast(types::F64X2, little(), mask)
    }

    /// `bitselect` of f64x2 values by an i64x2 mask.
    fn select_packed(&mut self, mask: Value, a: Value, b: Value) -> Value {
        let m = self.as_f64x2(mask);
        self.b.ins().bitselect(m, a, b)
    }

    fn fcmp_mask(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        // Vector comparisons give lane masks of the operands' lane width (i64x2).
        self.b.ins().fcmp(cc, a, b)
    }

    /// `scalar::minimum` / `maximum` on f64x2, as `Gen::min_max` does per element.
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

    /// One op on packed f64 operands, when it has an exact vector form: the result is
    /// `Packed` or `Mask`.
    fn packed_op(&mut self, op: &MapOp, args: &[Vec<Value>]) -> Option<Vectored> {
        use BinaryOp::*;
        use UnaryOp::*;
        let mut packed = Vec::with_capacity(PARTS);
        let mut masks = Vec::with_capacity(PARTS);
        for k in 0..PARTS {
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
                        let inf = self.b.ins().f64const(f64::INFINITY);
                        let inf = self.splat_f64(inf);
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
                        if t == types::F64 {
                            Vectored::Packed(
                                (0..PARTS)
                                    .map(|k| {
                                        self.b.ins().load(
                                            types::F64X2,
                                            flags,
                                            addr,
                                            (16 * k) as i32,
                                        )
                                    })
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
                let where_f64 =
                    matches!(op, MapOp::Where) && *compute == DType::F64 && *out == DType::F64;
                if where_f64 {
                    let m = self.mask(&vals[args[0]]);
                    let a = self.packed(&vals[args[1]]);
                    let b = self.packed(&vals[args[2]]);
                    return Ok(Vectored::Packed(
                        (0..PARTS)
                            .map(|k| self.select_packed(m[k], a[k], b[k]))
                            .collect(),
                    ));
                }
                let all_f64 = arg_types.iter().all(|t| *t == DType::F64);
                if *compute == DType::F64 && all_f64 && natural == *out {
                    let packed: Vec<Vec<Value>> =
                        args.iter().map(|a| self.packed(&vals[*a])).collect();
                    if let Some(v) = self.packed_op(op, &packed) {
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
        if d == DType::F64 && !matches!(v, Vectored::Lanes(_)) {
            for (k, r) in self.packed(v).into_iter().enumerate() {
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
