//! How long the JIT takes to compile kernels: every `.kir` file in the folders given (by
//! default `tests/kernels`; `ARR_DUMP_KERNELS=DIR arr ...` writes the kernels a program
//! compiles into DIR) is parsed, compiled (the scalar loop) and launched once over a small
//! contiguous region (which compiles its vector loop); the distribution of the two together
//! is printed.
//!
//!     cargo run --release --example kernel_compile_times -- [DIR ...]

use arr::backend::cache;
use arr::backend::jit::Jit;
use arr::backend::launch::{Span, launch};
use arr::data::Data;
use arr::kernel::text::parse;
use ndarray::{ArrayD, IxDyn};

fn main() {
    let mut dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        dirs.push("tests/kernels".into());
    }
    let mut times_ms = Vec::new();
    let mut failed = 0;
    for dir in &dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{dir}: {e}");
                std::process::exit(2);
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "kir") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            // Kernel filetests hold the kernel before their `; run:` lines.
            let kernel_text: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with(';'))
                .collect::<Vec<_>>()
                .join("\n");
            let Ok(kernel) = parse(&kernel_text) else {
                failed += 1;
                continue;
            };
            let before = cache::stats().compile_ns;
            let Ok(body) = cache::compiled(&Jit, &kernel) else {
                failed += 1;
                continue;
            };
            if kernel.rank > 0 {
                let region: Vec<Span> = (0..kernel.rank)
                    .map(|_| Span {
                        start: 0,
                        step: 1,
                        len: 8,
                    })
                    .collect();
                let shape = vec![8; kernel.rank];
                let inputs: Vec<Data> = kernel
                    .inputs
                    .iter()
                    .map(|d| Data::F64(ArrayD::from_elem(IxDyn(&shape), 1.0)).into_dtype(*d))
                    .collect();
                let params = vec![0u64; kernel.params.len()];
                let _ = launch(&*body, &kernel, &region, &inputs, &params);
            }
            times_ms.push((cache::stats().compile_ns - before) as f64 / 1e6);
        }
    }
    if times_ms.is_empty() {
        eprintln!("no kernels compiled ({failed} failed to parse or compile)");
        std::process::exit(1);
    }
    times_ms.sort_by(f64::total_cmp);
    let at = |q: f64| times_ms[((times_ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} kernels ({} vector loops; {failed} skipped): compile ms p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
        times_ms.len(),
        cache::stats().vector_loops,
        at(0.5),
        at(0.9),
        at(0.99),
        times_ms[times_ms.len() - 1]
    );
}
