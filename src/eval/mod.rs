//! The host evaluator: runs a program's statements and builds the lazy graph. Run twice per
//! program: first in check mode (`check = true`), where arrays carry only dtype and shape and
//! nothing is computed or written, so every shape, dtype, name and arity error is reported
//! before any chunk is computed; then for real.

pub mod index;
pub mod ops;
pub mod session;
pub mod signature;
pub mod trace;

use crate::builtins::{self, Args};
use crate::sema::dtype::WeakKind;
use crate::syntax::ast::*;
use crate::syntax::diag::{Diagnostic, SourceFile};
use crate::value::{Closure, Hint, Num, Scope, ScopeData, Value};
pub use session::SessionState;
use std::cell::RefCell;
use std::rc::Rc;

/// Non-local control flow: an error, a `return`, or (check mode) "cannot know until run".
#[derive(Debug)]
pub enum Flow {
    /// A diagnostic to report.
    Error(Box<Diagnostic>),
    /// A `return` unwinding to its function.
    Return(Value),
    /// Check mode: the result depends on computed data.
    Unknown,
}

/// Results of evaluation.
pub type R<T> = Result<T, Flow>;

/// An error at a span.
pub fn err<T>(message: impl Into<String>, span: Span) -> R<T> {
    Err(Flow::Error(Box::new(Diagnostic::error(message, span))))
}

/// An error with a label under the caret.
pub fn err_label<T>(message: impl Into<String>, span: Span, label: impl Into<String>) -> R<T> {
    Err(Flow::Error(Box::new(
        Diagnostic::error(message, span).with_label(label),
    )))
}

/// Deepest user-function nesting before a run is stopped (deep recursion).
const MAX_DEPTH: usize = 400;
/// Check mode stops following recursion this deep and treats the result as unknown.
const CHECK_MAX_DEPTH: usize = 40;
/// Loops of at most this many iterations are checked iteration by iteration.
const CHECK_UNROLL: usize = 64;

/// One evaluator (check or run) over one file's top level.
pub struct Evaluator {
    /// Check mode: no computation, no output.
    pub check: bool,
    /// The shared session state.
    pub session: Rc<RefCell<SessionState>>,
    /// The current scope.
    pub scope: Scope,
    /// The file being evaluated.
    pub file: SourceFile,
    depth: usize,
    /// Check mode: how many enclosing constructs are explored without knowing whether they
    /// run (both branches of an unknown `if`, a loop's fixpoint). Recursion met there is not
    /// followed (its result is unknown), so checking stays linear; everywhere else check mode
    /// follows calls exactly as a run does, reporting the same recursion error.
    indefinite: usize,
    /// The functions being called, innermost last.
    calls: Vec<*const Closure>,
    /// Check mode: values returned from branches whose condition was unknown.
    pending_returns: Vec<Vec<Value>>,
    /// Editors: records every value this file's code had (see `trace.rs`).
    pub trace: Option<Rc<RefCell<trace::Trace>>>,
}

/// A new scope whose parent is `parent`.
pub fn child_scope(parent: &Scope) -> Scope {
    Rc::new(RefCell::new(ScopeData {
        vars: Default::default(),
        parent: Some(parent.clone()),
    }))
}

impl Evaluator {
    /// What stores and pictures need from this evaluator's session.
    pub fn io_env(&self) -> crate::io::Env {
        let key = Rc::as_ptr(&self.session) as *const u8 as usize;
        self.session.borrow().io_env(key)
    }

    /// An evaluator over `scope`.
    pub fn new(
        check: bool,
        session: Rc<RefCell<SessionState>>,
        scope: Scope,
        file: SourceFile,
    ) -> Evaluator {
        Evaluator {
            check,
            session,
            scope,
            file,
            depth: 0,
            indefinite: 0,
            calls: Vec::new(),
            pending_returns: Vec::new(),
            trace: None,
        }
    }

    /// Runs a program's statements; the value of the last expression statement is returned.
    pub fn run_program(&mut self, program: &Program) -> Result<Value, Box<Diagnostic>> {
        let mut last = Value::None;
        for stmt in &program.stmts {
            match self.exec_stmt(stmt) {
                Ok(v) => last = v,
                Err(Flow::Error(d)) => return Err(Box::new(d.in_file(&self.file))),
                Err(Flow::Return(_)) => {
                    return Err(Box::new(
                        Diagnostic::error("`return` outside a function", stmt.span)
                            .in_file(&self.file),
                    ));
                }
                Err(Flow::Unknown) => last = Value::Unknown(Hint::Any),
            }
        }
        Ok(last)
    }

