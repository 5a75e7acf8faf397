//! Feeds a corpus of mangled programs to the checker: every one must give a diagnostic or run,
//! never panic.
