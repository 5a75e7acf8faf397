//! Arr: a typed, lazy, chunked array language. This crate is the compiler, the chunked
//! executor and the embedding API; `Session` is the one public entry point.
//!
//! ```
//! let mut session = arr::Session::new();
//! let out = session.eval_to_string("print(sum(arange(10)))").unwrap();
//! assert_eq!(out, "45\n");
//! ```

#![deny(missing_docs)]

// The modules below are the implementation; they are public for the binary, the tests and the
// tools, but the supported embedding API is `Session` and the types it uses (`Value`, `Error`,
// `embed`).
#[doc(hidden)]
#[macro_use]
pub mod data;
#[doc(hidden)]
pub mod alloc_stats;
#[doc(hidden)]
pub mod backend;
#[doc(hidden)]
pub mod builtins;
#[doc(hidden)]
pub mod dashboard;
pub mod embed;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod exec;
#[doc(hidden)]
pub mod graph;
#[doc(hidden)]
pub mod io;
#[doc(hidden)]
pub mod kernel;
#[doc(hidden)]
pub mod language;
#[doc(hidden)]
pub mod lsp;
#[doc(hidden)]
pub mod opt;
#[doc(hidden)]
pub mod repl;
#[doc(hidden)]
pub mod scalar;
#[doc(hidden)]
pub mod sema;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod units;
#[doc(hidden)]
pub mod value;

pub use backend::BackendKind;
pub use eval::trace::Trace;
use eval::{Evaluator, SessionState};
pub use opt::memory::MemoryPlan;
use std::cell::RefCell;
use std::rc::Rc;
use syntax::diag::{Diagnostic, SourceFile};
pub use value::Value;
use value::{Scope, ScopeData};

/// Session settings.
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker threads (default: all cores).
    pub threads: usize,
    /// Byte budget (default: half the RAM).
    pub memory_limit: usize,
    /// Session seed (default: from the OS).
    pub seed: Option<u64>,
    /// Print run statistics.
    pub verbose: bool,
    /// Print plans instead of computing: a plan-only run that computes and writes nothing.
    pub explain_only: bool,
    /// Script arguments (`args`).
    pub args: Vec<String>,
    /// Show a progress bar for long computations (on a terminal only).
    pub progress: bool,
    /// Run the optimiser's passes (off with `--no-opt`, for debugging and tests).
    pub optimise: bool,
    /// Which backend runs kernels (`--backend`; the Cranelift JIT by default).
    pub backend: backend::BackendKind,
    /// Plans printed by `explain` show each kernel's text (`arr explain --kernels`).
    pub explain_kernels: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            memory_limit: eval::session::default_memory_limit(),
            seed: None,
            verbose: false,
            explain_only: false,
            args: Vec::new(),
            progress: true,
            optimise: true,
            backend: backend::BackendKind::default(),
            explain_kernels: false,
        }
    }
}

/// Which stage an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The program does not parse.
    Syntax,
    /// Checking found a name, type, shape or arity error; nothing ran.
    Check,
    /// Running failed (a data-dependent error, a failed store, cancellation).
    Run,
    /// A value passed across the embedding boundary does not fit (`get`, `call`).
    Embed,
}

/// An error from a session, with its rendered diagnostic text.
#[derive(Debug, Clone)]
pub struct Error {
    /// Which stage failed.
    pub kind: ErrorKind,
    /// The diagnostic.
    pub diagnostic: Box<Diagnostic>,
    /// The rendered text (`error: ...` with the source line and a caret).
    pub rendered: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rendered)
    }
}

impl std::error::Error for Error {}

/// An interpreter session: bindings persist between evaluations.
pub struct Session {
    state: Rc<RefCell<SessionState>>,
    prelude: Scope,
    globals: Scope,
    /// The live dashboard, when started (`start_dashboard`).
    pub(crate) dashboard: Option<dashboard::Dashboard>,
}

