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

/// Serialises the tests that must not overlap: those whose outcome depends on timing (a
/// signal sent while a store is running must arrive before the store ends) and those that
/// oversubscribe the cores (`mpirun` with more ranks than this machine's cores, whose ranks
/// busy-poll). Under the MPI corpus run a signal test's child could finish its store
/// before the signal was delivered. A panicking holder does not poison it for the others.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The `arr` binary under test.
pub fn arr_bin() -> &'static str {
    env!("CARGO_BIN_EXE_arr")
}
