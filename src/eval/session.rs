//! Session state shared by the evaluators of one session: the random seed and stream
//! counter, executor settings, output, imported files and script arguments.

use crate::backend::interp::Interpreter;
use crate::data::Data;
use crate::eval::{Flow, Interp, R, child_scope, err};
use crate::exec::{self, ExecConfig, ExecError, RunReport};
use crate::graph::NodeRef;
use crate::syntax::ast::Span;
use crate::syntax::diag::SourceFile;
use crate::value::Scope;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Where `print` writes.
pub type Output = Rc<RefCell<dyn Write>>;

/// State shared by one session's evaluations.
pub struct SessionState {
    /// The session seed.
    pub seed: u64,
    /// The next stream for random calls without `seed=`.
    pub next_stream: u32,
    /// Executor settings.
    pub exec: ExecConfig,
    /// Set to cancel the running computation.
    pub cancel: Arc<AtomicBool>,
    /// Where `print` goes.
    pub out: Output,
    /// Print run statistics after each computation.
    pub verbose: bool,
    /// Print plans instead of computing (`arr explain`).
    pub explain_only: bool,
    /// Files already imported (canonical path → their top-level scope).
    pub imports: HashMap<PathBuf, Scope>,
    /// Extra command-line arguments.
    pub args: Vec<String>,
    /// The last computation's report.
    pub last_report: RefCell<Option<RunReport>>,
    /// The thread pool computations run on.
    pub pool: Arc<rayon::ThreadPool>,
    /// Show a progress bar for long computations (on a terminal only).
    pub progress: bool,
}

/// Half of the machine's memory, the default byte budget.
pub fn default_memory_limit() -> usize {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(8 << 30);
    total / 2
}

/// A seed from the operating system's randomness.
pub fn os_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish() & ((1 << 53) - 1)
}

impl SessionState {
    /// Default settings: all cores, half the RAM, an OS seed, stdout.
    pub fn new(threads: usize, memory_limit: usize, seed: Option<u64>) -> SessionState {
        let threads = threads.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap_or_else(|_| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("one thread always starts")
            });
        SessionState {
            seed: seed.unwrap_or_else(os_seed),
            next_stream: 1,
            exec: ExecConfig {
                threads,
                memory_limit,
                backend: Arc::new(Interpreter),
                optimise: true,
                explain_kernels: false,
            },
            cancel: Arc::new(AtomicBool::new(false)),
            out: Rc::new(RefCell::new(std::io::stdout())),
            verbose: false,
            explain_only: false,
            imports: HashMap::new(),
            args: Vec::new(),
            last_report: RefCell::new(None),
            pool: Arc::new(pool),
            progress: false,
        }
    }

    /// Computes a node on the session's pool.
    pub fn compute(&self, node: &NodeRef) -> Result<Data, ExecError> {
        // Data already in memory needs no plan.
        if let crate::graph::Op::Source(crate::graph::Source::Data(d)) = &node.op {
            return Ok((**d).clone());
        }
        let config = self.exec.clone();
        let cancel = self.cancel.clone();
        let bar = crate::io::progress::Progress::for_compute(self.progress, node);
        let (data, report) = self.pool.install(|| exec::compute(&config, cancel, node))?;
        bar.finish();
        self.report(report);
        Ok(data)
    }

    /// Computes several nodes in one plan (shared work once; reductions of one input in one
    /// pass) on the session's pool.
    pub fn compute_many(&self, nodes: &[NodeRef]) -> Result<Vec<Data>, ExecError> {
        let config = self.exec.clone();
        let cancel = self.cancel.clone();
        let bar = crate::io::progress::Progress::for_compute(self.progress, &nodes[0]);
        let (data, report) = self
            .pool
            .install(|| exec::compute_many(&config, cancel, nodes))?;
        bar.finish();
        self.report(report);
        Ok(data)
    }

    fn report(&self, report: RunReport) {
        if self.verbose {
            eprintln!(
                "[arr] {}, peak RSS {}",
                report.summary(),
                peak_rss()
                    .map(exec::human_bytes)
                    .unwrap_or_else(|| "?".into())
            );
        }
        *self.last_report.borrow_mut() = Some(report);
    }

    /// The size of automatically chosen blocks: a few MiB, but small enough that every
    /// thread can hold a few blocks within the memory limit.
    pub fn auto_chunk_bytes(&self) -> usize {
        let share = self.exec.memory_limit / (8 * self.exec.threads.max(1));
        crate::graph::chunks::AUTO_CHUNK_BYTES.min(share.max(4096))
    }

    /// Writes text to the output.
    pub fn write(&self, text: &str) {
        let mut out = self.out.borrow_mut();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

/// The process's peak resident set size, from /proc.
pub fn peak_rss() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs `import "path"`: the file runs once per session, and its top-level names are bound
/// in the importing scope.
pub fn import(interp: &mut Interp, path: &str, span: Span) -> R<()> {
    let base = Path::new(&*interp.file.name)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let full = base.join(path);
    let canonical = match full.canonicalize() {
        Ok(p) => p,
        Err(e) => return err(format!("cannot import \"{path}\": {e}"), span),
    };
    // Check mode keeps its own record, so the real run still executes the file once.
    let key = if interp.check {
        canonical.join("#check")
    } else {
        canonical.clone()
    };
    let existing = interp.session.borrow().imports.get(&key).cloned();
    let scope = match existing {
        Some(s) => s,
        None => {
            let text = match std::fs::read_to_string(&canonical) {
                Ok(t) => t,
                Err(e) => return err(format!("cannot read \"{path}\": {e}"), span),
            };
            let file = SourceFile {
                name: full.to_string_lossy().into_owned(),
                text: Rc::from(text.as_str()),
            };
            let program = crate::syntax::parse_program(&text)
                .map_err(|d| Flow::Error(Box::new(d.in_file(&file))))?;
            let root = root_scope(&interp.scope);
            let scope = child_scope(&root);
            interp
                .session
                .borrow_mut()
                .imports
                .insert(key, scope.clone());
            let mut sub = Interp::new(interp.check, interp.session.clone(), scope.clone(), file);
            sub.run_program(&program)
                .map_err(|d| Flow::Error(Box::new(*d)))?;
            scope
        }
    };
    let vars: Vec<(String, crate::value::Value)> = scope
        .borrow()
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in vars {
        interp.bind(&k, v);
    }
    Ok(())
}

fn root_scope(scope: &Scope) -> Scope {
    let mut s = scope.clone();
    loop {
        let parent = s.borrow().parent.clone();
        match parent {
            Some(p) => s = p,
            None => return s,
        }
    }
}
