//! The Python peers the I/O tests compare against (h5py, zarr, netCDF4, xarray, numcodecs):
//! whether they are installed, and running a snippet that must succeed. Shared by `io.rs`,
//! `io_codecs.rs` and `store_safety.rs`.

use std::path::Path;
use std::process::Command;

/// Whether python3 can import every module (a missing peer skips the test, unless
/// `ARR_REQUIRE_NUMPY` is set, as `make test` does).
pub fn peers(modules: &[&str]) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {}", modules.join(", "))])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("ARR_REQUIRE_NUMPY").is_none(),
            "python modules {modules:?} are required (make test installs them with pip)"
        );
        eprintln!("python modules {modules:?} missing: test skipped");
    }
    ok
}

/// Runs Python code in `dir` that must succeed; returns its standard output.
pub fn py(dir: &Path, code: &str) -> String {
    let o = Command::new("python3")
        .current_dir(dir)
        .args(["-c", code])
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "python failed:\n{code}\n---\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
