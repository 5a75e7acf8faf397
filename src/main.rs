//! The `arr` command line: run a script, run code with `-e`, check or explain a file, start
//! the REPL, or serve editors (`arr lsp`). Exit codes: 0 success, 1 program error, 2 bad command line.

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
    /// Device: cpu, cuda (GPU 0), cuda:N, or cuda:all (every GPU).
    #[arg(long, global = true, default_value = "cpu")]
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
    /// Serve a live dashboard of the computations at ADDR (default 127.0.0.1:8787).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = arr::dashboard::DEFAULT_ADDR)]
    dashboard: Option<String>,
    /// With --dashboard: wait (up to a minute) for a page to open it before running.
    #[arg(long)]
    dashboard_wait: bool,
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
    /// Speak the Language Server Protocol on stdin/stdout (for editors); nothing is computed.
    Lsp,
    /// Print the plan of each computation instead of running it (a file, or code with -e).
    Explain {
        /// Code to explain instead of a file.
        #[arg(short = 'e', value_name = "CODE")]
        code: Option<String>,
        /// Also draw each plan as an SVG picture (OUT.svg, then OUT-2.svg, ...).
        #[arg(long, value_name = "OUT.svg")]
        svg: Option<String>,
        /// Show each kernel's text (the loop-nest IR the backends compile).
        #[arg(long)]
        kernels: bool,
        /// The script to explain.
        #[arg(required_unless_present = "code")]
        file: Option<String>,
        /// Arguments for the script (`args`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// The most worker threads `--threads` accepts (each is an OS thread with its own stack).
const MAX_THREADS: usize = 1024;

/// Options of arr (and its subcommands) that take a value as the next word.
const OPTIONS_WITH_VALUE: &[&str] = &[
    "--threads",
    "--backend",
    "--device",
    "--memory-limit",
    "--seed",
    "-e",
    "--svg",
];

/// Splits the command line after the script's name: every word after it belongs to the
/// script (`args`) verbatim, even one that looks like an option of arr's
/// (`arr run.arr --threads 0` gives the script `["--threads", "0"]`). The script is the
/// first word that is neither an option, an option's value, nor a subcommand; with `-e`,
/// that word is already the code's first argument. Returns the words for clap and, when
/// there is a script, its arguments.
fn split_at_script(argv: Vec<String>) -> (Vec<String>, Option<Vec<String>>) {
    let mut i = 1;
    let mut subcommand = false;
    while i < argv.len() {
        let word = argv[i].as_str();
        if word == "--" {
            i += 1;
            break;
        }
        if word == "--dashboard" {
            // Its value is optional: an address (`8787`, `host:port`) when one follows.
            let port = |p: &str| !p.is_empty() && p.parse::<u16>().is_ok();
            let addr = argv
                .get(i + 1)
                .is_some_and(|v| port(v) || v.rsplit_once(':').is_some_and(|(_, p)| port(p)));
            i += if addr { 2 } else { 1 };
            continue;
        }
        if word.starts_with('-') && word.len() > 1 {
            i += if OPTIONS_WITH_VALUE.contains(&word) {
                2
            } else {
                1
            };
            continue;
        }
        if !subcommand && ["check", "explain", "lsp", "help"].contains(&word) {
            subcommand = true;
            i += 1;
            continue;
        }
        break;
    }
    if i >= argv.len() {
        return (argv, None);
    }
    let mut head = argv;
    let rest = head.split_off(i + 1);
    (head, Some(rest))
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

/// The stack of the thread that parses, checks, optimises and runs the program: the passes
/// recurse through the syntax tree and the lazy graph, which a long loop makes as deep as
/// its number of steps. Only the pages touched are ever committed.
const MAIN_STACK_BYTES: usize = 1 << 30;

fn main() -> ExitCode {
    tune_malloc();
    arr::alloc_stats::mark_installed();
    match std::thread::Builder::new()
        .name("arr".into())
        .stack_size(MAIN_STACK_BYTES)
        .spawn(run)
    {
        Ok(worker) => worker.join().unwrap_or(ExitCode::from(101)),
        Err(_) => run(),
    }
}

fn run() -> ExitCode {
    // Under `mpirun`: every rank runs the program; the world stays open until `run` returns.
    let (world, place) = match arr::join_mpi_world() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let code = run_program(place);
    // Under MPI the ranks agree on how the job ends (`MpiWorld::finish`).
    let number = (0..=255u8)
        .find(|&n| ExitCode::from(n) == code)
        .unwrap_or(1);
    ExitCode::from(world.finish(number))
}

fn run_program(place: arr::RankPlace) -> ExitCode {
    let (head, script_args) = split_at_script(std::env::args().collect());
    let mut cli = match Cli::try_parse_from(head) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(rest) = script_args {
        match &mut cli.command {
            Some(Command::Check { args, .. }) | Some(Command::Explain { args, .. }) => *args = rest,
            _ => cli.args = rest,
        }
    }
    // `--dashboard FILE.arr`: the optional ADDR took the script's name.
    let (dashboard, file, args) =
        arr::dashboard::split_addr(cli.dashboard.clone(), cli.file.clone(), cli.args.clone());
    let cli = Cli { file, args, ..cli };
    if cli.dump_syntax {
        println!("{}", arr::language::syntax_json());
        return ExitCode::SUCCESS;
    }
    let mut opts = Options {
        backend: if cli.backend == "interp" {
            arr::BackendKind::Interp
        } else {
            arr::BackendKind::Jit
        },
        ..Options::default()
    };
    if let Some(t) = cli.threads {
        if t == 0 {
            eprintln!("error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if t > MAX_THREADS {
            eprintln!(
                "error: --threads {t} is more than {MAX_THREADS}; this machine has {} cores",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
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
    opts.seed = arr::agreed_seed(cli.seed);
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
        (Some(Command::Lsp), _, _) => return arr::lsp::main(),
        (
            Some(Command::Explain {
                code,
                file,
                args,
                kernels,
                ..
            }),
            _,
            _,
        ) => {
            opts.args = args.clone();
            opts.explain_only = true;
            opts.explain_kernels = *kernels;
            match (code, file) {
                (Some(code), file) => {
                    // With -e, every positional word is an argument of the code.
                    if let Some(f) = file {
                        opts.args.insert(0, f.clone());
                    }
                    ("<command line>".to_string(), Some(code.clone()), false)
                }
                (None, Some(file)) => (file.clone(), None, false),
                (None, None) => {
                    eprintln!("error: `arr explain` needs a file or -e CODE");
                    return ExitCode::from(2);
                }
            }
        }
        (None, Some(code), _) => ("<command line>".to_string(), Some(code.clone()), false),
        (None, None, Some(file)) => (file.clone(), None, false),
        (None, None, None) if place.size > 1 => {
            eprintln!(
                "error: the REPL does not run under MPI; give a script: mpirun -np N arr FILE.arr"
            );
            return ExitCode::from(2);
        }
        (None, None, None) => {
            let mut session = Session::with_options(opts);
            if cli.device != "cpu"
                && let Err(e) = session.set_device(&cli.device)
            {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
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
        None => match arr::read_source(std::path::Path::new(&name)) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut session = Session::with_options(opts);
    if cli.device != "cpu"
        && let Err(e) = session.set_device(&cli.device)
    {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if let Some(Command::Explain { svg: Some(out), .. }) = &cli.command {
        session.state().borrow_mut().explain_svg = Some(std::path::PathBuf::from(out));
    }
    if let Some(addr) = dashboard.as_ref().filter(|_| place.rank == 0) {
        match session.start_dashboard(addr) {
            Ok(url) => eprintln!("[arr] dashboard at {url}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
        if cli.dashboard_wait
            && !session.wait_for_dashboard_page(std::time::Duration::from_secs(60))
        {
            eprintln!("error: no page opened the dashboard within a minute");
            return ExitCode::from(2);
        }
    }
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
