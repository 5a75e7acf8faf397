//! CUDA C from a loop-nest kernel (`kernel::ir`): one `extern "C" __global__` function per
//! kernel, a grid-stride loop over the flat row-major index of the launch region, with the
//! body's SSA values as locals and the sinks' values written to contiguous outputs.
//!
//! The generated function does what `backend::launch::launch` does with a CPU tile body, for
//! the whole region at once:
//!
//! ```text
//! NAME(const u64* geo, u32* status, u64 n, const T0* in0, ..., U0* out0, ...)
//! ```
//!
//! - `geo` holds, as 64-bit words (`Geometry`): the parameters' bits (`Scalar::to_bits`),
//!   then `start, step, len` of every region axis (a rank-0 kernel walks one virtual axis of
//!   one element, as `launch` does), then the element strides of every input view per axis
//!   (0 = broadcast, negative = reversed); `in{k}` points at the view's element at region
//!   position 0.
//! - `n` is the number of elements of the region; element `t` (row-major) is written at
//!   `out{j}[t]` for each output value (`launch::output_values`, in order). `Reduce` sinks
//!   are outputs too: the values of a reduction's piece come back to the host, which reduces
//!   them exactly as for the CPU backends (`exec::reduce`), so reductions are bitwise the
//!   CPU's by construction.
//! - `leaf_sums_function` is the other form of a kernel with one float output, for sums on
//!   the device: a thread per leaf of `exec::reduce::pairwise_sum`'s tree, whose sums the
//!   prelude's `arr_piece_sums` combines per piece in that tree.
//! - `Random` instructions are first expanded into ordinary arithmetic (`kernel::random_ir`:
//!   Philox4x32-10 and its transforms at the instruction's affine flat index, bitwise the
//!   CPU's fill routines); a negative flat index sets bit 0 of `*status` (the launch reports
//!   "a random index below zero").
//!
//! Every `Apply` follows the interpreter: the op is computed in its operand dtype (giving bool
//! for comparisons and predicates) by the prelude's ports of `scalar.rs`, then converted to
//! the output dtype with `data::convert`'s rules, as `interp::InterpretedBody::apply` does.

use crate::backend::BackendError;
use crate::backend::launch::output_values;
use crate::kernel::random_ir;
use crate::kernel::{BinaryOp, Instr, Kernel, MapOp, Scalar, UnaryOp};
use crate::sema::dtype::DType;
use std::fmt::Write;

/// The device functions the generated kernels call (ports of `kernel::philox`, `scalar.rs`
/// and `data::convert`).
pub const PRELUDE: &str = include_str!("prelude.cu");

/// Threads per block of every generated kernel (its `__launch_bounds__`).
pub const THREADS: u32 = 256;

/// Where a launch's numbers sit in the `geo` words of a kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Parameters (one word each).
    pub params: usize,
    /// Axes walked (`max(rank, 1)`).
    pub axes: usize,
    /// Input views.
    pub inputs: usize,
}

impl Geometry {
    /// The layout of `kernel`'s launches.
    pub fn of(kernel: &Kernel) -> Geometry {
        Geometry {
            params: kernel.params.len(),
            axes: kernel.rank.max(1),
            inputs: kernel.inputs.len(),
        }
    }

    /// The word of axis `a`'s start (then step, then length).
    pub fn axis(&self, a: usize) -> usize {
        self.params + 3 * a
    }

    /// The word of input `k`'s element stride along axis `a`.
    pub fn stride(&self, k: usize, a: usize) -> usize {
        self.params + 3 * self.axes + k * self.axes + a
    }

    /// The number of words.
    pub fn words(&self) -> usize {
        self.params + 3 * self.axes + self.inputs * self.axes
    }
}

/// The C type of a dtype.
pub fn c_type(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I32 => "int",
        DType::I64 => "long long",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

/// The suffix of the prelude's functions for a dtype.
fn suffix(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::U8 => "u8",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::F32 => "f32",
        DType::F64 => "f64",
    }
}

