//! Backends compile kernels of the loop-nest IR (`kernel::ir`) into tile bodies that
//! `launch` runs over strided regions. The interpreter is the reference (the oracle); the
//! Cranelift JIT (`jit/`) compiles the same kernels to machine code and must agree bitwise.

pub mod cache;
pub mod cuda;
pub mod interp;
pub mod jit;
pub mod launch;
pub mod scalar;

use crate::kernel::Kernel;
use launch::TileBody;
use std::sync::Arc;

/// A kernel a backend could not compile or run (a bad kernel, an unsupported construct).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError(pub String);

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Something that compiles kernels.
pub trait Backend: Send + Sync {
    /// The name shown by `--verbose` and plans.
    fn name(&self) -> &'static str;
    /// Compiles a validated kernel.
    fn compile(&self, kernel: &Kernel) -> Result<Arc<dyn TileBody>, BackendError>;
    /// Whether a kernel this backend cannot compile may run on the interpreter instead (the
    /// JIT's fallback). The GPU says no: a kernel it cannot run is an error, never a silent
    /// run on the CPU.
    fn falls_back(&self) -> bool {
        true
    }
    /// Whether launches run host tiles (`launch::launch`'s loop), reading every input in
    /// place through its strides, so an input may be a window into a larger array
    /// (`launch::launch_windows`). The GPU copies whole arrays over instead.
    fn host_tiles(&self) -> bool {
        true
    }
    /// Whether compiled bodies sum over pieces of a region on the device
    /// (`launch::TileBody::region_piece_sums`), so that a full reduction launches once per
    /// block and brings back one sum per piece. The GPU does; the CPU backends sum on the
    /// host anyway.
    fn sums_on_device(&self) -> bool {
        false
    }
}

/// Which backend runs kernels (`--backend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BackendKind {
    /// The interpreter.
    Interp,
    /// Cranelift machine code (kernels it cannot compile run on the interpreter, counted
    /// and reported by `--verbose`).
    #[default]
    Jit,
}

/// The backend of a kind.
pub fn of_kind(kind: BackendKind) -> Arc<dyn Backend> {
    match kind {
        BackendKind::Interp => Arc::new(interp::Interpreter),
        BackendKind::Jit => Arc::new(jit::Jit),
    }
}
