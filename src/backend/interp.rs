//! The tile interpreter: runs a kernel's instructions one at a time over tiles of a few
//! thousand elements, so intermediates stay in L1/L2 and no chunk-sized temporaries exist.

use crate::backend::Backend;
use crate::backend::scalar::{Arith, FloatMath, maximum, minimum};
use crate::data::{Data, Element, convert};
use crate::kernel::{BinaryOp, Instr, Kernel, MapOp, UnaryOp};
use crate::sema::dtype::DType;
use ndarray::{ArrayD, IxDyn};

/// Elements per tile.
pub const TILE_LEN: usize = 4096;

/// The tile interpreter backend.
pub struct Interp;

/// One tile of one SSA value.
#[derive(Clone, Debug)]
enum Buf {
    Bool(Vec<bool>),
    U8(Vec<u8>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

macro_rules! with_buf {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            Buf::Bool($v) => $body,
            Buf::U8($v) => $body,
            Buf::I32($v) => $body,
            Buf::I64($v) => $body,
            Buf::F32($v) => $body,
            Buf::F64($v) => $body,
        }
    };
}

trait IntoBuf: Element {
    fn into_buf(v: Vec<Self>) -> Buf;
    fn slice_of(b: &Buf) -> &[Self];
}

macro_rules! into_buf {
    ($t:ty, $variant:ident) => {
        impl IntoBuf for $t {
            fn into_buf(v: Vec<Self>) -> Buf {
                Buf::$variant(v)
            }
            fn slice_of(b: &Buf) -> &[Self] {
                match b {
                    Buf::$variant(v) => v,
                    _ => &[],
                }
            }
        }
    };
}
into_buf!(bool, Bool);
into_buf!(u8, U8);
into_buf!(i32, I32);
into_buf!(i64, I64);
into_buf!(f32, F32);
into_buf!(f64, F64);

fn cast_buf(buf: &Buf, dtype: DType) -> Buf {
    fn go<S: Element>(v: &[S], dtype: DType) -> Buf {
        match dtype {
            DType::Bool => Buf::Bool(v.iter().map(|x| convert(*x)).collect()),
            DType::U8 => Buf::U8(v.iter().map(|x| convert(*x)).collect()),
            DType::I32 => Buf::I32(v.iter().map(|x| convert(*x)).collect()),
            DType::I64 => Buf::I64(v.iter().map(|x| convert(*x)).collect()),
            DType::F32 => Buf::F32(v.iter().map(|x| convert(*x)).collect()),
            DType::F64 => Buf::F64(v.iter().map(|x| convert(*x)).collect()),
        }
    }
    with_buf!(buf, v => go(v, dtype))
}

/// Loads elements `lo..hi` (row-major over `shape`) of an input that broadcasts to `shape`
/// (right-aligned; its length-1 and missing axes repeat). Broadcast inputs are read in
/// place, one run along the last axis at a time: they are never expanded in memory.
fn load(data: &Data, shape: &[usize], lo: usize, hi: usize) -> Buf {
    fn go<T: IntoBuf>(a: &ArrayD<T>, shape: &[usize], lo: usize, hi: usize) -> Buf {
        if a.len() == 1 {
            // A single value broadcasts over the whole tile.
            return T::into_buf(vec![*a.iter().next().expect("one element"); hi - lo]);
        }
        let flat: &[T] = a
            .as_slice()
            .expect("run_kernel makes every input standard layout");
        if a.shape() == shape {
            return T::into_buf(flat[lo..hi].to_vec());
        }
        // (length, stride) of each output axis for this input: stride 0 where it is
        // broadcast. Neighbouring axes that are both broadcast, or contiguous in the input,
        // merge, so runs along the last axis are as long as they can be.
        let nd = shape.len();
        let off = nd - a.ndim();
        let mut axes: Vec<(usize, usize)> = Vec::with_capacity(nd);
        let mut acc = 1;
        let mut raw = vec![(0usize, 0usize); nd];
        for k in (0..nd).rev() {
            let mut st = 0;
            if k >= off {
                let n = a.shape()[k - off];
                if !(n == 1 && shape[k] != 1) {
                    st = acc;
                }
                acc *= n;
            }
            raw[k] = (shape[k], st);
        }
        for (len, st) in raw {
            if len == 1 {
                continue;
            }
            match axes.last_mut() {
                Some((plen, pst)) if (*pst == 0 && st == 0) || (st != 0 && *pst == st * len) => {
                    *plen *= len;
                    *pst = st;
                }
                _ => axes.push((len, st)),
            }
        }
        if axes.is_empty() {
            axes.push((1, 0));
        }
        let m = axes.len();
        let (last, last_st) = axes[m - 1];
        // The multi-index of `lo` over the merged axes, and its offset in the input.
        let mut idx = vec![0usize; m];
        let mut rem = lo;
        for k in (0..m).rev() {
            idx[k] = rem % axes[k].0;
            rem /= axes[k].0;
        }
        let mut base: usize = idx[..m - 1]
            .iter()
            .zip(&axes[..m - 1])
            .map(|(i, (_, s))| i * s)
            .sum();
        let mut out = Vec::with_capacity(hi - lo);
        let mut pos = lo;
        let mut col = idx[m - 1];
        while pos < hi {
            let run = (last - col).min(hi - pos);
            if last_st == 0 {
                out.extend(std::iter::repeat_n(flat[base], run));
            } else {
                let from = base + col * last_st;
                out.extend_from_slice(&flat[from..from + run]);
            }
            pos += run;
            col += run;
            if col < last {
                continue;
            }
            // Next row: advance the outer axes, carrying, and update the base offset.
            col = 0;
            let mut k = m - 1;
            while k > 0 {
                k -= 1;
                idx[k] += 1;
                base += axes[k].1;
                if idx[k] < axes[k].0 {
                    break;
                }
                base -= axes[k].1 * axes[k].0;
                idx[k] = 0;
            }
        }
        T::into_buf(out)
    }
    with_data!(data, a => go(a, shape, lo, hi))
}

