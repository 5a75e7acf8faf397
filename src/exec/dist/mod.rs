//! Scale-out under MPI (LANGUAGE.md §13, DESIGN §2–§3): every rank runs the whole program;
//! where the executor has independent tasks (output blocks, the blocks a reduction combines,
//! the blocks a store streams) each rank computes the contiguous share of the task order it
//! owns, and the results are exchanged so every rank holds what one process would. Reductions
//! combine partials in the same fixed tree as one process, so any number of ranks prints the
//! same bits; host values that steer the program are then equal on every rank without a
//! broadcast. Errors travel inside the exchanges, so every rank stops with the same error at
//! the same point (rank 0 prints it once).
//!
//! The transport is rsmpi (the `mpi` cargo feature). Without the feature, or when the
//! process was not started by an MPI launcher, the world is one rank and nothing here costs
//! anything. Only the thread running the program's top level exchanges (the context's
//! collective flag, `ExecCtx::local`), one exchange at a time (MPI_THREAD_SERIALIZED).

pub mod wire;

use std::ops::Range;
use std::sync::OnceLock;

/// This process's place in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// This process's rank, `0..size`.
    pub rank: usize,
    /// How many processes run the program.
    pub size: usize,
}

static PLACE: OnceLock<Place> = OnceLock::new();

/// This process's place: rank 0 of 1 unless `init` joined an MPI world.
pub fn place() -> Place {
    *PLACE.get().unwrap_or(&Place { rank: 0, size: 1 })
}

/// Whether more than one process runs the program.
pub fn is_distributed() -> bool {
    place().size > 1
}

/// Set on the writer while it works alone (a store's own steps, a picture): its
/// computations then run wholly on this rank, while the other ranks wait for its outcome.
static SOLO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether computations started now share their tasks out between ranks.
pub fn shares_work() -> bool {
    is_distributed() && !SOLO.load(std::sync::atomic::Ordering::SeqCst)
}

/// Runs `f` with this rank working alone (see `SOLO`).
pub fn alone<T>(f: impl FnOnce() -> T) -> T {
    let was = SOLO.swap(true, std::sync::atomic::Ordering::SeqCst);
    let out = f();
    SOLO.store(was, std::sync::atomic::Ordering::SeqCst);
    out
}

/// Runs `f` with work shared out again inside an `alone` section (a store's streams).
pub fn together<T>(f: impl FnOnce() -> T) -> T {
    let was = SOLO.swap(false, std::sync::atomic::Ordering::SeqCst);
    let out = f();
    SOLO.store(was, std::sync::atomic::Ordering::SeqCst);
    out
}

/// Whether this process writes files and prints (rank 0).
pub fn is_writer() -> bool {
    place().rank == 0
}

/// The tasks `0..n` that `rank` of `size` owns: a contiguous range of the task order (so
/// neighbouring blocks stay together), the first `n % size` ranks one task more.
pub fn owned(n: usize, rank: usize, size: usize) -> Range<usize> {
    let (base, extra) = (n / size, n % size);
    let lo = rank * base + rank.min(extra);
    lo..lo + base + usize::from(rank < extra)
}

/// The rank owning every task of `range` (of `n` tasks), if one rank owns them all.
pub fn sole_owner(range: &Range<usize>, n: usize, size: usize) -> Option<usize> {
    (0..size).find(|&q| {
        let o = owned(n, q, size);
        o.start <= range.start && range.end <= o.end
    })
}

/// Keeps the MPI world open while alive; dropping it finalises MPI.
pub struct World {
    /// A duplicate of the world communicator for the exit agreement (`World::finish`), so
    /// it never matches a data exchange a rank is still inside. (Fields drop in order: it
    /// is freed before MPI is finalised.)
    #[cfg(feature = "mpi")]
    control: Option<mpi::topology::SimpleCommunicator>,
    #[cfg(feature = "mpi")]
    _universe: Option<mpi::environment::Universe>,
}