impl Drop for Session {
    /// Empties the session's scopes (the prelude's, the top level's and the imported files'):
    /// every function holds the scope it was defined in, which holds the function, so
    /// without this each session would leak its prelude through that cycle (a REPL or an
    /// embedding program creating sessions would grow without bound).
    fn drop(&mut self) {
        self.globals.borrow_mut().vars.clear();
        self.prelude.borrow_mut().vars.clear();
        self.forget_imports();
    }
}

/// The text of a program file: regular files only, invalid UTF-8 reported with its
/// `path:line:col` (see `syntax::source`).
pub fn read_source(path: &std::path::Path) -> Result<String, String> {
    syntax::source::read_source(path)
}

/// Where this process runs the program under MPI (`mpirun -np N arr FILE.arr`): rank 0 of 1
/// when no MPI launcher started it.
pub use exec::dist::{Place as RankPlace, World as MpiWorld};

/// Joins the MPI world when an MPI launcher started this process (see `exec::dist`), before
/// anything else runs. On ranks other than 0, standard output and error go to /dev/null (rank
/// 0 prints for the job), except a panic's message, which still reaches the terminal with its
/// rank before the whole job is ended.
pub fn join_mpi_world() -> Result<(MpiWorld, RankPlace), String> {
    let world = exec::dist::init()?;
    let place = exec::dist::place();
    if place.rank != 0 {
        exec::dist::quiet_this_rank(place.rank);
    }
    Ok((world, place))
}

/// The session seed every rank uses: `seed` when given, otherwise rank 0's seed from the
/// operating system (one process: `seed` as given).
pub fn agreed_seed(seed: Option<u64>) -> Option<u64> {
    if seed.is_some() || !exec::dist::is_distributed() {
        return seed;
    }
    let mine = eval::session::os_seed().to_ne_bytes().to_vec();
    let shared = exec::dist::broadcast_from_writer(mine);
    Some(u64::from_ne_bytes(
        shared.as_slice().try_into().unwrap_or([0; 8]),
    ))
}

/// The prelude's source.
pub const PRELUDE: &str = include_str!("../stdlib/prelude.arr");

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

impl Session {
    /// A session with default options.
    pub fn new() -> Session {
        Session::with_options(Options::default())
    }

    /// A session with the given options.
    pub fn with_options(opts: Options) -> Session {
        let mut state = SessionState::new(opts.threads, opts.memory_limit, opts.seed);
        state.verbose = opts.verbose;
        state.explain_only = opts.explain_only;
        // `arr explain` computes and writes nothing: it is a plan-only run.
        state.plan_only = opts.explain_only;
        state.progress = opts.progress;
        state.exec.optimise = opts.optimise;
        state.exec.backend = backend::of_kind(opts.backend);
        state.exec.explain_kernels = opts.explain_kernels;
        state.args = opts.args.clone();
        let state = Rc::new(RefCell::new(state));
        let prelude: Scope = Rc::new(RefCell::new(ScopeData::default()));
        let args_value = Value::List(Rc::new(opts.args.iter().map(|a| Value::str(a)).collect()));
        prelude.borrow_mut().vars.insert("args".into(), args_value);
        let file = SourceFile {
            name: "<prelude>".into(),
            text: Rc::from(PRELUDE),
        };
        if let Ok(program) = syntax::parse_program(PRELUDE) {
            let mut interp = Evaluator::new(false, state.clone(), prelude.clone(), file);
            // The prelude only defines functions; it cannot fail at run time.
            let _ = interp.run_program(&program);
        }
        let globals = eval::child_scope(&prelude);
        Session {
            state,
            prelude,
            globals,
            dashboard: None,
        }
    }

    /// Sends `print` output to a writer instead of stdout.
    pub fn set_output(&mut self, out: Rc<RefCell<dyn std::io::Write>>) {
        self.state.borrow_mut().out = out;
    }

    /// The shared state (settings, seed, cancel flag).
    pub fn state(&self) -> Rc<RefCell<SessionState>> {
        self.state.clone()
    }

    /// A planner with this session's settings: memory plans of lazy arrays, nothing computed.
    pub fn planner(&self) -> Planner {
        Planner(self.state.borrow().exec.clone())
    }