fn unary_generic<T: Arith + IntoBuf>(op: UnaryOp, v: &[T]) -> Buf {
    use UnaryOp::*;
    match op {
        IsNan => Buf::Bool(v.iter().map(|x| T::is_nan(*x)).collect()),
        IsInf => Buf::Bool(
            v.iter()
                .map(|x| T::DTYPE.is_float() && x.to_f64().is_infinite())
                .collect(),
        ),
        IsFinite => Buf::Bool(
            v.iter()
                .map(|x| !T::DTYPE.is_float() || x.to_f64().is_finite())
                .collect(),
        ),
        Neg => T::into_buf(v.iter().map(|x| T::neg(*x)).collect()),
        Abs => T::into_buf(v.iter().map(|x| T::abs(*x)).collect()),
        Sign => T::into_buf(v.iter().map(|x| T::sign(*x)).collect()),
        Invert => T::into_buf(v.iter().map(|x| T::invert(*x)).collect()),
        _ => T::into_buf(v.to_vec()),
    }
}

fn unary_float<T: FloatMath + IntoBuf>(op: UnaryOp, v: &[T]) -> Buf {
    use UnaryOp::*;
    match op {
        Floor | Ceil | Trunc | Rint => T::into_buf(v.iter().map(|x| T::math(op, *x)).collect()),
        _ if op.is_float_math() => T::into_buf(v.iter().map(|x| T::math(op, *x)).collect()),
        _ => unary_generic(op, v),
    }
}

fn unary(op: UnaryOp, buf: &Buf) -> Buf {
    match buf {
        Buf::F32(v) => unary_float(op, v),
        Buf::F64(v) => unary_float(op, v),
        Buf::Bool(v) => unary_generic(op, v),
        Buf::U8(v) => unary_generic(op, v),
        Buf::I32(v) => unary_generic(op, v),
        Buf::I64(v) => unary_generic(op, v),
    }
}

fn zip_map<T: Copy, U>(a: &[T], b: &[T], f: impl Fn(T, T) -> U) -> Vec<U> {
    a.iter().zip(b).map(|(x, y)| f(*x, *y)).collect()
}

fn binary_generic<T: Arith + IntoBuf>(op: BinaryOp, a: &[T], b: &[T]) -> Buf {
    use BinaryOp::*;
    match op {
        Add => T::into_buf(zip_map(a, b, T::add)),
        Sub => T::into_buf(zip_map(a, b, T::sub)),
        Mul => T::into_buf(zip_map(a, b, T::mul)),
        Div => T::into_buf(zip_map(a, b, T::div)),
        FloorDiv => T::into_buf(zip_map(a, b, T::floordiv)),
        Mod => T::into_buf(zip_map(a, b, T::modulo)),
        Pow => T::into_buf(zip_map(a, b, T::pow)),
        Minimum => T::into_buf(zip_map(a, b, minimum)),
        Maximum => T::into_buf(zip_map(a, b, maximum)),
        BitAnd => T::into_buf(zip_map(a, b, T::bitand)),
        BitOr => T::into_buf(zip_map(a, b, T::bitor)),
        BitXor => T::into_buf(zip_map(a, b, T::bitxor)),
        Eq => Buf::Bool(zip_map(a, b, |x, y| x == y)),
        Ne => Buf::Bool(zip_map(a, b, |x, y| x != y)),
        Lt => Buf::Bool(zip_map(a, b, |x, y| x < y)),
        Le => Buf::Bool(zip_map(a, b, |x, y| x <= y)),
        Gt => Buf::Bool(zip_map(a, b, |x, y| x > y)),
        Ge => Buf::Bool(zip_map(a, b, |x, y| x >= y)),
        Arctan2 | Hypot => T::into_buf(a.to_vec()),
    }
}

