//! The random generators as ordinary kernel IR: `expand` replaces every `Random` instruction
//! of a kernel by the arithmetic that computes it — the flat index from the region's indices,
//! Philox4x32-10 on 32-bit words, and the normal (Box–Muller with fdlibm's logarithm and a
//! quarter-turn sine/cosine), uniform (53 bits) or integers (a 64 × 64 → 128-bit multiply)
//! transform — operation for operation as `kernel::philox` computes it, so every backend that
//! runs the expanded kernel gives the same bits as the CPU's vectorised fill routines.
//!
//! The IR has no unsigned types: 32-bit words and 64-bit unsigned values are carried in `i64`
//! values (their bits); a logical right shift by `k` is a floor division by 2^k followed by a
//! mask, a left shift a wrapping multiply by 2^k, and `Bitcast` reads a float's bits. The CPU
//! backends keep calling the vectorised fill routines for `Random` (an L1-sized tile at a
//! time, the generator "intrinsic"): they are several times faster than this arithmetic
//! compiled element by element. The CUDA generator emits the expansion; tests check that the
//! expansion and the fill routines agree bitwise.

use crate::kernel::ir::{Instr, Kernel, RandomDist, Scalar, Sink, ValueId};
use crate::kernel::philox::{
    COS, LG, LN2_HI, LN2_LO, MUL0, MUL1, SIN, TAG_INTEGERS, TAG_NORMAL, TAG_UNIFORM, TURN_UNIT,
    TWO_POW_MINUS_53, WEYL0, WEYL1,
};
use crate::kernel::{BinaryOp, MapOp, UnaryOp};
use crate::sema::dtype::DType;
use std::collections::HashMap;

/// The low 32 bits.
const LOW32: i64 = 0xffff_ffff;

/// `kernel` with every `Random` instruction replaced by its arithmetic (the same values;
/// other instructions, parameters and sinks unchanged).
pub fn expand(kernel: &Kernel) -> Kernel {
    if !kernel
        .body
        .iter()
        .any(|i| matches!(i, Instr::Random { .. }))
    {
        return kernel.clone();
    }
    let mut b = Builder {
        k: Kernel::new(kernel.rank, kernel.inputs.clone()),
        consts: HashMap::new(),
    };
    b.k.params = kernel.params.clone();
    let mut map: Vec<ValueId> = Vec::with_capacity(kernel.body.len());
    for instr in &kernel.body {
        let v = match instr {
            Instr::Random {
                dist,
                seed,
                stream,
                flat,
            } => b.random(*dist, *seed, *stream, flat),
            Instr::Apply {
                op,
                args,
                compute,
                out,
            } => b.k.push(Instr::Apply {
                op: *op,
                args: args.iter().map(|a| map[*a]).collect(),
                compute: *compute,
                out: *out,
            }),
            Instr::Cast(v, d) => b.k.push(Instr::Cast(map[*v], *d)),
            Instr::Bitcast(v, d) => b.k.push(Instr::Bitcast(map[*v], *d)),
            other => b.k.push(other.clone()),
        };
        map.push(v);
    }
    b.k.sinks = kernel
        .sinks
        .iter()
        .map(|s| match s {
            Sink::Store(v) => Sink::Store(map[*v]),
            Sink::Reduce { op, value } => Sink::Reduce {
                op: *op,
                value: map[*value],
            },
        })
        .collect();
    b.k
}

/// Appends instructions to a kernel, sharing constants.
struct Builder {
    k: Kernel,
    consts: HashMap<Scalar, ValueId>,
}

impl Builder {
    fn c(&mut self, s: Scalar) -> ValueId {
        if let Some(v) = self.consts.get(&s) {
            return *v;
        }
        let v = self.k.push(Instr::Const(s));
        self.consts.insert(s, v);
        v
    }

    fn int(&mut self, v: i64) -> ValueId {
        self.c(Scalar::I64(v))
    }

    fn float(&mut self, v: f64) -> ValueId {
        self.c(Scalar::f64(v))
    }

    fn op(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        let compute = self.k.types[a];
        let out = if op.is_comparison() {
            DType::Bool
        } else {
            compute
        };
        self.k.push(Instr::Apply {
            op: MapOp::Binary(op),
            args: vec![a, b],
            compute,
            out,
        })
    }

    fn add(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.op(BinaryOp::Add, a, b)
    }

    fn sub(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.op(BinaryOp::Sub, a, b)
    }

    fn mul(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.op(BinaryOp::Mul, a, b)
    }

    fn xor(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.op(BinaryOp::BitXor, a, b)
    }

    fn and_const(&mut self, a: ValueId, mask: i64) -> ValueId {
        let m = self.int(mask);
        self.op(BinaryOp::BitAnd, a, m)
    }

