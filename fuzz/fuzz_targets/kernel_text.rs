//! Fuzz target: any text goes through the kernel IR's parser (and, when it parses, its
//! printer and the parser again): an error or the same kernel, never a panic. When it
//! parses, the interpreter and the JIT compile it, and the CUDA generator emits it, without
//! panicking.
//! Run with `RUSTC_BOOTSTRAP=1 cargo fuzz run kernel_text`.
#![no_main]

use arr::backend::Backend;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(kernel) = arr::kernel::text::parse(text)
    {
        let again = arr::kernel::text::parse(&kernel.to_string()).expect("printed text parses");
        assert_eq!(again, kernel, "the text form round-trips");
        if kernel.body.len() < 64 {
            let _ = arr::backend::interp::Interpreter.compile(&kernel);
            let _ = arr::backend::jit::Jit.compile(&kernel);
            let _ = arr::backend::cuda::emit::kernel_function(&kernel, "arr_kernel");
        }
    }
});
