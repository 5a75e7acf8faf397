//! Ctrl-C while a computation runs. At the prompt the terminal is in raw mode and Ctrl-C is
//! a key (it clears the line); while code runs it is SIGINT, and the handler installed here
//! sets the session's cancel flag: the computation stops within about one block's work,
//! frees its blocks and reports `computation cancelled`, and the session with its bindings
//! lives on. A third Ctrl-C during one evaluation (a computation that does not stop) quits
//! the process with status 130.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Ctrl-C presses that quit when a computation does not stop.
const PRESSES_TO_QUIT: usize = 3;

/// The SIGINT handler for the REPL's lifetime; dropping it removes the handler.
pub struct Interrupt {
    cancel: Arc<AtomicBool>,
    presses: Arc<AtomicUsize>,
    #[cfg(unix)]
    id: Option<signal_hook::SigId>,
}

impl Interrupt {
    /// Installs the handler; it sets `cancel` on each SIGINT.
    pub fn install(cancel: Arc<AtomicBool>) -> Interrupt {
        let presses = Arc::new(AtomicUsize::new(0));
        #[cfg(unix)]
        let id = {
            let flag = cancel.clone();
            let count = presses.clone();
            let action = move || {
                flag.store(true, Ordering::SeqCst);
                if count.fetch_add(1, Ordering::SeqCst) + 1 >= PRESSES_TO_QUIT {
                    signal_hook::low_level::exit(130);
                }
            };
            // SAFETY: the action only touches atomics and calls `_exit`, all of which are
            // async-signal-safe; it neither allocates nor locks.
            unsafe { signal_hook::low_level::register(signal_hook::consts::SIGINT, action) }.ok()
        };
        Interrupt {
            cancel,
            presses,
            #[cfg(unix)]
            id,
        }
    }

    /// Call before each evaluation: clears the flag and the press count.
    pub fn arm(&self) {
        self.cancel.store(false, Ordering::SeqCst);
        self.presses.store(0, Ordering::SeqCst);
    }

    /// Whether Ctrl-C was pressed since `arm`.
    pub fn pressed(&self) -> bool {
        self.presses.load(Ordering::SeqCst) > 0
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(id) = self.id.take() {
            signal_hook::low_level::unregister(id);
        }
    }
}
