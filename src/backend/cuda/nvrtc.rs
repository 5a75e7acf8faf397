//! NVRTC: finding `libnvrtc` at run time and compiling generated CUDA C to PTX.
//!
//! cudarc loads NVRTC with `dlopen` by its library names, which finds it on the loader's
//! path (`LD_LIBRARY_PATH`, the system's folders). When it is not there, Arr looks for it
//! itself and loads it by its full path first (the loader then answers cudarc's `dlopen` of
//! `libnvrtc.so.12` with the library already loaded, matched by its soname), in order:
//!
//! 1. `ARR_NVRTC_LIB`: the library file, or a folder holding it;
//! 2. the pip wheel `nvidia-cuda-nvrtc-cu12` (what `make deps` installs, pinned to 12.4: the
//!    driver JIT-compiles PTX only from an NVRTC no newer than itself, and 12.4's is loaded by
//!    every driver from R550 on): its folder is asked of `python3` (or `ARR_PYTHON`),
//!    `.../nvidia/cuda_nvrtc/lib`;
//! 3. `$CUDA_HOME/lib64` and `/usr/local/cuda/lib64`.
//!
//! Programs are compiled with `--fmad=false` (no contraction of `a * b + c` into one
//! rounding), `--prec-div=true`, `--prec-sqrt=true` and `--ftz=false`, so + − × ÷ √ round
//! as the CPU's do.

use crate::backend::BackendError;
use cudarc::nvrtc::{CompileError, CompileOptions, Ptx};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The virtual architectures PTX is generated for in the tests (A100 and H100/H200).
pub const TEST_ARCHS: [&str; 2] = ["compute_80", "compute_90"];

/// The library file names tried in each folder.
const NAMES: [&str; 3] = ["libnvrtc.so.12", "libnvrtc.so.13", "libnvrtc.so"];

/// Whether NVRTC can be used: `Err` says what is missing and where it was looked for.
pub fn available() -> Result<(), String> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED.get_or_init(load).clone()
}

fn present() -> bool {
    // SAFETY: probing `dlopen`s the library names; NVRTC's initialisers have no
    // preconditions.
    unsafe { cudarc::nvrtc::sys::is_culib_present() }
}

fn load() -> Result<(), String> {
    if present() {
        return Ok(());
    }
    let mut tried = Vec::new();
    for file in candidates() {
        if !file.is_file() {
            continue;
        }
        tried.push(file.display().to_string());
        let Some(c) = file.to_str().and_then(|s| std::ffi::CString::new(s).ok()) else {
            continue;
        };
        // SAFETY: loading a shared library runs its initialisers; libnvrtc's have no
        // preconditions. The handle is never closed (the library stays for the process).
        let handle = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if !handle.is_null() && present() {
            return Ok(());
        }
    }
    Err(format!(
        "libnvrtc.so.12 not found (NVRTC, the CUDA runtime compiler): install it with \
         `python3 -m pip install nvidia-cuda-nvrtc-cu12` (`make deps`), or set ARR_NVRTC_LIB \
         or LD_LIBRARY_PATH{}",
        if tried.is_empty() {
            String::new()
        } else {
            format!("; could not load {}", tried.join(", "))
        }
    ))
}

/// The files to try, in order.
fn candidates() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("ARR_NVRTC_LIB").map(PathBuf::from) {
        if p.is_dir() {
            dirs.push(p);
        } else {
            files.push(p);
        }
    }
    if let Some(d) = wheel_dir() {
        dirs.push(d);
    }
    if let Some(h) = std::env::var_os("CUDA_HOME") {
        dirs.push(PathBuf::from(h).join("lib64"));
    }
    dirs.push(PathBuf::from("/usr/local/cuda/lib64"));
    for d in dirs {
        files.extend(NAMES.iter().map(|n| d.join(n)));
    }
    files
}

/// The `lib` folder of the `nvidia-cuda-nvrtc-cu12` wheel, asked of Python.
fn wheel_dir() -> Option<PathBuf> {
    let python = std::env::var_os("ARR_PYTHON").unwrap_or_else(|| "python3".into());
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import nvidia.cuda_nvrtc as m; print(list(m.__path__)[0])",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(dir.trim()).join("lib"))
}

/// Compiles a CUDA C program to PTX for the virtual architecture `arch` (`compute_90`).
pub fn compile(source: &str, arch: &'static str) -> Result<Ptx, BackendError> {
    available().map_err(|e| BackendError(format!("cuda: {e}")))?;
    if source.contains('\0') {
        return Err(BackendError("cuda: a NUL byte in generated code".into()));
    }
    let opts = CompileOptions {
        ftz: Some(false),
        prec_sqrt: Some(true),
        prec_div: Some(true),
        fmad: Some(false),
        arch: Some(arch),
        options: vec!["--std=c++17".into()],
        ..Default::default()
    };
    cudarc::nvrtc::compile_ptx_with_opts(source, opts).map_err(|e| match e {
        CompileError::CompileError { log, .. } => BackendError(format!(
            "cuda: NVRTC rejected the generated code for {arch}:\n{}",
            log.to_string_lossy()
        )),
        other => BackendError(format!("cuda: NVRTC failed: {other}")),
    })
}
