//! `arr lsp`: a Language Server Protocol server on stdin/stdout (rust-analyzer's
//! `lsp-server` transport). Everything it says comes from the compiler's own check mode —
//! nothing is ever computed, printed or written, whatever the script does:
//! diagnostics as you type (debounced; the same messages and spans as `arr check`, errors in
//! imported files shown on the import), hover with dtype, shape, chunk grid, bytes and
//! projected memory, completion, signature help, go to definition, references, document
//! symbols and rename.
//!
//! One concept per file: `documents.rs` (texts and positions), `analysis.rs` (one check of one
//! version), `diagnostics.rs`, `hover.rs`, `completion.rs`, `signature.rs`, `symbols.rs`
//! (definitions, references, outline, rename). This file is the loop: it reads messages,
//! analyses a changed document once it has been quiet for `DEBOUNCE`, or at once when a
//! request about it arrives, and answers requests from the latest analysis.

// `lsp_types::Uri` caches parsed parts in a `Cell`, so clippy calls it a mutable key; its
// hash and equality read only the URI text, which never changes.
#![allow(clippy::mutable_key_type)]

pub mod analysis;
pub mod completion;
pub mod diagnostics;
pub mod documents;
pub mod hover;
pub mod signature;
pub mod symbols;

use analysis::Analysis;
use documents::{Documents, Encoding};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeParams, OneOf, PositionEncodingKind,
    RenameOptions, SaveOptions, ServerCapabilities, SignatureHelpOptions,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri, WorkDoneProgressOptions,
};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a document must be left unchanged before it is analysed for diagnostics (a
/// request about it analyses it at once).
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// The stack of the server's thread: deeply nested input is parsed and checked recursively.
const STACK_BYTES: usize = 256 << 20;

/// Runs the server until the client says `exit`; the exit code follows the protocol (0 after
/// `shutdown`, 1 otherwise or on a transport error).
pub fn main() -> std::process::ExitCode {
    let worker = std::thread::Builder::new()
        .name("arr-lsp".into())
        .stack_size(STACK_BYTES)
        .spawn(run);
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => std::process::ExitCode::SUCCESS,
        Ok(Ok(Err(e))) => {
            eprintln!("error: arr lsp: {e}");
            std::process::ExitCode::from(1)
        }
        _ => {
            eprintln!("error: arr lsp stopped unexpectedly");
            std::process::ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let init: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let utf8 = init
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|encs| encs.contains(&PositionEncodingKind::UTF8));
    let enc = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let result = serde_json::json!({
        "capabilities": capabilities(enc),
        "serverInfo": {"name": "arr", "version": env!("CARGO_PKG_VERSION")},
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(&connection, enc);
    let clean = server.serve()?;
    drop(server);
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())?;
    if clean {
        Ok(())
    } else {
        Err("exit without shutdown".into())
    }
}

/// What the server offers.
pub fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "(".into(), ",".into()]),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            retrigger_characters: None,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        ..ServerCapabilities::default()
    }
}

