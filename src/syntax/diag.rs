//! Diagnostics: an error with a primary span, a label and notes, rendered in rustc style
//! (`error: ...`, `--> file:line:col`, the source line and a caret) by codespan-reporting.

use crate::syntax::ast::Span;
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Chars, Config, DisplayStyle};

/// One error found in a program, pointing into one source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The headline, shown after `error: `.
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// Text shown under the caret.
    pub label: String,
    /// Extra lines (`= note: ...`).
    pub notes: Vec<String>,
    /// The file the span points into; `None` means the program being run.
    pub file: Option<SourceFile>,
}

/// A named source text, so diagnostics from imported files render against the right file.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    /// The path as the user wrote it.
    pub name: String,
    /// The whole text.
    pub text: std::rc::Rc<str>,
}

impl Diagnostic {
    /// An error with a message at a span.
    pub fn error(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
            label: String::new(),
            notes: Vec::new(),
            file: None,
        }
    }

    /// Adds the text shown under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Adds a note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Attaches the file, unless one is already attached.
    pub fn in_file(mut self, file: &SourceFile) -> Diagnostic {
        if self.file.is_none() {
            self.file = Some(file.clone());
        }
        self
    }

    /// Renders as plain text in rustc style against `fallback` when no file is attached.
    pub fn render(&self, fallback: &SourceFile) -> String {
        let file = self.file.as_ref().unwrap_or(fallback);
        let simple = SimpleFile::new(file.name.as_str(), file.text.as_ref());
        let len = file.text.len();
        let start = self.span.start.min(len);
        let end = self.span.end.clamp(start, len);
        let diagnostic = CsDiagnostic::error()
            .with_message(&self.message)
            .with_labels(vec![
                Label::primary((), start..end).with_message(&self.label),
            ])
            .with_notes(self.notes.clone());
        let config = Config {
            display_style: DisplayStyle::Rich,
            chars: Chars::ascii(),
            ..Config::default()
        };
        term::emit_into_string(&config, &simple, &diagnostic)
            .unwrap_or_else(|_| format!("error: {}\n", self.message))
    }
}