    /// Looks a name up through the scope chain, then the builtins.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        let mut scope = Some(self.scope.clone());
        while let Some(s) = scope {
            if let Some(v) = s.borrow().vars.get(name) {
                return Some(v.clone());
            }
            scope = s.borrow().parent.clone();
        }
        builtins::lookup_global(name)
    }

    /// Binds a name in the current scope.
    pub fn bind(&mut self, name: &str, value: Value) {
        self.scope.borrow_mut().vars.insert(name.to_string(), value);
    }

    fn exec_block(&mut self, block: &Block) -> R<Value> {
        let mut last = Value::None;
        for stmt in &block.stmts {
            last = self.exec_stmt(stmt)?;
        }
        Ok(last)
    }

    /// Executes one statement; expression statements give their value.
    pub fn exec_stmt(&mut self, stmt: &Stmt) -> R<Value> {
        match &stmt.kind {
            StmtKind::Expr(e) => self.eval(e),
            StmtKind::Assign(names, e) => {
                let v = match self.eval(e) {
                    // Plan-only runs go on with the value unknown where it needs data.
                    Err(Flow::Unknown) if self.plan_only() => Value::Unknown(Hint::Any),
                    other => other?,
                };
                self.assign(names, v, e.span)?;
                Ok(Value::None)
            }
            StmtKind::Fn(def) => {
                let closure = Closure {
                    def: def.clone(),
                    scope: self.scope.clone(),
                    file: self.file.clone(),
                };
                self.bind(&def.name, Value::Func(Rc::new(closure)));
                Ok(Value::None)
            }
            StmtKind::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::None,
                };
                Err(Flow::Return(v))
            }
            StmtKind::For(names, iter, body) => self.exec_for(names, iter, body),
            StmtKind::Import(path) => {
                session::import(self, path, stmt.span)?;
                Ok(Value::None)
            }
        }
    }

    fn assign(&mut self, names: &[(String, Span)], v: Value, span: Span) -> R<()> {
        if names.len() == 1 {
            self.record(names[0].1, &v);
            self.bind(&names[0].0, v);
            return Ok(());
        }
        let items = match &v {
            Value::Tuple(items) | Value::List(items) => items.clone(),
            Value::Unknown(_) => {
                for (n, _) in names {
                    self.bind(n, Value::Unknown(Hint::Any));
                }
                return Ok(());
            }
            other => {
                return err(
                    format!(
                        "cannot unpack {} into {} names",
                        other.type_name(),
                        names.len()
                    ),
                    span,
                );
            }
        };
        if items.len() != names.len() {
            return err(
                format!(
                    "cannot unpack {} values into {} names",
                    items.len(),
                    names.len()
                ),
                span,
            );
        }
        for ((n, s), item) in names.iter().zip(items.iter()) {
            self.record(*s, item);
            self.bind(n, item.clone());
        }
        Ok(())
    }

    /// The items of a value that a `for` or comprehension iterates over.
    fn iter_items(&mut self, v: &Value, span: Span) -> R<Option<Vec<Value>>> {
        Ok(Some(match v {
            Value::List(items) | Value::Tuple(items) => items.as_ref().clone(),
            Value::Array(a) => {
                if a.shape.is_empty() {
                    return err("cannot iterate over a 0-d array", span);
                }
                match a.shape[0] {
                    Some(n) if !(self.check || self.plan_only()) || n <= CHECK_UNROLL => (0..n)
                        .map(|i| index::take_first_axis(self, a, i, span))
                        .collect::<R<Vec<_>>>()?,
                    _ => return Ok(None),
                }
            }
            Value::Str(s) => s.chars().map(|c| Value::str(&c.to_string())).collect(),
            Value::Unknown(_) => return Ok(None),
            other => return err(format!("cannot iterate over {}", other.type_name()), span),
        }))
    }

    fn exec_for(&mut self, names: &[(String, Span)], iter: &Expr, body: &Block) -> R<Value> {
        let iterable = self.eval(iter)?;
        // An array's rows are taken one at a time (a loop over 10^10 elements must not build
        // 10^10 values before its first step).
        if let Value::Array(a) = &iterable
            && !(self.check || self.plan_only())
            && let Some(&Some(n)) = a.shape.first()
        {
            for i in 0..n {
                let item = index::take_first_axis(self, a, i, iter.span)?;
                self.assign(names, item, iter.span)?;
                self.exec_block(body)?;
            }
            return Ok(Value::None);
        }
        let items = match &iterable {
            Value::List(l) if (self.check || self.plan_only()) && l.len() > CHECK_UNROLL => None,
            _ => self.iter_items(&iterable, iter.span)?,
        };
        match items {
            Some(items) => {
                for item in items {
                    self.assign(names, item, iter.span)?;
                    self.exec_block(body)?;
                }
            }
            None => {
                // Check mode with an unknown or long iterable: run the body with unknown loop
                // variables until the bindings' types stop changing.
                let item = match &iterable {
                    Value::List(l) if !l.is_empty() => match &l[0] {
                        Value::Num(n) => Value::Unknown(Hint::Num(n.kind())),
                        other => other.clone(),
                    },
                    Value::Array(a) if self.check || self.plan_only() => {
                        let mut first = a.clone();
                        first.shape.remove(0);
                        Value::Array(first)
                    }
                    _ => Value::Unknown(Hint::Any),
                };
                self.check_loop_fixpoint(names, item, iter.span, |me| {
                    me.exec_block(body).map(|_| ())
                })?;
            }
        }
        Ok(Value::None)
    }

    /// Check mode: runs `body` a few times with the loop variables unknown, widening the
    /// bindings it changes to unknown.
    fn check_loop_fixpoint(
        &mut self,
        names: &[(String, Span)],
        item: Value,
        span: Span,
        mut body: impl FnMut(&mut Evaluator) -> R<()>,
    ) -> R<()> {
        for _ in 0..3 {
            let before: Vec<(String, String)> = self.binding_types();
            self.assign(names, item.clone(), span)?;
            self.indefinite += 1;
            let r = body(self);
            self.indefinite -= 1;
            match r {
                Ok(()) | Err(Flow::Unknown) => {}
                Err(e) => return Err(e),
            }
            // Widen host numbers that the loop changes: their values are no longer known.
            let after = self.binding_types();
            let mut scope = self.scope.borrow_mut();
            for (name, ty) in &after {
                let was = before
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.as_str());
                if was != Some(ty.as_str())
                    && let Some(v) = scope.vars.get_mut(name)
                    && let Value::Num(n) = v
                {
                    *v = Value::Unknown(Hint::Num(n.kind()));
                }
            }
            if before == after {
                break;
            }
        }
        Ok(())
    }

    fn binding_types(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .scope
            .borrow()
            .vars
            .iter()
            .map(|(k, v)| {
                let t = match v {
                    Value::Num(n) => format!("{n:?}"),
                    other => other.type_name(),
                };
                (k.clone(), t)
            })
            .collect();
        v.sort();
        v
    }

    /// Records a value for editors when a trace is attached.
    fn record(&self, span: Span, v: &Value) {
        if let Some(t) = &self.trace {
            t.borrow_mut().record(&self.file.name, span, v);
        }
    }

    /// Whether builtins that compute, print or write are to be skipped (`plan_only`).
    pub fn plan_only(&self) -> bool {
        !self.check && self.session.borrow().plan_only
    }

    /// Whether this is `arr explain`'s run: plan-only, with the computations it meets
    /// (prints, stores, pictures, conditions) shown as plans.
    pub fn explaining(&self) -> bool {
        self.plan_only() && self.session.borrow().explain_only
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        let v = self.eval_kind(e);
        if let Ok(v) = &v {
            self.record(e.span, v);
        }
        v
    }

    fn eval_kind(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Int(v) => Ok(Value::Num(Num::Int(*v))),
            ExprKind::Float(v) => Ok(Value::Num(Num::Float(*v))),
            ExprKind::Bool(v) => Ok(Value::Num(Num::Bool(*v))),
            ExprKind::Str(s) => Ok(Value::str(s)),
            ExprKind::Name(n) => match self.lookup(n) {
                Some(v) => Ok(v),
                None => {
                    let mut d = Diagnostic::error(format!("unknown name `{n}`"), e.span)
                        .with_label("not defined");
                    if let Some(s) = builtins::suggest(n, &self.visible_names()) {
                        d = d.with_note(format!("did you mean `{s}`?"));
                    }
                    Err(Flow::Error(Box::new(d)))
                }
            },
            ExprKind::List(items) => {
                let vals = items.iter().map(|i| self.eval(i)).collect::<R<Vec<_>>>()?;
                Ok(Value::List(Rc::new(vals)))
            }
            ExprKind::Tuple(items) => {
                let vals = items.iter().map(|i| self.eval(i)).collect::<R<Vec<_>>>()?;
                Ok(Value::tuple(vals))
            }
            ExprKind::ListComp {
                elt,
                targets,
                iter,
                cond,
            } => self.eval_listcomp(elt, targets, iter, cond.as_deref(), e.span),
            ExprKind::Binary(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                let v = ops::binary(self, *op, x, y, a.span, b.span, e.span)?;
                check_sizes(&v, e.span)?;
                Ok(v)
            }
            ExprKind::Unary(UnOp::Not, a) => {
                let x = self.eval(a)?;
                match self.truth(&x, a.span)? {
                    Some(t) => Ok(Value::Num(Num::Bool(!t))),
                    None => Ok(Value::Unknown(Hint::Num(WeakKind::Bool))),
                }
            }
            ExprKind::Unary(op, a) => {
                let x = self.eval(a)?;
                ops::unary(self, *op, x, e.span)
            }
            ExprKind::Logic(op, a, b) => {
                let x = self.eval(a)?;
                let t = self.truth(&x, a.span)?;
                match (op, t) {
                    (LogicOp::And, Some(false)) | (LogicOp::Or, Some(true)) => Ok(x),
                    (_, Some(_)) => self.eval(b),
                    (_, None) => {
                        self.indefinite += 1;
                        let r = self.eval(b);
                        self.indefinite -= 1;
                        r?;
                        Ok(Value::Unknown(Hint::Any))
                    }
                }
            }
            ExprKind::Call(f, args) => self.eval_call(f, args, e.span),
            ExprKind::Index(x, items) => {
                let v = self.eval(x)?;
                index::index(self, v, items, x.span, e.span)
            }
            ExprKind::Attr(x, name, span) => {
                let v = self.eval(x)?;
                builtins::attribute(self, v, name, *span)
            }
            ExprKind::Lambda(def) => Ok(Value::Func(Rc::new(Closure {
                def: def.clone(),
                scope: self.scope.clone(),
                file: self.file.clone(),
            }))),
            ExprKind::If(c, then, otherwise) => self.eval_if(c, then, otherwise.as_ref()),
            ExprKind::Block(b) => self.exec_block(b),
        }
    }

    /// Names visible here, for suggestions.
    pub fn visible_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut scope = Some(self.scope.clone());
        while let Some(s) = scope {
            names.extend(s.borrow().vars.keys().cloned());
            scope = s.borrow().parent.clone();
        }
        names.extend(builtins::global_names());
        names
    }

    /// The truth of a host condition: `None` in check mode when it depends on data.
    pub fn truth(&mut self, v: &Value, span: Span) -> R<Option<bool>> {
        match v {
            Value::Num(n) => Ok(Some(n.truthy())),
            Value::None => Ok(Some(false)),
            Value::Str(s) => Ok(Some(!s.is_empty())),
            Value::List(l) | Value::Tuple(l) => Ok(Some(!l.is_empty())),
            Value::Unknown(_) => Ok(None),
            Value::Array(a) => {
                if a.shape.iter().any(|d| *d != Some(1)) && !a.shape.is_empty() {
                    return err_label(
                        format!(
                            "the truth value of an array of shape {} is ambiguous",
                            ops::shape_text(&a.shape)
                        ),
                        span,
                        "use any(...) or all(...)",
                    );
                }
                if self.check {
                    return Ok(None);
                }
                if self.plan_only() {
                    // Plan-only runs take both branches; `arr explain` shows the plan of
                    // the condition it does not compute.
                    if self.explaining()
                        && let Some(n) = &a.node
                    {
                        let session = self.session.borrow();
                        session.write(&crate::exec::plan::explain_text(n, &session.exec));
                    }
                    return Ok(None);
                }
                let n = ops::force_scalar(self, a, span)?;
                Ok(Some(n.truthy()))
            }
            _ => Ok(Some(true)),
        }
    }

    fn eval_if(&mut self, c: &Expr, then: &Block, otherwise: Option<&Block>) -> R<Value> {
        let cond = self.eval(c)?;
        if let Value::Array(a) = &cond
            && !a.shape.is_empty()
        {
            return err_label(
                format!(
                    "an `if` condition must be a scalar bool, not {}",
                    a.type_text()
                ),
                c.span,
                "the truth value of an array is ambiguous",
            );
        }
        let is_bool = match &cond {
            Value::Num(Num::Bool(_))
            | Value::Unknown(Hint::Num(WeakKind::Bool))
            | Value::Unknown(Hint::Any) => true,
            Value::Array(a) => a.dtype == crate::sema::dtype::DType::Bool,
            _ => false,
        };
        if !is_bool {
            return err_label(
                format!("an `if` condition must be a bool, not {}", cond.type_name()),
                c.span,
                "compare it, e.g. `x != 0` or `len(x) > 0`",
            );
        }
        match self.truth(&cond, c.span)? {
            Some(true) => self.exec_block(then),
            Some(false) => match otherwise {
                Some(b) => self.exec_block(b),
                None => Ok(Value::None),
            },
            None => self.check_both_branches(then, otherwise),
        }
    }

    /// Check mode, an `if` whose condition depends on data: checks both branches, then merges
    /// what they bound. Kept out of `eval_if` (and never inlined) so the frame every
    /// recursion level pays stays small.
    #[inline(never)]
    fn check_both_branches(&mut self, then: &Block, otherwise: Option<&Block>) -> R<Value> {
        // Check mode: check both branches, then merge what they bound.
        let saved = self.scope.borrow().vars.clone();
        self.indefinite += 1;
        let a = self.exec_branch(then);
        let a = match a {
            Ok(a) => a,
            Err(e) => {
                self.indefinite -= 1;
                return Err(e);
            }
        };
        let after_then = std::mem::replace(&mut self.scope.borrow_mut().vars, saved);
        let b = match otherwise {
            Some(b) => self.exec_branch(b),
            None => Ok(Some(Value::None)),
        };
        self.indefinite -= 1;
        let b = b?;
        let mut scope = self.scope.borrow_mut();
        for (k, v) in after_then {
            let merged = match scope.vars.get(&k) {
                Some(w) => join(&v, w),
                None => v,
            };
            scope.vars.insert(k, merged);
        }
        drop(scope);
        match (a, b) {
            (Some(a), Some(b)) => Ok(join(&a, &b)),
            (Some(v), None) | (None, Some(v)) => Ok(v),
            (None, None) => Err(Flow::Unknown),
        }
    }

    /// Check mode: runs a branch; a `return` inside is recorded and the branch gives `None`.
    fn exec_branch(&mut self, b: &Block) -> R<Option<Value>> {
        match self.exec_block(b) {
            Ok(v) => Ok(Some(v)),
            Err(Flow::Return(v)) => {
                if let Some(p) = self.pending_returns.last_mut() {
                    p.push(v);
                }
                Ok(None)
            }
            Err(Flow::Unknown) => Ok(Some(Value::Unknown(Hint::Any))),
            Err(e) => Err(e),
        }
    }

    fn eval_listcomp(
        &mut self,
        elt: &Expr,
        targets: &[(String, Span)],
        iter: &Expr,
        cond: Option<&Expr>,
        span: Span,
    ) -> R<Value> {
        let iterable = self.eval(iter)?;
        let items = match &iterable {
            Value::List(l) if (self.check || self.plan_only()) && l.len() > CHECK_UNROLL => None,
            _ => self.iter_items(&iterable, iter.span)?,
        };
        let Some(items) = items else {
            // Check the element expression once with unknown loop variables.
            self.assign(targets, Value::Unknown(Hint::Any), span)?;
            self.indefinite += 1;
            let r = (|| {
                if let Some(c) = cond {
                    self.eval(c)?;
                }
                self.eval(elt)
            })();
            self.indefinite -= 1;
            r?;
            return Ok(Value::Unknown(Hint::Any));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            self.assign(targets, item, iter.span)?;
            if let Some(c) = cond {
                let cv = self.eval(c)?;
                match self.truth(&cv, c.span)? {
                    Some(false) => continue,
                    Some(true) => {}
                    None => return Ok(Value::Unknown(Hint::Any)),
                }
            }
            out.push(self.eval(elt)?);
        }
        Ok(Value::List(Rc::new(out)))
    }

    fn eval_call(&mut self, f: &Expr, args: &[Arg], span: Span) -> R<Value> {
        let callee = self.eval(f)?;
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            let v = self.eval(&a.value)?;
            vals.push((a.name.clone(), v, a.value.span));
        }
        self.call_value(callee, vals, f.span, span)
    }

    /// Calls any callable value with evaluated arguments.
    pub fn call_value(
        &mut self,
        callee: Value,
        mut args: Vec<signature::RawArg>,
        fspan: Span,
        span: Span,
    ) -> R<Value> {
        match callee {
            Value::Builtin(b) => {
                if self.plan_only()
                    && !session::plans_without_computing(b)
                    && !(self.explaining() && session::explains_in_plan_only(b))
                {
                    return Ok(Value::Unknown(Hint::Any));
                }
                if (self.check || self.plan_only())
                    && args
                        .iter()
                        .any(|(_, v, _)| matches!(v, Value::Unknown(Hint::Any)))
                {
                    return Ok(Value::Unknown(Hint::Any));
                }
                let bound = signature::bind(b, args, span)?;
                let mut a = Args::new(bound, span, b.name);
                match (b.run)(self, &mut a) {
                    Err(Flow::Unknown) if self.check || self.plan_only() => {
                        Ok(Value::Unknown(Hint::Any))
                    }
                    Ok(v) => {
                        check_sizes(&v, span)?;
                        Ok(v)
                    }
                    other => other,
                }
            }
            Value::Func(c) => self.call_closure(&c, args, span),
            Value::Bound(pair) => {
                let (callable, receiver) = (pair.0.clone(), pair.1.clone());
                args.insert(0, (None, receiver, fspan));
                self.call_value(callable, args, fspan, span)
            }
            Value::Native(f) => crate::embed::call_native(self, &f, args, span),
            Value::Unknown(_) => Ok(Value::Unknown(Hint::Any)),
            other => err(format!("{} is not callable", other.type_name()), fspan),
        }
    }

    /// Calls a user function: binds parameters (checking annotated types and named
    /// dimensions), runs the body in a new scope, checks the declared result type.
    pub fn call_closure(
        &mut self,
        c: &Rc<Closure>,
        args: Vec<signature::RawArg>,
        span: Span,
    ) -> R<Value> {
        // Check mode follows calls as a run does (so it reports the run's recursion error),
        // except where it explores code that may not run: there a recursive call, or one
        // nested too deep, is unknown (following it could take exponential time).
        if self.check
            && (self.depth >= CHECK_MAX_DEPTH || self.calls.contains(&Rc::as_ptr(c)))
            && (self.indefinite > 0
                || self.pending_returns.iter().any(|p| !p.is_empty())
                || args.iter().any(|(_, v, _)| holds_unknown(v)))
        {
            return Ok(Value::Unknown(Hint::Any));
        }
        if self.depth >= MAX_DEPTH {
            return err(
                format!(
                    "recursion deeper than {MAX_DEPTH} calls in `{}`",
                    c.def.name
                ),
                span,
            );
        }
        let scope = child_scope(&c.scope);
        let call_scope = scope.clone();
        // Binding evaluates default arguments, which may call the function again: the call
        // counts toward the depth from here.
        self.depth += 1;
        self.calls.push(Rc::as_ptr(c));
        let bound = signature::bind_user(self, c, args, span)
            .and_then(|b| signature::check_params(c, &b, span).map(|d| (b, d)));
        let (mut bound, dims) = match bound {
            Ok(x) => x,
            Err(e) => {
                self.depth -= 1;
                self.calls.pop();
                return Err(e);
            }
        };
        signature::coerce_params(c, &mut bound);
        for (name, v) in bound {
            if let Some(t) = &self.trace
                && let Some(p) = c.def.params.iter().find(|p| p.name == name)
            {
                t.borrow_mut().record(&c.file.name, p.span, &v);
            }
            scope.borrow_mut().vars.insert(name, v);
        }
        let saved_scope = std::mem::replace(&mut self.scope, scope);
        let saved_file = std::mem::replace(&mut self.file, c.file.clone());
        self.pending_returns.push(Vec::new());
        let result = self.exec_block(&c.def.body);
        let pending = self.pending_returns.pop().unwrap_or_default();
        self.depth -= 1;
        self.calls.pop();
        self.scope = saved_scope;
        let file = std::mem::replace(&mut self.file, saved_file);
        let mut value = match result {
            Ok(v) | Err(Flow::Return(v)) => v,
            Err(Flow::Error(d)) => return Err(Flow::Error(Box::new(d.in_file(&file)))),
            Err(Flow::Unknown) => Value::Unknown(Hint::Any),
        };
        for p in pending {
            value = join(&value, &p);
        }
        // Functions defined in the call hold its scope, which holds them: unless one
        // escapes in the result, empty the scope so the cycle does not leak every call.
        if !holds_function(&value) {
            call_scope.borrow_mut().vars.clear();
        }
        signature::check_result(c, &value, &dims, span)?;
        Ok(value)
    }
}