    /// Check mode (nothing computed, printed or written): the value `expr` would have in a
    /// child of `scope`, or `None` when it does not parse or check.
    pub fn check_value_in(&self, scope: &Scope, expr: &str) -> Option<Value> {
        let program = syntax::parse_program(expr).ok()?;
        let file = SourceFile {
            name: "<expression>".into(),
            text: Rc::from(expr),
        };
        let mut checker = Evaluator::new(true, self.state.clone(), eval::child_scope(scope), file);
        let v = checker.run_program(&program).ok();
        // Functions hold the scope that binds them; emptying it frees both.
        checker.scope.borrow_mut().vars.clear();
        v
    }

    fn error(diag: Diagnostic, file: &SourceFile) -> Error {
        Session::error_of(ErrorKind::Run, diag, file)
    }

    fn error_of(kind: ErrorKind, diag: Diagnostic, file: &SourceFile) -> Error {
        let rendered = diag.render(file);
        Error {
            kind,
            diagnostic: Box::new(diag),
            rendered,
        }
    }

    /// Parses and checks a program against the current bindings without computing anything.
    pub fn check(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let file = SourceFile {
            name: name.into(),
            text: Rc::from(text),
        };
        let program = syntax::parse_program(text)
            .map_err(|d| Session::error_of(ErrorKind::Syntax, *d, &file))?;
        self.check_program(&program, &file)
    }

    fn check_program(
        &mut self,
        program: &syntax::ast::Program,
        file: &SourceFile,
    ) -> Result<(), Error> {
        let (result, snapshot) = self.check_program_traced(program, file, None);
        // Functions hold the scope that binds them; emptying it frees both.
        snapshot.borrow_mut().vars.clear();
        result
    }

    /// Editors: checks a parsed program exactly as `check` does, recording in `trace` the
    /// value of every expression and binding of `file` that checking reached; also gives
    /// the top-level scope the check ended with (the bindings made before any error).
    #[doc(hidden)]
    pub fn check_program_traced(
        &mut self,
        program: &syntax::ast::Program,
        file: &SourceFile,
        trace: Option<Rc<RefCell<eval::trace::Trace>>>,
    ) -> (Result<(), Error>, Scope) {
        let snapshot = eval::child_scope(&self.prelude);
        let result = self.check_into(program, file, trace, &snapshot);
        (result, snapshot)
    }

    fn check_into(
        &mut self,
        program: &syntax::ast::Program,
        file: &SourceFile,
        trace: Option<Rc<RefCell<eval::trace::Trace>>>,
        snapshot: &Scope,
    ) -> Result<(), Error> {
        let prelude = self.prelude.clone();
        let globals = self.globals.clone();
        let is_global = |name: &str| {
            prelude.borrow().vars.contains_key(name)
                || globals.borrow().vars.contains_key(name)
                || builtins::lookup_global(name).is_some()
        };
        let dir = std::path::Path::new(&*file.name)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        sema::names::check(program, &is_global, &builtins::global_names(), &dir)
            .map_err(|d| Session::error_of(ErrorKind::Check, *d, file))?;
        snapshot.borrow_mut().vars = self.globals.borrow().vars.clone();
        let mut checker = Evaluator::new(true, self.state.clone(), snapshot.clone(), file.clone());
        checker.trace = trace;
        checker
            .run_program(program)
            .map(|_| ())
            .map_err(|d| Session::error_of(ErrorKind::Check, *d, file))
    }

    /// Editors: builds the lazy graph of a checked program without computing, printing or
    /// writing anything (`SessionState::plan_only`), recording every value of `file` in
    /// `trace` so its arrays' chunk grids and memory plans can be shown. Statements that
    /// would need a computed value are skipped; nothing is bound in the session.
    #[doc(hidden)]
    pub fn plan_program_traced(
        &mut self,
        program: &syntax::ast::Program,
        file: &SourceFile,
        trace: Rc<RefCell<eval::trace::Trace>>,
    ) {
        let scope = eval::child_scope(&self.globals);
        let was = std::mem::replace(&mut self.state.borrow_mut().plan_only, true);
        let mut planner = Evaluator::new(false, self.state.clone(), scope, file.clone());
        planner.trace = Some(trace);
        for stmt in &program.stmts {
            // A statement that needs data stops here; the next one may still plan.
            let _ = planner.exec_stmt(stmt);
        }
        self.state.borrow_mut().plan_only = was;
        // Functions hold the scope that binds them; emptying it frees both.
        planner.scope.borrow_mut().vars.clear();
    }

