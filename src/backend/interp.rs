//! The interpreter: the reference backend. It runs a kernel's body one instruction at a time
//! over a tile of the innermost axis (at most `launch::TILE` elements), each value in a
//! column buffer that is reused from tile to tile (no allocation in the hot loop), with the
//! scalar semantics of `backend::scalar` that every backend must match bitwise.

use crate::backend::launch::TileBody;
use crate::backend::scalar::{Arith, FloatMath, maximum, minimum, nan_to_num_f32, nan_to_num_f64};
use crate::backend::{Backend, BackendError};
use crate::data::{Element, convert};
use crate::kernel::{BinaryOp, Instr, Kernel, MapOp, RandomDist, UnaryOp};
use crate::sema::dtype::DType;
use std::cell::RefCell;
use std::sync::Arc;

/// The interpreter backend.
pub struct Interpreter;

impl Backend for Interpreter {
    fn name(&self) -> &'static str {
        "interp"
    }

    fn compile(&self, kernel: &Kernel) -> Result<Arc<dyn TileBody>, BackendError> {
        kernel.validate().map_err(|e| BackendError(e.to_string()))?;
        let (slots, slot_count) = assign_slots(kernel);
        Ok(Arc::new(InterpretedBody {
            kernel: kernel.clone(),
            slots,
            slot_count,
            outputs: crate::backend::launch::output_values(kernel),
        }))
    }
}

/// A kernel ready to be interpreted.
struct InterpretedBody {
    kernel: Kernel,
    /// The column each value is computed into (`assign_slots`).
    slots: Vec<usize>,
    /// How many columns a tile needs.
    slot_count: usize,
    /// The values written to the outputs, in output order.
    outputs: Vec<usize>,
}

/// Gives each value a column that it holds from its instruction to its last reader (outputs:
/// to the end); a column is reused once its value is dead, so a tile holds as many columns as
/// values are live at once, not one per instruction (a kernel of 10^6 chained adds needs two).
/// A value never shares a column with its own operands: its column is taken before theirs are
/// given back.
fn assign_slots(k: &Kernel) -> (Vec<usize>, usize) {
    let n = k.body.len();
    let mut last_use: Vec<usize> = (0..n).collect();
    for (i, instr) in k.body.iter().enumerate() {
        for &v in instr.operands() {
            last_use[v] = last_use[v].max(i);
        }
    }
    for v in crate::backend::launch::output_values(k) {
        last_use[v] = n;
    }
    let mut dying: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, &last) in last_use.iter().enumerate() {
        if last < n {
            dying[last].push(v);
        }
    }
    let (mut slots, mut free, mut count) = (vec![0; n], Vec::new(), 0);
    for i in 0..n {
        slots[i] = free.pop().unwrap_or_else(|| {
            count += 1;
            count - 1
        });
        free.extend(dying[i].iter().map(|&v| slots[v]));
    }
    (slots, count)
}

/// One tile of one SSA value.
#[derive(Debug)]
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

/// An element type with a column variant.
trait Col: Element + Default {
    fn empty() -> Buf;
    fn get(b: &Buf) -> Option<&Vec<Self>>;
    fn get_mut(b: &mut Buf) -> Option<&mut Vec<Self>>;
}

