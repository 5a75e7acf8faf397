//! Kernel filetests (as Cranelift's): each `tests/kernels/*.kir` holds a kernel in its text
//! form and comment lines saying how to launch it and what it must give, on every backend:
//!
//! - `; region: START:STEP:LEN ...` — one span per axis (default: the first input's shape);
//! - `; params: V ...` — parameter values (floats, ints, `true`/`false`);
//! - `; input: DTYPE [SHAPE] V ... [transpose] [flipK]` — an input array, in row-major
//!   order, then made into a view: `transpose` reverses its axes, `flipK` reverses axis K
//!   (so loads see transposed and negative strides);
//! - `; run: V ...` — the values of one output (in sink order), row-major; floats compare
//!   by value with nan equal to nan and -0.0 distinct from 0.0.
//!
//! The text must also round-trip: `parse(display(k)) == k`.

use arr::backend::launch::{Span, launch};
use arr::backend::{Backend, interp::Interpreter, jit::Jit};
use arr::data::Data;
use arr::kernel::text::parse;
use arr::sema::dtype::DType;
use ndarray::{ArrayD, Axis, IxDyn};
use std::path::Path;

fn dtype_of(s: &str) -> DType {
    match s {
        "bool" => DType::Bool,
        "u8" => DType::U8,
        "i32" => DType::I32,
        "i64" => DType::I64,
        "f32" => DType::F32,
        "f64" => DType::F64,
        other => panic!("unknown dtype {other}"),
    }
}

fn num(s: &str) -> f64 {
    match s {
        "true" => 1.0,
        "false" => 0.0,
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or_else(|_| panic!("bad number {s}")),
    }
}

fn param_bits(s: &str, d: DType) -> u64 {
    match d {
        DType::F64 => num(s).to_bits(),
        DType::F32 => (num(s) as f32).to_bits() as u64,
        DType::Bool => (num(s) != 0.0) as u64,
        _ => s.parse::<i64>().unwrap_or_else(|_| panic!("bad int {s}")) as u64,
    }
}

fn input(spec: &str) -> Data {
    let (d, rest) = spec.trim().split_once(' ').expect("dtype then shape");
    let d = dtype_of(d);
    let (shape, rest) = rest
        .trim()
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .expect("a [shape]");
    let shape: Vec<usize> = shape
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().expect("shape"))
        .collect();
    let mut values = Vec::new();
    let mut mods = Vec::new();
    for w in rest.split_whitespace() {
        if w == "transpose" || w.starts_with("flip") {
            mods.push(w.to_string());
        } else {
            values.push(w);
        }
    }
    let data = match d {
        DType::I64 | DType::I32 | DType::U8 => {
            let v: Vec<i64> = values.iter().map(|s| s.parse().expect("int")).collect();
            Data::I64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("values fill the shape"))
                .into_dtype(d)
        }
        _ => {
            let v: Vec<f64> = values.iter().map(|s| num(s)).collect();
            Data::F64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("values fill the shape"))
                .into_dtype(d)
        }
    };
    let mut data = data;
    for m in mods {
        data = if m == "transpose" {
            arr::map_data!(data, a => a.reversed_axes())
        } else {
            let k: usize = m["flip".len()..].parse().expect("flipK");
            arr::map_data!(data, a => { let mut a = a; a.invert_axis(Axis(k)); a })
        };
    }
    data
}

fn same(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits()
}