/// The server's state.
struct Server<'c> {
    connection: &'c Connection,
    enc: Encoding,
    docs: Documents,
    session: crate::Session,
    /// The latest analysis of each open document.
    latest: HashMap<Uri, Rc<Analysis>>,
    /// The latest analysis that parsed (completion's bindings while the text is mid-edit).
    good: HashMap<Uri, Rc<Analysis>>,
    /// Documents changed since their analysis, with when to analyse them.
    due: HashMap<Uri, Instant>,
    shutdown: bool,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, enc: Encoding) -> Server<'c> {
        Server {
            connection,
            enc,
            docs: Documents::default(),
            session: analysis::session(),
            latest: HashMap::new(),
            good: HashMap::new(),
            due: HashMap::new(),
            shutdown: false,
        }
    }

    /// The message loop; `Ok(true)` after `shutdown` then `exit`.
    fn serve(&mut self) -> Result<bool, String> {
        loop {
            let next = self.due.values().min().copied();
            let message = match next {
                None => self.connection.receiver.recv().ok(),
                Some(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(m) => Some(m),
                        Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => {
                            self.analyse_due();
                            continue;
                        }
                        Err(_) => None,
                    }
                }
            };
            let Some(message) = message else {
                return Ok(false);
            };
            match message {
                Message::Request(req) => {
                    if self.shutdown {
                        self.reply_error(req.id, ErrorCode::InvalidRequest, "shutting down");
                        continue;
                    }
                    if req.method == lsp_types::request::Shutdown::METHOD {
                        self.shutdown = true;
                        self.send(Response::new_ok(req.id, ()).into());
                        continue;
                    }
                    let id = req.id.clone();
                    match catch_unwind(AssertUnwindSafe(|| self.request(req))) {
                        Ok(Ok(value)) => self.send(Response::new_ok(id, value).into()),
                        Ok(Err((code, message))) => self.reply_error(id, code, &message),
                        Err(_) => self.reply_error(
                            id,
                            ErrorCode::InternalError,
                            "internal error in arr lsp (please report)",
                        ),
                    }
                }
                Message::Notification(n) => {
                    if n.method == lsp_types::notification::Exit::METHOD {
                        return Ok(self.shutdown);
                    }
                    if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                        eprintln!("arr lsp: internal error handling a notification");
                    }
                }
                Message::Response(_) => {}
            }
            // Answer what is due before reading on, so a steady stream of messages about
            // one document cannot starve another's diagnostics.
            if self.due.values().any(|at| *at <= Instant::now()) {
                self.analyse_due();
            }
        }
    }

    fn send(&self, message: Message) {
        // A closed channel means the client left; the loop ends on the next receive.
        let _ = self.connection.sender.send(message);
    }

    fn reply_error(&self, id: RequestId, code: ErrorCode, message: &str) {
        self.send(Response::new_err(id, code as i32, message.to_string()).into());
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::*;
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    let uri = p.text_document.uri;
                    self.docs
                        .open(uri.clone(), p.text_document.text, p.text_document.version);
                    self.due.insert(uri, Instant::now());
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    let uri = p.text_document.uri;
                    self.docs
                        .change(&uri, p.text_document.version, p.content_changes, self.enc);
                    if self.docs.get(&uri).is_some() {
                        self.due.insert(uri, Instant::now() + DEBOUNCE);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                // Other documents may import the saved one: check them all again.
                let now = Instant::now();
                for uri in self.docs.uris() {
                    self.due.entry(uri).or_insert(now);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    let uri = p.text_document.uri;
                    self.docs.close(&uri);
                    self.due.remove(&uri);
                    self.latest.remove(&uri);
                    self.good.remove(&uri);
                    self.notify::<PublishDiagnostics>(diagnostics::publish(uri, 0, Vec::new()));
                }
            }
            _ => {}
        }
    }

    /// Analyses every document whose quiet time is over and publishes its diagnostics.
    fn analyse_due(&mut self) {
        let now = Instant::now();
        let ready: Vec<Uri> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for uri in ready {
            self.analyse(&uri);
        }
    }

    /// Analyses a document now (if it changed) and publishes its diagnostics.
    fn analyse(&mut self, uri: &Uri) {
        self.due.remove(uri);
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let path = documents::path_of(uri);
        let (text, version) = (doc.text.clone(), doc.version);
        let result = catch_unwind(AssertUnwindSafe(|| {
            analysis::analyse(&mut self.session, &path, &text)
        }));
        let Ok(a) = result else {
            eprintln!("arr lsp: internal error analysing {path}");
            return;
        };
        let a = Rc::new(a);
        let diags = diagnostics::of(&a, self.enc);
        // Completion's bindings: the last analysis whose check bound something (an unknown
        // name mid-word stops the check before it binds anything).
        let bound = a
            .scope
            .as_ref()
            .is_some_and(|s| !s.borrow().vars.is_empty());
        if a.program.is_some() && (a.error.is_none() || bound) {
            self.good.insert(uri.clone(), a.clone());
        }
        self.latest.insert(uri.clone(), a);
        self.notify::<lsp_types::notification::PublishDiagnostics>(diagnostics::publish(
            uri.clone(),
            version,
            diags,
        ));
    }

    /// The up-to-date analysis of a document (analysing it first if it changed).
    fn fresh(&mut self, uri: &Uri) -> Result<Rc<Analysis>, (ErrorCode, String)> {
        if self.due.contains_key(uri) || !self.latest.contains_key(uri) {
            self.analyse(uri);
        }
        self.latest.get(uri).cloned().ok_or((
            ErrorCode::InvalidParams,
            format!("{} is not open", uri.as_str()),
        ))
    }

    fn request(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        use lsp_types::request::*;
        let bad = |e: serde_json::Error| (ErrorCode::InvalidParams, e.to_string());
        let enc = self.enc;
        let json = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document_position_params.text_document.uri;
                let a = self.fresh(&uri)?;
                let offset =
                    documents::offset(&a.text, p.text_document_position_params.position, enc);
                let config = self.session.planner();
                let planned = a.planned(&mut self.session);
                json(serde_json::to_value(hover::hover(
                    &a, planned, offset, &config, enc,
                )))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document_position.text_document.uri;
                self.fresh(&uri)?;
                let text = self
                    .docs
                    .get(&uri)
                    .map(|d| d.text.clone())
                    .unwrap_or_default();
                let offset = documents::offset(&text, p.text_document_position.position, enc);
                let good = self.good.get(&uri).cloned();
                let mut ctx = completion::DocContext::new(good.as_deref(), &mut self.session);
                let items = completion::complete(&mut ctx, &text, offset, enc);
                json(serde_json::to_value(lsp_types::CompletionResponse::List(
                    lsp_types::CompletionList {
                        is_incomplete: false,
                        items,
                    },
                )))
            }
            SignatureHelpRequest::METHOD => {
                let p: lsp_types::SignatureHelpParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document_position_params.text_document.uri;
                self.fresh(&uri)?;
                let text = self
                    .docs
                    .get(&uri)
                    .map(|d| d.text.clone())
                    .unwrap_or_default();
                let offset =
                    documents::offset(&text, p.text_document_position_params.position, enc);
                let good = self.good.get(&uri).cloned();
                let mut ctx = completion::DocContext::new(good.as_deref(), &mut self.session);
                json(serde_json::to_value(signature::help(
                    &mut ctx,
                    &text[..offset],
                )))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document_position_params.text_document.uri;
                let a = self.fresh(&uri)?;
                let offset =
                    documents::offset(&a.text, p.text_document_position_params.position, enc);
                json(serde_json::to_value(symbols::definition(&a, offset, enc)))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document_position.text_document.uri;
                let a = self.fresh(&uri)?;
                let offset = documents::offset(&a.text, p.text_document_position.position, enc);
                json(serde_json::to_value(symbols::references(&a, offset, enc)))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                let a = self.fresh(&p.text_document.uri)?;
                json(serde_json::to_value(
                    lsp_types::DocumentSymbolResponse::Nested(symbols::document_symbols(&a, enc)),
                ))
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams =
                    serde_json::from_value(req.params).map_err(bad)?;
                let a = self.fresh(&p.text_document.uri)?;
                let offset = documents::offset(&a.text, p.position, enc);
                let span = symbols::prepare_rename(&a, offset)
                    .map_err(|m| (ErrorCode::RequestFailed, m))?;
                json(serde_json::to_value(documents::range(
                    &a.text, span.start, span.end, enc,
                )))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = serde_json::from_value(req.params).map_err(bad)?;
                let uri = p.text_document_position.text_document.uri;
                let a = self.fresh(&uri)?;
                let offset = documents::offset(&a.text, p.text_document_position.position, enc);
                let changes = symbols::rename(&a, offset, &p.new_name, enc)
                    .map_err(|m| (ErrorCode::RequestFailed, m))?;
                json(serde_json::to_value(lsp_types::WorkspaceEdit {
                    changes: Some(changes),
                    ..lsp_types::WorkspaceEdit::default()
                }))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("arr lsp does not handle {}", req.method),
            )),
        }
    }
}
