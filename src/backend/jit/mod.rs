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
mod vector;

use crate::backend::launch::TileBody;
use crate::backend::{Backend, BackendError};
use crate::kernel::Kernel;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use std::sync::{Arc, Mutex, RwLock};
use vector::StrideKind;
pub use vector::WIDTH as VECTOR_WIDTH;

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

/// A compiled kernel body: the scalar loop for any strides, and the vector loops compiled
/// so far, one per pattern of input strides met at launch (compiled on first use, a fraction
/// of a millisecond each). The modules owning the code are kept alive with it (dropping a
/// `JITModule` does not free its code, so the functions stay valid either way).
struct CompiledBody {
    kernel: Kernel,
    func: BodyFn,
    /// Per stride pattern: its vector loop, or `None` when it could not be compiled (the
    /// scalar loop runs).
    variants: RwLock<Vec<(Vec<StrideKind>, Option<BodyFn>)>>,
    modules: Mutex<Vec<JITModule>>,
}

/// Whether vector loops are compiled (`ARR_JIT_SCALAR=1` keeps the JIT to scalar loops, to
/// compare the two).
fn vector_loops() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ARR_JIT_SCALAR").is_none())
}

impl CompiledBody {
    /// The function to run for the input strides `strides`.
    fn for_strides(&self, len: usize, strides: &[isize]) -> BodyFn {
        if len < vector::WIDTH || !vector_loops() {
            return self.func;
        }
        let pattern: Vec<StrideKind> = self
            .kernel
            .inputs
            .iter()
            .zip(strides)
            .map(|(d, s)| StrideKind::of(*s, d.size()))
            .collect();
        let found = |v: &Vec<(Vec<StrideKind>, Option<BodyFn>)>| {
            v.iter().find(|(p, _)| *p == pattern).map(|(_, f)| *f)
        };
        if let Ok(v) = self.variants.read()
            && let Some(f) = found(&v)
        {
            return f.unwrap_or(self.func);
        }
        let Ok(mut v) = self.variants.write() else {
            return self.func;
        };
        if let Some(f) = found(&v) {
            return f.unwrap_or(self.func);
        }
        let t0 = std::time::Instant::now();
        let compiled = new_module().and_then(|mut m| {
            let f = codegen::compile(&mut m, &self.kernel, Some(&pattern))?;
            if let Ok(mut mods) = self.modules.lock() {
                mods.push(m);
            }
            // SAFETY: generated with `BodyFn`'s signature.
            Ok(unsafe { std::mem::transmute::<*const u8, BodyFn>(f) })
        });
        crate::backend::cache::count_variant(t0.elapsed(), compiled.as_ref().err());
        let f = compiled.ok();
        v.push((pattern, f));
        f.unwrap_or(self.func)
    }
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
        let func = self.for_strides(len, strides);
        // SAFETY: the caller guarantees the pointers (see `TileBody::run`); the function was
        // compiled for this kernel's layout of slots (and, for a vector loop, for these
        // strides' pattern).
        unsafe {
            func(
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
        let func = codegen::compile(&mut module, kernel, None)?;
        // SAFETY: the code was generated with `BodyFn`'s signature (codegen::signature).
        let func: BodyFn = unsafe { std::mem::transmute::<*const u8, BodyFn>(func) };
        Ok(Arc::new(CompiledBody {
            kernel: kernel.clone(),
            func,
            variants: RwLock::new(Vec::new()),
            modules: Mutex::new(vec![module]),
        }))
    }
}
