//! What an evaluation saw, for editors: the value of every expression and binding of one
//! file, by span. The language server turns a check-mode run with a trace into hover text
//! (dtype, shape) and a plan-mode run into chunk grids and projected memory; the evaluator
//! only records, it never changes what it does because a trace is attached.

use crate::syntax::ast::Span;
use crate::value::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// At most this many different values are kept per span (a generic function's body is
/// checked once per call; a loop body once per unrolled iteration).
const MAX_PER_SPAN: usize = 4;

/// The values seen at each span of one file.
#[derive(Debug, Default)]
pub struct Trace {
    /// The file whose spans are recorded (its `SourceFile::name`); others are skipped.
    pub file: Rc<str>,
    /// Expression and binding values by span, distinct by type, in the order first seen.
    pub values: HashMap<Span, Vec<Value>>,
}

impl Trace {
    /// An empty trace of the file named `file`.
    pub fn new(file: &str) -> Trace {
        Trace {
            file: Rc::from(file),
            values: HashMap::new(),
        }
    }

    /// Records that the code at `span` in file `file` had value `v`.
    pub fn record(&mut self, file: &str, span: Span, v: &Value) {
        if file != &*self.file {
            return;
        }
        let seen = self.values.entry(span).or_default();
        if seen.len() >= MAX_PER_SPAN {
            return;
        }
        let text = summary(v);
        if seen.iter().all(|s| summary(s) != text) {
            seen.push(v.clone());
        }
    }

    /// The values recorded at exactly `span`.
    pub fn at(&self, span: Span) -> &[Value] {
        self.values.get(&span).map_or(&[], Vec::as_slice)
    }

    /// The innermost recorded span containing byte `offset`, with its values; a span ending
    /// right at `offset` counts when none contains it (a cursor just after a name).
    pub fn innermost(&self, offset: usize) -> Option<(Span, &[Value])> {
        let within = |inclusive: bool| {
            self.values
                .iter()
                .filter(|(s, _)| {
                    s.end > s.start
                        && s.start <= offset
                        && (offset < s.end || (inclusive && offset == s.end))
                })
                .min_by_key(|(s, _)| (s.end - s.start, s.start))
                .map(|(s, v)| (*s, v.as_slice()))
        };
        within(false).or_else(|| within(true))
    }
}

/// A value's type as one comparable line (arrays by dtype and shape, numbers by value).
fn summary(v: &Value) -> String {
    match v {
        Value::Num(n) => format!("{n:?}"),
        Value::Str(s) => format!("{s:?}"),
        other => other.type_name(),
    }
}
