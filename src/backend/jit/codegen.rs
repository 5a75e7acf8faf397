//! Kernel IR → Cranelift IR: one function `body(len, ptrs, strides, idx, params)` whose
//! loop runs the kernel's body for `len` elements of the innermost axis (the slot layout of
//! `launch::TileBody::run`). Constants, parameters and outer-axis indices are computed once
//! before the loop.

use super::helpers;
use super::vector::{Slots, StrideKind, Vectored, WIDTH};
use crate::backend::BackendError;
use crate::backend::launch::output_values;
use crate::kernel::{BinaryOp, Instr, Kernel, MapOp, RandomDist, Scalar, UnaryOp};
use crate::sema::dtype::DType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{AbiParam, InstBuilder, MemFlags, Signature, Type, Value, types};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{Linkage, Module};

pub(super) fn ty(d: DType) -> Type {
    match d {
        DType::Bool | DType::U8 => types::I8,
        DType::I32 => types::I32,
        DType::I64 => types::I64,
        DType::F32 => types::F32,
        DType::F64 => types::F64,
    }
}

/// The float condition of a comparison op.
pub(super) fn float_cc(op: BinaryOp) -> FloatCC {
    match op {
        BinaryOp::Eq => FloatCC::Equal,
        BinaryOp::Ne => FloatCC::NotEqual,
        BinaryOp::Lt => FloatCC::LessThan,
        BinaryOp::Le => FloatCC::LessThanOrEqual,
        BinaryOp::Gt => FloatCC::GreaterThan,
        _ => FloatCC::GreaterThanOrEqual,
    }
}

/// The dtype an op gives before the conversion to its `out` dtype: bool for comparisons
/// and predicates, the compute dtype otherwise (the operand's own for a cast).
pub(super) fn natural_dtype(op: &MapOp, compute: DType, arg_types: &[DType]) -> DType {
    match op {
        MapOp::Unary(u) if u.is_predicate() => DType::Bool,
        MapOp::Binary(b) if b.is_comparison() => DType::Bool,
        MapOp::Cast => arg_types[0],
        _ => compute,
    }
}

fn unsupported(what: String) -> BackendError {
    BackendError(format!("the JIT does not compile {what}"))
}

pub(super) struct Gen<'a, 'b> {
    pub(super) b: FunctionBuilder<'a>,
    module: &'b mut JITModule,
    ptr: Type,
    /// Integer constants that are powers of two, with their exponent: a floor division by
    /// one is an arithmetic shift.
    shifts: std::collections::HashMap<Value, i64>,
}

impl Gen<'_, '_> {
    fn iconst(&mut self, t: Type, v: i64) -> Value {
        self.b.ins().iconst(t, v)
    }

    /// Calls a helper through its address.
    fn call(&mut self, f: *const u8, params: &[Type], ret: Type, args: &[Value]) -> Value {
        let mut sig = Signature::new(self.module.isa().default_call_conv());
        for p in params {
            sig.params.push(AbiParam::new(*p));
        }
        sig.returns.push(AbiParam::new(ret));
        let sig = self.b.import_signature(sig);
        let callee = self.b.ins().iconst(self.ptr, f as i64);
        let inst = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(inst)[0]
    }

    fn widen(&mut self, v: Value, d: DType) -> Value {
        match d {
            DType::Bool | DType::U8 => self.b.ins().uextend(types::I64, v),
            DType::I32 => self.b.ins().sextend(types::I64, v),
            _ => v,
        }
    }

    fn narrow(&mut self, v: Value, d: DType) -> Value {
        match d {
            DType::Bool | DType::U8 => self.b.ins().ireduce(types::I8, v),
            DType::I32 => self.b.ins().ireduce(types::I32, v),
            _ => v,
        }
    }

