//! Writing a target so that it is either the complete new file or untouched: everything is
//! written to a temporary sibling (`.NAME.arr-tmp-PID-N`), which replaces the target by an
//! atomic rename only when the store has succeeded; on any failure or cancellation the
//! temporary is removed and the previous file is left as it was.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary path beside `target`, replaced into it by `commit`.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Staged {
    /// Prepares a temporary sibling file of `target`, creating missing parent folders.
    pub fn new(target: &Path) -> Result<Staged, String> {
        Staged::prepare(target, false)
    }

    /// Prepares a temporary sibling folder of `target` (for folder formats like Zarr).
    pub fn new_dir(target: &Path) -> Result<Staged, String> {
        Staged::prepare(target, true)
    }

    fn prepare(target: &Path, is_dir: bool) -> Result<Staged, String> {
        super::check_target(target, is_dir)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .map_err(|e| format!("cannot write {}: {e}", super::shown(target)))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = parent.join(format!(".{name}.arr-tmp-{}-{n}", std::process::id()));
        Ok(Staged {
            target: target.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// Where to write.
    pub fn temp(&self) -> &Path {
        &self.temp
    }

    /// The final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished temporary onto the target (one atomic rename for files; for
    /// folders, the old folder is moved aside first and removed after).
    pub fn commit(mut self) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", super::shown(&self.target));
        if self.temp.is_dir() && self.target.exists() {
            let aside = self.temp.with_extension("old");
            std::fs::rename(&self.target, &aside).map_err(fail)?;
            if let Err(e) = std::fs::rename(&self.temp, &self.target) {
                // Put the previous folder back.
                let _ = std::fs::rename(&aside, &self.target);
                return Err(fail(e));
            }
            self.committed = true;
            let _ = if aside.is_dir() {
                std::fs::remove_dir_all(&aside)
            } else {
                std::fs::remove_file(&aside)
            };
            return Ok(());
        }
        if self.target.is_dir() {
            return Err(format!(
                "cannot write {}: it is a directory",
                super::shown(&self.target)
            ));
        }
        std::fs::rename(&self.temp, &self.target).map_err(fail)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = if self.temp.is_dir() {
                std::fs::remove_dir_all(&self.temp)
            } else {
                std::fs::remove_file(&self.temp)
            };
        }
    }
}

/// Fails the store when the test hook `ARR_FAIL_WRITE_AFTER=N` is set and `N` blocks have
/// been written: how the test suite injects an error in the middle of a write.
pub fn injected_failure(blocks_written: usize) -> Result<(), String> {
    match std::env::var("ARR_FAIL_WRITE_AFTER")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(n) if blocks_written >= n => Err(format!(
            "injected write failure after {blocks_written} block(s) (ARR_FAIL_WRITE_AFTER)"
        )),
        _ => Ok(()),
    }
}

/// Writes `bytes` to `path` (the whole file or, on failure, the old one untouched).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let staged = Staged::new(path)?;
    std::fs::write(staged.temp(), bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    staged.commit()
}
