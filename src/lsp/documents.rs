//! The open documents: their text as the editor has it (full or incremental changes), their
//! version, and the conversion between LSP positions (line and UTF-16 or UTF-8 column) and
//! the byte offsets the compiler's spans use. Positions outside the text clamp to it, so no
//! edit or request can index out of range.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;

/// How the client counts columns (negotiated at `initialize`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units (the protocol's default).
    Utf16,
    /// Bytes.
    Utf8,
}

/// One open document.
#[derive(Debug)]
pub struct Document {
    /// The text as the editor has it.
    pub text: String,
    /// The editor's version number.
    pub version: i32,
}

/// Every open document by URI.
#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<Uri, Document>,
}

impl Documents {
    /// Opens (or replaces) a document.
    pub fn open(&mut self, uri: Uri, text: String, version: i32) {
        self.docs.insert(uri, Document { text, version });
    }

    /// Closes a document.
    pub fn close(&mut self, uri: &Uri) {
        self.docs.remove(uri);
    }

    /// The document at `uri`, if open.
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri)
    }

    /// The open URIs.
    pub fn uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }

    /// Applies the editor's changes in order; an unknown document is ignored.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
    ) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        for change in changes {
            match change.range {
                None => doc.text = change.text,
                Some(range) => {
                    let start = offset(&doc.text, range.start, enc);
                    let end = offset(&doc.text, range.end, enc).max(start);
                    doc.text.replace_range(start..end, &change.text);
                }
            }
        }
        doc.version = version;
    }
}

/// The byte offset of `pos` in `text`, clamped to the text and to a character boundary.
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let want = pos.character as usize;
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= want {
            return line_start + i;
        }
        units += match enc {
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf8 => c.len_utf8(),
        };
    }
    line_end
}

/// The position of byte `offset` in `text` (clamped to the text).
pub fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col: usize = match enc {
        Encoding::Utf16 => text[line_start..offset].chars().map(char::len_utf16).sum(),
        Encoding::Utf8 => offset - line_start,
    };
    Position::new(line as u32, col as u32)
}

/// The range of bytes `start..end` in `text`.
pub fn range(text: &str, start: usize, end: usize, enc: Encoding) -> Range {
    Range::new(position(text, start, enc), position(text, end, enc))
}

/// The file-system path of a `file:` URI (percent-decoded), or the URI text itself.
pub fn path_of(uri: &Uri) -> String {
    let s = uri.as_str();
    let Some(rest) = s.strip_prefix("file://") else {
        return s.to_string();
    };
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&rest[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `file:` URI of a path (characters outside the URI alphabet percent-encoded).
pub fn uri_of(path: &str) -> Option<Uri> {
    let abs = std::path::Path::new(path);
    let abs = if abs.is_absolute() {
        abs.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(abs)
    };
    let mut text = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            text.push(b as char);
        } else {
            text.push_str(&format!("%{b:02X}"));
        }
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_offsets_round_trip() {
        let text = "x = 1\ny = \"é\" + z\n";
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            for off in 0..=text.len() {
                if text.is_char_boundary(off) {
                    assert_eq!(offset(text, position(text, off, enc), enc), off);
                }
            }
        }
        // Past the end of a line or the text clamps.
        assert_eq!(offset(text, Position::new(0, 99), Encoding::Utf16), 5);
        assert_eq!(
            offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        // `é` is one UTF-16 unit and two bytes.
        assert_eq!(offset(text, Position::new(1, 7), Encoding::Utf16), 14);
        assert_eq!(offset(text, Position::new(1, 8), Encoding::Utf8), 14);
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut docs = Documents::default();
        let uri: Uri = "file:///t/a.arr".parse().unwrap();
        docs.open(uri.clone(), "x = 1\n".into(), 1);
        let edit = |l0, c0, l1, c1, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: t.into(),
        };
        docs.change(
            &uri,
            2,
            vec![edit(0, 4, 0, 5, "22"), edit(1, 0, 1, 0, "y = x\n")],
            Encoding::Utf16,
        );
        assert_eq!(docs.get(&uri).unwrap().text, "x = 22\ny = x\n");
        // A range past the end clamps instead of panicking.
        docs.change(&uri, 3, vec![edit(7, 3, 2, 0, "!")], Encoding::Utf16);
        assert!(docs.get(&uri).unwrap().text.ends_with('!'));
    }

    #[test]
    fn paths_and_uris() {
        let uri = uri_of("/tmp/a b/é.arr").unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A9.arr");
        assert_eq!(path_of(&uri), "/tmp/a b/é.arr");
    }
}