    /// `data::convert` from `from` to `to`.
    pub(super) fn cast(&mut self, v: Value, from: DType, to: DType) -> Value {
        if from == to {
            return v;
        }
        if to == DType::Bool {
            let t = if from.is_float() {
                let zero = if from == DType::F32 {
                    self.b.ins().f32const(0.0)
                } else {
                    self.b.ins().f64const(0.0)
                };
                self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
            } else {
                self.b.ins().icmp_imm(IntCC::NotEqual, v, 0)
            };
            return t;
        }
        if from.is_float() {
            let wide = if from == DType::F32 {
                self.b.ins().fpromote(types::F64, v)
            } else {
                v
            };
            return match to {
                DType::F64 => wide,
                DType::F32 => self.b.ins().fdemote(types::F32, wide),
                _ => {
                    // `v as i64` saturates and maps nan to 0, as fcvt_to_sint_sat does.
                    let i = self.b.ins().fcvt_to_sint_sat(types::I64, wide);
                    self.narrow(i, to)
                }
            };
        }
        let i = self.widen(v, from);
        match to {
            DType::F64 => self.b.ins().fcvt_from_sint(types::F64, i),
            DType::F32 => self.b.ins().fcvt_from_sint(types::F32, i),
            _ => self.narrow(i, to),
        }
    }

    /// `Instr::Bitcast`: the same bits as `to` (a validated kernel only bitcasts between
    /// dtypes of one size).
    pub(super) fn bitcast(&mut self, v: Value, from: DType, to: DType) -> Value {
        if from == to {
            v
        } else {
            self.b.ins().bitcast(ty(to), MemFlags::new(), v)
        }
    }

    fn is_nan(&mut self, v: Value) -> Value {
        self.b.ins().fcmp(FloatCC::Unordered, v, v)
    }