    fn add_const(&mut self, a: ValueId, c: i64) -> ValueId {
        let c = self.int(c);
        self.add(a, c)
    }

    /// The low 32 bits of `a`.
    fn lo32(&mut self, a: ValueId) -> ValueId {
        self.and_const(a, LOW32)
    }

    /// `a >> k` of `a`'s bits as an unsigned 64-bit number (0 < k < 63): a floor division
    /// (an arithmetic shift) and a mask of the `64 - k` low bits.
    fn shr(&mut self, a: ValueId, k: u32) -> ValueId {
        let d = self.int(1i64 << k);
        let q = self.op(BinaryOp::FloorDiv, a, d);
        self.and_const(q, (u64::MAX >> k) as i64)
    }

    /// `a << k` (wrapping), for k < 63.
    fn shl(&mut self, a: ValueId, k: u32) -> ValueId {
        let m = self.int(1i64 << k);
        self.mul(a, m)
    }

    fn fop(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        self.op(op, a, b)
    }

    fn fmul(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.fop(BinaryOp::Mul, a, b)
    }

    fn fadd(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.fop(BinaryOp::Add, a, b)
    }

    fn fsub(&mut self, a: ValueId, b: ValueId) -> ValueId {
        self.fop(BinaryOp::Sub, a, b)
    }

    fn fmul_c(&mut self, c: f64, a: ValueId) -> ValueId {
        let c = self.float(c);
        self.fmul(c, a)
    }

    /// `c + a` with a constant `c`.
    fn c_plus(&mut self, c: f64, a: ValueId) -> ValueId {
        let c = self.float(c);
        self.fadd(c, a)
    }

    fn unary(&mut self, op: UnaryOp, a: ValueId) -> ValueId {
        let d = self.k.types[a];
        self.k.push(Instr::Apply {
            op: MapOp::Unary(op),
            args: vec![a],
            compute: d,
            out: d,
        })
    }

    fn select(&mut self, cond: ValueId, a: ValueId, b: ValueId) -> ValueId {
        let d = self.k.types[a];
        self.k.push(Instr::Apply {
            op: MapOp::Where,
            args: vec![cond, a, b],
            compute: d,
            out: d,
        })
    }

    /// Whether `a & bit` is set.
    fn bit_set(&mut self, a: ValueId, bit: i64) -> ValueId {
        let m = self.and_const(a, bit);
        let zero = self.int(0);
        self.op(BinaryOp::Ne, m, zero)
    }

    fn as_float(&mut self, a: ValueId) -> ValueId {
        self.k.push(Instr::Cast(a, DType::F64))
    }

    /// Philox4x32-10 of the counter `c` under the key `key` (`philox::philox4x32_10`).
    fn philox(&mut self, c: [ValueId; 4], key: [ValueId; 2]) -> [ValueId; 4] {
        let [mut x0, mut x1, mut x2, mut x3] = c;
        let (mul0, mul1) = (self.int(i64::from(MUL0)), self.int(i64::from(MUL1)));
        let mut k0 = key[0];
        let mut k1 = key[1];
        for round in 0..10 {
            if round > 0 {
                let a = self.add_const(k0, i64::from(WEYL0));
                k0 = self.lo32(a);
                let b = self.add_const(k1, i64::from(WEYL1));
                k1 = self.lo32(b);
            }
            let p0 = self.mul(x0, mul0);
            let p1 = self.mul(x2, mul1);
            let h1 = self.shr(p1, 32);
            let t = self.xor(h1, x1);
            let n0 = self.xor(t, k0);
            let n1 = self.lo32(p1);
            let h0 = self.shr(p0, 32);
            let t = self.xor(h0, x3);
            let n2 = self.xor(t, k1);
            let n3 = self.lo32(p0);
            (x0, x1, x2, x3) = (n0, n1, n2, n3);
        }
        [x0, x1, x2, x3]
    }

    /// `philox::bits53`: `(hi << 21) ^ (lo >> 11)`.
    fn bits53(&mut self, hi: ValueId, lo: ValueId) -> ValueId {
        let a = self.shl(hi, 21);
        let b = self.shr(lo, 11);
        self.xor(a, b)
    }

    /// `philox::unit53`.
    fn unit53(&mut self, hi: ValueId, lo: ValueId) -> ValueId {
        let n = self.bits53(hi, lo);
        let top = self.shr(n, 32);
        let top = self.as_float(top);
        let upper = self.fmul_c(4_294_967_296.0, top);
        let low = self.lo32(n);
        let low = self.as_float(low);
        let sum = self.fadd(upper, low);
        self.fmul_c(TWO_POW_MINUS_53, sum)
    }

