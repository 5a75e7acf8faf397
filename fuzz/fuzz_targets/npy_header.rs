//! Fuzz target: any bytes as a `.npy` file: `from_npy`'s header reader and the mapped
//! source either refuse the file with a message or read it, never panic or allocate what
//! the header claims without checking it against the file's size.
//! Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run npy_header`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("arr-fuzz-{}.npy", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if arr::io::npy::read_header(&path).is_ok() {
        let _ = arr::io::npy::NpySource::open(&path);
    }
    let _ = std::fs::remove_file(&path);
});