fn binary_float<T: FloatMath + IntoBuf>(op: BinaryOp, a: &[T], b: &[T]) -> Buf {
    match op {
        BinaryOp::Arctan2 => T::into_buf(zip_map(a, b, T::atan2)),
        BinaryOp::Hypot => T::into_buf(zip_map(a, b, T::hypot)),
        _ => binary_generic(op, a, b),
    }
}

fn binary(op: BinaryOp, a: &Buf, b: &Buf) -> Buf {
    match a {
        Buf::F32(x) => binary_float(op, x, f32::slice_of(b)),
        Buf::F64(x) => binary_float(op, x, f64::slice_of(b)),
        Buf::Bool(x) => binary_generic(op, x, bool::slice_of(b)),
        Buf::U8(x) => binary_generic(op, x, u8::slice_of(b)),
        Buf::I32(x) => binary_generic(op, x, i32::slice_of(b)),
        Buf::I64(x) => binary_generic(op, x, i64::slice_of(b)),
    }
}

fn select(cond: &Buf, a: &Buf, b: &Buf) -> Buf {
    let c = bool::slice_of(cond);
    fn go<T: IntoBuf>(c: &[bool], a: &[T], b: &[T]) -> Buf {
        T::into_buf(
            c.iter()
                .zip(a.iter().zip(b))
                .map(|(c, (x, y))| if *c { *x } else { *y })
                .collect(),
        )
    }
    match a {
        Buf::Bool(x) => go(c, x, bool::slice_of(b)),
        Buf::U8(x) => go(c, x, u8::slice_of(b)),
        Buf::I32(x) => go(c, x, i32::slice_of(b)),
        Buf::I64(x) => go(c, x, i64::slice_of(b)),
        Buf::F32(x) => go(c, x, f32::slice_of(b)),
        Buf::F64(x) => go(c, x, f64::slice_of(b)),
    }
}

fn clip(x: &Buf, lo: &Buf, hi: &Buf) -> Buf {
    fn go<T: Arith + IntoBuf>(x: &[T], lo: &[T], hi: &[T]) -> Buf {
        T::into_buf(
            x.iter()
                .zip(lo.iter().zip(hi))
                .map(|(x, (l, h))| minimum(maximum(*x, *l), *h))
                .collect(),
        )
    }
    match x {
        Buf::Bool(v) => go(v, bool::slice_of(lo), bool::slice_of(hi)),
        Buf::U8(v) => go(v, u8::slice_of(lo), u8::slice_of(hi)),
        Buf::I32(v) => go(v, i32::slice_of(lo), i32::slice_of(hi)),
        Buf::I64(v) => go(v, i64::slice_of(lo), i64::slice_of(hi)),
        Buf::F32(v) => go(v, f32::slice_of(lo), f32::slice_of(hi)),
        Buf::F64(v) => go(v, f64::slice_of(lo), f64::slice_of(hi)),
    }
}