fn lit_i64(v: i64) -> String {
    format!("((long long){:#x}ull)", v as u64)
}

fn lit_f64(v: f64) -> String {
    format!("__longlong_as_double((long long){:#x}ull)", v.to_bits())
}

fn lit_f32(v: f32) -> String {
    format!("__int_as_float((int){:#x}u)", v.to_bits())
}

fn constant(c: Scalar) -> String {
    match c {
        Scalar::Bool(b) => if b { "true" } else { "false" }.into(),
        Scalar::U8(v) => format!("((unsigned char){v}u)"),
        Scalar::I32(v) => format!("((int){:#x}u)", v as u32),
        Scalar::I64(v) => lit_i64(v),
        Scalar::F32(b) => format!("__int_as_float((int){b:#x}u)"),
        Scalar::F64(b) => format!("__longlong_as_double((long long){b:#x}ull)"),
    }
}

/// Parameter `k`'s word read as a value of `d` (`Scalar::from_bits`).
fn param(k: usize, d: DType) -> String {
    match d {
        DType::Bool => format!("(p{k} != 0ull)"),
        DType::U8 => format!("((unsigned char)p{k})"),
        DType::I32 => format!("((int)(unsigned int)p{k})"),
        DType::I64 => format!("((long long)p{k})"),
        DType::F32 => format!("__int_as_float((int)(unsigned int)p{k})"),
        DType::F64 => format!("__longlong_as_double((long long)p{k})"),
    }
}

/// `e` (of dtype `from`) converted to `to` by `data::convert`'s rules: to bool by
/// truthiness (nan is true); floats to integers through i64 with nan giving 0 and saturation
/// (Rust's `as`), then truncation; integers and bools through i64.
pub fn convert(e: &str, from: DType, to: DType) -> String {
    if from == to {
        return e.to_string();
    }
    if to == DType::Bool {
        return match from {
            DType::F32 => format!("({e} != 0.0f)"),
            DType::F64 => format!("({e} != 0.0)"),
            _ => format!("({e} != 0)"),
        };
    }
    if from.is_float() {
        let wide = format!("arr_f2i64((double)({e}))");
        return match to {
            DType::F32 => format!("((float)({e}))"),
            DType::F64 => format!("((double)({e}))"),
            DType::I64 => wide,
            DType::I32 => format!("arr_i64_to_i32({wide})"),
            DType::U8 => format!("arr_i64_to_u8({wide})"),
            DType::Bool => unreachable!("handled above"),
        };
    }
    let wide = format!("((long long)({e}))");
    match to {
        DType::F32 => format!("((float){wide})"),
        DType::F64 => format!("((double){wide})"),
        DType::I64 => wide,
        DType::I32 => format!("arr_i64_to_i32({wide})"),
        DType::U8 => format!("arr_i64_to_u8({wide})"),
        DType::Bool => unreachable!("handled above"),
    }
}

/// The C name of a float math function for `d` (`sqrt`, `sqrtf`, ...).
fn math(name: &str, d: DType) -> String {
    if d == DType::F32 {
        format!("{name}f")
    } else {
        name.to_string()
    }
}

