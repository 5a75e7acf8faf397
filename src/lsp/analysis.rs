//! One analysis of one document: parse, then the compiler's check mode (exactly what
//! `arr check` runs, so the same messages and spans) with a trace of every expression's
//! value; on the first hover, when the check passed, a plan-only run that builds the lazy
//! graph so hover can show chunk grids and projected memory. Nothing is computed, printed or written.
//! Imported files are read from disk afresh for every analysis.

use crate::Session;
use crate::Trace;
use crate::language::ast::Program;
use crate::language::{Diagnostic, SourceFile};
use crate::value::Scope;
use std::cell::RefCell;
use std::rc::Rc;

/// What is known about one version of a document.
pub struct Analysis {
    /// The text analysed.
    pub text: Rc<str>,
    /// The file name the compiler saw (the document's path).
    pub path: String,
    /// The parsed program, when the text parses.
    pub program: Option<Program>,
    /// The first error, as `arr check` reports it (`file` set when it is in an import).
    pub error: Option<Diagnostic>,
    /// Check mode's value of every expression and binding it reached.
    pub checked: Trace,
    /// The plan-only run's values (arrays with graph nodes), made on the first hover and
    /// only when the check passed (diagnostics do not wait for it).
    planned: std::cell::OnceCell<Trace>,
    /// The top-level bindings the check ended with.
    pub scope: Option<Scope>,
    /// Milliseconds the analysis took.
    pub millis: f64,
}

/// Analyses `text` as the file at `path`.
pub fn analyse(session: &mut Session, path: &str, text: &str) -> Analysis {
    let started = std::time::Instant::now();
    let file = SourceFile {
        name: path.to_string(),
        text: Rc::from(text),
    };
    // Imported files may have changed on disk since the last analysis.
    forget_imports(session);
    let mut out = Analysis {
        text: file.text.clone(),
        path: path.to_string(),
        program: None,
        error: None,
        checked: Trace::new(path),
        planned: std::cell::OnceCell::new(),
        scope: None,
        millis: 0.0,
    };
    match crate::language::parse_program(text) {
        Err(d) => out.error = Some(*d),
        Ok(program) => {
            let trace = Rc::new(RefCell::new(Trace::new(path)));
            let (result, scope) =
                session.check_program_traced(&program, &file, Some(trace.clone()));
            out.scope = Some(scope);
            if let Err(e) = result {
                out.error = Some(*e.diagnostic);
            }
            out.checked = take(trace);
            out.program = Some(program);
        }
    }
    forget_imports(session);
    out.millis = started.elapsed().as_secs_f64() * 1e3;
    out
}

impl Analysis {
    /// The plan-only run's values: every array with its graph node (chunk grid, memory plan),
    /// built on first use; empty when the check failed.
    pub fn planned(&self, session: &mut Session) -> &Trace {
        self.planned.get_or_init(|| {
            let (Some(program), None) = (&self.program, &self.error) else {
                return Trace::new(&self.path);
            };
            let file = SourceFile {
                name: self.path.clone(),
                text: self.text.clone(),
            };
            forget_imports(session);
            let plan = Rc::new(RefCell::new(Trace::new(&self.path)));
            session.plan_program_traced(program, &file, plan.clone());
            forget_imports(session);
            take(plan)
        })
    }
}

/// Drops the imported files' scopes. Their functions hold the scope they were defined in,
/// which holds them: emptying the scope breaks that cycle, so memory stays flat over edits.
fn forget_imports(session: &mut Session) {
    let state = session.state();
    let scopes: Vec<Scope> = state.borrow_mut().imports.drain().map(|(_, s)| s).collect();
    for s in scopes {
        s.borrow_mut().vars.clear();
    }
}

impl Drop for Analysis {
    /// Empties the top-level scope, breaking the cycle between it and the functions defined in
    /// it (each closure holds the scope that binds it).
    fn drop(&mut self) {
        if let Some(s) = &self.scope {
            s.borrow_mut().vars.clear();
        }
    }
}

fn take(trace: Rc<RefCell<Trace>>) -> Trace {
    std::mem::take(&mut *trace.borrow_mut())
}

/// A session for the server: the settings `arr FILE` would have on this machine (so chunk
/// grids and memory plans match a real run), nothing printed, a fixed seed (random calls
/// without `seed=` only need some stream to be checked).
pub fn session() -> Session {
    let opts = crate::Options {
        seed: Some(0),
        progress: false,
        ..crate::Options::default()
    };
    let mut session = Session::with_options(opts);
    session.set_output(Rc::new(RefCell::new(std::io::sink())));
    session
}