    /// `scalar::minimum` / `maximum`.
    fn min_max(&mut self, max: bool, a: Value, b: Value, d: DType) -> Value {
        if d.is_float() {
            let a_nan = self.is_nan(a);
            let cond = if max {
                let ge = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, a, b);
                self.b.ins().bor(a_nan, ge)
            } else {
                let b_nan = self.is_nan(b);
                let le = self.b.ins().fcmp(FloatCC::LessThanOrEqual, a, b);
                let not_b_nan = self.b.ins().bxor_imm(b_nan, 1);
                let ok = self.b.ins().band(not_b_nan, le);
                self.b.ins().bor(a_nan, ok)
            };
            self.b.ins().select(cond, a, b)
        } else {
            let signed = matches!(d, DType::I32 | DType::I64);
            let cc = match (max, signed) {
                (false, true) => IntCC::SignedLessThanOrEqual,
                (false, false) => IntCC::UnsignedLessThanOrEqual,
                (true, true) => IntCC::SignedGreaterThanOrEqual,
                (true, false) => IntCC::UnsignedGreaterThanOrEqual,
            };
            let c = self.b.ins().icmp(cc, a, b);
            self.b.ins().select(c, a, b)
        }
    }

    fn unary(&mut self, op: UnaryOp, a: Value, d: DType) -> Result<Value, BackendError> {
        use UnaryOp::*;
        let float = d.is_float();
        Ok(match op {
            Pos => a,
            IsNan => {
                if float {
                    self.is_nan(a)
                } else {
                    self.iconst(types::I8, 0)
                }
            }
            IsInf | IsFinite => {
                if float {
                    let abs = self.b.ins().fabs(a);
                    let inf = if d == DType::F32 {
                        self.b.ins().f32const(f32::INFINITY)
                    } else {
                        self.b.ins().f64const(f64::INFINITY)
                    };
                    let cc = if op == IsInf {
                        FloatCC::Equal
                    } else {
                        FloatCC::LessThan
                    };
                    self.b.ins().fcmp(cc, abs, inf)
                } else {
                    self.iconst(types::I8, (op == IsFinite) as i64)
                }
            }
            Neg if float => self.b.ins().fneg(a),
            Abs if float => self.b.ins().fabs(a),
            Neg | Abs | Sign if d == DType::Bool => a,
            Neg => self.b.ins().ineg(a),
            Abs => {
                if d == DType::U8 {
                    a
                } else {
                    let n = self.b.ins().ineg(a);
                    let c = self.b.ins().icmp_imm(IntCC::SignedLessThan, a, 0);
                    self.b.ins().select(c, n, a)
                }
            }
            Sign if !float => {
                let t = ty(d);
                let one = self.iconst(t, 1);
                let zero = self.iconst(t, 0);
                let minus = self.iconst(t, -1);
                let (gt, lt) = if d == DType::U8 {
                    (IntCC::UnsignedGreaterThan, IntCC::UnsignedLessThan)
                } else {
                    (IntCC::SignedGreaterThan, IntCC::SignedLessThan)
                };
                let is_lt = self.b.ins().icmp_imm(lt, a, 0);
                let neg_or_zero = self.b.ins().select(is_lt, minus, zero);
                let is_gt = self.b.ins().icmp_imm(gt, a, 0);
                self.b.ins().select(is_gt, one, neg_or_zero)
            }
            Invert if d == DType::Bool => self.b.ins().bxor_imm(a, 1),
            Invert if !float => self.b.ins().bnot(a),
            Invert => a,
            Sqrt if float => self.b.ins().sqrt(a),
            Floor if float => self.b.ins().floor(a),
            Ceil if float => self.b.ins().ceil(a),
            Trunc if float => self.b.ins().trunc(a),
            // Integer inputs of float math are converted by the graph; others keep the value.
            _ if !float => a,
            _ => {
                let code = helpers::unary_code(op)
                    .ok_or_else(|| unsupported(format!("{} on {d}", op.name())))?;
                let c = self.iconst(types::I32, code as i64);
                let t = ty(d);
                let f = if d == DType::F32 {
                    helpers::unary_f32 as *const u8
                } else {
                    helpers::unary_f64 as *const u8
                };
                self.call(f, &[types::I32, t], t, &[c, a])
            }
        })
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        a: Value,
        b: Value,
        d: DType,
    ) -> Result<Value, BackendError> {
        use BinaryOp::*;
        let float = d.is_float();
        let signed = matches!(d, DType::I32 | DType::I64);
        if op.is_comparison() {
            return Ok(if float {
                self.b.ins().fcmp(float_cc(op), a, b)
            } else {
                let cc = match (op, signed) {
                    (Eq, _) => IntCC::Equal,
                    (Ne, _) => IntCC::NotEqual,
                    (Lt, true) => IntCC::SignedLessThan,
                    (Le, true) => IntCC::SignedLessThanOrEqual,
                    (Gt, true) => IntCC::SignedGreaterThan,
                    (Ge, true) => IntCC::SignedGreaterThanOrEqual,
                    (Lt, false) => IntCC::UnsignedLessThan,
                    (Le, false) => IntCC::UnsignedLessThanOrEqual,
                    (Gt, false) => IntCC::UnsignedGreaterThan,
                    _ => IntCC::UnsignedGreaterThanOrEqual,
                };
                self.b.ins().icmp(cc, a, b)
            });
        }
        Ok(match op {
            Minimum => self.min_max(false, a, b, d),
            Maximum => self.min_max(true, a, b, d),
            Add if float => self.b.ins().fadd(a, b),
            Sub if float => self.b.ins().fsub(a, b),
            Mul if float => self.b.ins().fmul(a, b),
            Div if float => self.b.ins().fdiv(a, b),
            BitAnd | BitOr | BitXor if float => a,
            Add if d == DType::Bool => self.b.ins().bor(a, b),
            Sub if d == DType::Bool => self.b.ins().bxor(a, b),
            Mul if d == DType::Bool => self.b.ins().band(a, b),
            // Python's floor division by a positive power of two is an arithmetic shift.
            FloorDiv if d == DType::I64 && self.shifts.contains_key(&b) => {
                let k = self.shifts[&b];
                self.b.ins().sshr_imm(a, k)
            }
            Add => self.b.ins().iadd(a, b),
            Sub => self.b.ins().isub(a, b),
            Mul => self.b.ins().imul(a, b),
            BitAnd => self.b.ins().band(a, b),
            BitOr => self.b.ins().bor(a, b),
            BitXor => self.b.ins().bxor(a, b),
            Arctan2 | Hypot if !float => a,
            Pow if float => {
                let t = ty(d);
                let f = if d == DType::F32 {
                    helpers::pow_f32 as *const u8
                } else {
                    helpers::pow_f64 as *const u8
                };
                self.call(f, &[t, t], t, &[a, b])
            }
            _ => {
                let code = helpers::binary_code(op)
                    .ok_or_else(|| unsupported(format!("{} on {d}", op.name())))?;
                let c = self.iconst(types::I32, code as i64);
                if float {
                    let t = ty(d);
                    let f = if d == DType::F32 {
                        helpers::binary_f32 as *const u8
                    } else {
                        helpers::binary_f64 as *const u8
                    };
                    self.call(f, &[types::I32, t, t], t, &[c, a, b])
                } else {
                    let f = match d {
                        DType::I64 => helpers::binary_i64 as *const u8,
                        DType::I32 => helpers::binary_i32 as *const u8,
                        DType::U8 => helpers::binary_u8 as *const u8,
                        _ => helpers::binary_bool as *const u8,
                    };
                    let (wa, wb) = (self.widen(a, d), self.widen(b, d));
                    let r = self.call(
                        f,
                        &[types::I32, types::I64, types::I64],
                        types::I64,
                        &[c, wa, wb],
                    );
                    self.narrow(r, d)
                }
            }
        })
    }

    pub(super) fn apply(
        &mut self,
        op: &MapOp,
        args: &[Value],
        compute: DType,
        out: DType,
        arg_types: &[DType],
    ) -> Result<Value, BackendError> {
        let v = match op {
            MapOp::Unary(u) => self.unary(*u, args[0], compute)?,
            MapOp::Binary(b) => self.binary(*b, args[0], args[1], compute)?,
            MapOp::Where => self.b.ins().select(args[0], args[1], args[2]),
            MapOp::Clip => {
                let lo = self.min_max(true, args[0], args[1], compute);
                self.min_max(false, lo, args[2], compute)
            }
            MapOp::Round(dec) => match compute {
                DType::F64 | DType::F32 => {
                    let d = self.iconst(types::I64, *dec as i64);
                    let t = ty(compute);
                    let f = if compute == DType::F32 {
                        helpers::round_f32 as *const u8
                    } else {
                        helpers::round_f64 as *const u8
                    };
                    self.call(f, &[t, types::I64], t, &[args[0], d])
                }
                _ => args[0],
            },
            MapOp::NanToNum(n, p, m) => match compute {
                DType::F64 | DType::F32 => {
                    let n = self.b.ins().f64const(f64::from_bits(*n));
                    let p = self.b.ins().f64const(f64::from_bits(*p));
                    let m = self.b.ins().f64const(f64::from_bits(*m));
                    let t = ty(compute);
                    let f = if compute == DType::F32 {
                        helpers::nan_to_num_32 as *const u8
                    } else {
                        helpers::nan_to_num_64 as *const u8
                    };
                    self.call(
                        f,
                        &[t, types::F64, types::F64, types::F64],
                        t,
                        &[args[0], n, p, m],
                    )
                }
                _ => args[0],
            },
            MapOp::Cast => args[0],
        };
        // The op's own result dtype, then the conversion to `out` (as the interpreter does).
        let natural = natural_dtype(op, compute, arg_types);
        Ok(self.cast(v, natural, out))
    }
}

