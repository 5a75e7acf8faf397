//! Arr: a typed, lazy, chunked array language. This crate is the compiler, the chunked
//! executor and the embedding API; `Session` is the one public entry point.
//!
//! ```
//! let mut session = arr::Session::new();
//! let out = session.eval_to_string("print(sum(arange(10)))").unwrap();
//! assert_eq!(out, "45\n");
//! ```

#[macro_use]
pub mod data;
pub mod backend;
pub mod builtins;
pub mod eval;
pub mod exec;
pub mod graph;
pub mod io;
pub mod kernel;
pub mod repl;
pub mod sema;
pub mod syntax;
pub mod value;

use eval::{Interp, SessionState};
use std::cell::RefCell;
use std::rc::Rc;
use syntax::diag::{Diagnostic, SourceFile};
use value::{Scope, ScopeData, Value};

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
    /// Print plans instead of computing.
    pub explain_only: bool,
    /// Script arguments (`args`).
    pub args: Vec<String>,
    /// Show a progress bar for long computations (on a terminal only).
    pub progress: bool,
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
        }
    }
}

/// An error from a session, with its rendered diagnostic text.
#[derive(Debug, Clone)]
pub struct Error {
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
        state.progress = opts.progress;
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
            let mut interp = Interp::new(false, state.clone(), prelude.clone(), file);
            // The prelude only defines functions; it cannot fail at run time.
            let _ = interp.run_program(&program);
        }
        let globals = eval::child_scope(&prelude);
        Session {
            state,
            prelude,
            globals,
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

    fn error(diag: Diagnostic, file: &SourceFile) -> Error {
        let rendered = diag.render(file);
        Error {
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
        let program = syntax::parse_program(text).map_err(|d| Session::error(*d, &file))?;
        self.check_program(&program, &file)
    }

    fn check_program(
        &mut self,
        program: &syntax::ast::Program,
        file: &SourceFile,
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
        sema::names::check(program, &is_global, &dir).map_err(|d| Session::error(*d, file))?;
        let snapshot = eval::child_scope(&self.prelude);
        snapshot.borrow_mut().vars = self.globals.borrow().vars.clone();
        let mut checker = Interp::new(true, self.state.clone(), snapshot, file.clone());
        checker
            .run_program(program)
            .map(|_| ())
            .map_err(|d| Session::error(*d, file))
    }

    /// Checks, then runs a program; returns the value of its last expression statement.
    pub fn run(&mut self, name: &str, text: &str) -> Result<Value, Error> {
        let file = SourceFile {
            name: name.into(),
            text: Rc::from(text),
        };
        let program = syntax::parse_program(text).map_err(|d| Session::error(*d, &file))?;
        self.check_program(&program, &file)?;
        self.state
            .borrow()
            .cancel
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let mut runner = Interp::new(
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

    /// The value bound to a name.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.globals.borrow().vars.get(name).cloned()
    }

    /// Renders a value as `print` would (computing it).
    pub fn display(&mut self, v: &Value) -> Result<String, Error> {
        let file = SourceFile {
            name: "<value>".into(),
            text: Rc::from(""),
        };
        let interp = Interp::new(
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
        let program = syntax::parse_program(code).map_err(|d| Session::error(*d, &file))?;
        let snapshot = eval::child_scope(&self.prelude);
        snapshot.borrow_mut().vars = self.globals.borrow().vars.clone();
        let mut checker = Interp::new(true, self.state.clone(), snapshot, file.clone());
        let v = checker
            .run_program(&program)
            .map_err(|d| Session::error(*d, &file))?;
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
        let program = syntax::parse_program(code).map_err(|d| Session::error(*d, &file))?;
        let scope = eval::child_scope(&self.globals);
        let mut interp = Interp::new(false, self.state.clone(), scope, file.clone());
        let explain_before = std::mem::replace(&mut self.state.borrow_mut().explain_only, true);
        let v = interp.run_program(&program);
        self.state.borrow_mut().explain_only = explain_before;
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
        if let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
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
        self.globals = eval::child_scope(&self.prelude);
        self.state.borrow_mut().imports.clear();
    }

    /// Runs a file in this session; its top-level names stay bound.
    pub fn load(&mut self, path: &str) -> Result<Value, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let file = SourceFile {
                name: path.into(),
                text: Rc::from(""),
            };
            Session::error(
                Diagnostic::error(format!("cannot read {path}: {e}"), Default::default()),
                &file,
            )
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
}