/// How long a rank that failed waits for the others at the end before it decides the
/// failure was its own and ends the job.
#[cfg(feature = "mpi")]
const ALONE_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

impl World {
    /// Ends the program with exit code `code` on this rank, and returns the code the
    /// process exits with. One process: `code`. Under MPI the ranks agree first: when every
    /// rank ends with the same code (the executor shares errors, so a failing computation
    /// fails everywhere alike) each returns it and rank 0 has printed the message; when this
    /// rank failed alone (or the others do not arrive within `ALONE_AFTER` while it failed),
    /// it prints what it wrote to standard error, with its rank, and ends the whole job.
    pub fn finish(self, code: u8) -> u8 {
        #[cfg(feature = "mpi")]
        if let Some(control) = &self.control {
            use mpi::traits::CommunicatorCollectives;
            let mine = code;
            let mut all = vec![0u8; place().size];
            let arrived = mpi::request::scope(|scope| {
                let mut req = control.immediate_all_gather_into(scope, &mine, &mut all[..]);
                let started = std::time::Instant::now();
                loop {
                    match req.test() {
                        Ok(_) => return true,
                        Err(r) if code == 0 || started.elapsed() < ALONE_AFTER => {
                            req = r;
                            std::thread::sleep(std::time::Duration::from_millis(2));
                        }
                        Err(r) => {
                            // Left pending: the job ends below.
                            // Safety: the request is never completed nor freed; the
                            // process ends before `all` is dropped (`abort` never returns).
                            let _ = unsafe { r.into_raw() };
                            return false;
                        }
                    }
                }
            });
            if !arrived {
                report_own_stderr();
                abort(i32::from(code));
            }
            if all.iter().any(|&c| c != all[0]) {
                if code != 0 && code != all[0] {
                    report_own_stderr();
                }
                let worst = all.iter().copied().max().unwrap_or(code);
                drop(self);
                return worst;
            }
        }
        code
    }
}

/// The environment variables MPI launchers (MPICH's Hydra, Open MPI, PMIx, Slurm's PMI) set
/// in the processes they start.
const LAUNCHER_VARS: &[&str] = &[
    "PMI_RANK",
    "PMI_SIZE",
    "OMPI_COMM_WORLD_SIZE",
    "PMIX_RANK",
    "MPI_LOCALNRANKS",
];

/// Whether an MPI launcher started this process.
pub fn launched_by_mpi() -> bool {
    LAUNCHER_VARS.iter().any(|v| std::env::var_os(v).is_some())
}

/// Joins the MPI world when an MPI launcher started this process (and the `mpi` feature is
/// built in); otherwise the world is this one process. Call once, first, from the thread that
/// runs the program; keep the returned `World` until the program ends.
pub fn init() -> Result<World, String> {
    #[cfg(feature = "mpi")]
    {
        use mpi::traits::Communicator;
        if !launched_by_mpi() {
            return Ok(World {
                control: None,
                _universe: None,
            });
        }
        let (universe, level) = mpi::initialize_with_threading(mpi::Threading::Serialized)
            .ok_or("MPI was initialised twice")?;
        if level < mpi::Threading::Serialized {
            return Err(format!(
                "the MPI library gives threading level {level:?}; Arr needs Serialized"
            ));
        }
        let world = universe.world();
        let _ = PLACE.set(Place {
            rank: world.rank() as usize,
            size: world.size() as usize,
        });
        let control = world.duplicate();
        Ok(World {
            control: Some(control),
            _universe: Some(universe),
        })
    }
    #[cfg(not(feature = "mpi"))]
    {
        if launched_by_mpi() && std::env::var_os("ARR_IGNORE_MPI").is_none() {
            return Err(
                "this arr was built without MPI, but an MPI launcher started it: every rank would run the whole program alone; build with `cargo build --release --features mpi` (as `make build` does)"
                    .into(),
            );
        }
        Ok(World {})
    }
}

