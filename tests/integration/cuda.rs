//! The CUDA backend without a GPU: every kernel of `tests/kernels/*.kir` and every kernel the
//! `tests/cases` corpus lowers to is turned into CUDA C and compiled by NVRTC to PTX for
//! sm_80 and sm_90 (`compute_80`, `compute_90`); the emitted text of a few kernels is
//! compared with goldens in `tests/golden/cuda/` (`UPDATE_EXPECT=1` rewrites them).
//!
//! NVRTC comes from the pip wheel `nvidia-cuda-nvrtc-cu12` (`make deps`). Without it the
//! tests print why and pass, unless `ARR_REQUIRE_NVRTC` is set (`make test` sets it), so CI
//! never skips them silently.

use arr::backend::cuda::{emit, nvrtc};
use arr::kernel::Kernel;
use arr::kernel::text::parse;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether NVRTC is there; without it, fails under `ARR_REQUIRE_NVRTC`, else says why.
pub fn nvrtc_or_skip(test: &str) -> bool {
    match nvrtc::available() {
        Ok(()) => true,
        Err(e) => {
            assert!(
                std::env::var_os("ARR_REQUIRE_NVRTC").is_none(),
                "ARR_REQUIRE_NVRTC is set but NVRTC is missing: {e}"
            );
            eprintln!("skipping {test}: {e}");
            false
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The kernels of `tests/kernels/*.kir`, with their file names.
pub fn kir_kernels() -> Vec<(String, Kernel)> {
    let dir = root().join("tests/kernels");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/kernels exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kir"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable");
            let k = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), k)
        })
        .collect()
}

/// Compiles the kernels in batches (one NVRTC program per batch: the prelude is compiled
/// once per batch) for every test architecture; a batch that fails is compiled kernel by
/// kernel to name the culprits. Returns the failures.
fn compile_all(kernels: &[(String, Kernel)]) -> Vec<String> {
    const BATCH: usize = 64;
    let mut failures = Vec::new();
    for arch in nvrtc::TEST_ARCHS {
        for batch in kernels.chunks(BATCH) {
            let named: Vec<(String, &Kernel)> = batch
                .iter()
                .enumerate()
                .map(|(i, (_, k))| (format!("arr_k{i}"), k))
                .collect();
            let ok = emit::program(&named).and_then(|src| nvrtc::compile(&src, arch));
            if ok.is_ok() {
                continue;
            }
            for (label, k) in batch {
                let one = emit::program(&[("arr_kernel".to_string(), k)])
                    .and_then(|src| nvrtc::compile(&src, arch));
                if let Err(e) = one {
                    failures.push(format!("{label} ({arch}): {e}\n{k}"));
                }
            }
        }
    }
    failures
}

#[test]
fn kir_kernels_compile_with_nvrtc() {
    if !nvrtc_or_skip("kir_kernels_compile_with_nvrtc") {
        return;
    }
    let kernels = kir_kernels();
    assert!(kernels.len() >= 40, "tests/kernels holds the filetests");
    let failures = compile_all(&kernels);
    assert!(
        failures.is_empty(),
        "{} of {} kernels failed:\n{}",
        failures.len(),
        kernels.len(),
        failures.join("\n")
    );
    eprintln!(
        "NVRTC compiled {} tests/kernels kernels for {:?}",
        kernels.len(),
        nvrtc::TEST_ARCHS
    );
}

/// The distinct kernels the case corpus compiles (collected once per test process).
pub fn corpus_kernels() -> &'static [(String, Kernel)] {
    static KERNELS: std::sync::OnceLock<Vec<(String, Kernel)>> = std::sync::OnceLock::new();
    KERNELS.get_or_init(record_corpus_kernels)
}

