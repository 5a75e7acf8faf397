//! Fuzz target: any bytes, as a program, go through the lexer, parser and checker and come
//! back as a diagnostic or success, never a panic. Run with `RUSTC_BOOTSTRAP=1 cargo fuzz
//! run check` (or `make fuzz`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut session = arr::Session::with_options(arr::Options {
            threads: 1,
            seed: Some(1),
            ..Default::default()
        });
        let _ = session.check("<fuzz>", text);
    }
});
