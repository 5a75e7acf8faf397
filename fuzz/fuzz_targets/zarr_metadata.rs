//! Fuzz target: any bytes as a Zarr array's metadata (`zarr.json`, format 3, and `.zarray`,
//! format 2): opening the store gives a clear error or a source, never a panic, and never
//! trusts shapes or chunk shapes whose byte sizes overflow.
//! Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run zarr_metadata`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("arr-fuzz-{}.zarr", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::create_dir(&dir).is_err() {
        return;
    }
    let name = if data.first().is_some_and(|b| b & 1 == 1) { ".zarray" } else { "zarr.json" };
    if std::fs::write(dir.join(name), data.get(1..).unwrap_or_default()).is_ok()
        && arr::io::zarr::inspect(&dir).is_ok()
    {
        let _ = arr::io::zarr::ZarrSource::open(&dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
});