/// Compiles `kernel` into `module` and returns the finalised function's address.
///
/// With `pattern` (one `StrideKind` per input view, as the launch will pass them), the
/// function starts with the vector loop (`vector.rs`) for that layout: broadcast inputs are
/// loaded once before the loops, contiguous ones as vectors; the scalar loop then does the
/// last few elements. Without it, the function is the scalar loop alone, for any strides.
pub fn compile(
    module: &mut JITModule,
    kernel: &Kernel,
    pattern: Option<&[StrideKind]>,
) -> Result<*const u8, BackendError> {
    let e = |m: String| BackendError(format!("cranelift: {m}"));
    let ptr = module.target_config().pointer_type();
    let mut ctx = module.make_context();
    for _ in 0..5 {
        ctx.func.signature.params.push(AbiParam::new(types::I64));
    }
    let mut fctx = FunctionBuilderContext::new();
    let b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let mut g = Gen {
        b,
        module,
        ptr,
        shifts: std::collections::HashMap::new(),
    };
    let entry = g.b.create_block();
    let header = g.b.create_block();
    let body = g.b.create_block();
    let exit = g.b.create_block();
    g.b.append_block_params_for_function_params(entry);
    g.b.switch_to_block(entry);
    let p = g.b.block_params(entry).to_vec();
    let (len, ptrs, strides, idx, params) = (p[0], p[1], p[2], p[3], p[4]);
    let flags = MemFlags::trusted();
    let rank = kernel.rank.max(1);
    let n_in = kernel.inputs.len();
    let n_random = kernel
        .body
        .iter()
        .filter(|i| matches!(i, Instr::Random { .. }))
        .count();
    let kind_of = |k: usize| {
        pattern
            .and_then(|p| p.get(k).copied())
            .unwrap_or(StrideKind::Other)
    };
    let slot_ptr = |g: &mut Gen, s: usize| g.b.ins().load(types::I64, flags, ptrs, (8 * s) as i32);
    let slot_stride =
        |g: &mut Gen, s: usize| g.b.ins().load(types::I64, flags, strides, (8 * s) as i32);

    // Loop-invariant values and slot addresses, before the loop.
    let mut pre: Vec<Option<Value>> = vec![None; kernel.body.len()];
    let mut load_slots: Vec<Option<(Value, Value)>> = vec![None; kernel.body.len()];
    let mut slots = Slots {
        base: vec![None; kernel.body.len()],
        kind: vec![StrideKind::Contiguous; kernel.body.len()],
        stride: vec![None; kernel.body.len()],
    };
    let mut random_slot = n_in;
    let inner_base =
        g.b.ins()
            .load(types::I64, flags, idx, (8 * (rank - 1)) as i32);
    let inner_step = g.b.ins().load(types::I64, flags, idx, (8 * rank) as i32);
    for (i, instr) in kernel.body.iter().enumerate() {
        let t = ty(kernel.types[i]);
        match instr {
            Instr::Const(c) => {
                pre[i] = Some(match c {
                    Scalar::F64(bits) => g.b.ins().f64const(f64::from_bits(*bits)),
                    Scalar::F32(bits) => g.b.ins().f32const(f32::from_bits(*bits)),
                    other => {
                        let v = g.b.ins().iconst(t, other.to_bits() as i64);
                        if let Scalar::I64(n) = other
                            && *n > 0
                            && n.count_ones() == 1
                        {
                            g.shifts.insert(v, i64::from(n.trailing_zeros()));
                        }
                        v
                    }
                });
            }
            Instr::Param(k) => {
                let bits = g.b.ins().load(types::I64, flags, params, (8 * k) as i32);
                pre[i] = Some(match kernel.types[i] {
                    DType::F64 => g.b.ins().bitcast(types::F64, MemFlags::new(), bits),
                    DType::F32 => {
                        let low = g.b.ins().ireduce(types::I32, bits);
                        g.b.ins().bitcast(types::F32, MemFlags::new(), low)
                    }
                    DType::I64 => bits,
                    _ => g.b.ins().ireduce(t, bits),
                });
            }
            Instr::Index(a) if *a + 1 < rank => {
                pre[i] = Some(g.b.ins().load(types::I64, flags, idx, (8 * a) as i32));
            }
            Instr::Load(k) => {
                let base = slot_ptr(&mut g, *k);
                let kind = kind_of(*k);
                if kind == StrideKind::Zero {
                    // A broadcast input: one value for the whole tile.
                    pre[i] = Some(g.b.ins().load(t, MemFlags::new(), base, 0));
                } else {
                    let st = slot_stride(&mut g, *k);
                    load_slots[i] = Some((base, st));
                    slots.base[i] = Some(base);
                    slots.kind[i] = kind;
                    slots.stride[i] = Some(st);
                }
            }
            Instr::Random { .. } => {
                let base = slot_ptr(&mut g, random_slot);
                let st = g.b.ins().iconst(types::I64, 8);
                load_slots[i] = Some((base, st));
                slots.base[i] = Some(base);
                random_slot += 1;
            }
            // Operations of loop-invariant values are computed once, before the loop.
            Instr::Apply {
                op,
                args,
                compute,
                out,
            } if args.iter().all(|a| pre[*a].is_some()) => {
                let a: Vec<Value> = args.iter().filter_map(|a| pre[*a]).collect();
                let at: Vec<DType> = args.iter().map(|a| kernel.types[*a]).collect();
                pre[i] = Some(g.apply(op, &a, *compute, *out, &at)?);
            }
            Instr::Cast(v, to) => {
                if let Some(x) = pre[*v] {
                    pre[i] = Some(g.cast(x, kernel.types[*v], *to));
                }
            }
            Instr::Bitcast(v, to) => {
                if let Some(x) = pre[*v] {
                    pre[i] = Some(g.bitcast(x, kernel.types[*v], *to));
                }
            }
            _ => {}
        }
    }
    let outputs = output_values(kernel);
    let mut out_slots = Vec::new();
    for (k, v) in outputs.iter().enumerate() {
        let base = slot_ptr(&mut g, n_in + n_random + k);
        out_slots.push((base, kernel.types[*v]));
    }
    let j = g.b.declare_var(types::I64);
    let zero = g.b.ins().iconst(types::I64, 0);
    g.b.def_var(j, zero);

    if pattern.is_some() {
        // The vector loop: WIDTH elements per iteration while they fit.
        let vheader = g.b.create_block();
        let vbody = g.b.create_block();
        g.b.ins().jump(vheader, &[]);
        g.b.switch_to_block(vheader);
        let jv = g.b.use_var(j);
        let end = g.b.ins().iadd_imm(jv, WIDTH as i64);
        let fits = g.b.ins().icmp(IntCC::SignedLessThanOrEqual, end, len);
        g.b.ins().brif(fits, vbody, &[], header, &[]);
        g.b.switch_to_block(vbody);
        let jv = g.b.use_var(j);
        let mut vals: Vec<Vectored> = Vec::with_capacity(kernel.body.len());
        for (i, invariant) in pre.iter().enumerate() {
            let v = match invariant {
                Some(x) => Vectored::Invariant(*x),
                None => g.vector_instr(kernel, i, &vals, &slots, jv, (inner_base, inner_step))?,
            };
            vals.push(v);
        }
        for ((base, d), v) in out_slots.iter().zip(&outputs) {
            g.vector_store(&vals[*v], *d, *base, jv);
        }
        let next = g.b.ins().iadd_imm(jv, WIDTH as i64);
        g.b.def_var(j, next);
        g.b.ins().jump(vheader, &[]);
    } else {
        g.b.ins().jump(header, &[]);
    }

    g.b.switch_to_block(header);
    let jv = g.b.use_var(j);
    let more = g.b.ins().icmp(IntCC::SignedLessThan, jv, len);
    g.b.ins().brif(more, body, &[], exit, &[]);

    g.b.switch_to_block(body);
    let jv = g.b.use_var(j);
    let mut vals: Vec<Value> = Vec::with_capacity(kernel.body.len());
    for (i, instr) in kernel.body.iter().enumerate() {
        let d = kernel.types[i];
        if let Some(v) = pre[i] {
            vals.push(v);
            continue;
        }
        let v = match instr {
            Instr::Const(_) | Instr::Param(_) => return Err(e("lost a constant".into())),
            Instr::Index(_) => {
                let off = g.b.ins().imul(jv, inner_step);
                g.b.ins().iadd(inner_base, off)
            }
            Instr::Load(_) | Instr::Random { .. } => {
                let (base, st) = load_slots[i].ok_or_else(|| e("lost a load".into()))?;
                let off = g.b.ins().imul(jv, st);
                let addr = g.b.ins().iadd(base, off);
                let t = match instr {
                    Instr::Random {
                        dist: RandomDist::Integers { .. },
                        ..
                    } => types::I64,
                    Instr::Random { .. } => types::F64,
                    _ => ty(d),
                };
                g.b.ins().load(t, MemFlags::new(), addr, 0)
            }
            Instr::Apply {
                op,
                args,
                compute,
                out,
            } => {
                let a: Vec<Value> = args.iter().map(|a| vals[*a]).collect();
                let at: Vec<DType> = args.iter().map(|a| kernel.types[*a]).collect();
                g.apply(op, &a, *compute, *out, &at)?
            }
            Instr::Cast(v, to) => g.cast(vals[*v], kernel.types[*v], *to),
            Instr::Bitcast(v, to) => g.bitcast(vals[*v], kernel.types[*v], *to),
        };
        vals.push(v);
    }
    for ((base, d), v) in out_slots.iter().zip(&outputs) {
        let size = g.b.ins().iconst(types::I64, d.size() as i64);
        let off = g.b.ins().imul(jv, size);
        let addr = g.b.ins().iadd(*base, off);
        g.b.ins().store(MemFlags::new(), vals[*v], addr, 0);
    }
    let next = g.b.ins().iadd_imm(jv, 1);
    g.b.def_var(j, next);
    g.b.ins().jump(header, &[]);

    g.b.switch_to_block(exit);
    g.b.ins().return_(&[]);
    g.b.seal_all_blocks();
    g.b.finalize();

    let id = module
        .declare_anonymous_function(&ctx.func.signature)
        .map_err(|x| e(x.to_string()))?;
    module
        .define_function(id, &mut ctx)
        .map_err(|x| e(format!("{x:?}")))?;
    module.clear_context(&mut ctx);
    module
        .finalize_definitions()
        .map_err(|x| e(x.to_string()))?;
    let _ = Linkage::Local;
    Ok(module.get_finalized_function(id))
}