fn round(x: &Buf, decimals: i32) -> Buf {
    match x {
        Buf::F32(v) => Buf::F32(
            v.iter()
                .map(|a| f32::round_decimals(*a, decimals))
                .collect(),
        ),
        Buf::F64(v) => Buf::F64(
            v.iter()
                .map(|a| f64::round_decimals(*a, decimals))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn nan_to_num(x: &Buf, nan: f64, posinf: f64, neginf: f64) -> Buf {
    fn fix(a: f64, nan: f64, posinf: f64, neginf: f64) -> f64 {
        if a.is_nan() {
            nan
        } else if a == f64::INFINITY {
            posinf
        } else if a == f64::NEG_INFINITY {
            neginf
        } else {
            a
        }
    }
    match x {
        Buf::F32(v) => Buf::F32(
            v.iter()
                .map(|a| {
                    let big = f32::MAX as f64;
                    fix(*a as f64, nan, posinf.min(big), neginf.max(-big)) as f32
                })
                .collect(),
        ),
        Buf::F64(v) => Buf::F64(v.iter().map(|a| fix(*a, nan, posinf, neginf)).collect()),
        other => other.clone(),
    }
}

fn apply(op: &MapOp, args: &[&Buf], out: DType) -> Buf {
    let result = match op {
        MapOp::Unary(u) => unary(*u, args[0]),
        MapOp::Binary(b) => binary(*b, args[0], args[1]),
        MapOp::Where => select(args[0], args[1], args[2]),
        MapOp::Clip => clip(args[0], args[1], args[2]),
        MapOp::Round(d) => round(args[0], *d),
        MapOp::NanToNum(n, p, m) => nan_to_num(args[0], *n, *p, *m),
        MapOp::Cast => args[0].clone(),
    };
    if buf_dtype(&result) == out {
        result
    } else {
        cast_buf(&result, out)
    }
}

fn buf_dtype(b: &Buf) -> DType {
    match b {
        Buf::Bool(_) => DType::Bool,
        Buf::U8(_) => DType::U8,
        Buf::I32(_) => DType::I32,
        Buf::I64(_) => DType::I64,
        Buf::F32(_) => DType::F32,
        Buf::F64(_) => DType::F64,
    }
}

fn append(out: &mut Buf, tile: Buf) {
    match (out, tile) {
        (Buf::Bool(o), Buf::Bool(t)) => o.extend(t),
        (Buf::U8(o), Buf::U8(t)) => o.extend(t),
        (Buf::I32(o), Buf::I32(t)) => o.extend(t),
        (Buf::I64(o), Buf::I64(t)) => o.extend(t),
        (Buf::F32(o), Buf::F32(t)) => o.extend(t),
        (Buf::F64(o), Buf::F64(t)) => o.extend(t),
        _ => {}
    }
}

fn empty_buf(dtype: DType, cap: usize) -> Buf {
    match dtype {
        DType::Bool => Buf::Bool(Vec::with_capacity(cap)),
        DType::U8 => Buf::U8(Vec::with_capacity(cap)),
        DType::I32 => Buf::I32(Vec::with_capacity(cap)),
        DType::I64 => Buf::I64(Vec::with_capacity(cap)),
        DType::F32 => Buf::F32(Vec::with_capacity(cap)),
        DType::F64 => Buf::F64(Vec::with_capacity(cap)),
    }
}

impl Backend for Interp {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn run_kernel(&self, kernel: &Kernel, inputs: &[Data], shape: &[usize]) -> Data {
        // Tiles read inputs as flat slices: an input not in standard layout is made so once
        // here, not once per tile.
        let inputs: Vec<std::borrow::Cow<Data>> = inputs
            .iter()
            .map(|d| {
                if with_data!(d, a => a.is_standard_layout()) {
                    std::borrow::Cow::Borrowed(d)
                } else {
                    std::borrow::Cow::Owned(
                        map_data!(d.clone(), a => a.as_standard_layout().into_owned()),
                    )
                }
            })
            .collect();
        let n: usize = shape.iter().product();
        let out_dtype = kernel.value_dtypes[kernel.result];
        let mut out = empty_buf(out_dtype, n);
        let mut lo = 0;
        while lo < n {
            let hi = (lo + TILE_LEN).min(n);
            let mut values: Vec<Buf> = Vec::with_capacity(kernel.instrs.len());
            for instr in &kernel.instrs {
                let v = match instr {
                    Instr::Load(k) => load(&inputs[*k], shape, lo, hi),
                    Instr::Cast(v, d) => cast_buf(&values[*v], *d),
                    Instr::Apply { op, args, out, .. } => {
                        let bufs: Vec<&Buf> = args.iter().map(|a| &values[*a]).collect();
                        apply(op, &bufs, *out)
                    }
                };
                values.push(v);
            }
            append(&mut out, values.swap_remove(kernel.result));
            lo = hi;
        }
        let dim = IxDyn(shape);
        let build = |r: Result<Data, ndarray::ShapeError>| {
            r.unwrap_or_else(|_| Data::zeros(out_dtype, shape))
        };
        build(match out {
            Buf::Bool(v) => ArrayD::from_shape_vec(dim, v).map(Data::Bool),
            Buf::U8(v) => ArrayD::from_shape_vec(dim, v).map(Data::U8),
            Buf::I32(v) => ArrayD::from_shape_vec(dim, v).map(Data::I32),
            Buf::I64(v) => ArrayD::from_shape_vec(dim, v).map(Data::I64),
            Buf::F32(v) => ArrayD::from_shape_vec(dim, v).map(Data::F32),
            Buf::F64(v) => ArrayD::from_shape_vec(dim, v).map(Data::F64),
        })
    }
}
