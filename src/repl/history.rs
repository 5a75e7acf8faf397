//! Where the REPL keeps its history: `arr/history.txt` in the platform's per-user data
//! directory (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support`
//! on macOS), or the file named by `ARR_HISTORY`.

use std::path::PathBuf;

/// Entries kept in the history file.
pub const MAX_ENTRIES: usize = 10_000;

/// The history file, creating its directory; `None` when there is no data directory.
pub fn path() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("ARR_HISTORY").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    let dir = dirs::data_dir()?.join("arr");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history.txt"))
}
