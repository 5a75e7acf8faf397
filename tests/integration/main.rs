//! The one integration test binary: case files, diagnostics goldens, properties, the NumPy
//! differential run, the mangled-program corpus and the examples.

mod builtins_doc;
mod cases;
mod cli;
mod corpus;
mod cuda;
mod cuda_host;
mod dashboard;
mod data_dependent_props;
mod deep_graphs;
mod device_sums;
mod doctests;
mod editors;
mod embed;
mod hardening;
mod io;
mod io_codecs;
mod kernels;
mod layers;
mod linalg_props;
mod lsp;
mod masks;
mod memory;
mod mpi;
mod numpy_diff;
mod overlap_memory;
mod pictures;
mod properties;
mod python;
mod repl;
mod store_safety;
mod toolbox;
mod w6_memory;

/// The `arr` binary under test.
pub fn arr_bin() -> &'static str {
    env!("CARGO_BIN_EXE_arr")
}