/// Runs every case of `tests/cases` once (with the optimiser and once without, two threads)
/// with `ARR_DUMP_KERNELS` and returns the distinct kernels they compiled.
fn record_corpus_kernels() -> Vec<(String, Kernel)> {
    let dump = std::env::temp_dir().join(format!("arr-cuda-kernels-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dump);
    std::fs::create_dir_all(&dump).expect("temporary folder");
    let mut cases = Vec::new();
    collect(&root().join("tests/cases"), &mut cases);
    cases.sort();
    assert!(cases.len() > 100, "the corpus is there");
    let work: Vec<(PathBuf, bool)> = cases
        .iter()
        .flat_map(|c| [(c.clone(), true), (c.clone(), false)])
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((case, opt)) = work.get(i) else {
                        break;
                    };
                    let text = std::fs::read_to_string(case).unwrap_or_default();
                    let mut cmd = Command::new(crate::arr_bin());
                    cmd.current_dir(root())
                        .env("ARR_DUMP_KERNELS", &dump)
                        .args(["--threads", "2"]);
                    for line in text.lines() {
                        if let Some(f) = line.trim_start().strip_prefix("# flags:") {
                            cmd.args(f.split_whitespace());
                        }
                    }
                    if !opt {
                        cmd.arg("--no-opt");
                    }
                    // Cases that fail on purpose still lower their kernels; the outcome is
                    // the case runner's business.
                    let _ = cmd.arg(case).output();
                }
            });
        }
    });
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dump)
        .expect("dump folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kir"))
        .collect();
    files.sort();
    let kernels = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable");
            let k = parse(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), k)
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dump);
    kernels
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "arr") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_kernels_compile_with_nvrtc() {
    if !nvrtc_or_skip("corpus_kernels_compile_with_nvrtc") {
        return;
    }
    let kernels = corpus_kernels();
    assert!(
        kernels.len() > 50,
        "the corpus lowers to many kernels, only {} recorded",
        kernels.len()
    );
    let failures = compile_all(kernels);
    assert!(
        failures.is_empty(),
        "{} of {} kernels failed:\n{}",
        failures.len(),
        kernels.len(),
        failures.join("\n")
    );
    eprintln!(
        "NVRTC compiled {} distinct corpus kernels for {:?}",
        kernels.len(),
        nvrtc::TEST_ARCHS
    );
}

