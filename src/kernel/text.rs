//! The kernel IR's text form: `Display` writes it, `parse` reads it back (the same kernel,
//! `Hash + Eq` equal). Used by `explain(x, kernels=true)`, `arr explain --kernels` and the
//! kernel filetests (`tests/kernels/*.kir`).
//!
//! ```text
//! kernel rank=2 inputs=f64 params=i64,i64,f64,f64
//!   v0 = param p0 i64
//!   v1 = random normal seed=p0 stream=p1 flat=0,40000,1
//!   v2 = load 0 f64
//!   v3 = add f64->f64 v1 v2
//!   v4 = cast v3 f32
//!   v5 = const f64 1.5
//!   v6 = index 1
//!   store v4
//!   reduce sum v3
//! ```

use crate::graph::node::ReduceOp;
use crate::kernel::ir::{Instr, IrError, Kernel, RandomDist, Scalar, Sink};
use crate::kernel::{BinaryOp, MapOp, UnaryOp};
use crate::sema::dtype::DType;
use std::fmt;

/// Every unary op, for parsing names.
const UNARY: [UnaryOp; 30] = {
    use UnaryOp::*;
    [
        Neg, Pos, Abs, Sign, Invert, Sqrt, Cbrt, Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sin,
        Cos, Tan, Arcsin, Arccos, Arctan, Sinh, Cosh, Tanh, Floor, Ceil, Trunc, Rint, IsNan, IsInf,
        IsFinite,
    ]
};

/// Every binary op, for parsing names.
const BINARY: [BinaryOp; 20] = {
    use BinaryOp::*;
    [
        Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Minimum, Maximum, Arctan2, Hypot, BitAnd, BitOr,
        BitXor, Eq, Ne, Lt, Le, Gt, Ge,
    ]
};

/// Every reduction, for parsing names.
pub const REDUCTIONS: [ReduceOp; 19] = ReduceOp::ALL;

/// Every dtype, for parsing names.
const DTYPES: [DType; 6] = [
    DType::Bool,
    DType::U8,
    DType::I32,
    DType::I64,
    DType::F32,
    DType::F64,
];

fn float_text(v: f64) -> String {
    let s = format!("{v:?}");
    match s.parse::<f64>() {
        Ok(back) if back.to_bits() == v.to_bits() => s,
        _ => format!("bits:{:#x}", v.to_bits()),
    }
}

fn op_text(op: &MapOp) -> String {
    match op {
        MapOp::Round(d) => format!("round:{d}"),
        MapOp::NanToNum(a, b, c) => format!(
            "nan_to_num({},{},{})",
            float_text(f64::from_bits(*a)),
            float_text(f64::from_bits(*b)),
            float_text(f64::from_bits(*c))
        ),
        other => other.name(),
    }
}

fn scalar_text(c: Scalar) -> String {
    match c {
        Scalar::Bool(b) => format!("bool {b}"),
        Scalar::U8(v) => format!("u8 {v}"),
        Scalar::I32(v) => format!("i32 {v}"),
        Scalar::I64(v) => format!("i64 {v}"),
        Scalar::F32(b) => {
            let v = f32::from_bits(b);
            let s = format!("{v:?}");
            match s.parse::<f32>() {
                Ok(back) if back.to_bits() == b => format!("f32 {s}"),
                _ => format!("f32 bits:{b:#x}"),
            }
        }
        Scalar::F64(b) => format!("f64 {}", float_text(f64::from_bits(b))),
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "kernel rank={} inputs={} params={}",
            self.rank,
            list(&self.inputs),
            list(&self.params)
        )?;
        for (i, instr) in self.body.iter().enumerate() {
            write!(f, "  v{i} = ")?;
            match instr {
                Instr::Const(c) => writeln!(f, "const {}", scalar_text(*c))?,
                Instr::Param(k) => writeln!(f, "param p{k} {}", self.types[i])?,
                Instr::Index(a) => writeln!(f, "index {a}")?,
                Instr::Load(k) => writeln!(f, "load {k} {}", self.types[i])?,
                Instr::Random {
                    dist,
                    seed,
                    stream,
                    flat,
                } => {
                    let d = match dist {
                        RandomDist::Normal => "normal".to_string(),
                        RandomDist::Uniform => "uniform".to_string(),
                        RandomDist::Integers { low, high } => {
                            format!("integers low=p{low} high=p{high}")
                        }
                    };
                    writeln!(
                        f,
                        "random {d} seed=p{seed} stream=p{stream} flat={}",
                        list(flat)
                    )?
                }
                Instr::Apply {
                    op,
                    args,
                    compute,
                    out,
                } => {
                    let args: Vec<String> = args.iter().map(|a| format!("v{a}")).collect();
                    writeln!(f, "{} {compute}->{out} {}", op_text(op), args.join(" "))?
                }
                Instr::Cast(v, d) => writeln!(f, "cast v{v} {d}")?,
                Instr::Bitcast(v, d) => writeln!(f, "bitcast v{v} {d}")?,
            }
        }
        for s in &self.sinks {
            match s {
                Sink::Store(v) => writeln!(f, "  store v{v}")?,
                Sink::Reduce { value, op } => writeln!(f, "  reduce {} v{value}", op.name())?,
            }
        }
        Ok(())
    }
}