/// Ends every rank of the job at once with `code` (after an error this rank cannot share
/// with the others through an exchange). A single process just exits.
pub fn abort(code: i32) -> ! {
    #[cfg(feature = "mpi")]
    if is_distributed() {
        use mpi::traits::Communicator;
        mpi::topology::SimpleCommunicator::world().abort(code);
    }
    std::process::exit(code)
}

/// Sends this rank's standard output and error to /dev/null (rank 0 prints for the job); a
/// panic's message still reaches the original standard error, with the rank, and then ends
/// the whole job (a rank that cannot go on must not leave the others waiting).
pub fn quiet_this_rank(rank: usize) {
    // Safety: plain descriptor calls on descriptors this process owns; `dup` keeps the
    // original standard error open for the panic hook.
    let saved = unsafe {
        let saved = libc::dup(2);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if null >= 0 {
            libc::dup2(null, 1);
            libc::close(null);
        }
        // Standard error is kept in memory, for `report_own_stderr`.
        let kept = libc::memfd_create(c"arr-rank-stderr".as_ptr(), 0);
        if kept >= 0 {
            libc::dup2(kept, 2);
            libc::close(kept);
        }
        saved
    };
    SAVED_STDERR.store(saved, std::sync::atomic::Ordering::SeqCst);
    std::panic::set_hook(Box::new(move |info| {
        let text = format!("error: rank {rank}: internal error (please report): {info}\n");
        if saved >= 0 {
            // Safety: writes a buffer this closure owns to a descriptor kept open above.
            unsafe {
                libc::write(saved, text.as_ptr().cast(), text.len());
            }
        }
        abort(101);
    }));
}

/// The terminal's standard error on a quiet rank (-1: not quiet).
static SAVED_STDERR: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// Copies what this quiet rank wrote to standard error to the terminal, each line marked
/// with the rank (a failure of this rank alone).
#[cfg(feature = "mpi")]
fn report_own_stderr() {
    let saved = SAVED_STDERR.load(std::sync::atomic::Ordering::SeqCst);
    if saved < 0 {
        return;
    }
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    // Safety: reads the in-memory file behind descriptor 2 from its start into a local
    // buffer, and writes to the saved descriptor.
    unsafe {
        libc::lseek(2, 0, libc::SEEK_SET);
        loop {
            let n = libc::read(2, buf.as_mut_ptr().cast(), buf.len());
            if n <= 0 {
                break;
            }
            text.extend_from_slice(&buf[..n as usize]);
        }
        let rank = place().rank;
        let marked: String = String::from_utf8_lossy(&text)
            .lines()
            .map(|l| format!("[rank {rank}] {l}\n"))
            .collect();
        libc::write(saved, marked.as_ptr().cast(), marked.len());
    }
}

/// One exchange at a time (MPI_THREAD_SERIALIZED): a guard against two threads exchanging.
#[cfg(feature = "mpi")]
static EXCHANGE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The most bytes one rank sends in one MPI call (MPI counts are `int`).
#[cfg(feature = "mpi")]
const ROUND_BYTES: usize = 1 << 30;

/// Every rank's `mine`, in rank order, on every rank.
pub fn all_gather(mine: Vec<u8>) -> Vec<Vec<u8>> {
    if !is_distributed() {
        return vec![mine];
    }
    #[cfg(feature = "mpi")]
    {
        let _one = EXCHANGE.lock();
        exchange(mine, true).unwrap_or_default()
    }
    #[cfg(not(feature = "mpi"))]
    {
        vec![mine]
    }
}

/// Every rank's `mine`, in rank order, on rank 0 (`None` on the other ranks).
pub fn gather_to_writer(mine: Vec<u8>) -> Option<Vec<Vec<u8>>> {
    if !is_distributed() {
        return Some(vec![mine]);
    }
    #[cfg(feature = "mpi")]
    {
        let _one = EXCHANGE.lock();
        exchange(mine, false)
    }
    #[cfg(not(feature = "mpi"))]
    {
        Some(vec![mine])
    }
}