macro_rules! col {
    ($t:ty, $variant:ident) => {
        impl Col for $t {
            fn empty() -> Buf {
                Buf::$variant(Vec::with_capacity(crate::backend::launch::TILE))
            }
            fn get(b: &Buf) -> Option<&Vec<Self>> {
                match b {
                    Buf::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn get_mut(b: &mut Buf) -> Option<&mut Vec<Self>> {
                match b {
                    Buf::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
col!(bool, Bool);
col!(u8, U8);
col!(i32, I32);
col!(i64, I64);
col!(f32, F32);
col!(f64, F64);

/// Writes the items into `out`, reusing its allocation when it already holds `T`s.
fn put<T: Col>(out: &mut Buf, items: impl Iterator<Item = T>) {
    if T::get(out).is_none() {
        *out = T::empty();
    }
    if let Some(v) = T::get_mut(out) {
        v.clear();
        v.extend(items);
    }
}

/// The column of operand `b` as `T`s; a kernel that passed `validate` never asks for another
/// type, so a mismatch is an internal error.
fn col<T: Col>(b: &Buf) -> Result<&[T], BackendError> {
    T::get(b).map(|v| v.as_slice()).ok_or_else(|| {
        BackendError(format!(
            "operand is {b:?}-typed where {} is needed",
            T::DTYPE
        ))
    })
}

fn cast_into(buf: &Buf, dtype: DType, out: &mut Buf) {
    fn go<S: Element>(v: &[S], dtype: DType, out: &mut Buf) {
        match dtype {
            DType::Bool => put::<bool>(out, v.iter().map(|x| convert(*x))),
            DType::U8 => put::<u8>(out, v.iter().map(|x| convert(*x))),
            DType::I32 => put::<i32>(out, v.iter().map(|x| convert(*x))),
            DType::I64 => put::<i64>(out, v.iter().map(|x| convert(*x))),
            DType::F32 => put::<f32>(out, v.iter().map(|x| convert(*x))),
            DType::F64 => put::<f64>(out, v.iter().map(|x| convert(*x))),
        }
    }
    with_buf!(buf, v => go(v, dtype, out))
}

/// The same bits as another dtype of the same size (`Instr::Bitcast`).
fn bitcast_into(buf: &Buf, dtype: DType, out: &mut Buf) -> Result<(), BackendError> {
    match (buf, dtype) {
        (Buf::I64(v), DType::F64) => put(out, v.iter().map(|x| f64::from_bits(*x as u64))),
        (Buf::F64(v), DType::I64) => put(out, v.iter().map(|x| x.to_bits() as i64)),
        (Buf::I32(v), DType::F32) => put(out, v.iter().map(|x| f32::from_bits(*x as u32))),
        (Buf::F32(v), DType::I32) => put(out, v.iter().map(|x| x.to_bits() as i32)),
        (Buf::I64(v), DType::I64) => put(out, v.iter().copied()),
        (Buf::F64(v), DType::F64) => put(out, v.iter().copied()),
        (Buf::I32(v), DType::I32) => put(out, v.iter().copied()),
        (Buf::F32(v), DType::F32) => put(out, v.iter().copied()),
        _ => {
            return Err(BackendError(format!("cannot bitcast a column to {dtype}")));
        }
    }
    Ok(())
}

fn unary_generic<T: Arith + Col>(op: UnaryOp, v: &[T], out: &mut Buf) {
    use UnaryOp::*;
    match op {
        IsNan => put::<bool>(out, v.iter().map(|x| T::is_nan(*x))),
        IsInf => put::<bool>(
            out,
            v.iter()
                .map(|x| T::DTYPE.is_float() && x.to_f64().is_infinite()),
        ),
        IsFinite => put::<bool>(
            out,
            v.iter()
                .map(|x| !T::DTYPE.is_float() || x.to_f64().is_finite()),
        ),
        Neg => put(out, v.iter().map(|x| T::neg(*x))),
        Abs => put(out, v.iter().map(|x| T::abs(*x))),
        Sign => put(out, v.iter().map(|x| T::sign(*x))),
        Invert => put(out, v.iter().map(|x| T::invert(*x))),
        _ => put(out, v.iter().copied()),
    }
}

fn unary_float<T: FloatMath + Col>(op: UnaryOp, v: &[T], out: &mut Buf) {
    use UnaryOp::*;
    match op {
        Floor | Ceil | Trunc | Rint => put(out, v.iter().map(|x| T::math(op, *x))),
        _ if op.is_float_math() => put(out, v.iter().map(|x| T::math(op, *x))),
        _ => unary_generic(op, v, out),
    }
}

fn unary(op: UnaryOp, buf: &Buf, out: &mut Buf) {
    match buf {
        Buf::F32(v) => unary_float(op, v, out),
        Buf::F64(v) => unary_float(op, v, out),
        Buf::Bool(v) => unary_generic(op, v, out),
        Buf::U8(v) => unary_generic(op, v, out),
        Buf::I32(v) => unary_generic(op, v, out),
        Buf::I64(v) => unary_generic(op, v, out),
    }
}

fn zip<'a, T: Copy, U>(
    a: &'a [T],
    b: &'a [T],
    f: impl Fn(T, T) -> U + 'a,
) -> impl Iterator<Item = U> + 'a {
    a.iter().zip(b).map(move |(x, y)| f(*x, *y))
}

fn binary_generic<T: Arith + Col>(op: BinaryOp, a: &[T], b: &[T], out: &mut Buf) {
    use BinaryOp::*;
    match op {
        Add => put(out, zip(a, b, T::add)),
        Sub => put(out, zip(a, b, T::sub)),
        Mul => put(out, zip(a, b, T::mul)),
        Div => put(out, zip(a, b, T::div)),
        FloorDiv => put(out, zip(a, b, T::floordiv)),
        Mod => put(out, zip(a, b, T::modulo)),
        Pow => put(out, zip(a, b, T::pow)),
        Minimum => put(out, zip(a, b, minimum)),
        Maximum => put(out, zip(a, b, maximum)),
        BitAnd => put(out, zip(a, b, T::bitand)),
        BitOr => put(out, zip(a, b, T::bitor)),
        BitXor => put(out, zip(a, b, T::bitxor)),
        Eq => put::<bool>(out, zip(a, b, |x, y| x == y)),
        Ne => put::<bool>(out, zip(a, b, |x, y| x != y)),
        Lt => put::<bool>(out, zip(a, b, |x, y| x < y)),
        Le => put::<bool>(out, zip(a, b, |x, y| x <= y)),
        Gt => put::<bool>(out, zip(a, b, |x, y| x > y)),
        Ge => put::<bool>(out, zip(a, b, |x, y| x >= y)),
        Arctan2 | Hypot => put(out, a.iter().copied()),
    }
}

fn binary_float<T: FloatMath + Col>(op: BinaryOp, a: &[T], b: &[T], out: &mut Buf) {
    match op {
        BinaryOp::Arctan2 => put(out, zip(a, b, T::atan2)),
        BinaryOp::Hypot => put(out, zip(a, b, T::hypot)),
        _ => binary_generic(op, a, b, out),
    }
}

fn binary(op: BinaryOp, a: &Buf, b: &Buf, out: &mut Buf) -> Result<(), BackendError> {
    match a {
        Buf::F32(x) => binary_float(op, x, col(b)?, out),
        Buf::F64(x) => binary_float(op, x, col(b)?, out),
        Buf::Bool(x) => binary_generic(op, x, col(b)?, out),
        Buf::U8(x) => binary_generic(op, x, col(b)?, out),
        Buf::I32(x) => binary_generic(op, x, col(b)?, out),
        Buf::I64(x) => binary_generic(op, x, col(b)?, out),
    }
    Ok(())
}

fn select(cond: &Buf, a: &Buf, b: &Buf, out: &mut Buf) -> Result<(), BackendError> {
    let c: &[bool] = col(cond)?;
    fn go<T: Col>(c: &[bool], a: &[T], b: &[T], out: &mut Buf) {
        put(
            out,
            c.iter()
                .zip(a.iter().zip(b))
                .map(|(c, (x, y))| if *c { *x } else { *y }),
        )
    }
    with_buf!(a, x => go(c, x, col(b)?, out));
    Ok(())
}

fn clip(x: &Buf, lo: &Buf, hi: &Buf, out: &mut Buf) -> Result<(), BackendError> {
    fn go<T: Arith + Col>(x: &[T], lo: &[T], hi: &[T], out: &mut Buf) {
        put(
            out,
            x.iter()
                .zip(lo.iter().zip(hi))
                .map(|(x, (l, h))| minimum(maximum(*x, *l), *h)),
        )
    }
    with_buf!(x, v => go(v, col(lo)?, col(hi)?, out));
    Ok(())
}

fn round(x: &Buf, decimals: i32, out: &mut Buf) {
    match x {
        Buf::F32(v) => put(out, v.iter().map(|a| f32::round_decimals(*a, decimals))),
        Buf::F64(v) => put(out, v.iter().map(|a| f64::round_decimals(*a, decimals))),
        other => with_buf!(other, v => put(out, v.iter().copied())),
    }
}

fn nan_to_num(x: &Buf, nan: f64, posinf: f64, neginf: f64, out: &mut Buf) {
    match x {
        Buf::F32(v) => put(
            out,
            v.iter().map(|a| nan_to_num_f32(*a, nan, posinf, neginf)),
        ),
        Buf::F64(v) => put(
            out,
            v.iter().map(|a| nan_to_num_f64(*a, nan, posinf, neginf)),
        ),
        other => with_buf!(other, v => put(out, v.iter().copied())),
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

/// Reads `len` elements of type `T` from `ptr`, `stride` bytes apart.
///
/// # Safety
/// Every address `ptr + k * stride` for `k < len` must hold a valid `T`.
unsafe fn load_col<T: Col>(out: &mut Buf, ptr: *const u8, stride: isize, len: usize) {
    // SAFETY: the caller guarantees the addresses (launch builds them from the views).
    put(
        out,
        (0..len).map(|k| unsafe {
            (ptr.wrapping_offset(k as isize * stride) as *const T).read_unaligned()
        }),
    )
}

/// Writes the column to `ptr` (contiguous `T`s).
///
/// # Safety
/// `ptr` must be valid for `v.len()` writes of `T`.
unsafe fn store_col<T: Copy>(v: &[T], ptr: *const u8) {
    // SAFETY: the caller guarantees the destination (launch allocates it).
    unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), ptr as *mut T, v.len()) }
}

thread_local! {
    /// The column buffers of the values, reused from tile to tile and kernel to kernel.
    static COLUMNS: RefCell<Vec<Buf>> = const { RefCell::new(Vec::new()) };
}

impl InterpretedBody {
    fn apply(
        &self,
        op: &MapOp,
        args: &[usize],
        cols: &[Buf],
        out_dtype: DType,
        out: &mut Buf,
    ) -> Result<(), BackendError> {
        let a = |k: usize| &cols[self.slots[args[k]]];
        match op {
            MapOp::Unary(u) => unary(*u, a(0), out),
            MapOp::Binary(b) => binary(*b, a(0), a(1), out)?,
            MapOp::Where => select(a(0), a(1), a(2), out)?,
            MapOp::Clip => clip(a(0), a(1), a(2), out)?,
            MapOp::Round(d) => round(a(0), *d, out),
            MapOp::NanToNum(n, p, m) => nan_to_num(
                a(0),
                f64::from_bits(*n),
                f64::from_bits(*p),
                f64::from_bits(*m),
                out,
            ),
            MapOp::Cast => with_buf!(a(0), v => put(out, v.iter().copied())),
        }
        if buf_dtype(out) != out_dtype {
            let mut converted = Buf::Bool(Vec::new());
            cast_into(out, out_dtype, &mut converted);
            *out = converted;
        }
        Ok(())
    }
}

impl TileBody for InterpretedBody {
    unsafe fn run(
        &self,
        len: usize,
        ptrs: &[*const u8],
        strides: &[isize],
        idx: &[i64],
        params: &[u64],
    ) -> Result<(), BackendError> {
        let k = &self.kernel;
        COLUMNS.with(|cell| {
            let mut cols = cell.borrow_mut();
            let slot = &self.slots;
            while cols.len() < self.slot_count {
                cols.push(Buf::Bool(Vec::new()));
            }
            let rank = k.rank.max(1);
            let mut random_slot = k.inputs.len();
            for (i, instr) in k.body.iter().enumerate() {
                let mut out = std::mem::replace(&mut cols[slot[i]], Buf::Bool(Vec::new()));
                match instr {
                    Instr::Const(c) => {
                        let bits = c.to_bits();
                        fill_bits(&mut out, k.types[i], bits, len);
                    }
                    Instr::Param(p) => fill_bits(&mut out, k.types[i], params[*p], len),
                    Instr::Index(a) => {
                        let (base, step) = if *a + 1 == rank {
                            (idx[*a], idx[rank])
                        } else {
                            (idx[*a], 0)
                        };
                        put::<i64>(&mut out, (0..len as i64).map(|j| base + step * j));
                    }
                    Instr::Load(input) => {
                        // SAFETY: launch passes a pointer and stride per input that address
                        // `len` elements of the input's dtype.
                        unsafe {
                            load_typed(&mut out, k.types[i], ptrs[*input], strides[*input], len)
                        }
                    }
                    Instr::Random { dist, .. } => {
                        let slot = random_slot;
                        random_slot += 1;
                        let dtype = match dist {
                            RandomDist::Integers { .. } => DType::I64,
                            _ => DType::F64,
                        };
                        // SAFETY: launch fills a contiguous buffer per random instruction.
                        unsafe { load_typed(&mut out, dtype, ptrs[slot], strides[slot], len) }
                    }
                    Instr::Apply {
                        op, args, out: o, ..
                    } => {
                        if let Err(e) = self.apply(op, args, &cols, *o, &mut out) {
                            cols[slot[i]] = out;
                            return Err(e);
                        }
                    }
                    Instr::Cast(v, d) => cast_into(&cols[slot[*v]], *d, &mut out),
                    Instr::Bitcast(v, d) => bitcast_into(&cols[slot[*v]], *d, &mut out)?,
                }
                cols[slot[i]] = out;
            }
            for (n, value) in self.outputs.iter().enumerate() {
                let ptr = ptrs[random_slot + n];
                // SAFETY: launch allocates each output for the whole region.
                with_buf!(&cols[slot[*value]], v => unsafe { store_col(&v[..len.min(v.len())], ptr) });
            }
            Ok(())
        })
    }
}

fn fill_bits(out: &mut Buf, dtype: DType, bits: u64, len: usize) {
    match crate::kernel::Scalar::from_bits(dtype, bits) {
        crate::kernel::Scalar::Bool(v) => put(out, std::iter::repeat_n(v, len)),
        crate::kernel::Scalar::U8(v) => put(out, std::iter::repeat_n(v, len)),
        crate::kernel::Scalar::I32(v) => put(out, std::iter::repeat_n(v, len)),
        crate::kernel::Scalar::I64(v) => put(out, std::iter::repeat_n(v, len)),
        crate::kernel::Scalar::F32(b) => put(out, std::iter::repeat_n(f32::from_bits(b), len)),
        crate::kernel::Scalar::F64(b) => put(out, std::iter::repeat_n(f64::from_bits(b), len)),
    }
}

/// # Safety
/// As `load_col`.
unsafe fn load_typed(out: &mut Buf, dtype: DType, ptr: *const u8, stride: isize, len: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match dtype {
            DType::Bool => load_col::<bool>(out, ptr, stride, len),
            DType::U8 => load_col::<u8>(out, ptr, stride, len),
            DType::I32 => load_col::<i32>(out, ptr, stride, len),
            DType::I64 => load_col::<i64>(out, ptr, stride, len),
            DType::F32 => load_col::<f32>(out, ptr, stride, len),
            DType::F64 => load_col::<f64>(out, ptr, stride, len),
        }
    }
}
