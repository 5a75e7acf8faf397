//! The generated CUDA C, run on the host: without a GPU, the semantics of the code generator
//! are still checked. Every kernel of `tests/kernels/*.kir` and of the case corpus is emitted
//! (prelude and all) into one C++ program together with a small shim for the CUDA built-ins
//! it uses (`__longlong_as_double`, `__umulhi`, `atomicOr`, one thread of one block), compiled
//! by the host's C++ compiler without contraction (`-ffp-contract=off`), and launched over
//! random regions with random inputs (nan, infinities, signed zeros, integer extremes;
//! broadcast and reversed views) and random parameters; each result must be bitwise the
//! interpreter's (nan payloads aside) — Philox and its transforms, + − × ÷ √, casts, integer
//! semantics — except in kernels calling other math functions, whose floats may differ by
//! 2 ulp (the host's C library against Rust's: `f64::cbrt`, for one, is Rust's own).
//!
//! This does not check NVRTC's code (the NVRTC tests compile it) or libdevice's math (within
//! 2 ulp, checked by `benches/gpu.sh` on a GPU); it checks what the generator writes.

use arr::backend::Backend;
use arr::backend::cuda::emit;
use arr::backend::interp::Interpreter;
use arr::backend::launch::{Span, launch, output_values};
use arr::data::Data;
use arr::kernel::Kernel;
use arr::sema::dtype::DType;
use ndarray::{ArrayD, Axis, IxDyn};
use std::fmt::Write as _;
use std::process::Command;

/// The CUDA built-ins the generated code uses, for one host thread.
const SHIM: &str = r#"
#include <cmath>
#include <math.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(x)
struct arr_dim3 { unsigned int x; };
static arr_dim3 gridDim = {1}, blockDim = {1}, blockIdx = {0}, threadIdx = {0};
static inline double __longlong_as_double(long long v) { double d; memcpy(&d, &v, 8); return d; }
static inline long long __double_as_longlong(double d) { long long v; memcpy(&v, &d, 8); return v; }
static inline float __int_as_float(int v) { float f; memcpy(&f, &v, 4); return f; }
static inline int __float_as_int(float f) { int v; memcpy(&v, &f, 4); return v; }
static inline unsigned int __umulhi(unsigned int a, unsigned int b) { return (unsigned int)(((unsigned long long)a * b) >> 32); }
static inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) { return (unsigned long long)(((unsigned __int128)a * b) >> 64); }
static inline unsigned int atomicOr(unsigned int* p, unsigned int v) { unsigned int o = *p; *p |= v; return o; }
static void arr_read(FILE* f, void* p, size_t n) { if (n && fread(p, 1, n, f) != n) { fprintf(stderr, "short read\n"); exit(3); } }
"#;

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
}

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
        -9.3e18,
        9.3e18,
        7.0,
    ];
    if d.is_float() && rng.below(3) > 0 {
        special[rng.below(special.len())]
    } else if d == DType::Bool {
        rng.below(2) as f64
    } else {
        (rng.next() % 2001) as f64 - 1000.0
    }
}