/// Rank 0's `bytes` on every rank (the other ranks' argument is ignored).
pub fn broadcast_from_writer(bytes: Vec<u8>) -> Vec<u8> {
    if !is_distributed() {
        return bytes;
    }
    #[cfg(feature = "mpi")]
    {
        use mpi::traits::{Communicator, Root};
        let _one = EXCHANGE.lock();
        let world = mpi::topology::SimpleCommunicator::world();
        let root = world.process_at_rank(0);
        let mut len = bytes.len() as u64;
        root.broadcast_into(&mut len);
        let mut buf = if is_writer() {
            bytes
        } else {
            vec![0u8; len as usize]
        };
        for piece in buf.chunks_mut(ROUND_BYTES) {
            root.broadcast_into(piece);
        }
        buf
    }
    #[cfg(not(feature = "mpi"))]
    {
        bytes
    }
}

/// Gathers every rank's bytes (to all ranks, or to rank 0), in rounds of at most
/// `ROUND_BYTES` per rank so any size fits MPI's `int` counts.
#[cfg(feature = "mpi")]
fn exchange(mine: Vec<u8>, to_all: bool) -> Option<Vec<Vec<u8>>> {
    use mpi::datatype::PartitionMut;
    use mpi::traits::{Communicator, CommunicatorCollectives, Root};
    let world = mpi::topology::SimpleCommunicator::world();
    let size = world.size() as usize;
    let mut lens = vec![0u64; size];
    world.all_gather_into(&(mine.len() as u64), &mut lens[..]);
    let receives = to_all || is_writer();
    let mut out: Vec<Vec<u8>> = if receives {
        lens.iter()
            .map(|&l| Vec::with_capacity(l as usize))
            .collect()
    } else {
        Vec::new()
    };
    let longest = lens.iter().copied().max().unwrap_or(0) as usize;
    let rounds = longest.div_ceil(ROUND_BYTES).max(1);
    let root = world.process_at_rank(0);
    for round in 0..rounds {
        let lo = round * ROUND_BYTES;
        let piece = |len: usize| lo.min(len)..(lo + ROUND_BYTES).min(len);
        let send = &mine[piece(mine.len())];
        let counts: Vec<i32> = lens
            .iter()
            .map(|&l| piece(l as usize).len() as i32)
            .collect();
        let displs: Vec<i32> = counts
            .iter()
            .scan(0i32, |at, &c| {
                let d = *at;
                *at += c;
                Some(d)
            })
            .collect();
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        if receives {
            let mut buf = vec![0u8; total];
            {
                let mut partition = PartitionMut::new(&mut buf[..], counts.clone(), &displs[..]);
                if to_all {
                    world.all_gather_varcount_into(send, &mut partition);
                } else {
                    root.gather_varcount_into_root(send, &mut partition);
                }
            }
            for (q, o) in out.iter_mut().enumerate() {
                let (d, c) = (displs[q] as usize, counts[q] as usize);
                o.extend_from_slice(&buf[d..d + c]);
            }
        } else {
            root.gather_varcount_into(send);
        }
    }
    receives.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_ranges_partition_the_tasks_in_order() {
        for n in 0..40 {
            for size in 1..7 {
                let mut next = 0;
                for rank in 0..size {
                    let r = owned(n, rank, size);
                    assert_eq!(r.start, next, "n={n} size={size} rank={rank}");
                    assert!(r.len() == n / size || r.len() == n / size + 1);
                    next = r.end;
                }
                assert_eq!(next, n);
            }
        }
    }

    #[test]
    fn sole_owner_finds_the_rank_holding_a_range() {
        // 10 tasks on 3 ranks: 0..4, 4..7, 7..10.
        assert_eq!(sole_owner(&(0..4), 10, 3), Some(0));
        assert_eq!(sole_owner(&(4..6), 10, 3), Some(1));
        assert_eq!(sole_owner(&(3..5), 10, 3), None);
        assert_eq!(sole_owner(&(7..10), 10, 3), Some(2));
        assert_eq!(sole_owner(&(0..10), 10, 1), Some(0));
    }
}
