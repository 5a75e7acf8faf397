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
/// emitted for `tests/kernels/NAME.kir` (`UPDATE_EXPECT=1` rewrites them).
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
    for name in names {
        let text = std::fs::read_to_string(root().join(format!("tests/kernels/{name}.kir")))
            .unwrap_or_else(|e| panic!("{name}.kir: {e}"));
        let k = parse(&text).expect("parses");
        let got = emit::kernel_function(&k, "arr_kernel").expect("emits");
        let path = dir.join(format!("{name}.cu"));
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