/// A unary op on `a` of dtype `t`: the expression and the dtype it gives.
fn unary(op: UnaryOp, a: &str, t: DType) -> (String, DType) {
    use UnaryOp::*;
    if op.is_predicate() {
        let e = if t.is_float() {
            match op {
                IsNan => format!("({a} != {a})"),
                IsInf => format!("(isinf({a}) != 0)"),
                _ => format!("(isfinite({a}) != 0)"),
            }
        } else {
            (if op == IsFinite { "true" } else { "false" }).to_string()
        };
        return (e, DType::Bool);
    }
    let e = if t.is_float() {
        let f = |n: &str| format!("{}({a})", math(n, t));
        match op {
            Neg => format!("(-{a})"),
            Pos | Invert => a.to_string(),
            Abs => f("fabs"),
            Sign => format!("arr_sign_{}({a})", suffix(t)),
            Sqrt => f("sqrt"),
            Cbrt => f("cbrt"),
            Exp => f("exp"),
            Exp2 => f("exp2"),
            Expm1 => f("expm1"),
            Log => f("log"),
            Log2 => f("log2"),
            Log10 => f("log10"),
            Log1p => f("log1p"),
            Sin => f("sin"),
            Cos => f("cos"),
            Tan => f("tan"),
            Arcsin => f("asin"),
            Arccos => f("acos"),
            Arctan => f("atan"),
            Sinh => f("sinh"),
            Cosh => f("cosh"),
            Tanh => f("tanh"),
            Floor => f("floor"),
            Ceil => f("ceil"),
            Trunc => f("trunc"),
            Rint => f("rint"),
            IsNan | IsInf | IsFinite => unreachable!("predicates are handled above"),
        }
    } else if t == DType::Bool {
        match op {
            Invert => format!("(!{a})"),
            _ => a.to_string(),
        }
    } else {
        let s = suffix(t);
        match op {
            Neg => format!("arr_neg_{s}({a})"),
            Abs => format!("arr_abs_{s}({a})"),
            Sign => format!("arr_sign_{s}({a})"),
            Invert => format!("(({})(~{a}))", c_type(t)),
            // Float math of an integer operand is computed as a float by the lowering; the
            // interpreter passes integers through unchanged.
            _ => a.to_string(),
        }
    };
    (e, t)
}

/// A binary op on `a` and `b` of dtype `t`: the expression and the dtype it gives.
fn binary(op: BinaryOp, a: &str, b: &str, t: DType) -> (String, DType) {
    use BinaryOp::*;
    if op.is_comparison() {
        let sym = match op {
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            _ => ">=",
        };
        return (format!("({a} {sym} {b})"), DType::Bool);
    }
    let e = if t.is_float() {
        let s = suffix(t);
        match op {
            Add => format!("({a} + {b})"),
            Sub => format!("({a} - {b})"),
            Mul => format!("({a} * {b})"),
            Div => format!("({a} / {b})"),
            FloorDiv => format!("arr_floordiv_{s}({a}, {b})"),
            Mod => format!("arr_mod_{s}({a}, {b})"),
            Pow => format!("{}({a}, {b})", math("pow", t)),
            Minimum => format!("arr_min_{s}({a}, {b})"),
            Maximum => format!("arr_max_{s}({a}, {b})"),
            Arctan2 => format!("{}({a}, {b})", math("atan2", t)),
            Hypot => format!("{}({a}, {b})", math("hypot", t)),
            BitAnd | BitOr | BitXor => a.to_string(),
            Eq | Ne | Lt | Le | Gt | Ge => unreachable!("comparisons are handled above"),
        }
    } else if t == DType::Bool {
        match op {
            Add | BitOr => format!("((bool)({a} | {b}))"),
            Sub | BitXor => format!("((bool)({a} ^ {b}))"),
            Mul | FloorDiv | BitAnd => format!("((bool)({a} & {b}))"),
            Div | Arctan2 | Hypot => a.to_string(),
            Mod => "false".to_string(),
            Pow => format!("((bool)({a} | !{b}))"),
            Minimum => format!("arr_min_ord<bool>({a}, {b})"),
            Maximum => format!("arr_max_ord<bool>({a}, {b})"),
            Eq | Ne | Lt | Le | Gt | Ge => unreachable!("comparisons are handled above"),
        }
    } else {
        let s = suffix(t);
        let c = c_type(t);
        match op {
            Add => format!("arr_add_{s}({a}, {b})"),
            Sub => format!("arr_sub_{s}({a}, {b})"),
            Mul => format!("arr_mul_{s}({a}, {b})"),
            Div | FloorDiv => format!("arr_floordiv_{s}({a}, {b})"),
            Mod => format!("arr_mod_{s}({a}, {b})"),
            Pow => format!("arr_pow_{s}({a}, {b})"),
            Minimum => format!("arr_min_ord<{c}>({a}, {b})"),
            Maximum => format!("arr_max_ord<{c}>({a}, {b})"),
            Arctan2 | Hypot => a.to_string(),
            BitAnd => format!("(({c})({a} & {b}))"),
            BitOr => format!("(({c})({a} | {b}))"),
            BitXor => format!("(({c})({a} ^ {b}))"),
            Eq | Ne | Lt | Le | Gt | Ge => unreachable!("comparisons are handled above"),
        }
    };
    (e, t)
}

