//! The one integration test binary: case files, diagnostics goldens, properties, the NumPy
//! differential run, the mangled-program corpus and the examples.

mod cases;
mod corpus;
mod editors;
mod embed;
mod io;
mod kernels;
mod memory;
mod numpy_diff;
mod properties;
mod repl;
mod toolbox;

/// The `arr` binary under test.
pub fn arr_bin() -> &'static str {
    env!("CARGO_BIN_EXE_arr")
}