    /// Checks, then runs a program; returns the value of its last expression statement.
    pub fn run(&mut self, name: &str, text: &str) -> Result<Value, Error> {
        let file = SourceFile {
            name: name.into(),
            text: Rc::from(text),
        };
        let program = syntax::parse_program(text)
            .map_err(|d| Session::error_of(ErrorKind::Syntax, *d, &file))?;
        self.check_program(&program, &file)?;
        self.state
            .borrow()
            .cancel
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let mut runner = Evaluator::new(
            false,
            self.state.clone(),
            self.globals.clone(),
            file.clone(),
        );
        runner
            .run_program(&program)
            .map_err(|d| Session::error(*d, &file))
    }

    /// Runs code (named `<input>`).
    pub fn eval(&mut self, code: &str) -> Result<Value, Error> {
        self.run("<input>", code)
    }

    /// Runs code and returns what it printed.
    pub fn eval_to_string(&mut self, code: &str) -> Result<String, Error> {
        let buffer: Rc<RefCell<Vec<u8>>> = Rc::new(RefCell::new(Vec::new()));
        let previous = self.state.borrow().out.clone();
        self.set_output(buffer.clone());
        let result = self.eval(code);
        self.state.borrow_mut().out = previous;
        result?;
        let bytes = buffer.borrow().clone();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Renders a value as `print` would (computing it).
    pub fn display(&mut self, v: &Value) -> Result<String, Error> {
        let file = SourceFile {
            name: "<value>".into(),
            text: Rc::from(""),
        };
        let interp = Evaluator::new(
            false,
            self.state.clone(),
            self.globals.clone(),
            file.clone(),
        );
        builtins::host::display(&interp, v, Default::default(), false).map_err(|f| match f {
            eval::Flow::Error(d) => Session::error(*d, &file),
            _ => Session::error(
                Diagnostic::error("value unavailable", Default::default()),
                &file,
            ),
        })
    }

    /// The type of an expression as text (`f64[3, 4]`, `int`, `str`), found by checking it
    /// against the current bindings without computing anything.
    pub fn type_of(&mut self, code: &str) -> Result<String, Error> {
        let file = SourceFile {
            name: "<type>".into(),
            text: Rc::from(code),
        };
        let program = syntax::parse_program(code)
            .map_err(|d| Session::error_of(ErrorKind::Syntax, *d, &file))?;
        let snapshot = eval::child_scope(&self.prelude);
        snapshot.borrow_mut().vars = self.globals.borrow().vars.clone();
        let mut checker = Evaluator::new(true, self.state.clone(), snapshot, file.clone());
        let v = checker.run_program(&program);
        checker.scope.borrow_mut().vars.clear();
        let v = v.map_err(|d| Session::error(*d, &file))?;
        Ok(match v {
            Value::Unknown(_) => "known only when computed".into(),
            other => other.type_name(),
        })
    }

    /// The plan of the array an expression evaluates to (nothing is computed).
    pub fn explain(&mut self, code: &str) -> Result<String, Error> {
        self.check("<explain>", code)?;
        let file = SourceFile {
            name: "<explain>".into(),
            text: Rc::from(code),
        };
        let program = syntax::parse_program(code)
            .map_err(|d| Session::error_of(ErrorKind::Syntax, *d, &file))?;
        let scope = eval::child_scope(&self.globals);
        let mut interp = Evaluator::new(false, self.state.clone(), scope, file.clone());
        let explain_before = std::mem::replace(&mut self.state.borrow_mut().explain_only, true);
        let plan_before = std::mem::replace(&mut self.state.borrow_mut().plan_only, true);
        let v = interp.run_program(&program);
        interp.scope.borrow_mut().vars.clear();
        self.state.borrow_mut().explain_only = explain_before;
        self.state.borrow_mut().plan_only = plan_before;
        match v.map_err(|d| Session::error(*d, &file))? {
            Value::Array(a) => match &a.node {
                Some(n) => Ok(exec::plan::explain_text(n, &self.state.borrow().exec)),
                None => Ok(format!("{} (no plan)\n", a.type_text())),
            },
            other => Ok(format!("{} is not an array\n", other.type_name())),
        }
    }

    /// The names bound in this session (not the builtins), sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.globals.borrow().vars.keys().cloned().collect();
        v.sort();
        v
    }