/// `round(x, decimals)` of `a` (`FloatMath::round_decimals`): the factor is computed here
/// with the same Rust expression, so it has the CPU's bits.
fn round(a: &str, decimals: i32, t: DType) -> String {
    let rint = math("rint", t);
    let (factor, scale_up) = if t == DType::F32 {
        let f = if decimals >= 0 {
            10.0f32.powi(decimals)
        } else {
            10.0f32.powi(-decimals)
        };
        (lit_f32(f), decimals >= 0)
    } else {
        let f = if decimals >= 0 {
            10.0f64.powi(decimals)
        } else {
            10.0f64.powi(-decimals)
        };
        (lit_f64(f), decimals >= 0)
    };
    if scale_up {
        format!("({rint}({a} * {factor}) / {factor})")
    } else {
        format!("({rint}({a} / {factor}) * {factor})")
    }
}

/// `nan_to_num` of `a` (`scalar::nan_to_num_f64` / `nan_to_num_f32`, the f32 clamps of the
/// replacements computed here as the CPU computes them).
fn nan_to_num(a: &str, nan: f64, posinf: f64, neginf: f64, t: DType) -> String {
    if t == DType::F32 {
        let big = f32::MAX as f64;
        format!(
            "((float)arr_nan_to_num((double)({a}), {}, {}, {}))",
            lit_f64(nan),
            lit_f64(posinf.min(big)),
            lit_f64(neginf.max(-big))
        )
    } else {
        format!(
            "arr_nan_to_num({a}, {}, {}, {})",
            lit_f64(nan),
            lit_f64(posinf),
            lit_f64(neginf)
        )
    }
}

/// The expression of an `Apply`, converted to its output dtype.
fn apply(kernel: &Kernel, op: &MapOp, args: &[usize], out: DType) -> String {
    let name = |k: usize| format!("v{}", args[k]);
    let ty = |k: usize| kernel.types[args[k]];
    let (e, natural) = match op {
        MapOp::Unary(u) => unary(*u, &name(0), ty(0)),
        MapOp::Binary(b) => binary(*b, &name(0), &name(1), ty(0)),
        MapOp::Where => (format!("({} ? {} : {})", name(0), name(1), name(2)), ty(1)),
        MapOp::Clip => {
            let t = ty(0);
            let e = if t.is_float() {
                let s = suffix(t);
                format!(
                    "arr_min_{s}(arr_max_{s}({}, {}), {})",
                    name(0),
                    name(1),
                    name(2)
                )
            } else {
                let c = c_type(t);
                format!(
                    "arr_min_ord<{c}>(arr_max_ord<{c}>({}, {}), {})",
                    name(0),
                    name(1),
                    name(2)
                )
            };
            (e, t)
        }
        MapOp::Round(d) => {
            let t = ty(0);
            let e = if t.is_float() {
                round(&name(0), *d, t)
            } else {
                name(0)
            };
            (e, t)
        }
        MapOp::NanToNum(n, p, m) => {
            let t = ty(0);
            let e = if t.is_float() {
                nan_to_num(
                    &name(0),
                    f64::from_bits(*n),
                    f64::from_bits(*p),
                    f64::from_bits(*m),
                    t,
                )
            } else {
                name(0)
            };
            (e, t)
        }
        MapOp::Cast => (name(0), ty(0)),
    };
    convert(&e, natural, out)
}