/// Parses a kernel's text form (as `Display` writes it) and validates it. Lines starting
/// with `;` and blank lines are ignored. Never panics, whatever the input.
pub fn parse(text: &str) -> Result<Kernel, IrError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with(';'));
    let (n, header) = lines
        .next()
        .ok_or_else(|| IrError("empty kernel text".into()))?;
    let at = |n: usize, m: &str| IrError(format!("line {n}: {m}"));
    let mut words = header.split_whitespace();
    if words.next() != Some("kernel") {
        return Err(at(n, "expected `kernel rank=N inputs=... params=...`"));
    }
    let mut kernel = Kernel::new(0, Vec::new());
    for w in words {
        let (key, val) = w
            .split_once('=')
            .ok_or_else(|| at(n, &format!("expected key=value, found `{w}`")))?;
        match key {
            "rank" => kernel.rank = parse_num(val).map_err(|e| at(n, &e))?,
            "inputs" => kernel.inputs = parse_dtypes(val).map_err(|e| at(n, &e))?,
            "params" => kernel.params = parse_dtypes(val).map_err(|e| at(n, &e))?,
            _ => return Err(at(n, &format!("unknown header field `{key}`"))),
        }
    }
    if kernel.rank > 32 {
        return Err(at(n, "rank above 32"));
    }
    for (n, line) in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["store", v] => {
                let v = value_ref(v, kernel.body.len()).map_err(|e| at(n, &e))?;
                kernel.sinks.push(Sink::Store(v));
            }
            ["reduce", op, v] => {
                let v = value_ref(v, kernel.body.len()).map_err(|e| at(n, &e))?;
                let op = REDUCTIONS
                    .iter()
                    .find(|r| r.name() == *op)
                    .ok_or_else(|| at(n, &format!("unknown reduction `{op}`")))?;
                kernel.sinks.push(Sink::Reduce { value: v, op: *op });
            }
            [def, "=", rest @ ..] => {
                let want = format!("v{}", kernel.body.len());
                if *def != want {
                    return Err(at(n, &format!("expected `{want} = ...`, found `{def}`")));
                }
                if !kernel.sinks.is_empty() {
                    return Err(at(n, "instructions must come before the sinks"));
                }
                let instr = parse_instr(rest, &kernel).map_err(|e| at(n, &e))?;
                let declared = declared_type(rest);
                let v = kernel.push(instr);
                if let Some(d) = declared
                    && kernel.types[v] != d
                {
                    return Err(at(
                        n,
                        &format!("declared {d}, but the value is {}", kernel.types[v]),
                    ));
                }
            }
            _ => return Err(at(n, &format!("cannot read `{line}`"))),
        }
    }
    kernel.validate()?;
    Ok(kernel)
}

/// The dtype written after `param`/`load` (checked against the declaration).
fn declared_type(words: &[&str]) -> Option<DType> {
    match words {
        ["param", _, d] | ["load", _, d] => parse_dtype(d).ok(),
        _ => None,
    }
}

fn parse_num<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.parse::<T>().map_err(|_| format!("`{s}` is not a number"))
}

fn parse_dtype(s: &str) -> Result<DType, String> {
    DTYPES
        .iter()
        .copied()
        .find(|d| d.to_string() == s)
        .ok_or_else(|| format!("unknown dtype `{s}`"))
}

fn parse_dtypes(s: &str) -> Result<Vec<DType>, String> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',').map(parse_dtype).collect()
}

fn value_ref(s: &str, defined: usize) -> Result<usize, String> {
    let v: usize = s
        .strip_prefix('v')
        .ok_or_else(|| format!("expected a value `vN`, found `{s}`"))
        .and_then(parse_num)?;
    if v >= defined {
        return Err(format!("v{v} is used before it is defined"));
    }
    Ok(v)
}

fn param_ref(s: &str) -> Result<usize, String> {
    s.strip_prefix('p')
        .ok_or_else(|| format!("expected a parameter `pN`, found `{s}`"))
        .and_then(parse_num)
}

fn parse_float(s: &str) -> Result<f64, String> {
    if let Some(hex) = s.strip_prefix("bits:0x") {
        return u64::from_str_radix(hex, 16)
            .map(f64::from_bits)
            .map_err(|_| format!("bad float bits `{s}`"));
    }
    s.parse::<f64>()
        .map_err(|_| format!("`{s}` is not a float"))
}