fn run_file(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let kernel = parse(&text).map_err(|e| format!("parse: {e}"))?;
    let again = parse(&kernel.to_string()).map_err(|e| format!("reparse: {e}\n{kernel}"))?;
    if again != kernel {
        return Err(format!("text does not round-trip:\n{kernel}"));
    }
    let mut region: Option<Vec<Span>> = None;
    let mut params: Vec<u64> = Vec::new();
    let mut inputs: Vec<Data> = Vec::new();
    let mut runs: Vec<Vec<f64>> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(r) = line.strip_prefix("; region:") {
            region = Some(
                r.split_whitespace()
                    .map(|s| {
                        let p: Vec<i64> = s.split(':').map(|x| x.parse().expect("span")).collect();
                        Span {
                            start: p[0],
                            step: p[1],
                            len: p[2] as usize,
                        }
                    })
                    .collect(),
            );
        } else if let Some(r) = line.strip_prefix("; params:") {
            params = r
                .split_whitespace()
                .zip(&kernel.params)
                .map(|(s, d)| param_bits(s, *d))
                .collect();
        } else if let Some(r) = line.strip_prefix("; input:") {
            inputs.push(input(r));
        } else if let Some(r) = line.strip_prefix("; run:") {
            runs.push(r.split_whitespace().map(num).collect());
        }
    }
    let region = region.unwrap_or_else(|| {
        inputs
            .first()
            .map(|d| {
                d.shape()
                    .iter()
                    .map(|&n| Span {
                        start: 0,
                        step: 1,
                        len: n,
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    if runs.is_empty() {
        return Err("no `; run:` line".into());
    }
    let backends: [&dyn Backend; 2] = [&Interpreter, &Jit];
    for backend in backends {
        let body = backend
            .compile(&kernel)
            .map_err(|e| format!("{}: compile: {e}", backend.name()))?;
        let outs = launch(&*body, &kernel, &region, &inputs, &params)
            .map_err(|e| format!("{}: launch: {e}", backend.name()))?;
        if outs.len() != runs.len() {
            return Err(format!(
                "{}: {} outputs for {} `; run:` lines",
                backend.name(),
                outs.len(),
                runs.len()
            ));
        }
        for (k, (out, want)) in outs.iter().zip(&runs).enumerate() {
            let got = out.to_f64_vec();
            let ok = got.len() == want.len() && got.iter().zip(want).all(|(g, w)| same(*g, *w));
            if !ok {
                return Err(format!(
                    "{}: output {k}: expected {want:?}, got {got:?}",
                    backend.name()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn kernel_filetests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kernels");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/kernels exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kir"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "expected at least 40 kernel filetests, found {}",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| run_file(f).err().map(|e| format!("{}: {e}", f.display())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn kernel_parser_rejects_without_panicking() {
    for bad in [
        "",
        "kernel",
        "kernel rank=1 inputs=f64\n  v0 = load 1 f64\n  store v0",
        "kernel rank=1 inputs=f64\n  v1 = load 0 f64\n  store v1",
        "kernel rank=1 inputs=f64\n  v0 = load 0 f64\n  v1 = add f64->f64 v0 v2\n  store v1",
        "kernel rank=1 inputs=f64\n  v0 = load 0 f64",
        "kernel rank=1 inputs=i64\n  v0 = load 0 i64\n  v1 = add f64->f64 v0 v0\n  store v1",
        "kernel rank=99999999999999999999",
        "kernel rank=1 params=f64\n  v0 = random normal seed=p0 stream=p0 flat=0,1\n  store v0",
        "kernel rank=1 inputs=f64\n  v0 = load 0 i32\n  store v0",
        "kernel rank=1\n  v0 = index 5\n  store v0",
        "kernel rank=1\n  v0 = const f64 zz\n  store v0",
    ] {
        assert!(parse(bad).is_err(), "accepted:\n{bad}");
    }
}

/// A small deterministic generator for the property test (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Values that exercise the edges: nan, infinities, signed zeros, extremes, ordinary numbers.
fn interesting(rng: &mut Rng, d: DType) -> f64 {
    let special = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        2.5,
        -3.75,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e-300,
        255.0,
        -129.0,
        2147483647.0,
        7.0,
    ];
    if d.is_float() && rng.below(3) > 0 {
        special[rng.below(special.len())]
    } else {
        let v = (rng.next() % 2001) as f64 - 1000.0;
        if d == DType::Bool {
            (v > 0.0) as i64 as f64
        } else {
            v
        }
    }
}

fn random_input(rng: &mut Rng, d: DType, region: &[usize]) -> Data {
    // Broadcast: each axis is kept or made length 1; leading axes may be dropped.
    let drop = rng.below(region.len() + 1).min(region.len() - 1);
    let shape: Vec<usize> = region[drop..]
        .iter()
        .map(|&n| if rng.below(4) == 0 { 1 } else { n })
        .collect();
    let n: usize = shape.iter().product();
    let vals: Vec<f64> = (0..n).map(|_| interesting(rng, d)).collect();
    let mut data =
        Data::F64(ArrayD::from_shape_vec(IxDyn(&shape), vals).expect("shape")).into_dtype(d);
    if rng.below(3) == 0 {
        for k in 0..shape.len() {
            if rng.below(2) == 0 {
                data = arr::map_data!(data, a => { let mut a = a; a.invert_axis(Axis(k)); a });
            }
        }
    }
    if rng.below(3) == 0 && shape.len() >= 2 {
        // A transposed view of the transposed data: same logical values, permuted strides.
        data = arr::map_data!(data, a => {
            let t = a.reversed_axes().as_standard_layout().into_owned();
            t.reversed_axes()
        });
    }
    data
}

/// Random kernels (op chains over every dtype, broadcasts, reversed and transposed inputs,
/// several sinks) give bitwise-equal results on the JIT and the interpreter.
#[test]
fn random_kernels_agree_on_jit_and_interpreter() {
    let dtypes = [
        DType::Bool,
        DType::U8,
        DType::I32,
        DType::I64,
        DType::F32,
        DType::F64,
    ];
    agree_on_random_kernels(0x9E37_79B9_7F4A_7C15, &dtypes, 5, 400);
}

/// The JIT's vector loop (f64 values in f64x2 registers, four elements per iteration, a
/// scalar loop for the rest): f64 kernels over rows long enough to enter it (up to 40
/// elements, so also lengths that leave a remainder), with nan, ±inf and -0.0 inputs,
/// broadcast (stride 0), reversed and transposed views, agree bitwise with the interpreter.
#[test]
fn f64_kernels_agree_on_the_jit_vector_loop() {
    agree_on_random_kernels(0x2545_F491_4F6C_DD1D, &[DType::F64], 40, 400);
}

/// The same for `f32` kernels (one `f32x4` register per four elements), and for kernels
/// mixing `f32` and `f64`, whose comparisons' lane masks (`i32x4` of an `f32` comparison)
/// select between values of the other width.
#[test]
fn f32_and_mixed_float_kernels_agree_on_the_jit_vector_loop() {
    agree_on_random_kernels(0x6A09_E667_F3BC_C908, &[DType::F32], 40, 400);
    agree_on_random_kernels(0xBB67_AE85_84CA_A73B, &[DType::F32, DType::F64], 40, 400);
}

/// Generates `cases` random kernels whose inputs and compute dtypes come from `dtypes`, over
/// regions of rank 1 to 3 with axes of 1 to `max_len` elements, and checks that the JIT gives
/// the interpreter's bits.
fn agree_on_random_kernels(seed: u64, dtypes: &[DType], max_len: usize, cases: usize) {
    use arr::kernel::{BinaryOp, Instr, Kernel, MapOp, Sink, UnaryOp};
    let unary = [
        UnaryOp::Neg,
        UnaryOp::Abs,
        UnaryOp::Sign,
        UnaryOp::Invert,
        UnaryOp::Sqrt,
        UnaryOp::Exp,
        UnaryOp::Log,
        UnaryOp::Sin,
        UnaryOp::Tanh,
        UnaryOp::Floor,
        UnaryOp::Ceil,
        UnaryOp::Trunc,
        UnaryOp::Rint,
        UnaryOp::IsNan,
        UnaryOp::IsInf,
        UnaryOp::IsFinite,
        UnaryOp::Cbrt,
        UnaryOp::Expm1,
        UnaryOp::Log1p,
        UnaryOp::Arctan,
    ];
    let binary = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::FloorDiv,
        BinaryOp::Mod,
        BinaryOp::Pow,
        BinaryOp::Minimum,
        BinaryOp::Maximum,
        BinaryOp::Arctan2,
        BinaryOp::Hypot,
        BinaryOp::BitAnd,
        BinaryOp::BitOr,
        BinaryOp::BitXor,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
    ];
    let mut rng = Rng(seed);
    let mut checked = 0;
    for case in 0..cases {
        let rank = 1 + rng.below(3);
        let region: Vec<usize> = (0..rank).map(|_| 1 + rng.below(max_len)).collect();
        let n_inputs = 1 + rng.below(3);
        let in_types: Vec<DType> = (0..n_inputs).map(|_| rng.pick(dtypes)).collect();
        let inputs: Vec<Data> = in_types
            .iter()
            .map(|d| random_input(&mut rng, *d, &region))
            .collect();
        let mut k = Kernel::new(rank, in_types.clone());
        for i in 0..n_inputs {
            k.push(Instr::Load(i));
        }
        if rng.below(2) == 0 {
            k.push(Instr::Index(rng.below(rank)));
        }
        for _ in 0..(2 + rng.below(6)) {
            let compute = rng.pick(dtypes);
            let a = rng.below(k.body.len());
            let a = k.cast_to(a, compute);
            let instr = match rng.below(7) {
                0 => Instr::Apply {
                    op: MapOp::Unary(rng.pick(&unary)),
                    args: vec![a],
                    compute,
                    out: compute,
                },
                1 => {
                    let c = rng.below(k.body.len());
                    let c = k.cast_to(c, DType::Bool);
                    let b = rng.below(k.body.len());
                    let b = k.cast_to(b, compute);
                    Instr::Apply {
                        op: MapOp::Where,
                        args: vec![c, a, b],
                        compute,
                        out: compute,
                    }
                }
                2 => Instr::Cast(a, rng.pick(dtypes)),
                3 => {
                    let lo = rng.below(k.body.len());
                    let lo = k.cast_to(lo, compute);
                    let hi = rng.below(k.body.len());
                    let hi = k.cast_to(hi, compute);
                    Instr::Apply {
                        op: MapOp::Clip,
                        args: vec![a, lo, hi],
                        compute,
                        out: compute,
                    }
                }
                _ => {
                    let b = rng.below(k.body.len());
                    let b = k.cast_to(b, compute);
                    let op = rng.pick(&binary);
                    Instr::Apply {
                        op: MapOp::Binary(op),
                        args: vec![a, b],
                        compute,
                        out: if op.is_comparison() {
                            DType::Bool
                        } else {
                            compute
                        },
                    }
                }
            };
            k.push(instr);
        }
        let last = k.body.len() - 1;
        k.sinks.push(Sink::Store(last));
        if rng.below(2) == 0 {
            k.sinks.push(Sink::Store(rng.below(last + 1)));
        }
        k.validate()
            .unwrap_or_else(|e| panic!("case {case}: generated an invalid kernel: {e}\n{k}"));
        let spans: Vec<Span> = region
            .iter()
            .map(|&n| Span {
                start: 0,
                step: 1,
                len: n,
            })
            .collect();
        let mut results = Vec::new();
        let backends: [&dyn Backend; 2] = [&Interpreter, &Jit];
        for backend in backends {
            let body = backend.compile(&k).unwrap_or_else(|e| {
                panic!("case {case}: {} cannot compile: {e}\n{k}", backend.name())
            });
            results.push(
                launch(&*body, &k, &spans, &inputs, &[])
                    .unwrap_or_else(|e| panic!("case {case}: launch: {e}")),
            );
        }
        for (o, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
            let (va, vb) = (a.to_f64_vec(), b.to_f64_vec());
            let same_bits =
                va.len() == vb.len() && va.iter().zip(&vb).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(
                same_bits && a.dtype() == b.dtype(),
                "case {case}, output {o}: interpreter {va:?} vs JIT {vb:?}\n{k}\ninputs {inputs:?}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, cases);
}

/// `kernel::random_ir::expand` (the generators as ordinary IR arithmetic, which the CUDA
/// generator emits) gives bitwise the values of the CPU's fill routines, on the interpreter
/// and on the JIT: every distribution, contiguous, strided, reversed and transposed flat
/// indices, indices past 2^33 (the counter's high word), seeds and streams with high bits set,
/// integer ranges that are small, negative, empty and nearly 2^64 wide.
#[test]
fn random_ir_expansion_matches_the_fill_routines() {
    use arr::kernel::random_ir::expand;
    use arr::kernel::{Instr, Kernel, RandomDist, Sink};
    let flats: [[i64; 3]; 6] = [
        [0, 37, 1],
        [5, 80, 2],
        [10_000, -40, -1],
        [0, 1, 7],
        [(1 << 40) + 3, 37, 1],
        [1, 3, 0],
    ];
    let seeds: [u64; 3] = [7, 0xdead_beef_1234_5678, u64::MAX - 11];
    let ranges: [(i64, i64); 5] = [
        (0, 10),
        (-5, 5),
        (3, 3),
        (i64::MIN, i64::MAX),
        (-1, i64::MAX),
    ];
    let spans = [
        Span {
            start: 2,
            step: 1,
            len: 7,
        },
        Span {
            start: 0,
            step: 1,
            len: 37,
        },
    ];
    let mut checked = 0;
    for dist in [
        RandomDist::Normal,
        RandomDist::Uniform,
        RandomDist::Integers { low: 2, high: 3 },
    ] {
        for flat in flats {
            for (s, seed) in seeds.iter().enumerate() {
                for &(low, high) in &ranges {
                    if !matches!(dist, RandomDist::Integers { .. }) && (low, high) != ranges[0] {
                        continue;
                    }
                    let mut k = Kernel::new(2, vec![]);
                    k.params = vec![DType::I64; 4];
                    let v = k.push(Instr::Random {
                        dist,
                        seed: 0,
                        stream: 1,
                        flat: flat.to_vec(),
                    });
                    k.sinks.push(Sink::Store(v));
                    let params = [*seed, 3 + (s as u64) * 0x8000_0001, low as u64, high as u64];
                    let expanded = expand(&k);
                    expanded
                        .validate()
                        .expect("the expansion is a valid kernel");
                    assert!(
                        !expanded
                            .body
                            .iter()
                            .any(|i| matches!(i, Instr::Random { .. })),
                        "expand left a Random instruction"
                    );
                    let run = |backend: &dyn Backend, kernel: &Kernel| {
                        let body = backend.compile(kernel).expect("compiles");
                        launch(&*body, kernel, &spans, &[], &params)
                            .expect("launches")
                            .remove(0)
                            .to_f64_vec()
                            .iter()
                            .map(|x| x.to_bits())
                            .collect::<Vec<u64>>()
                    };
                    let want = run(&Interpreter, &k);
                    assert_eq!(want.len(), 7 * 37);
                    for (name, backend) in
                        [("interpreter", &Interpreter as &dyn Backend), ("jit", &Jit)]
                    {
                        assert_eq!(
                            run(backend, &expanded),
                            want,
                            "{dist:?} flat {flat:?} seed {seed:#x} range ({low}, {high}): the expansion on the {name} differs"
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 6 * 3 * (1 + 1 + 5));
}
