//! The rustyline helper: joins completion (`complete.rs`) and colouring (`highlight.rs`) for
//! the editor, reading the live session for completion.

use super::complete;
use super::highlight::{self, Vocabulary};
use crate::Session;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The session shared between the read-eval loop and the editor's helper.
pub type Shared<'s> = Rc<RefCell<&'s mut Session>>;

/// The editor's helper.
pub struct ArrHelper<'s> {
    session: Shared<'s>,
    vocab: Vocabulary,
    /// Whether the bracket at the cursor is emphasised (off for the final repaint).
    brackets: Cell<bool>,
}

impl<'s> ArrHelper<'s> {
    /// A helper reading `session` for completion.
    pub fn new(session: Shared<'s>) -> ArrHelper<'s> {
        ArrHelper {
            session,
            vocab: Vocabulary::new(),
            brackets: Cell::new(true),
        }
    }
}

impl Completer for ArrHelper<'_> {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match self.session.try_borrow_mut() {
            Ok(mut session) => Ok(complete::complete(&mut session, line, pos)),
            Err(_) => Ok((pos, Vec::new())),
        }
    }
}

impl Hinter for ArrHelper<'_> {
    type Hint = String;
}

impl Highlighter for ArrHelper<'_> {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        let cursor = self.brackets.get().then_some(pos);
        Cow::Owned(highlight::highlight_line(&self.vocab, line, cursor))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        default: bool,
    ) -> Cow<'b, str> {
        // Only the REPL's own prompt is coloured, not rustyline's search prompt.
        if default {
            Cow::Owned(highlight::highlight_prompt(prompt))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Every edit and cursor move repaints, so colours and the matching bracket follow
        // the typing; the final repaint after Enter drops the bracket emphasis.
        self.brackets.set(kind != CmdKind::ForcedRefresh);
        true
    }
}

impl Validator for ArrHelper<'_> {
    fn validate(&self, _ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        // Enter always accepts the line: the read loop decides whether the input is complete
        // (`validate::is_complete`) and asks for the next line under the `... ` prompt, as
        // Python's REPL does (rustyline draws no prompt on lines it continues itself).
        Ok(ValidationResult::Valid(None))
    }
}

impl Helper for ArrHelper<'_> {}