    /// The session seed.
    pub fn seed(&self) -> u64 {
        self.state.borrow().seed
    }

    /// Sets the session seed and restarts the stream counter (as `random.seed(n)`).
    pub fn set_seed(&mut self, seed: u64) {
        let mut s = self.state.borrow_mut();
        s.seed = seed;
        s.next_stream = 1;
    }

    /// Sets the number of worker threads.
    pub fn set_threads(&mut self, threads: usize) {
        let threads = threads.max(1);
        let mut s = self.state.borrow_mut();
        if let Ok(pool) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .stack_size(exec::WORKER_STACK_BYTES)
            .build()
        {
            s.pool = std::sync::Arc::new(pool);
            s.exec.threads = threads;
        }
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.state.borrow().exec.threads
    }

    /// Sets the memory budget in bytes.
    pub fn set_memory_limit(&mut self, bytes: usize) {
        self.state.borrow_mut().exec.memory_limit = bytes.max(1);
    }

    /// Forgets every binding (the prelude stays).
    pub fn reset(&mut self) {
        let old = std::mem::replace(&mut self.globals, eval::child_scope(&self.prelude));
        old.borrow_mut().vars.clear();
        self.forget_imports();
    }

    /// Empties the imported files' scopes (see `Drop`).
    fn forget_imports(&mut self) {
        let scopes: Vec<Scope> = self
            .state
            .borrow_mut()
            .imports
            .drain()
            .map(|(_, s)| s)
            .collect();
        for s in scopes {
            s.borrow_mut().vars.clear();
        }
    }

    /// Runs a file in this session; its top-level names stay bound.
    pub fn load(&mut self, path: &str) -> Result<Value, Error> {
        let text = syntax::source::read_source(std::path::Path::new(path)).map_err(|e| {
            let file = SourceFile {
                name: path.into(),
                text: Rc::from(""),
            };
            Session::error(Diagnostic::error(e, Default::default()), &file)
        })?;
        self.run(path, &text)
    }

    /// A flag that cancels the running computation when set (from a Ctrl-C handler, say);
    /// the computation stops within about one block's work and reports `computation
    /// cancelled`. The next `run` clears it.
    pub fn cancel_handle(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.state.borrow().cancel.clone()
    }

    /// Statistics of the last computation (tasks, elements generated, seconds).
    pub fn last_report(&self) -> Option<exec::RunReport> {
        self.state.borrow().last_report.borrow().clone()
    }