fn random_input(rng: &mut Rng, d: DType, region: &[usize]) -> Data {
    let shape: Vec<usize> = region
        .iter()
        .map(|&n| if rng.below(4) == 0 { 1 } else { n })
        .collect();
    let n: usize = shape.iter().product();
    let data = if matches!(d, DType::I64 | DType::I32) && rng.below(2) == 0 {
        // Integer extremes: wrapping, MIN // -1 and MIN % -1, division by zero.
        let min = if d == DType::I64 {
            i64::MIN
        } else {
            i32::MIN as i64
        };
        let ext = [min, -1, min, -1, 0, -min - 1, 1, -7];
        let v: Vec<i64> = (0..n).map(|_| ext[rng.below(ext.len())]).collect();
        Data::I64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape")).into_dtype(d)
    } else {
        let v: Vec<f64> = (0..n).map(|_| interesting(rng, d)).collect();
        Data::F64(ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape")).into_dtype(d)
    };
    let mut data = data;
    for k in 0..shape.len() {
        if rng.below(4) == 0 {
            data = arr::map_data!(data, a => { let mut a = a; a.invert_axis(Axis(k)); a });
        }
    }
    data
}

fn random_param(rng: &mut Rng, d: DType) -> u64 {
    match d {
        DType::F64 => interesting(rng, d).to_bits(),
        DType::F32 => (interesting(rng, d) as f32).to_bits() as u64,
        DType::Bool => rng.below(2) as u64,
        DType::U8 => rng.below(256) as u64,
        DType::I32 => (rng.below(2001) as i64 - 1000) as u64,
        DType::I64 => match rng.below(4) {
            0 => rng.next(),
            1 => (rng.below(2001) as i64 - 1000) as u64,
            _ => rng.below(50) as u64,
        },
    }
}

/// The bytes an input view spans (lowest to highest address) and the element offset of its
/// first logical element, with its element strides per region axis (0 where broadcast).
fn span_of(data: &Data, lens: &[usize]) -> (Vec<u8>, u64, Vec<i64>) {
    let size = data.dtype().size();
    arr::with_data!(data, a => {
        let (mut lo, mut hi) = (0isize, 0isize);
        for (&n, &s) in a.shape().iter().zip(a.strides()) {
            let reach = (n as isize - 1) * s;
            if reach < 0 { lo += reach } else { hi += reach }
        }
        let len = (hi - lo + 1) as usize;
        // SAFETY: the elements between the lowest and highest addresses of an array lie in
        // its one allocation.
        let bytes = unsafe {
            std::slice::from_raw_parts(a.as_ptr().offset(lo).cast::<u8>(), len * size)
        }
        .to_vec();
        let strides: Vec<i64> = a
            .shape()
            .iter()
            .zip(a.strides())
            .zip(lens)
            .map(|((&n, &s), &l)| if n == l && n != 1 { s as i64 } else { 0 })
            .collect();
        (bytes, (-lo) as u64, strides)
    })
}

/// One `case` of the harness's `switch`: reads kernel `i`'s inputs, runs it, writes the
/// status word and the outputs.
fn harness_case(i: usize, k: &Kernel) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "case {i}: {{");
    let mut args = vec![
        "geo".to_string(),
        "&status".to_string(),
        "(unsigned long long)n".to_string(),
    ];
    for (j, d) in k.inputs.iter().enumerate() {
        let c = emit::c_type(*d);
        let _ = writeln!(
            s,
            "  unsigned long long c{j}, b{j}; arr_read(in, &c{j}, 8); arr_read(in, &b{j}, 8);\n  \
             {c}* in{j} = ({c}*)malloc(c{j} * sizeof({c}) + 1); arr_read(in, in{j}, c{j} * sizeof({c}));"
        );
        args.push(format!("in{j} + b{j}"));
    }
    let outs = output_values(k);
    for (j, v) in outs.iter().enumerate() {
        let c = emit::c_type(k.types[*v]);
        let _ = writeln!(s, "  {c}* out{j} = ({c}*)calloc(n + 1, sizeof({c}));");
        args.push(format!("out{j}"));
    }
    let _ = writeln!(s, "  arr_k{i}({});", args.join(", "));
    let _ = writeln!(s, "  fwrite(&status, 4, 1, out);");
    for (j, v) in outs.iter().enumerate() {
        let c = emit::c_type(k.types[*v]);
        let _ = writeln!(s, "  fwrite(out{j}, sizeof({c}), n, out); free(out{j});");
    }
    for j in 0..k.inputs.len() {
        let _ = writeln!(s, "  free(in{j});");
    }
    s.push_str("} break;\n");
    s
}

fn harness(kernels: &[&Kernel]) -> String {
    let named: Vec<(String, &Kernel)> = kernels
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("arr_k{i}"), *k))
        .collect();
    let mut s = String::from(SHIM);
    s.push_str(&emit::program(&named).expect("every kernel emits"));
    let cases: Vec<String> = kernels
        .iter()
        .enumerate()
        .map(|(i, k)| harness_case(i, k))
        .collect();
    s.push_str(&harness_main(&cases));
    s
}

