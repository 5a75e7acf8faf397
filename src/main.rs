//! The `arr` command line: run a script, run code with `-e`, check or explain a file, or
//! start the REPL. Exit codes: 0 success, 1 program error, 2 bad command line.

use arr::{Options, Session};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: arr::alloc_stats::Counting = arr::alloc_stats::Counting;

#[derive(Parser)]
#[command(
    name = "arr",
    version,
    about = "Arr: a typed, lazy, chunked array language",
    args_override_self = true
)]
struct Cli {
    /// Worker threads (default: all cores).
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// Backend for kernels: the Cranelift JIT, or the reference interpreter.
    #[arg(long, global = true, value_parser = ["jit", "interp"], default_value = "jit")]
    backend: String,
    /// Device.
    #[arg(long, global = true, value_parser = ["cpu", "cuda"], default_value = "cpu")]
    device: String,
    /// Memory budget, e.g. 4GiB, 512MB (default: half the RAM).
    #[arg(long, global = true)]
    memory_limit: Option<String>,
    /// Session seed.
    #[arg(long, global = true)]
    seed: Option<u64>,
    /// No progress bar.
    #[arg(long, global = true)]
    no_progress: bool,
    /// Print run statistics after each computation.
    #[arg(long, global = true)]
    verbose: bool,
    /// Run plans as written, without the optimiser's passes (for debugging).
    #[arg(long, global = true)]
    no_opt: bool,
    /// Print the language's keywords, builtins, constants and dtypes as JSON (for editors).
    #[arg(long)]
    dump_syntax: bool,
    /// Run code given on the command line.
    #[arg(short = 'e', value_name = "CODE")]
    code: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
    /// A script to run, then its arguments.
    file: Option<String>,
    /// Arguments for the script (`args`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and type-check a file; nothing is computed.
    Check {
        file: String,
        /// Arguments for the script (`args`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print the plan of each computation instead of running it.
    Explain {
        /// Show each kernel's text (the loop-nest IR the backends compile).
        #[arg(long)]
        kernels: bool,
        file: String,
        /// Arguments for the script (`args`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Parses sizes like `4GiB`, `512MB`, `100000`.
fn parse_bytes(text: &str) -> Option<usize> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "tib" => 1024f64.powi(4),
        _ => return None,
    };
    Some((value * mult) as usize)
}

/// Keeps glibc's allocator from handing freed chunk buffers back to the kernel after every
/// block: by default it trims the heap top and unmaps large blocks on free, so the next
/// block of the same size is faulted in again page by page (on the W1 and W4 benchmarks a
/// third to a half of the CPU time was such page faults). Blocks up to 32 MiB come from the
/// heap (a 1 GiB threshold measured the same on W1, W3 and W4, and would keep large results
/// in the heap), and up to 256 MiB of freed heap is kept for reuse.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // Safety: mallopt only sets allocator parameters; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

fn main() -> ExitCode {
    tune_malloc();
    arr::alloc_stats::mark_installed();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.dump_syntax {
        println!("{}", arr::builtins::syntax_json());
        return ExitCode::SUCCESS;
    }
    if cli.device == "cuda" {
        eprintln!("error: the cuda device is not built in this version; use --device cpu");
        return ExitCode::from(2);
    }
    let mut opts = Options::default();
    opts.backend = if cli.backend == "interp" {
        arr::backend::BackendKind::Interp
    } else {
        arr::backend::BackendKind::Jit
    };
    if let Some(t) = cli.threads {
        if t == 0 {
            eprintln!("error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        opts.threads = t;
    }
    if let Some(m) = &cli.memory_limit {
        match parse_bytes(m) {
            Some(b) if b > 0 => opts.memory_limit = b,
            _ => {
                eprintln!("error: cannot read --memory-limit {m:?}; write it like 4GiB or 512MB");
                return ExitCode::from(2);
            }
        }
    }
    opts.seed = cli.seed;
    opts.verbose = cli.verbose;
    opts.optimise = !cli.no_opt;
    opts.progress = !cli.no_progress;
    opts.args = cli.args.clone();
    if cli.code.is_some() {
        // With -e, every positional word is an argument of the code.
        if let Some(f) = &cli.file {
            opts.args.insert(0, f.clone());
        }
    }
    if cli.verbose
        && let Some(s) = cli.seed
    {
        eprintln!("[arr] seed {s}");
    }
    let (name, text, check_only) = match (&cli.command, &cli.code, &cli.file) {
        (Some(Command::Check { file, args }), _, _) => {
            opts.args = args.clone();
            (file.clone(), None, true)
        }
        (
            Some(Command::Explain {
                file,
                args,
                kernels,
            }),
            _,
            _,
        ) => {
            opts.args = args.clone();
            opts.explain_only = true;
            opts.explain_kernels = *kernels;
            (file.clone(), None, false)
        }
        (None, Some(code), _) => ("<command line>".to_string(), Some(code.clone()), false),
        (None, None, Some(file)) => (file.clone(), None, false),
        (None, None, None) => {
            let mut session = Session::with_options(opts);
            return match arr::repl::run(&mut session) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            };
        }
    };
    let text = match text {
        Some(t) => t,
        None => match std::fs::read_to_string(&name) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {name}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut session = Session::with_options(opts);
    if cli.verbose {
        eprintln!("[arr] session seed {}", session.state().borrow().seed);
    }
    let result = if check_only {
        session.check(&name, &text)
    } else {
        session.run(&name, &text).map(|_| ())
    };
    match result {
        Ok(()) => {
            if check_only {
                println!("{name}: ok");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", e.rendered);
            ExitCode::from(1)
        }
    }
}
