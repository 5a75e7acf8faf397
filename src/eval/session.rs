//! Session state shared by the evaluators of one session: the random seed and stream
//! counter, executor settings, output, imported files and script arguments.

use crate::data::Data;
use crate::eval::{Evaluator, Flow, R, child_scope, err};
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
    /// Editors: run mode builds the graph (chunk grids, memory plans) but computes, prints
    /// and writes nothing: builtins outside `plans_without_computing` give an unknown value
    /// and `compute` refuses.
    pub plan_only: bool,
    /// `arr explain --svg OUT.svg`: also draw each plan (OUT.svg, OUT-2.svg, ...).
    pub explain_svg: Option<PathBuf>,
    /// Plans drawn so far under `explain_svg`.
    pub explain_drawn: std::cell::Cell<usize>,
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
            .stack_size(crate::exec::WORKER_STACK_BYTES)
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
                backend: exec::default_backend(),
                optimise: true,
                events: None,
                progress: None,
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
            plan_only: false,
            explain_svg: None,
            explain_drawn: std::cell::Cell::new(0),
        }
    }

    /// Computes a node on the session's pool.
    pub fn compute(&self, node: &NodeRef) -> Result<Data, ExecError> {
        self.refuse_in_plan_only()?;
        // Data already in memory needs no plan.
        if let crate::graph::Op::Source(crate::graph::Source::Data(d)) = &node.op {
            return Ok((**d).clone());
        }
        let mut config = self.exec.clone();
        let cancel = self.cancel.clone();
        let bar = crate::io::progress::Progress::for_compute(self.progress, node);
        config.progress = bar.tasks();
        let chunks_before = crate::io::chunked::stats();
        let (data, report) = self.pool.install(|| exec::compute(&config, cancel, node))?;
        bar.finish();
        self.report(report);
        self.report_chunks(chunks_before);
        Ok(data)
    }

    /// Computes `node` block by block on the session's pool, reducing each block with
    /// `reduce` as it is computed (`exec::block_map`): each block's start and result, in
    /// block order.
    pub fn map_blocks<T: crate::exec::dist::wire::Wire + Send>(
        &self,
        node: &NodeRef,
        reduce: &crate::exec::block_map::BlockReducer<T>,
        bytes: &(dyn Fn(&T) -> usize + Sync),
    ) -> Result<crate::exec::block_map::BlockResults<T>, ExecError> {
        self.refuse_in_plan_only()?;
        let mut config = self.exec.clone();
        let cancel = self.cancel.clone();
        let bar = crate::io::progress::Progress::for_compute(self.progress, node);
        config.progress = bar.tasks();
        let chunks_before = crate::io::chunked::stats();
        let (results, report) = self
            .pool
            .install(|| exec::block_map::map_blocks(&config, cancel, node, reduce, bytes))?;
        bar.finish();
        self.report(report);
        self.report_chunks(chunks_before);
        Ok(results)
    }

    /// Computes several nodes in one plan (shared work once; reductions of one input in one
    /// pass) on the session's pool.
    pub fn compute_many(&self, nodes: &[NodeRef]) -> Result<Vec<Data>, ExecError> {
        self.refuse_in_plan_only()?;
        let mut config = self.exec.clone();
        let cancel = self.cancel.clone();
        let bar = crate::io::progress::Progress::for_compute(self.progress, &nodes[0]);
        config.progress = bar.tasks();
        let chunks_before = crate::io::chunked::stats();
        let (data, report) = self
            .pool
            .install(|| exec::compute_many(&config, cancel, nodes))?;
        bar.finish();
        self.report(report);
        self.report_chunks(chunks_before);
        Ok(data)
    }

    /// `x[mask]` (`x` of shape (n, ...), `mask` 1-D bool of length n) in one pass on the
    /// session's pool: the mask's counts and the kept rows together (`exec::compress`).
    pub fn compress(&self, x: &NodeRef, mask: &NodeRef) -> Result<NodeRef, ExecError> {
        self.refuse_in_plan_only()?;
        let mut config = self.exec.clone();
        let cancel = self.cancel.clone();
        let bar = crate::io::progress::Progress::for_compute(self.progress, mask);
        config.progress = bar.tasks();
        let (node, report) = self
            .pool
            .install(|| exec::compress::mask_pass(&config, cancel, x, mask))?;
        bar.finish();
        self.report(report);
        Ok(node)
    }

    /// What stores and pictures need from this session (`session` names it).
    pub fn io_env(&self, session: usize) -> crate::io::Env {
        crate::io::Env {
            exec: self.exec.clone(),
            cancel: self.cancel.clone(),
            pool: self.pool.clone(),
            progress: self.progress,
            verbose: self.verbose,
            session,
        }
    }

    /// `plan_only` sessions never compute: the editor's plan run stops here.
    fn refuse_in_plan_only(&self) -> Result<(), ExecError> {
        if self.plan_only {
            return Err(ExecError::Cancelled);
        }
        Ok(())
    }

    /// `--verbose`: storage chunks decoded by file sources since `before`.
    fn report_chunks(&self, before: crate::io::chunked::Stats) {
        if self.verbose
            && let Some(line) = crate::io::chunked::verbose_since(before)
        {
            eprintln!("{line}");
        }
    }

    fn report(&self, report: RunReport) {
        if self.verbose {
            eprintln!(
                "[arr] {}, peak RSS {}",
                report.summary(),
                crate::alloc_stats::peak_rss()
                    .map(crate::units::human_bytes)
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

/// Whether a builtin only builds graph nodes or reads metadata in run mode, so `plan_only`
/// may call it: creation, random, element-wise, reduction, scan and shape builtins, opening
/// (not reading) sources, and a few host helpers. Everything else (printing, stores, pictures,
/// data-dependent and linear-algebra builtins) is skipped.
pub fn plans_without_computing(b: &crate::builtins::Builtin) -> bool {
    use crate::builtins::Group;
    match b.group {
        Group::Creation
        | Group::Random
        | Group::Elementwise
        | Group::Reduction
        | Group::Scan
        | Group::Shape => b.name != "random.seed",
        Group::Host => matches!(
            b.name,
            "range" | "len" | "str" | "glob" | "from_hdf5" | "from_npy" | "from_zarr"
        ),
        Group::Linalg | Group::DataDependent => false,
    }
}

/// Builtins `arr explain` (a plan-only run) still calls: they show the plan of the
/// computation they would run (`print`, `int`/`float`, stores, pictures, `explain`) or give
/// their input back uncomputed (`compute`, `persist`), and compute or write nothing.
pub fn explains_in_plan_only(b: &crate::builtins::Builtin) -> bool {
    matches!(
        b.name,
        "print"
            | "int"
            | "float"
            | "compute"
            | "persist"
            | "explain"
            | "to_npy"
            | "to_hdf5"
            | "to_zarr"
            | "to_netcdf"
            | "imshow"
            | "plot"
            | "hist"
    )
}

/// Runs `import "path"`: the file runs once per session, and its top-level names are bound
/// in the importing scope.
pub fn import(interp: &mut Evaluator, path: &str, span: Span) -> R<()> {
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
            let text = match crate::syntax::source::read_source(&canonical) {
                Ok(t) => t,
                Err(e) => return err(format!("cannot import \"{path}\": {e}"), span),
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
            let mut sub = Evaluator::new(interp.check, interp.session.clone(), scope.clone(), file);
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
