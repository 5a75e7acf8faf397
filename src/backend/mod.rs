//! Backends run kernels of the kernel IR over tiles. The tile interpreter is the reference;
//! the Cranelift JIT and the CUDA backend will implement the same trait.

pub mod interp;
pub mod scalar;

use crate::data::Data;
use crate::kernel::Kernel;

/// Something that can run a fused element-wise kernel.
pub trait Backend: Send + Sync {
    /// The name shown by `--verbose` and plans.
    fn name(&self) -> &'static str;
    /// Runs `kernel` over inputs that broadcast to `shape` (right-aligned, as NumPy does;
    /// read in place, never expanded); returns the result, of `shape`.
    fn run_kernel(&self, kernel: &Kernel, inputs: &[Data], shape: &[usize]) -> Data;
}