/// The CUDA C function `name` computing `kernel` (validated first). The prelude
/// (`PRELUDE`) must precede it in the program.
pub fn kernel_function(kernel: &Kernel, name: &str) -> Result<String, BackendError> {
    let parts = Parts::of(kernel)?;
    let outs = output_values(&parts.expanded);
    let mut params = Vec::new();
    for (j, v) in outs.iter().enumerate() {
        params.push(format!(
            "{}* __restrict__ out{j}",
            c_type(parts.expanded.types[*v])
        ));
    }
    let mut s = parts.head(name, &["const unsigned long long n".to_string()], &params);
    s.push_str(
        "    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;\n",
    );
    s.push_str(
        "    for (unsigned long long t = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; \
         t < n; t += stride) {\n",
    );
    s.push_str(&parts.element("t", "        ")?);
    for (j, v) in outs.iter().enumerate() {
        let _ = writeln!(s, "        out{j}[t] = v{v};");
    }
    s.push_str("    }\n}\n");
    Ok(s)
}

/// The CUDA C function `name` that sums leaves of `kernel`'s one float output over the
/// launch region, in `exec::reduce::pairwise_sum`'s order: thread `l` (grid-stride) takes
/// the elements `bounds[l] .. bounds[l + 1]` of the region's row-major order (a leaf of at
/// most 128 elements), adds them as `pairwise_sum` adds a slice that short (fewer than 8: one
/// after another from 0.0; else 8 running sums of every 8th element, combined
/// `((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))`, then the rest one by one), and writes
/// the sum to `leaf_sum[l]` and the number of values added to `leaf_count[l]`. With
/// `skip_nan` a nan counts as 0.0 and is not counted (NumPy's `nansum`). The values are
/// converted to double first, as the host converts a block's values before summing.
/// `arr_piece_sums` (prelude) then combines the leaves of each piece in the same tree.
pub fn leaf_sums_function(kernel: &Kernel, name: &str) -> Result<String, BackendError> {
    let parts = Parts::of(kernel)?;
    let outs = output_values(&parts.expanded);
    let value = match outs[..] {
        [v] if parts.expanded.types[v].is_float() => v,
        _ => {
            return Err(BackendError(
                "cuda: device sums need a kernel with one float output".into(),
            ));
        }
    };
    let extra = [
        "const unsigned long long* __restrict__ bounds".to_string(),
        "const unsigned long long leaves".to_string(),
        "const unsigned int skip_nan".to_string(),
    ];
    let outputs = [
        "double* __restrict__ leaf_sum".to_string(),
        "unsigned int* __restrict__ leaf_count".to_string(),
    ];
    let mut s = parts.head(name, &extra, &outputs);
    s.push_str(
        "    const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;\n",
    );
    s.push_str(
        "    for (unsigned long long l = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; \
         l < leaves; l += stride) {\n",
    );
    // `take(t)`: the value at row-major position t as a double, counted; with `skip_nan` a
    // nan is 0.0 and not counted. One lambda serves the 8-lane part and the rest.
    s.push_str(
        "        const unsigned long long first = bounds[l], len = bounds[l + 1] - first;\n\
         \x20       const unsigned long long whole = len < 8 ? 0 : len & ~7ull;\n\
         \x20       unsigned int count = 0;\n\
         \x20       auto take = [&](const unsigned long long t) -> double {\n",
    );
    s.push_str(&parts.element("t", "            ")?);
    let _ = writeln!(
        s,
        "            const double x = (double)v{value};\n\
         \x20           if (skip_nan && x != x) {{\n\
         \x20               return 0.0;\n\
         \x20           }}\n\
         \x20           count++;\n\
         \x20           return x;\n\
         \x20       }};"
    );
    s.push_str(
        "        double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};\n\
         \x20       for (unsigned long long c = 0; c < whole; c += 8) {\n\
         \x20           #pragma unroll\n\
         \x20           for (int k = 0; k < 8; k++) {\n\
         \x20               acc[k] += take(first + c + k);\n\
         \x20           }\n\
         \x20       }\n\
         \x20       double total = whole > 0\n\
         \x20           ? ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))\n\
         \x20           : 0.0;\n\
         \x20       for (unsigned long long e = whole; e < len; e++) {\n\
         \x20           total += take(first + e);\n\
         \x20       }\n\
         \x20       leaf_sum[l] = total;\n\
         \x20       leaf_count[l] = count;\n",
    );
    s.push_str("    }\n}\n");
    Ok(s)
}