    /// `philox::ln_normal`.
    fn ln_normal(&mut self, x: ValueId) -> ValueId {
        let bits = self.k.push(Instr::Bitcast(x, DType::I64));
        let high = self.shr(bits, 32);
        let high = self.add_const(high, 0x3ff0_0000 - 0x3fe6_a09e);
        let high = self.lo32(high);
        let k = self.shr(high, 20);
        let k = self.add_const(k, -0x3ff);
        let high = self.and_const(high, 0x000f_ffff);
        let high = self.add_const(high, 0x3fe6_a09e);
        let top = self.shl(high, 32);
        let low = self.lo32(bits);
        let m_bits = self.op(BinaryOp::BitOr, top, low);
        let m = self.k.push(Instr::Bitcast(m_bits, DType::F64));
        let one = self.float(1.0);
        let f = self.fsub(m, one);
        let half_f = self.fmul_c(0.5, f);
        let hfsq = self.fmul(half_f, f);
        let two_f = self.c_plus(2.0, f);
        let s = self.fop(BinaryOp::Div, f, two_f);
        let z = self.fmul(s, s);
        let w = self.fmul(z, z);
        // t1 = w * (LG[1] + w * (LG[3] + w * LG[5])); products commute bitwise, sums are
        // associated as in the Rust source.
        let a = self.fmul_c(LG[5], w);
        let a = self.c_plus(LG[3], a);
        let a = self.fmul(w, a);
        let a = self.c_plus(LG[1], a);
        let t1 = self.fmul(w, a);
        // t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])))
        let b = self.fmul_c(LG[6], w);
        let b = self.c_plus(LG[4], b);
        let b = self.fmul(w, b);
        let b = self.c_plus(LG[2], b);
        let b = self.fmul(w, b);
        let b = self.c_plus(LG[0], b);
        let t2 = self.fmul(z, b);
        let r = self.fadd(t2, t1);
        let dk = self.as_float(k);
        // s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI, left to right.
        let hr = self.fadd(hfsq, r);
        let a = self.fmul(s, hr);
        let lo = self.fmul_c(LN2_LO, dk);
        let a = self.fadd(a, lo);
        let a = self.fsub(a, hfsq);
        let a = self.fadd(a, f);
        let hi = self.fmul_c(LN2_HI, dk);
        self.fadd(a, hi)
    }

    /// `philox::sin_kernel`.
    fn sin_kernel(&mut self, x: ValueId) -> ValueId {
        let z = self.fmul(x, x);
        let w = self.fmul(z, z);
        // r = SIN[1] + z * (SIN[2] + z * SIN[3]) + z * w * (SIN[4] + z * SIN[5])
        let a = self.fmul_c(SIN[3], z);
        let a = self.c_plus(SIN[2], a);
        let a = self.fmul(z, a);
        let a = self.c_plus(SIN[1], a);
        let b = self.fmul_c(SIN[5], z);
        let b = self.c_plus(SIN[4], b);
        let zw = self.fmul(z, w);
        let b = self.fmul(zw, b);
        let r = self.fadd(a, b);
        let v = self.fmul(z, x);
        // x + v * (SIN[0] + z * r)
        let zr = self.fmul(z, r);
        let t = self.c_plus(SIN[0], zr);
        let t = self.fmul(v, t);
        self.fadd(x, t)
    }

    /// `philox::cos_kernel`.
    fn cos_kernel(&mut self, x: ValueId) -> ValueId {
        let z = self.fmul(x, x);
        let w = self.fmul(z, z);
        // r = z * (COS[0] + z * (COS[1] + z * COS[2])) + w * w * (COS[3] + z * (COS[4] + z * COS[5]))
        let a = self.fmul_c(COS[2], z);
        let a = self.c_plus(COS[1], a);
        let a = self.fmul(z, a);
        let a = self.c_plus(COS[0], a);
        let a = self.fmul(z, a);
        let b = self.fmul_c(COS[5], z);
        let b = self.c_plus(COS[4], b);
        let b = self.fmul(z, b);
        let b = self.c_plus(COS[3], b);
        let ww = self.fmul(w, w);
        let b = self.fmul(ww, b);
        let r = self.fadd(a, b);
        let hz = self.fmul_c(0.5, z);
        let one = self.float(1.0);
        let w = self.fsub(one, hz);
        // w + (((1 - w) - hz) + z * r)
        let t = self.fsub(one, w);
        let t = self.fsub(t, hz);
        let zr = self.fmul(z, r);
        let t = self.fadd(t, zr);
        self.fadd(w, t)
    }