    /// The value bound to a name, if any, looking through the prelude too.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        self.globals
            .borrow()
            .vars
            .get(name)
            .cloned()
            .or_else(|| self.prelude.borrow().vars.get(name).cloned())
            .or_else(|| builtins::lookup_global(name))
    }

    /// Binds an ndarray (any dimension, element type bool, u8, i32, i64, f32 or f64) to a name.
    ///
    /// ```
    /// let mut s = arr::Session::new();
    /// s.set("x", ndarray::arr1(&[1.0, 2.0, 3.0]));
    /// let total: f64 = s.get("y").unwrap_or(0.0);
    /// assert_eq!(total, 0.0);
    /// s.eval("y = sum(x * 2)").unwrap();
    /// assert_eq!(s.get::<f64>("y").unwrap(), 12.0);
    /// ```
    pub fn set<T: data::Element, D: ndarray::Dimension>(
        &mut self,
        name: &str,
        array: ndarray::Array<T, D>,
    ) {
        let v = embed::value_from_array(array);
        self.globals.borrow_mut().vars.insert(name.to_string(), v);
    }

    /// Binds any value (a number, a string, or a value from an earlier `get_value`).
    pub fn set_value(&mut self, name: &str, value: Value) {
        self.globals
            .borrow_mut()
            .vars
            .insert(name.to_string(), value);
    }

    /// The value bound to `name`, computed and converted to `T`: an ndarray of any element type
    /// and dimension (`ArrayD<f64>`, `Array2<i64>`, ...) or a scalar (`f64`, `i64`, `bool`,
    /// `String`). Element types convert as `astype` does; a wrong number of dimensions is an
    /// `ErrorKind::Embed` error.
    ///
    /// ```
    /// let mut s = arr::Session::new();
    /// s.eval("m = arange(6).reshape([2, 3])").unwrap();
    /// let m: ndarray::Array2<i64> = s.get("m").unwrap();
    /// assert_eq!(m[[1, 2]], 5);
    /// ```
    pub fn get<T: embed::FromArr>(&mut self, name: &str) -> Result<T, Error> {
        let Some(v) = self.get_value(name) else {
            return Err(self.embed_error(format!("no value is bound to `{name}`")));
        };
        T::from_value(self, v)
    }

    /// The value bound to `name`, uncomputed.
    pub fn get_value(&self, name: &str) -> Option<Value> {
        self.globals.borrow().vars.get(name).cloned()
    }

    pub(crate) fn embed_error(&self, message: String) -> Error {
        let file = SourceFile {
            name: "<embed>".into(),
            text: Rc::from(""),
        };
        Session::error_of(
            ErrorKind::Embed,
            Diagnostic::error(message, Default::default()),
            &file,
        )
    }

    /// Computes an array value into memory.
    pub fn compute_value(&mut self, v: &Value) -> Result<data::Data, Error> {
        let Value::Array(a) = v else {
            return Err(self.embed_error(format!("expected an array, got {}", v.type_name())));
        };
        let file = SourceFile {
            name: "<embed>".into(),
            text: Rc::from(""),
        };
        let interp = Evaluator::new(
            false,
            self.state.clone(),
            self.globals.clone(),
            file.clone(),
        );
        eval::ops::compute_array(&interp, a, Default::default()).map_err(|f| match f {
            eval::Flow::Error(d) => Session::error(*d, &file),
            _ => self.embed_error("the value is not available".into()),
        })
    }

    /// Calls an Arr function (yours, the prelude's or a builtin) with positional arguments.
    ///
    /// ```
    /// use arr::Value;
    /// let mut s = arr::Session::new();
    /// s.eval("fn twice(v) { v * 2 }").unwrap();
    /// s.set("x", ndarray::arr1(&[1, 2, 3]));
    /// let x = s.get_value("x").unwrap();
    /// let y = s.call("twice", &[x]).unwrap();
    /// s.set_value("y", y);
    /// assert_eq!(s.get::<Vec<i64>>("y").unwrap(), vec![2, 4, 6]);
    /// ```
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Value, Error> {
        let Some(f) = self.lookup(name) else {
            return Err(self.embed_error(format!("no function named `{name}`")));
        };
        let file = SourceFile {
            name: "<call>".into(),
            text: Rc::from(""),
        };
        let raw: Vec<eval::signature::RawArg> = args
            .iter()
            .map(|a| (None, a.clone(), Default::default()))
            .collect();
        // Check first (nothing runs if the call is wrong), then run.
        let mut checker =
            Evaluator::new(true, self.state.clone(), self.globals.clone(), file.clone());
        let check_args: Vec<eval::signature::RawArg> = raw
            .iter()
            .map(|(k, v, s)| {
                let v = match v {
                    Value::Array(a) => Value::Array(value::Array {
                        node: None,
                        ..a.clone()
                    }),
                    other => other.clone(),
                };
                (k.clone(), v, *s)
            })
            .collect();
        match checker.call_value(
            f.clone(),
            check_args,
            Default::default(),
            Default::default(),
        ) {
            Ok(_) | Err(eval::Flow::Unknown) | Err(eval::Flow::Return(_)) => {}
            Err(eval::Flow::Error(d)) => {
                return Err(Session::error_of(ErrorKind::Check, *d, &file));
            }
        }
        let mut runner = Evaluator::new(
            false,
            self.state.clone(),
            self.globals.clone(),
            file.clone(),
        );
        match runner.call_value(f, raw, Default::default(), Default::default()) {
            Ok(v) | Err(eval::Flow::Return(v)) => Ok(v),
            Err(eval::Flow::Error(d)) => Err(Session::error(*d, &file)),
            Err(eval::Flow::Unknown) => Err(self.embed_error("the call gave no value".into())),
        }
    }

    /// Parses and checks a program once, for running many times with `run_compiled`.
    ///
    /// ```
    /// let mut s = arr::Session::new();
    /// s.set("x", ndarray::arr1(&[1.0, 2.0]));
    /// let p = s.compile("y = x.sum() + 1").unwrap();
    /// s.run_compiled(&p).unwrap();
    /// assert_eq!(s.get::<f64>("y").unwrap(), 4.0);
    /// s.set("x", ndarray::arr1(&[5.0, 5.0]));
    /// s.run_compiled(&p).unwrap();
    /// assert_eq!(s.get::<f64>("y").unwrap(), 11.0);
    /// ```
    pub fn compile(&mut self, code: &str) -> Result<Program, Error> {
        let file = SourceFile {
            name: "<compiled>".into(),
            text: Rc::from(code),
        };
        let program = syntax::parse_program(code)
            .map_err(|d| Session::error_of(ErrorKind::Syntax, *d, &file))?;
        self.check_program(&program, &file)?;
        Ok(Program { program, file })
    }

    /// Runs a compiled program against the current bindings. The bindings it reads may have
    /// changed since `compile`, so it is checked again (cheaply: checking computes nothing).
    pub fn run_compiled(&mut self, p: &Program) -> Result<Value, Error> {
        self.check_program(&p.program, &p.file)?;
        self.state
            .borrow()
            .cancel
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let mut runner = Evaluator::new(
            false,
            self.state.clone(),
            self.globals.clone(),
            p.file.clone(),
        );
        runner
            .run_program(&p.program)
            .map_err(|d| Session::error(*d, &p.file))
    }

    /// Registers an element-wise Rust function as an Arr function of one array
    /// (computed as f64, block by block, in parallel).
    ///
    /// ```
    /// let mut s = arr::Session::new();
    /// s.register_fn("softplus", |v: f64| (1.0 + v.exp()).ln());
    /// let out = s.eval_to_string("print(round(softplus(zeros(3)), decimals=4))").unwrap();
    /// assert_eq!(out, "[0.6931, 0.6931, 0.6931]\n");
    /// ```
    pub fn register_fn(&mut self, name: &str, f: impl Fn(f64) -> f64 + Send + Sync + 'static) {
        self.register_block_fn(name, move |block| block.mapv(&f));
    }

    /// Registers a Rust function applied to each block of an f64 array; it must return a block
    /// of the same shape.
    pub fn register_block_fn(
        &mut self,
        name: &str,
        f: impl Fn(ndarray::ArrayViewD<'_, f64>) -> ndarray::ArrayD<f64> + Send + Sync + 'static,
    ) {
        let native = embed::NativeFn {
            name: name.to_string(),
            block: std::sync::Arc::new(f),
        };
        self.globals
            .borrow_mut()
            .vars
            .insert(name.to_string(), Value::Native(std::sync::Arc::new(native)));
    }
}

/// A parsed and checked program (see `Session::compile`).
pub struct Program {
    program: syntax::ast::Program,
    file: SourceFile,
}

/// Plans lazy arrays under a session's settings without computing them (the editor's hover).
#[derive(Clone)]
pub struct Planner(exec::ExecConfig);

impl Planner {
    /// The memory plan of computing `node`, or why it cannot run within the limit.
    pub fn memory(&self, node: &graph::NodeRef) -> Result<MemoryPlan, String> {
        self.0
            .plan(node)
            .map(|p| p.memory)
            .map_err(|e| e.to_string())
    }
}