fn keyed<'a>(w: &'a str, key: &str) -> Result<&'a str, String> {
    w.strip_prefix(key)
        .and_then(|r| r.strip_prefix('='))
        .ok_or_else(|| format!("expected `{key}=...`, found `{w}`"))
}

fn parse_op(name: &str) -> Result<MapOp, String> {
    if let Some(d) = name.strip_prefix("round:") {
        return Ok(MapOp::Round(parse_num(d)?));
    }
    if let Some(rest) = name
        .strip_prefix("nan_to_num(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let parts: Vec<&str> = rest.split(',').collect();
        let [a, b, c] = parts.as_slice() else {
            return Err("nan_to_num needs three values".into());
        };
        return Ok(MapOp::NanToNum(
            parse_float(a)?.to_bits(),
            parse_float(b)?.to_bits(),
            parse_float(c)?.to_bits(),
        ));
    }
    match name {
        "where" => return Ok(MapOp::Where),
        "clip" => return Ok(MapOp::Clip),
        "astype" => return Ok(MapOp::Cast),
        _ => {}
    }
    if let Some(u) = UNARY.iter().find(|u| u.name() == name) {
        return Ok(MapOp::Unary(*u));
    }
    if let Some(b) = BINARY.iter().find(|b| b.name() == name) {
        return Ok(MapOp::Binary(*b));
    }
    Err(format!("unknown operation `{name}`"))
}

fn parse_instr(words: &[&str], k: &Kernel) -> Result<Instr, String> {
    let defined = k.body.len();
    match words {
        ["const", d, v] => {
            let d = parse_dtype(d)?;
            let c = match d {
                DType::Bool => match *v {
                    "true" => Scalar::Bool(true),
                    "false" => Scalar::Bool(false),
                    _ => return Err(format!("`{v}` is not a bool")),
                },
                DType::U8 => Scalar::U8(parse_num(v)?),
                DType::I32 => Scalar::I32(parse_num(v)?),
                DType::I64 => Scalar::I64(parse_num(v)?),
                DType::F32 => match v.strip_prefix("bits:0x") {
                    Some(hex) => Scalar::F32(
                        u32::from_str_radix(hex, 16).map_err(|_| format!("bad bits `{v}`"))?,
                    ),
                    None => Scalar::F32(
                        v.parse::<f32>()
                            .map_err(|_| format!("`{v}` is not a float"))?
                            .to_bits(),
                    ),
                },
                DType::F64 => Scalar::F64(parse_float(v)?.to_bits()),
            };
            Ok(Instr::Const(c))
        }
        ["param", p, _] => Ok(Instr::Param(param_ref(p)?)),
        ["index", a] => Ok(Instr::Index(parse_num(a)?)),
        ["load", i, _] => Ok(Instr::Load(parse_num(i)?)),
        ["random", dist, rest @ ..] => {
            let (dist, rest) = match (*dist, rest) {
                ("normal", r) => (RandomDist::Normal, r),
                ("uniform", r) => (RandomDist::Uniform, r),
                ("integers", [low, high, r @ ..]) => (
                    RandomDist::Integers {
                        low: param_ref(keyed(low, "low")?)?,
                        high: param_ref(keyed(high, "high")?)?,
                    },
                    r,
                ),
                _ => return Err(format!("unknown distribution `{dist}`")),
            };
            let [seed, stream, flat] = rest else {
                return Err("random needs seed=pN stream=pN flat=...".into());
            };
            let flat = keyed(flat, "flat")?
                .split(',')
                .map(parse_num)
                .collect::<Result<Vec<i64>, _>>()?;
            Ok(Instr::Random {
                dist,
                seed: param_ref(keyed(seed, "seed")?)?,
                stream: param_ref(keyed(stream, "stream")?)?,
                flat,
            })
        }
        ["cast", v, d] => Ok(Instr::Cast(value_ref(v, defined)?, parse_dtype(d)?)),
        ["bitcast", v, d] => Ok(Instr::Bitcast(value_ref(v, defined)?, parse_dtype(d)?)),
        [op, types, args @ ..] => {
            let op = parse_op(op)?;
            let (compute, out) = types
                .split_once("->")
                .ok_or_else(|| format!("expected `compute->out` dtypes, found `{types}`"))?;
            let args = args
                .iter()
                .map(|a| value_ref(a, defined))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Instr::Apply {
                op,
                args,
                compute: parse_dtype(compute)?,
                out: parse_dtype(out)?,
            })
        }
        _ => Err(format!("cannot read `{}`", words.join(" "))),
    }
}