/// A kernel ready to emit: validated, its generators expanded into arithmetic.
struct Parts<'a> {
    original: &'a Kernel,
    expanded: Kernel,
    g: Geometry,
}

impl<'a> Parts<'a> {
    fn of(kernel: &'a Kernel) -> Result<Parts<'a>, BackendError> {
        kernel
            .validate()
            .map_err(|e| BackendError(format!("cuda: {e}")))?;
        // The generators become ordinary arithmetic: the same definition every backend checks
        // against the CPU's fill routines.
        let expanded = random_ir::expand(kernel);
        let g = Geometry::of(&expanded);
        Ok(Parts {
            original: kernel,
            expanded,
            g,
        })
    }

    /// The signature `name(geo, status, extra..., in0, ..., outputs...)` and the reading of
    /// the geometry words (parameters, axes, input strides) into locals.
    fn head(&self, name: &str, extra: &[String], outputs: &[String]) -> String {
        let kernel = &self.expanded;
        let g = self.g;
        let nd = g.axes;
        let mut s = String::new();
        let _ = writeln!(s, "// {}", self.original.op_names().join(" "));
        let _ = writeln!(
            s,
            "extern \"C\" __global__ void __launch_bounds__({THREADS}) {name}("
        );
        let mut params = vec![
            "const unsigned long long* __restrict__ geo".to_string(),
            "unsigned int* __restrict__ status".to_string(),
        ];
        params.extend(extra.iter().cloned());
        for (k, d) in kernel.inputs.iter().enumerate() {
            params.push(format!("const {}* __restrict__ in{k}", c_type(*d)));
        }
        params.extend(outputs.iter().cloned());
        let _ = writeln!(s, "    {})", params.join(",\n    "));
        s.push_str("{\n");
        for k in 0..g.params {
            let _ = writeln!(s, "    const unsigned long long p{k} = geo[{k}];");
        }
        for a in 0..nd {
            let w = g.axis(a);
            let _ = writeln!(
                s,
                "    const long long s{a} = (long long)geo[{w}], d{a} = (long long)geo[{}];",
                w + 1
            );
            if a > 0 {
                let _ = writeln!(s, "    const unsigned long long n{a} = geo[{}];", w + 2);
            }
        }
        for k in 0..g.inputs {
            let strides: Vec<String> = (0..nd)
                .map(|a| format!("st{k}_{a} = (long long)geo[{}]", g.stride(k, a)))
                .collect();
            let _ = writeln!(s, "    const long long {};", strides.join(", "));
        }
        s
    }

    /// The statements computing every body value `v{i}` of the element at row-major position
    /// `t` (a variable of the enclosing code), each line indented by `indent`.
    fn element(&self, t: &str, indent: &str) -> Result<String, BackendError> {
        let kernel = &self.expanded;
        let nd = self.g.axes;
        let mut s = String::new();
        // Row-major position of element t: the last axis varies fastest.
        let _ = writeln!(s, "unsigned long long r = {t};");
        for a in (1..nd).rev() {
            let _ = writeln!(
                s,
                "const long long i{a} = (long long)(r % n{a});\nr /= n{a};"
            );
        }
        s.push_str("const long long i0 = (long long)r;\n");
        let index = |a: usize| format!("(s{a} + d{a} * i{a})");
        // Each generator's flat index flat[0] + Σ flat[1 + a] * index(a), wrapping as the CPU's:
        // a negative one is an error of the launch ("a random index below zero").
        for (r, instr) in self.original.body.iter().enumerate() {
            let Instr::Random { flat, .. } = instr else {
                continue;
            };
            let mut terms = vec![format!("(unsigned long long){}", lit_i64(flat[0]))];
            for (a, c) in flat.iter().skip(1).enumerate().take(nd) {
                if *c != 0 {
                    terms.push(format!(
                        "(unsigned long long){} * (unsigned long long){}",
                        lit_i64(*c),
                        index(a)
                    ));
                }
            }
            let _ = writeln!(
                s,
                "if ((long long)({}) < 0) atomicOr(status, 1u); // v{r}",
                terms.join(" + ")
            );
        }
        for (i, instr) in kernel.body.iter().enumerate() {
            let d = kernel.types[i];
            let ct = c_type(d);
            match instr {
                Instr::Const(c) => {
                    let _ = writeln!(s, "const {ct} v{i} = {};", constant(*c));
                }
                Instr::Param(k) => {
                    let _ = writeln!(s, "const {ct} v{i} = {};", param(*k, d));
                }
                Instr::Index(a) => {
                    let _ = writeln!(s, "const {ct} v{i} = {};", index(*a));
                }
                Instr::Load(k) => {
                    let off: Vec<String> = (0..nd).map(|a| format!("i{a} * st{k}_{a}")).collect();
                    let _ = writeln!(s, "const {ct} v{i} = in{k}[{}];", off.join(" + "));
                }
                Instr::Random { .. } => {
                    return Err(BackendError(
                        "cuda: a random instruction left after random_ir::expand".into(),
                    ));
                }
                Instr::Apply { op, args, out, .. } => {
                    let _ = writeln!(s, "const {ct} v{i} = {};", apply(kernel, op, args, *out));
                }
                Instr::Cast(v, to) => {
                    let _ = writeln!(
                        s,
                        "const {ct} v{i} = {};",
                        convert(&format!("v{v}"), kernel.types[*v], *to)
                    );
                }
                Instr::Bitcast(v, to) => {
                    let f = match (kernel.types[*v], *to) {
                        (DType::I64, DType::F64) => "__longlong_as_double",
                        (DType::F64, DType::I64) => "__double_as_longlong",
                        (DType::I32, DType::F32) => "__int_as_float",
                        (DType::F32, DType::I32) => "__float_as_int",
                        _ => "",
                    };
                    let _ = writeln!(s, "const {ct} v{i} = {f}(v{v});");
                }
            }
        }
        Ok(s.lines().map(|l| format!("{indent}{l}\n")).collect())
    }
}

/// A whole program: the prelude, then one function per `(name, kernel)`.
pub fn program(kernels: &[(String, &Kernel)]) -> Result<String, BackendError> {
    let mut s = String::from(PRELUDE);
    for (name, k) in kernels {
        s.push('\n');
        s.push_str(&kernel_function(k, name)?);
    }
    Ok(s)
}

/// A whole program of leaf-sum functions: the prelude (with `arr_piece_sums`), then one
/// `leaf_sums_function` per `(name, kernel)`.
pub fn sums_program(kernels: &[(String, &Kernel)]) -> Result<String, BackendError> {
    let mut s = String::from(PRELUDE);
    for (name, k) in kernels {
        s.push('\n');
        s.push_str(&leaf_sums_function(k, name)?);
    }
    Ok(s)
}

/// The bit `status` gets when a random instruction meets a negative flat index.
pub const STATUS_NEGATIVE_RANDOM_INDEX: u32 = 1;