    /// `philox::sin_cos_turn`: (sin θ, cos θ) for θ = 2π n / 2^53.
    fn sin_cos_turn(&mut self, n: ValueId) -> (ValueId, ValueId) {
        let q = self.add_const(n, 1 << 50);
        let quadrant = self.shr(q, 51);
        let back = self.shl(quadrant, 51);
        let rest = self.sub(n, back);
        let rest = self.add_const(rest, 1 << 51);
        let rest = self.as_float(rest);
        let c = self.float(2_251_799_813_685_248.0);
        let x = self.fsub(rest, c);
        let x = self.fmul_c(TURN_UNIT, x);
        let s = self.sin_kernel(x);
        let c = self.cos_kernel(x);
        let odd = self.bit_set(quadrant, 1);
        let sin = self.select(odd, c, s);
        let cos = self.select(odd, s, c);
        let sin_neg = self.bit_set(quadrant, 2);
        let q1 = self.add_const(quadrant, 1);
        let cos_neg = self.bit_set(q1, 2);
        let minus_sin = self.unary(UnaryOp::Neg, sin);
        let minus_cos = self.unary(UnaryOp::Neg, cos);
        (
            self.select(sin_neg, minus_sin, sin),
            self.select(cos_neg, minus_cos, cos),
        )
    }

    /// The high 64 bits of the 128-bit product of two 64-bit unsigned values.
    fn mul_high(&mut self, a: ValueId, b: ValueId) -> ValueId {
        let al = self.lo32(a);
        let ah = self.shr(a, 32);
        let bl = self.lo32(b);
        let bh = self.shr(b, 32);
        let t = self.mul(al, bl);
        let t_hi = self.shr(t, 32);
        let m1 = self.mul(ah, bl);
        let m1 = self.add(m1, t_hi);
        let m1_lo = self.lo32(m1);
        let m2 = self.mul(al, bh);
        let m2 = self.add(m2, m1_lo);
        let hh = self.mul(ah, bh);
        let m1_hi = self.shr(m1, 32);
        let m2_hi = self.shr(m2, 32);
        let s = self.add(hh, m1_hi);
        self.add(s, m2_hi)
    }

    /// `philox::scale_integer` of the word `hi:lo` into [low, high), or `low` when the range
    /// is empty.
    fn integer(&mut self, hi: ValueId, lo: ValueId, low: ValueId, high: ValueId) -> ValueId {
        let top = self.shl(hi, 32);
        let word = self.op(BinaryOp::BitOr, top, lo);
        let span = self.sub(high, low);
        let offset = self.mul_high(word, span);
        let value = self.add(low, offset);
        let empty = self.op(BinaryOp::Le, high, low);
        self.select(empty, low, value)
    }

    /// One `Random` instruction's value.
    fn random(&mut self, dist: RandomDist, seed: usize, stream: usize, flat: &[i64]) -> ValueId {
        // The flat index: flat[0] + Σ flat[1 + a] * index(a), wrapping.
        let mut idx = self.int(flat[0]);
        for (a, f) in flat.iter().skip(1).enumerate() {
            if *f != 0 {
                let at = self.k.push(Instr::Index(a));
                let f = self.int(*f);
                let term = self.mul(f, at);
                idx = self.add(idx, term);
            }
        }
        let seed = self.k.push(Instr::Param(seed));
        let stream = self.k.push(Instr::Param(stream));
        let pair = self.shr(idx, 1);
        let odd = self.bit_set(idx, 1);
        let tag = match dist {
            RandomDist::Normal => TAG_NORMAL,
            RandomDist::Uniform => TAG_UNIFORM,
            RandomDist::Integers { .. } => TAG_INTEGERS,
        };
        let c0 = self.lo32(pair);
        let c1 = self.shr(pair, 32);
        let c2 = self.lo32(stream);
        let c3 = self.int(i64::from(tag));
        let k0 = self.lo32(seed);
        let k1 = self.shr(seed, 32);
        let [w0, w1, w2, w3] = self.philox([c0, c1, c2, c3], [k0, k1]);
        match dist {
            RandomDist::Normal => {
                let ua = self.unit53(w0, w1);
                let one = self.float(1.0);
                let arg = self.fsub(one, ua);
                let ln = self.ln_normal(arg);
                let ln = self.unary(UnaryOp::Abs, ln);
                let two_ln = self.fmul_c(2.0, ln);
                let radius = self.unary(UnaryOp::Sqrt, two_ln);
                let turn = self.bits53(w2, w3);
                let (sin, cos) = self.sin_cos_turn(turn);
                let even_v = self.fmul(radius, cos);
                let odd_v = self.fmul(radius, sin);
                self.select(odd, odd_v, even_v)
            }
            RandomDist::Uniform => {
                let even_v = self.unit53(w0, w1);
                let odd_v = self.unit53(w2, w3);
                self.select(odd, odd_v, even_v)
            }
            RandomDist::Integers { low, high } => {
                let low = self.k.push(Instr::Param(low));
                let high = self.k.push(Instr::Param(high));
                let even_v = self.integer(w0, w1, low, high);
                let odd_v = self.integer(w2, w3, low, high);
                self.select(odd, odd_v, even_v)
            }
        }
    }
}