#[test]
fn corpus_leaf_sums_compile_with_nvrtc() {
    // The device sums of a reduction (`emit::leaf_sums_function` and the prelude's
    // `arr_piece_sums`) for every corpus kernel with one float output.
    if !nvrtc_or_skip("corpus_leaf_sums_compile_with_nvrtc") {
        return;
    }
    let kernels: Vec<&Kernel> = corpus_kernels()
        .iter()
        .map(|(_, k)| k)
        .filter(|k| {
            let outs = arr::backend::launch::output_values(k);
            outs.len() == 1 && k.types[outs[0]].is_float()
        })
        .collect();
    assert!(kernels.len() > 40, "only {} kernels", kernels.len());
    let mut failures = Vec::new();
    for arch in nvrtc::TEST_ARCHS {
        for batch in kernels.chunks(64) {
            let named: Vec<(String, &Kernel)> = batch
                .iter()
                .enumerate()
                .map(|(i, k)| (format!("arr_s{i}"), *k))
                .collect();
            if let Err(e) = emit::sums_program(&named).and_then(|src| nvrtc::compile(&src, arch)) {
                failures.push(format!("{arch}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "NVRTC compiled the leaf sums of {} corpus kernels for {:?}",
        kernels.len(),
        nvrtc::TEST_ARCHS
    );
}

#[test]
fn nvrtc_rejects_broken_code() {
    // The compile checks can fail: a program NVRTC must reject is reported with its log.
    if !nvrtc_or_skip("nvrtc_rejects_broken_code") {
        return;
    }
    let src = format!(
        "{}\nextern \"C\" __global__ void f(double* o) {{ o[0] = undefined_name; }}\n",
        emit::PRELUDE
    );
    let err = nvrtc::compile(&src, "compute_80").expect_err("NVRTC rejects it");
    assert!(err.0.contains("undefined_name"), "{err}");
}

/// Golden CUDA text of a few kernels: `tests/golden/cuda/NAME.cu` holds the function
/// emitted for `tests/kernels/NAME.kir`, `NAME.sums.cu` its leaf-sum form for device sums
/// (`UPDATE_EXPECT=1` rewrites them).
#[test]
fn emitted_cuda_goldens() {
    let dir = root().join("tests/golden/cuda");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut bad = Vec::new();
    let names = [
        "f64_add",
        "load_transposed",
        "multi_sink",
        "i64_floordiv",
        "cast_f64_to_ints",
        "rank0",
        "random_normal_strided",
        "round_decimals",
    ];
    // The leaf-sum form (device sums) of two kernels goes to `NAME.sums.cu`.
    let sums = ["reduce_sinks_share", "random_normal_strided"];
    let forms = names
        .iter()
        .map(|n| (*n, false))
        .chain(sums.iter().map(|n| (*n, true)));
    for (name, leaf_sums) in forms {
        let text = std::fs::read_to_string(root().join(format!("tests/kernels/{name}.kir")))
            .unwrap_or_else(|e| panic!("{name}.kir: {e}"));
        let k = parse(&text).expect("parses");
        let (got, path) = if leaf_sums {
            (
                emit::leaf_sums_function(&k, "arr_leaf_sums").expect("emits"),
                dir.join(format!("{name}.sums.cu")),
            )
        } else {
            (
                emit::kernel_function(&k, "arr_kernel").expect("emits"),
                dir.join(format!("{name}.cu")),
            )
        };
        if update {
            std::fs::create_dir_all(&dir).expect("golden folder");
            std::fs::write(&path, &got).expect("writable");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            bad.push(format!("{name}: emitted\n{got}\nexpected\n{want}"));
        }
    }
    assert!(
        bad.is_empty(),
        "emitted CUDA differs from the goldens (UPDATE_EXPECT=1 rewrites them):\n{}",
        bad.join("\n")
    );
}

#[test]
fn device_choice_errors_name_what_is_missing() {
    let run = |args: &[&str]| {
        let o = Command::new(crate::arr_bin())
            .args(args)
            .output()
            .expect("arr runs");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--device", "gpu", "-e", "print(1)"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("error: unknown --device \"gpu\""), "{err}");
    let (code, err) = run(&["--device", "cuda:x", "-e", "print(1)"]);
    assert_eq!(code, Some(2), "{err}");
    // SAFETY: probing `dlopen`s the driver's library names.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        for dev in ["cuda", "cuda:1", "cuda:all"] {
            let (code, err) = run(&["--device", dev, "-e", "print(1)"]);
            assert_eq!(code, Some(2), "{err}");
            assert!(
                err.contains("libcuda.so.1 not found: no NVIDIA driver"),
                "{dev}: {err}"
            );
        }
        let mut s = arr::Session::new();
        let e = s.set_device("cuda").expect_err("no driver here");
        assert!(e.contains("libcuda.so.1"), "{e}");
        s.set_device("cpu").expect("the CPU is always there");
    }
}

/// One kernel per operation and operand dtype (every `UnaryOp`, `BinaryOp`, `where`, `clip`,
/// `round`, `nan_to_num`, `astype` and `Cast` to every dtype), so the generator is checked
/// on combinations the corpus may not lower to.
pub fn op_matrix_kernels() -> Vec<(String, Kernel)> {
    use arr::kernel::{BinaryOp as B, Instr, MapOp, Sink, UnaryOp as U};
    use arr::sema::dtype::DType;
    let dtypes = [
        DType::Bool,
        DType::U8,
        DType::I32,
        DType::I64,
        DType::F32,
        DType::F64,
    ];
    let unary = [
        U::Neg,
        U::Pos,
        U::Abs,
        U::Sign,
        U::Invert,
        U::Sqrt,
        U::Cbrt,
        U::Exp,
        U::Exp2,
        U::Expm1,
        U::Log,
        U::Log2,
        U::Log10,
        U::Log1p,
        U::Sin,
        U::Cos,
        U::Tan,
        U::Arcsin,
        U::Arccos,
        U::Arctan,
        U::Sinh,
        U::Cosh,
        U::Tanh,
        U::Floor,
        U::Ceil,
        U::Trunc,
        U::Rint,
        U::IsNan,
        U::IsInf,
        U::IsFinite,
    ];
    let binary = [
        B::Add,
        B::Sub,
        B::Mul,
        B::Div,
        B::FloorDiv,
        B::Mod,
        B::Pow,
        B::Minimum,
        B::Maximum,
        B::Arctan2,
        B::Hypot,
        B::BitAnd,
        B::BitOr,
        B::BitXor,
        B::Eq,
        B::Ne,
        B::Lt,
        B::Le,
        B::Gt,
        B::Ge,
    ];
    let mut out = Vec::new();
    let mut casts = Vec::new();
    let mut add = |name: String, inputs: Vec<DType>, op: MapOp, out_dtype: DType| {
        let mut k = Kernel::new(1, inputs.clone());
        let args: Vec<usize> = (0..inputs.len()).map(|i| k.push(Instr::Load(i))).collect();
        let compute = *inputs.last().unwrap_or(&DType::F64);
        let v = k.push(Instr::Apply {
            op,
            args,
            compute,
            out: out_dtype,
        });
        k.sinks.push(Sink::Store(v));
        k.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, k));
    };
    for d in dtypes {
        for u in unary {
            let o = if u.is_predicate() { DType::Bool } else { d };
            add(format!("{u:?} {d}"), vec![d], MapOp::Unary(u), o);
        }
        for b in binary {
            let o = if b.is_comparison() { DType::Bool } else { d };
            add(format!("{b:?} {d}"), vec![d, d], MapOp::Binary(b), o);
        }
        add(
            format!("where {d}"),
            vec![DType::Bool, d, d],
            MapOp::Where,
            d,
        );
        add(format!("clip {d}"), vec![d, d, d], MapOp::Clip, d);
        for r in [-2, 0, 3] {
            add(format!("round({r}) {d}"), vec![d], MapOp::Round(r), d);
        }
        add(
            format!("nan_to_num {d}"),
            vec![d],
            MapOp::NanToNum(0.5f64.to_bits(), 1e300f64.to_bits(), (-7.0f64).to_bits()),
            d,
        );
        for e in dtypes {
            add(format!("astype {d}->{e}"), vec![d], MapOp::Cast, e);
            // Sums computed in one dtype and given in another (the Apply's conversion).
            add(
                format!("add {d}->{e}"),
                vec![d, d],
                MapOp::Binary(B::Add),
                e,
            );
            let mut k = Kernel::new(1, vec![d]);
            let v = k.push(Instr::Load(0));
            let c = k.push(Instr::Cast(v, e));
            k.sinks.push(Sink::Store(c));
            casts.push((format!("cast {d}->{e}"), k));
        }
    }
    out.extend(casts);
    out
}

#[test]
fn op_matrix_kernels_compile_with_nvrtc() {
    if !nvrtc_or_skip("op_matrix_kernels_compile_with_nvrtc") {
        return;
    }
    let kernels = op_matrix_kernels();
    let failures = compile_all(&kernels);
    assert!(
        failures.is_empty(),
        "{} of {} kernels failed:\n{}",
        failures.len(),
        kernels.len(),
        failures.join("\n")
    );
    eprintln!(
        "NVRTC compiled {} op-matrix kernels for {:?}",
        kernels.len(),
        nvrtc::TEST_ARCHS
    );
}