/// Whether a value is, or holds, a value check mode does not know.
fn holds_unknown(v: &Value) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Unknown(_) => return true,
            Value::List(items) | Value::Tuple(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// Whether a value holds a function (which may hold the scope it was defined in).
fn holds_function(v: &Value) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Func(_) => return true,
            Value::Bound(pair) => stack.extend([&pair.0, &pair.1]),
            Value::List(items) | Value::Tuple(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// Refuses an array too big to exist (`sema::size`): every array a builtin or an operator
/// gives passes here, so sizes, `.size` and `.nbytes` never wrap. Arrays directly inside a
/// tuple or list (builtins giving several results) are checked too.
pub fn check_sizes(v: &Value, span: Span) -> R<()> {
    let one = |a: &crate::value::Array| -> R<()> {
        let dims: Vec<usize> = a.shape.iter().map(|d| d.unwrap_or(1)).collect();
        match crate::sema::size::check(a.dtype, &dims) {
            Ok(_) => Ok(()),
            Err(m) => err_label(m, span, "too big"),
        }
    };
    match v {
        Value::Array(a) => one(a),
        Value::Tuple(items) | Value::List(items) => items.iter().try_for_each(|i| match i {
            Value::Array(a) => one(a),
            _ => Ok(()),
        }),
        _ => Ok(()),
    }
}

/// Check mode: what is known of a value that is either `a` or `b`.
pub fn join(a: &Value, b: &Value) -> Value {
    match (a, b) {
        // The same array either way (a variable neither branch changed) stays itself.
        (Value::Array(x), Value::Array(y))
            if x.dtype == y.dtype
                && x.shape == y.shape
                && match (&x.node, &y.node) {
                    (Some(p), Some(q)) => std::sync::Arc::ptr_eq(p, q),
                    (None, None) => true,
                    _ => false,
                } =>
        {
            a.clone()
        }
        (Value::Array(x), Value::Array(y))
            if x.dtype == y.dtype && x.shape.len() == y.shape.len() =>
        {
            let shape = x
                .shape
                .iter()
                .zip(&y.shape)
                .map(|(p, q)| if p == q { *p } else { None })
                .collect();
            Value::Array(crate::value::Array {
                dtype: x.dtype,
                shape,
                node: None,
            })
        }
        (Value::Num(x), Value::Num(y)) if x == y => a.clone(),
        (Value::Num(x), Value::Num(y)) if x.kind() == y.kind() => {
            Value::Unknown(Hint::Num(x.kind()))
        }
        (Value::Str(x), Value::Str(y)) if x == y => a.clone(),
        (Value::DType(x), Value::DType(y)) if x == y => a.clone(),
        (Value::None, Value::None) => Value::None,
        (Value::Func(x), Value::Func(y)) if Rc::ptr_eq(x, y) => a.clone(),
        (Value::Builtin(x), Value::Builtin(y)) if std::ptr::eq(*x, *y) => a.clone(),
        (Value::Module(x), Value::Module(y)) if x == y => a.clone(),
        _ => Value::Unknown(Hint::Any),
    }
}
