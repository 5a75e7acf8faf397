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

/// Removes every temporary being written (called by the signal handler just before a
/// second Ctrl-C exits at once), files and folders (a Zarr store's) alike. Only
/// async-signal-safe calls: a folder is first renamed to another temporary name of this
/// process (so writers still running create nothing inside it: their paths no longer lead
/// there), then emptied with `openat`, `getdents64`, `unlinkat` and `close` on buffers on
/// the stack (`remove_tree_in_signal`). Whatever a writer recreates in the instant before
/// the process exits is a temporary of a dead process, removed by the next store to the path.
pub fn remove_in_signal() {
    for i in 0..SLOTS {
        if REGISTRY.state[i].load(Ordering::SeqCst) == READY {
            // Safety: a READY slot holds a NUL-terminated path of at most PATH_BYTES bytes.
            unsafe { remove_path_in_signal(REGISTRY.paths[i].get() as *const u8) };
        }
    }
}

/// Removes the file or folder at `p` (see `remove_in_signal`).
///
/// # Safety
/// `p` is a NUL-terminated path of at most `PATH_BYTES` bytes.
unsafe fn remove_path_in_signal(p: *const u8) {
    unsafe {
        if libc::unlink(p as *const libc::c_char) == 0 {
            return;
        }
        let len = (0..PATH_BYTES).find(|&k| *p.add(k) == 0).unwrap_or(0);
        // `.NAME.arr-tmp-PID-N` becomes `.NAME.arr-tmp-PID-N000000000`: still a
        // temporary of this process's for `clean_stale` if the exit comes first.
        const SUFFIX: &[u8] = b"000000000\0";
        let mut dying = [0u8; PATH_BYTES + SUFFIX.len()];
        std::ptr::copy_nonoverlapping(p, dying.as_mut_ptr(), len);
        dying[len..len + SUFFIX.len()].copy_from_slice(SUFFIX);
        let dying = dying.as_ptr() as *const libc::c_char;
        let target = if libc::rename(p as *const libc::c_char, dying) == 0 {
            dying
        } else {
            p as *const libc::c_char
        };
        let dir = libc::open(
            target,
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        );
        if dir >= 0 {
            remove_tree_in_signal(dir, 0);
            libc::close(dir);
        }
        libc::rmdir(target);
    }
}

/// Deepest folder nesting `remove_tree_in_signal` empties (a Zarr store's chunk keys nest
/// one level per axis).
const MAX_TREE_DEPTH: usize = 40;

/// Empties the folder open as `dir` (its files, and its folders recursively down to
/// `MAX_TREE_DEPTH`) with async-signal-safe system calls only: `getdents64` into a buffer
/// on the stack, `unlinkat`, `openat`, `close`. Never follows a symbolic link.
///
/// # Safety
/// `dir` is an open folder descriptor.
unsafe fn remove_tree_in_signal(dir: libc::c_int, depth: usize) {
    #[repr(C, align(8))]
    struct Buf([u8; 2048]);
    let mut buf = Buf([0; 2048]);
    // Rounds until a whole pass over the folder removes nothing more.
    for _ in 0..64 {
        // Safety: `dir` is open; from the start of the folder each round.
        unsafe { libc::lseek(dir, 0, libc::SEEK_SET) };
        let mut removed = false;
        loop {
            // Safety: the kernel writes at most `buf.0.len()` bytes of records into `buf`.
            let n = unsafe {
                libc::syscall(libc::SYS_getdents64, dir, buf.0.as_mut_ptr(), buf.0.len())
            };
            if n <= 0 {
                break;
            }
            let mut at = 0usize;
            while at < n as usize {
                // linux_dirent64: d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name.
                let reclen = u16::from_ne_bytes([buf.0[at + 16], buf.0[at + 17]]) as usize;
                let kind = buf.0[at + 18];
                let name = buf.0[at + 19..].as_ptr() as *const libc::c_char;
                let dot = buf.0[at + 19] == b'.'
                    && (buf.0[at + 20] == 0 || (buf.0[at + 20] == b'.' && buf.0[at + 21] == 0));
                if reclen == 0 {
                    break;
                }
                at += reclen;
                if dot {
                    continue;
                }
                // Safety: `name` is NUL-terminated inside the record; `dir` is open.
                unsafe {
                    if kind != libc::DT_DIR && libc::unlinkat(dir, name, 0) == 0 {
                        removed = true;
                        continue;
                    }
                    if depth < MAX_TREE_DEPTH {
                        let sub = libc::openat(
                            dir,
                            name,
                            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
                        );
                        if sub >= 0 {
                            remove_tree_in_signal(sub, depth + 1);
                            libc::close(sub);
                        }
                    }
                    if libc::unlinkat(dir, name, libc::AT_REMOVEDIR) == 0 {
                        removed = true;
                    }
                }
            }
        }
        if !removed {
            break;
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
        // The name a folder being removed by the signal handler takes.
        assert_eq!(
            temp_pid(".x.zarr.arr-tmp-7-3000000000", "x.zarr", TMP),
            Some(7)
        );
    }

    #[test]
    fn the_signal_handler_removes_registered_files_and_folders() {
        let base = std::env::temp_dir().join(format!("arr-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).expect("base");
        let file = Staged::new(&base.join("f.npy")).expect("staged");
        std::fs::write(file.temp(), b"x").expect("write");
        let folder = Staged::new_dir(&base.join("z.zarr")).expect("staged");
        let mut deep = folder.temp().to_path_buf();
        for k in 0..5 {
            deep.push(format!("{k}"));
            std::fs::create_dir_all(&deep).expect("mkdir");
            for j in 0..200 {
                std::fs::write(deep.join(format!("chunk-with-a-long-name-{j}")), b"x")
                    .expect("write");
            }
        }
        // Outside the store, reached by a link inside it: never followed.
        std::fs::write(base.join("keep"), b"keep").expect("write");
        std::os::unix::fs::symlink(base.join("keep"), folder.temp().join("link")).expect("symlink");
        for staged in [&file, &folder] {
            use std::os::unix::ffi::OsStrExt;
            let path = std::ffi::CString::new(staged.temp().as_os_str().as_bytes()).expect("path");
            // Safety: a NUL-terminated path shorter than PATH_BYTES.
            unsafe { remove_path_in_signal(path.as_ptr() as *const u8) };
        }
        let left: Vec<_> = std::fs::read_dir(&base)
            .expect("read")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("keep")]);
        drop((file, folder));
        std::fs::remove_dir_all(&base).expect("clean");
    }
}
