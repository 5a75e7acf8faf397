//! The Cranelift JIT backend: a kernel's body becomes one machine-code loop over a tile of
//! the innermost axis (loads through strides, the element-wise ops, stores to the outputs),
//! compiled once per process per kernel (`backend::cache`). Arithmetic, comparisons,
//! min/max, selects, bit operations, square roots, rounding to integers and casts are
//! inlined with the interpreter's exact semantics; transcendental functions, Python's
//! floor division/modulo, integer powers, `round` and `nan_to_num` call the same Rust
//! functions the interpreter calls (`helpers.rs`), so the two agree bitwise. The loop nest's
//! outer axes and the random-number tiles are the shared launch's (`backend::launch`).

mod codegen;
pub mod helpers;

use crate::backend::launch::TileBody;
use crate::backend::{Backend, BackendError};
use crate::kernel::Kernel;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use std::sync::Arc;

/// The largest kernel body the JIT compiles (larger ones are interpreted).
pub const MAX_JIT_INSTRUCTIONS: usize = 4096;

/// The JIT backend.
pub struct Jit;

/// The signature of a compiled tile body.
type BodyFn = unsafe extern "C" fn(
    len: i64,
    ptrs: *const *const u8,
    strides: *const isize,
    idx: *const i64,
    params: *const u64,
);

/// A compiled kernel body. The module owning the code is kept alive with it (dropping a
/// `JITModule` does not free its code, so the function stays valid either way).
struct CompiledBody {
    func: BodyFn,
    _module: JITModule,
}

// SAFETY: `func` points into finalised, immutable code owned by the module kept beside it;
// the module itself is never touched again after finalisation.
unsafe impl Send for CompiledBody {}
// SAFETY: as above; calling the function does not mutate shared state.
unsafe impl Sync for CompiledBody {}

impl TileBody for CompiledBody {
    unsafe fn run(
        &self,
        len: usize,
        ptrs: &[*const u8],
        strides: &[isize],
        idx: &[i64],
        params: &[u64],
    ) -> Result<(), BackendError> {
        // SAFETY: the caller guarantees the pointers (see `TileBody::run`); the function was
        // compiled for this kernel's layout of slots.
        unsafe {
            (self.func)(
                len as i64,
                ptrs.as_ptr(),
                strides.as_ptr(),
                idx.as_ptr(),
                params.as_ptr(),
            )
        };
        Ok(())
    }
}

fn new_module() -> Result<JITModule, BackendError> {
    let e = |m: String| BackendError(format!("cranelift: {m}"));
    let mut flags = settings::builder();
    flags
        .set("opt_level", "speed")
        .map_err(|x| e(x.to_string()))?;
    flags
        .set("use_colocated_libcalls", "false")
        .map_err(|x| e(x.to_string()))?;
    flags.set("is_pic", "false").map_err(|x| e(x.to_string()))?;
    let isa = cranelift_native::builder()
        .map_err(|x| e(x.to_string()))?
        .finish(settings::Flags::new(flags))
        .map_err(|x| e(x.to_string()))?;
    let builder = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
    Ok(JITModule::new(builder))
}

impl Backend for Jit {
    fn name(&self) -> &'static str {
        "jit"
    }

    fn compile(&self, kernel: &Kernel) -> Result<Arc<dyn TileBody>, BackendError> {
        kernel.validate().map_err(|e| BackendError(e.to_string()))?;
        // Cranelift's compile time grows faster than linearly with a function's size (a
        // 20,000-instruction body took 8 s): huge bodies, such as a lazy graph built by a
        // long loop without the optimiser, run on the interpreter instead.
        if kernel.body.len() > MAX_JIT_INSTRUCTIONS {
            return Err(BackendError(format!(
                "a kernel of {} instructions is larger than the JIT compiles ({MAX_JIT_INSTRUCTIONS})",
                kernel.body.len()
            )));
        }
        let mut module = new_module()?;
        let func = codegen::compile(&mut module, kernel)?;
        // SAFETY: the code was generated with `BodyFn`'s signature (codegen::signature).
        let func: BodyFn = unsafe { std::mem::transmute::<*const u8, BodyFn>(func) };
        Ok(Arc::new(CompiledBody {
            func,
            _module: module,
        }))
    }
}
