//! Diagnostics as the editor shows them: the compiler's error (the message and span `arr
//! check` prints, its label and notes) as an LSP diagnostic. An error inside an imported file
//! is shown on the `import` line that brought it in (message prefixed with the file and
//! line), with the exact place as related information.

use super::analysis::Analysis;
use super::documents::{self, Encoding};
use crate::language::Diagnostic;
use crate::language::ast::StmtKind;
use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};
use std::path::Path;

/// The LSP diagnostics of an analysis (none when the check passed).
pub fn of(analysis: &Analysis, enc: Encoding) -> Vec<lsp_types::Diagnostic> {
    let Some(d) = &analysis.error else {
        return Vec::new();
    };
    let mut message = d.message.clone();
    if !d.label.is_empty() {
        message.push_str(&format!("\n{}", d.label));
    }
    for n in &d.notes {
        message.push_str(&format!("\nnote: {n}"));
    }
    let text = &analysis.text;
    let foreign = d.file.as_ref().filter(|f| f.name != analysis.path);
    let (range, related) = match foreign {
        None => (documents::range(text, d.span.start, d.span.end, enc), None),
        Some(f) => {
            let here = position_in(&f.text, d, enc);
            let line = here.start.line + 1;
            message = format!("in {}:{line}: {message}", f.name);
            let related = documents::uri_of(&f.name).map(|uri| {
                vec![DiagnosticRelatedInformation {
                    location: Location { uri, range: here },
                    message: d.message.clone(),
                }]
            });
            let (start, end) = import_span(analysis, &f.name).unwrap_or((0, 0));
            (documents::range(text, start, end, enc), related)
        }
    };
    vec![lsp_types::Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        code: None::<NumberOrString>,
        code_description: None,
        source: Some("arr".into()),
        message,
        related_information: related,
        tags: None,
        data: None,
    }]
}

fn position_in(text: &str, d: &Diagnostic, enc: Encoding) -> lsp_types::Range {
    documents::range(text, d.span.start, d.span.end, enc)
}

/// The span of the `import` statement through which the file `name` was reached: the one
/// naming it, else the first import (it came in through a chain of imports).
fn import_span(analysis: &Analysis, name: &str) -> Option<(usize, usize)> {
    let program = analysis.program.as_ref()?;
    let base = Path::new(&analysis.path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let target = Path::new(name).canonicalize().ok();
    let mut first = None;
    for stmt in &program.stmts {
        if let StmtKind::Import(path) = &stmt.kind {
            let span = (stmt.span.start, stmt.span.end);
            first.get_or_insert(span);
            let here = base.join(path);
            if here.to_string_lossy() == name
                || (target.is_some() && here.canonicalize().ok() == target)
            {
                return Some(span);
            }
        }
    }
    first
}

/// The `publishDiagnostics` parameters for a document.
pub fn publish(
    uri: Uri,
    version: i32,
    diagnostics: Vec<lsp_types::Diagnostic>,
) -> lsp_types::PublishDiagnosticsParams {
    lsp_types::PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: Some(version),
    }
}