/// The harness's `main`: reads launches (kernel index, element count, geometry words,
/// then what the kernel's `case` reads) until the input ends, and runs each one's case.
fn harness_main(cases: &[String]) -> String {
    let mut s = String::from(
        "\nint main(int argc, char** argv) {\n  FILE* in = fopen(argv[1], \"rb\");\n  \
         FILE* out = fopen(argv[2], \"wb\");\n  if (!in || !out) return 2;\n  \
         unsigned long long which;\n  while (fread(&which, 8, 1, in) == 1) {\n  \
         unsigned long long n, words; arr_read(in, &n, 8); arr_read(in, &words, 8);\n  \
         unsigned long long* geo = (unsigned long long*)malloc(words * 8 + 8); \
         arr_read(in, geo, words * 8);\n  unsigned int status = 0;\n  switch (which) {\n",
    );
    for case in cases {
        s.push_str(case);
    }
    s.push_str("default: return 4;\n  }\n  free(geo);\n  }\n  fclose(out);\n  return 0;\n}\n");
    s
}

/// Compiles `source` as host C++ (no contraction) into `dir/name` and runs it on `input`:
/// what it wrote. Fails the test, naming the file, when it does not compile or run.
fn build_and_run(
    cxx: &str,
    dir: &std::path::Path,
    name: &str,
    source: &str,
    input: &[u8],
) -> Vec<u8> {
    let src = dir.join(format!("{name}.cpp"));
    let exe = dir.join(name);
    std::fs::write(&src, source).expect("writable");
    let built = Command::new(cxx)
        .args([
            "-std=c++17",
            "-O1",
            "-ffp-contract=off",
            "-fno-fast-math",
            "-w",
        ])
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output()
        .expect("the compiler runs");
    assert!(
        built.status.success(),
        "the generated CUDA does not compile as host C++ ({}):\n{}",
        src.display(),
        String::from_utf8_lossy(&built.stderr)
            .lines()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let in_path = dir.join(format!("{name}.in"));
    let out_path = dir.join(format!("{name}.out"));
    std::fs::write(&in_path, input).expect("writable");
    let ran = Command::new(&exe)
        .arg(&in_path)
        .arg(&out_path)
        .output()
        .expect("the harness runs");
    assert!(
        ran.status.success(),
        "the harness failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    std::fs::read(&out_path).expect("results")
}

/// One launch: kernel index, region, inputs, parameters.
struct Trial {
    kernel: usize,
    region: Vec<Span>,
    inputs: Vec<Data>,
    params: Vec<u64>,
}

fn random_trial(rng: &mut Rng, index: usize, k: &Kernel) -> Trial {
    let rank = k.rank;
    let mut region = Vec::new();
    for _ in 0..rank {
        let len = 1 + rng.below(if rank > 2 { 3 } else { 5 });
        let step = [1i64, 1, 2, -1, 3][rng.below(5)];
        let start = rng.below(6) as i64 + if step < 0 { len as i64 } else { 0 };
        region.push(Span { start, step, len });
    }
    let lens: Vec<usize> = if rank == 0 {
        Vec::new()
    } else {
        region.iter().map(|s| s.len).collect()
    };
    let inputs = k
        .inputs
        .iter()
        .map(|d| random_input(rng, *d, &lens))
        .collect();
    let params = k.params.iter().map(|d| random_param(rng, *d)).collect();
    Trial {
        kernel: index,
        region,
        inputs,
        params,
    }
}

fn encode(t: &Trial, k: &Kernel, out: &mut Vec<u8>) {
    let g = emit::Geometry::of(k);
    let spans: Vec<Span> = if t.region.is_empty() {
        vec![Span {
            start: 0,
            step: 1,
            len: 1,
        }]
    } else {
        t.region.clone()
    };
    let lens: Vec<usize> = spans.iter().map(|s| s.len).collect();
    let n: usize = lens.iter().product();
    let mut geo = vec![0u64; g.words()];
    geo[..t.params.len()].copy_from_slice(&t.params);
    for (a, s) in spans.iter().enumerate() {
        geo[g.axis(a)] = s.start as u64;
        geo[g.axis(a) + 1] = s.step as u64;
        geo[g.axis(a) + 2] = s.len as u64;
    }
    let mut blobs = Vec::new();
    for (j, d) in t.inputs.iter().enumerate() {
        let (bytes, base, strides) = span_of(d, &lens);
        for (a, st) in strides.iter().enumerate() {
            geo[g.stride(j, a)] = *st as u64;
        }
        blobs.push((bytes, base, d.dtype().size()));
    }
    for w in [t.kernel as u64, n as u64, geo.len() as u64] {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for w in &geo {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for (bytes, base, size) in blobs {
        out.extend_from_slice(&((bytes.len() / size) as u64).to_le_bytes());
        out.extend_from_slice(&base.to_le_bytes());
        out.extend_from_slice(&bytes);
    }
}

/// The values of an output as f64 bit patterns of its elements (nan made canonical), from
/// the interpreter's array or the harness's bytes.
fn canon_f64(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}

fn values_of(d: &Data) -> Vec<u64> {
    match d {
        Data::F32(a) => a
            .iter()
            .map(|x| {
                if x.is_nan() {
                    u64::MAX
                } else {
                    x.to_bits() as u64
                }
            })
            .collect(),
        Data::F64(a) => a.iter().map(|x| canon_f64(*x)).collect(),
        Data::I64(a) => a.iter().map(|x| *x as u64).collect(),
        Data::I32(a) => a.iter().map(|x| *x as i64 as u64).collect(),
        Data::U8(a) => a.iter().map(|x| *x as u64).collect(),
        Data::Bool(a) => a.iter().map(|x| *x as u64).collect(),
    }
}

fn values_from_bytes(bytes: &[u8], d: DType) -> Vec<u64> {
    bytes
        .chunks_exact(d.size())
        .map(|c| match d {
            DType::Bool => (c[0] != 0) as u64,
            DType::U8 => c[0] as u64,
            DType::I32 => i32::from_le_bytes(c.try_into().unwrap()) as i64 as u64,
            DType::I64 => i64::from_le_bytes(c.try_into().unwrap()) as u64,
            DType::F32 => {
                let x = f32::from_le_bytes(c.try_into().unwrap());
                if x.is_nan() {
                    u64::MAX
                } else {
                    x.to_bits() as u64
                }
            }
            DType::F64 => canon_f64(f64::from_le_bytes(c.try_into().unwrap())),
        })
        .collect()
}

/// Whether the kernel calls a math function other than √ (within 2 ulp of the CPU's
/// library, not bitwise: Rust's own `cbrt`, say, is not glibc's).
fn transcendental(k: &Kernel) -> bool {
    use arr::kernel::{BinaryOp, Instr, MapOp, UnaryOp};
    k.body.iter().any(|i| match i {
        Instr::Apply { op, .. } => match op {
            MapOp::Unary(u) => u.is_float_math() && *u != UnaryOp::Sqrt,
            MapOp::Binary(b) => matches!(b, BinaryOp::Pow | BinaryOp::Arctan2 | BinaryOp::Hypot),
            _ => false,
        },
        _ => false,
    })
}

/// The distance in units in the last place between two float values given as `values_of`
/// patterns (nan only equals nan).
fn ulps(a: u64, b: u64, d: DType) -> u64 {
    let key = |x: u64| -> i64 {
        let (bits, sign) = if d == DType::F32 {
            (x as u32 as i64, 1i64 << 31)
        } else {
            (x as i64, i64::MIN)
        };
        if d == DType::F32 {
            if bits & sign != 0 {
                -(bits & (sign - 1))
            } else {
                bits
            }
        } else if bits < 0 {
            -(bits & i64::MAX)
        } else {
            bits
        }
    };
    let nan = |x: u64| {
        if d == DType::F32 {
            x == u64::MAX
        } else {
            f64::from_bits(x).is_nan()
        }
    };
    if nan(a) || nan(b) {
        return if nan(a) && nan(b) { 0 } else { u64::MAX };
    }
    key(a).abs_diff(key(b))
}

fn compiler() -> Option<&'static str> {
    ["g++", "c++", "clang++"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn generated_cuda_agrees_with_the_interpreter_on_the_host() {
    let Some(cxx) = compiler() else {
        // CI has gcc (the house rules); a machine without a C++ compiler says so.
        assert!(
            std::env::var_os("ARR_REQUIRE_NVRTC").is_none(),
            "no C++ compiler for the host check of the generated CUDA"
        );
        eprintln!("skipping: no C++ compiler");
        return;
    };
    let mut kernels: Vec<(String, Kernel)> = crate::cuda::kir_kernels();
    kernels.extend(crate::cuda::corpus_kernels().iter().cloned());
    kernels.extend(crate::cuda::op_matrix_kernels());
    let refs: Vec<&Kernel> = kernels.iter().map(|(_, k)| k).collect();
    let dir = std::env::temp_dir().join(format!("arr-cuda-host-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let mut trials = Vec::new();
    for (i, k) in refs.iter().enumerate() {
        for _ in 0..6 {
            trials.push(random_trial(&mut rng, i, k));
        }
    }
    let mut input = Vec::new();
    for t in &trials {
        encode(t, refs[t.kernel], &mut input);
    }
    let results = build_and_run(cxx, &dir, "harness", &harness(&refs), &input);
    let mut pos = 0usize;
    let mut failures = Vec::new();
    let mut compared = 0usize;
    for t in &trials {
        let k = refs[t.kernel];
        let n: usize = t.region.iter().map(|s| s.len).product();
        let status = u32::from_le_bytes(results[pos..pos + 4].try_into().unwrap());
        pos += 4;
        let outs = output_values(k);
        let mut got = Vec::new();
        for v in &outs {
            let d = k.types[*v];
            got.push(values_from_bytes(&results[pos..pos + n * d.size()], d));
            pos += n * d.size();
        }
        let body = Interpreter.compile(k).expect("the interpreter compiles it");
        let want = launch(&*body, k, &t.region, &t.inputs, &t.params);
        let label = &kernels[t.kernel].0;
        match want {
            Err(e) => {
                if status & emit::STATUS_NEGATIVE_RANDOM_INDEX == 0 {
                    failures.push(format!(
                        "{label}: the interpreter failed ({e}), CUDA did not"
                    ));
                }
            }
            Ok(want) => {
                if status != 0 {
                    failures.push(format!("{label}: CUDA set status {status}"));
                    continue;
                }
                let approx = transcendental(k);
                for (j, w) in want.iter().enumerate() {
                    compared += n;
                    let dtype = w.dtype();
                    let w = values_of(w);
                    let close = w.len() == got[j].len()
                        && w.iter().zip(&got[j]).all(|(a, b)| {
                            a == b || (approx && dtype.is_float() && ulps(*a, *b, dtype) <= 2)
                        });
                    if !close {
                        failures.push(format!(
                            "{label}: output {j} over {:?} with params {:?} and inputs {:?}:\n  \
                             interpreter {:x?}\n  generated   {:x?}\n{}",
                            t.region, t.params, t.inputs, w, got[j], k
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(pos, results.len(), "every result read");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} of {} launches differ:\n{}",
        failures.len(),
        trials.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "{} kernels, {} launches, {compared} values equal on the host (bitwise, math functions within 2 ulp)",
        refs.len(),
        trials.len()
    );
}

/// One `case` of the device-sum harness: reads kernel `i`'s inputs and the cut of its region
/// (`launch::PieceLeaves`), runs its leaf-sum function and the prelude's `arr_piece_sums`,
/// writes the status word, then each piece's sum and count.
fn sums_case(i: usize, k: &Kernel) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "case {i}: {{");
    let mut args = vec![
        "geo".to_string(),
        "&status".to_string(),
        "bounds".to_string(),
        "leaves".to_string(),
        "(unsigned int)skip".to_string(),
    ];
    for (j, d) in k.inputs.iter().enumerate() {
        let c = emit::c_type(*d);
        let _ = writeln!(
            s,
            "  unsigned long long c{j}, b{j}; arr_read(in, &c{j}, 8); arr_read(in, &b{j}, 8);\n  \
             {c}* in{j} = ({c}*)malloc(c{j} * sizeof({c}) + 1); arr_read(in, in{j}, c{j} * sizeof({c}));"
        );
        args.push(format!("in{j} + b{j}"));
    }
    s.push_str(
        "  unsigned long long leaves, pieces, skip; arr_read(in, &leaves, 8); \
         arr_read(in, &pieces, 8); arr_read(in, &skip, 8);\n  \
         unsigned long long* bounds = (unsigned long long*)malloc(8 * (leaves + 1)); \
         arr_read(in, bounds, 8 * (leaves + 1));\n  \
         unsigned long long* first = (unsigned long long*)malloc(8 * pieces + 8); \
         arr_read(in, first, 8 * pieces);\n  \
         unsigned long long* lens = (unsigned long long*)malloc(8 * pieces + 8); \
         arr_read(in, lens, 8 * pieces);\n  \
         double* leaf_sum = (double*)calloc(leaves + 1, 8);\n  \
         unsigned int* leaf_count = (unsigned int*)calloc(leaves + 1, 4);\n  \
         double* piece_sum = (double*)calloc(pieces + 1, 8);\n  \
         unsigned long long* piece_count = (unsigned long long*)calloc(pieces + 1, 8);\n",
    );
    args.push("leaf_sum".to_string());
    args.push("leaf_count".to_string());
    let _ = writeln!(s, "  arr_s{i}({});", args.join(", "));
    s.push_str(
        "  arr_piece_sums(leaf_sum, leaf_count, first, lens, pieces, piece_sum, piece_count);\n  \
         fwrite(&status, 4, 1, out);\n  fwrite(piece_sum, 8, pieces, out);\n  \
         fwrite(piece_count, 8, pieces, out);\n  \
         free(bounds); free(first); free(lens); free(leaf_sum); free(leaf_count); \
         free(piece_sum); free(piece_count);\n",
    );
    for j in 0..k.inputs.len() {
        let _ = writeln!(s, "  free(in{j});");
    }
    s.push_str("} break;\n");
    s
}

/// A random cut of `n` values into pieces, each into `pairwise_sum`'s leaves.
fn random_cut(rng: &mut Rng, n: usize, skip_nan: bool) -> arr::backend::launch::PieceLeaves {
    let mut cut = arr::backend::launch::PieceLeaves {
        bounds: vec![0],
        first_leaf: Vec::new(),
        len: Vec::new(),
        skip_nan,
    };
    let mut at = 0;
    while at < n {
        let len = match rng.below(3) {
            0 => n - at,
            1 => 1 + rng.below(20),
            _ => 1 + rng.below(700),
        }
        .min(n - at);
        cut.first_leaf.push(cut.bounds.len() as u64 - 1);
        cut.len.push(len as u64);
        let mut leaves = Vec::new();
        arr::exec::reduce::pairwise_leaves(len, &mut leaves);
        for l in leaves {
            at += l;
            cut.bounds.push(at as u64);
        }
    }
    cut
}

#[test]
fn device_sums_agree_with_the_host_reduction_on_the_host() {
    // The GPU's sums of a reduction (`emit::leaf_sums_function`, then the prelude's
    // `arr_piece_sums`), run on the host: for random regions cut into random pieces, each
    // piece's sum is bitwise `exec::reduce::pairwise_sum` of the interpreter's values (nan as
    // 0 when skipped) and its count the number of values added.
    let Some(cxx) = compiler() else {
        assert!(
            std::env::var_os("ARR_REQUIRE_NVRTC").is_none(),
            "no C++ compiler for the host check of the generated CUDA"
        );
        eprintln!("skipping: no C++ compiler");
        return;
    };
    let mut kernels: Vec<(String, Kernel)> = crate::cuda::kir_kernels();
    kernels.extend(crate::cuda::corpus_kernels().iter().cloned());
    kernels.retain(|(_, k)| {
        let outs = output_values(k);
        outs.len() == 1 && k.types[outs[0]].is_float() && !transcendental(k)
    });
    let reductions = kernels
        .iter()
        .filter(|(_, k)| {
            k.sinks
                .iter()
                .any(|s| matches!(s, arr::kernel::Sink::Reduce { .. }))
        })
        .count();
    assert!(
        kernels.len() > 40 && reductions > 10,
        "too few kernels to check: {} with one float output, {reductions} reductions",
        kernels.len()
    );
    let refs: Vec<&Kernel> = kernels.iter().map(|(_, k)| k).collect();
    let dir = std::env::temp_dir().join(format!("arr-cuda-sums-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let mut src = String::from(SHIM);
    src.push_str(emit::PRELUDE);
    for (i, k) in refs.iter().enumerate() {
        src.push('\n');
        src.push_str(&emit::leaf_sums_function(k, &format!("arr_s{i}")).expect("emits"));
    }
    let cases: Vec<String> = refs
        .iter()
        .enumerate()
        .map(|(i, k)| sums_case(i, k))
        .collect();
    src.push_str(&harness_main(&cases));
    let mut rng = Rng(0x05ee_d0f5_0030_0003);
    let mut trials = Vec::new();
    for (i, k) in refs.iter().enumerate() {
        for _ in 0..3 {
            let mut t = random_trial(&mut rng, i, k);
            // Long regions: many leaves, pieces past one leaf, the 8-lane leaves and the rest.
            if let Some(last) = t.region.last_mut() {
                last.len = 1 + rng.below(if k.rank > 1 { 90 } else { 1500 });
            }
            let lens: Vec<usize> = t.region.iter().map(|s| s.len).collect();
            t.inputs = k
                .inputs
                .iter()
                .map(|d| random_input(&mut rng, *d, &lens))
                .collect();
            let n: usize = lens.iter().product();
            let skip_nan = rng.below(2) == 0;
            let cut = random_cut(&mut rng, n, skip_nan);
            trials.push((t, cut));
        }
    }
    let mut input = Vec::new();
    for (t, cut) in &trials {
        encode(t, refs[t.kernel], &mut input);
        let leaves = cut.bounds.len() as u64 - 1;
        let words = [leaves, cut.len.len() as u64, u64::from(cut.skip_nan)]
            .into_iter()
            .chain(cut.bounds.iter().copied())
            .chain(cut.first_leaf.iter().copied())
            .chain(cut.len.iter().copied());
        for w in words {
            input.extend_from_slice(&w.to_le_bytes());
        }
    }
    let results = build_and_run(cxx, &dir, "sums", &src, &input);
    let word = |pos: &mut usize| {
        let w = u64::from_le_bytes(results[*pos..*pos + 8].try_into().unwrap());
        *pos += 8;
        w
    };
    let mut pos = 0usize;
    let mut failures = Vec::new();
    let (mut pieces_compared, mut leaves_run) = (0usize, 0usize);
    for (t, cut) in &trials {
        let k = refs[t.kernel];
        let status = u32::from_le_bytes(results[pos..pos + 4].try_into().unwrap());
        pos += 4;
        let got: Vec<(u64, u64)> = {
            let sums: Vec<u64> = (0..cut.len.len()).map(|_| word(&mut pos)).collect();
            let counts: Vec<u64> = (0..cut.len.len()).map(|_| word(&mut pos)).collect();
            sums.into_iter().zip(counts).collect()
        };
        let body = Interpreter.compile(k).expect("the interpreter compiles it");
        let label = &kernels[t.kernel].0;
        let want = match launch(&*body, k, &t.region, &t.inputs, &t.params) {
            Err(e) => {
                if status & emit::STATUS_NEGATIVE_RANDOM_INDEX == 0 {
                    failures.push(format!(
                        "{label}: the interpreter failed ({e}), CUDA did not"
                    ));
                }
                continue;
            }
            Ok(mut w) => w.remove(0),
        };
        if status != 0 {
            failures.push(format!("{label}: CUDA set status {status}"));
            continue;
        }
        let values: Vec<f64> =
            arr::with_data!(&want, a => a.iter().map(|x| arr::data::Element::to_f64(*x)).collect());
        let mut at = 0usize;
        for (p, &len) in cut.len.iter().enumerate() {
            let piece = &values[at..at + len as usize];
            at += len as usize;
            let zeroed: Vec<f64> = piece
                .iter()
                .map(|&x| if cut.skip_nan && x.is_nan() { 0.0 } else { x })
                .collect();
            let count = piece
                .iter()
                .filter(|x| !(cut.skip_nan && x.is_nan()))
                .count() as u64;
            let sum = arr::exec::reduce::pairwise_sum(&zeroed);
            pieces_compared += 1;
            if (canon_f64(sum), count) != (canon_f64(f64::from_bits(got[p].0)), got[p].1) {
                failures.push(format!(
                    "{label}: piece {p} of {len} values (skip nan {}): host {sum:e} over {count}, \
                     device {:e} over {}",
                    cut.skip_nan,
                    f64::from_bits(got[p].0),
                    got[p].1
                ));
            }
        }
        leaves_run += cut.bounds.len() - 1;
    }
    assert_eq!(pos, results.len(), "every result read");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "{} pieces differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "{} kernels ({reductions} reductions), {} launches, {leaves_run} leaves, \
         {pieces_compared} piece sums equal on the host",
        refs.len(),
        trials.len()
    );
}
