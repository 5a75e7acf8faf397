//! Sessions do not leak: creating and dropping 10^4 sessions (each running a little code
//! that defines functions, as a REPL or an embedding program would) keeps the heap flat.
//! Every function holds the scope it was defined in, which holds the function; a session
//! used to leak its prelude (~70 KB) through that cycle. Its own test binary, so the
//! counting allocator (`arr::alloc_stats`) sees no other test's allocations.

use arr::Session;

#[global_allocator]
static ALLOCATOR: arr::alloc_stats::Counting = arr::alloc_stats::Counting;

fn held() -> usize {
    arr::alloc_stats::snapshot()
        .expect("the counting allocator is installed")
        .held
}

fn one_session() {
    let mut s = Session::new();
    s.run(
        "<leak test>",
        "fn outer(x) { fn inner(y) { x + y }; inner(1) }\nk = |v| v * 2\ny = outer(2) + k(3)\nimport_free = norm",
    )
    .expect("the program runs");
    s.reset();
    s.eval("z = 1").expect("runs after a reset");
}

#[test]
fn ten_thousand_sessions_keep_memory_flat() {
    arr::alloc_stats::mark_installed();
    // Warm up: caches and lazily initialised tables (builtins, the JIT) settle first.
    for _ in 0..200 {
        one_session();
    }
    let before = held();
    for _ in 0..10_000 {
        one_session();
    }
    let grown = held().saturating_sub(before);
    // A leak of even 100 bytes a session would be 1 MB here.
    assert!(
        grown < 256 << 10,
        "10^4 sessions grew the heap by {grown} bytes ({} per session)",
        grown / 10_000
    );
}
