//! Writing a target so that it is either the complete new file or untouched: everything is
//! written to a temporary sibling (`.NAME.arr-tmp-PID-N`), which replaces the target by an
//! atomic rename only when the store has succeeded; on any failure or cancellation the
//! temporary is removed and the previous file is left as it was.
//!
//! A store touches only what is its own (`super::check_target`): it never creates folders,
//! never replaces a symbolic link, a device, FIFO or socket, a folder that is not a store of
//! its format, or a file where a folder store goes. Temporaries are removed on every exit
//! path: by `Drop` on errors and cancellation, by the signal handler (`remove_in_signal`)
//! when a second Ctrl-C exits at once, and, after a SIGKILL or a power cut, by the next
//! store to the same path, which removes temporaries whose process is gone (and puts back
//! a folder store that was moved aside when the process died between the two renames of a
//! folder commit).

use std::cell::UnsafeCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The marker inside a temporary's name.
const TMP: &str = ".arr-tmp-";
/// The marker inside the name of a folder store moved aside during a commit.
const OLD: &str = ".arr-old-";

/// A temporary path beside `target`, replaced into it by `commit`.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    temp: PathBuf,
    is_dir: bool,
    committed: bool,
    slot: Option<usize>,
}

impl Staged {
    /// Prepares a temporary sibling file of `target` (whose folder must exist).
    pub fn new(target: &Path) -> Result<Staged, String> {
        Staged::prepare(target, false)
    }

    /// Prepares a temporary sibling folder of `target` (for folder formats like Zarr).
    pub fn new_dir(target: &Path) -> Result<Staged, String> {
        Staged::prepare(target, true)
    }

    fn prepare(target: &Path, is_dir: bool) -> Result<Staged, String> {
        let parent = parent_of(target);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        // Leftovers of killed runs first: a folder store moved aside is put back before the
        // target is judged.
        clean_stale(&parent, &name, target);
        super::check_target(target, is_dir)?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = parent.join(format!(".{name}{TMP}{}-{n}", std::process::id()));
        let slot = register(&temp);
        Ok(Staged {
            target: target.to_path_buf(),
            temp,
            is_dir,
            committed: false,
            slot,
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
    /// folders, the old folder is moved aside first and removed after). The target is
    /// checked again first, so what appeared there meanwhile is not replaced either.
    pub fn commit(mut self) -> Result<(), String> {
        super::check_target(&self.target, self.is_dir)?;
        let fail = |e: std::io::Error| format!("cannot write {}: {e}", super::shown(&self.target));
        if self.is_dir && std::fs::symlink_metadata(&self.target).is_ok() {
            let name = self
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "out".into());
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let aside =
                parent_of(&self.target).join(format!(".{name}{OLD}{}-{n}", std::process::id()));
            std::fs::rename(&self.target, &aside).map_err(fail)?;
            if let Err(e) = std::fs::rename(&self.temp, &self.target) {
                // Put the previous folder back.
                let _ = std::fs::rename(&aside, &self.target);
                return Err(fail(e));
            }
            self.done();
            let _ = std::fs::remove_dir_all(&aside);
            return Ok(());
        }
        std::fs::rename(&self.temp, &self.target).map_err(fail)?;
        self.done();
        Ok(())
    }

    fn done(&mut self) {
        self.committed = true;
        if let Some(slot) = self.slot.take() {
            unregister(slot);
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            remove(&self.temp);
        }
        if let Some(slot) = self.slot.take() {
            unregister(slot);
        }
    }
}

/// The folder a target lies in (`.` for a bare name).
pub fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes a file, or a folder with everything in it, never following a symbolic link.
fn remove(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Whether process `pid` is running (or exists but belongs to someone else).
fn alive(pid: i32) -> bool {
    if pid <= 0 {
        return true;
    }
    // Safety: signal 0 only checks that the process exists; it sends nothing.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// The process id in a temporary's name (`.NAME.arr-tmp-PID-N`), if `entry` is one of
/// `name`'s temporaries (or folders moved aside, with `marker` = `OLD`).
fn temp_pid(entry: &str, name: &str, marker: &str) -> Option<i32> {
    let rest = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix(marker)?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse::<i32>().ok()
}

/// Removes `name`'s temporaries in `parent` left by processes that are gone; a folder store
/// moved aside by a process killed mid-commit is put back when the target is missing.
fn clean_stale(parent: &Path, name: &str, target: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let me = std::process::id() as i32;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(entry_name) = file_name.to_str() else {
            continue;
        };
        let (pid, old) = match (
            temp_pid(entry_name, name, TMP),
            temp_pid(entry_name, name, OLD),
        ) {
            (Some(p), _) => (p, false),
            (None, Some(p)) => (p, true),
            _ => continue,
        };
        if pid == me || alive(pid) {
            continue;
        }
        let path = entry.path();
        if old && std::fs::symlink_metadata(target).is_err() {
            let _ = std::fs::rename(&path, target);
            continue;
        }
        remove(&path);
    }
}

/// Fails the store when the test hook `ARR_FAIL_WRITE_AFTER=N` is set and `N` blocks have
/// been written: how the test suite injects an error in the middle of a write.
pub fn injected_failure(blocks_written: usize) -> Result<(), String> {
    match std::env::var("ARR_FAIL_WRITE_AFTER")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        // Exactly the N-th: writers called from several threads at once fail once, with
        // this message, whichever thread gets there.
        Some(n) if blocks_written == n => Err(format!(
            "injected write failure after {blocks_written} block(s) (ARR_FAIL_WRITE_AFTER)"
        )),
        _ => Ok(()),
    }
}

/// Counts the blocks a store has written, for the `injected_failure` test hook; writers
/// called from several threads at once share one (each call gets its own number).
#[derive(Debug, Default)]
pub struct BlockCount(std::sync::atomic::AtomicUsize);

impl BlockCount {
    /// Counts one more block; fails it as `injected_failure` says.
    pub fn next(&self) -> Result<(), String> {
        injected_failure(self.0.fetch_add(1, Ordering::SeqCst))
    }
}

/// Writes `bytes` to `path` (the whole file or, on failure, the old one untouched).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let staged = Staged::new(path)?;
    std::fs::write(staged.temp(), bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    staged.commit()
}

/// Copies `from` to `to` in pieces, stopping with "computation cancelled" when `cancel` is
/// set (a store copying a large file it extends stays interruptible).
pub fn copy_cancellable(
    from: &Path,
    to: &Path,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<(), String> {
    use std::io::{Read, Write};
    let fail = |e: std::io::Error| format!("cannot copy {}: {e}", super::shown(from));
    let mut src = std::fs::File::open(from).map_err(fail)?;
    let mut dst = std::fs::File::create(to).map_err(fail)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err("computation cancelled".into());
        }
        let n = src.read(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        dst.write_all(&buf[..n]).map_err(fail)?;
    }
    dst.flush().map_err(fail)
}

/// Fails with "not enough free space" unless the file system holding `target` has at least
/// `bytes` free for an ordinary user (checked before a store changes a file in place).
pub fn check_room(target: &Path, bytes: u64) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    let folder = parent_of(target);
    let c = std::ffi::CString::new(folder.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    // Safety: a NUL-terminated path and a zeroed struct owned here.
    let free = unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut st) != 0 {
            return Ok(());
        }
        st.f_bavail as u64 * st.f_frsize as u64
    };
    if free < bytes {
        return Err(format!(
            "cannot write {}: not enough free space ({} needed, {} free); the file is unchanged",
            super::shown(target),
            crate::units::human_bytes(bytes as usize),
            crate::units::human_bytes(free as usize)
        ));
    }
    Ok(())
}

static CRITICAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// While alive, a store is changing a file in place: a second Ctrl-C or SIGTERM does not
/// exit at once (the signal handler asks `in_critical`), so the change is never cut short.
pub struct Critical(());

impl Critical {
    /// Holds off exiting on signals until the guard is dropped.
    pub fn enter() -> Critical {
        CRITICAL.fetch_add(1, Ordering::SeqCst);
        Critical(())
    }
}

impl Drop for Critical {
    fn drop(&mut self) {
        CRITICAL.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether a store is changing a file in place now (async-signal-safe: one atomic load).
pub fn in_critical() -> bool {
    CRITICAL.load(Ordering::SeqCst) > 0
}

/// Temporaries being written, as C strings the signal handler can remove with `unlink`
/// (async-signal-safe) before a second Ctrl-C exits at once. Fixed slots, so registering
/// allocates nothing the handler reads.
struct Registry {
    state: [AtomicU8; SLOTS],
    paths: [UnsafeCell<[u8; PATH_BYTES]>; SLOTS],
}

// Safety: a slot's bytes are written only by the thread that claimed it (state WRITING) and
// read by the handler only while its state is READY.
unsafe impl Sync for Registry {}

const SLOTS: usize = 16;
const PATH_BYTES: usize = 4096;
const FREE: u8 = 0;
const WRITING: u8 = 1;
const READY: u8 = 2;

static REGISTRY: Registry = Registry {
    state: [const { AtomicU8::new(FREE) }; SLOTS],
    paths: [const { UnsafeCell::new([0; PATH_BYTES]) }; SLOTS],
};

fn register(temp: &Path) -> Option<usize> {
    use std::os::unix::ffi::OsStrExt;
    let full = std::path::absolute(temp).unwrap_or_else(|_| temp.to_path_buf());
    let bytes = full.as_os_str().as_bytes();
    if bytes.len() + 1 > PATH_BYTES || bytes.contains(&0) {
        return None;
    }
    for (i, state) in REGISTRY.state.iter().enumerate() {
        if state
            .compare_exchange(FREE, WRITING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            // Safety: this thread claimed slot `i` (WRITING); nobody else touches its bytes.
            let slot = unsafe { &mut *REGISTRY.paths[i].get() };
            slot[..bytes.len()].copy_from_slice(bytes);
            slot[bytes.len()] = 0;
            state.store(READY, Ordering::SeqCst);
            return Some(i);
        }
    }
    None
}

fn unregister(slot: usize) {
    REGISTRY.state[slot].store(FREE, Ordering::SeqCst);
}

/// Removes every temporary file being written (called by the signal handler just before a
/// second Ctrl-C exits at once). Only async-signal-safe calls: a temporary folder cannot be
/// emptied here, and is removed by the next store to its path instead.
pub fn remove_in_signal() {
    for i in 0..SLOTS {
        if REGISTRY.state[i].load(Ordering::SeqCst) == READY {
            // Safety: a READY slot holds a NUL-terminated path; `unlink` and `rmdir` are
            // async-signal-safe.
            unsafe {
                let p = REGISTRY.paths[i].get() as *const libc::c_char;
                if libc::unlink(p) != 0 {
                    libc::rmdir(p);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_recognised_by_name() {
        assert_eq!(temp_pid(".x.npy.arr-tmp-123-4", "x.npy", TMP), Some(123));
        assert_eq!(temp_pid(".x.zarr.arr-old-9-0", "x.zarr", OLD), Some(9));
        assert_eq!(temp_pid(".x.npy.arr-tmp-123", "x.npy", TMP), None);
        assert_eq!(temp_pid(".y.npy.arr-tmp-123-4", "x.npy", TMP), None);
        assert_eq!(temp_pid("x.npy", "x.npy", TMP), None);
    }
}
