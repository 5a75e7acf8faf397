//! Feeds a corpus of mangled programs to the parser and checker: every one must give a
//! diagnostic or pass, never panic. The corpus is the case files and examples, cut,
//! spliced and shuffled deterministically.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// A small deterministic generator (xorshift), so failures reproduce.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub(crate) fn sources() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests/cases", "examples", "stdlib"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "arr") {
                    out.extend(std::fs::read_to_string(&p).ok());
                }
            }
        }
    }
    out.sort();
    out
}

pub(crate) const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "::",
    "...",
    "=",
    "==",
    "->",
    "|",
    "||",
    "**",
    "//",
    "@",
    "\"",
    "\\",
    "\n",
    ";",
    "fn",
    "if",
    "else",
    "for",
    "in",
    "return",
    "import",
    "x",
    "0",
    "-1",
    "1e309",
    "99999999999999999999",
    "0x",
    "1_",
    ".",
    "newaxis",
    "none",
    "f64[n, 3]",
    "?",
    "#",
    "\u{00e9}",
    "\u{1F600}",
    "\t",
    "axis=",
    "chunks=",
];

pub(crate) fn mangle(src: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let n = chars.len().max(1);
        match rng.below(5) {
            0 if !chars.is_empty() => {
                let at = rng.below(n);
                let len = rng.below(8).min(chars.len() - at);
                chars.drain(at..at + len);
            }
            1 => {
                let at = rng.below(n).min(chars.len());
                let s = SNIPPETS[rng.below(SNIPPETS.len())];
                for (k, c) in s.chars().enumerate() {
                    chars.insert(at + k, c);
                }
            }
            2 if chars.len() > 2 => {
                let a = rng.below(n);
                let b = rng.below(n);
                let last = chars.len() - 1;
                chars.swap(a.min(last), b.min(last));
            }
            3 => {
                let cut = rng.below(n).min(chars.len());
                chars.truncate(cut);
            }
            _ => {
                let at = rng.below(n).min(chars.len());
                let line: String = chars[at..].iter().take_while(|c| **c != '\n').collect();
                for (k, c) in line.chars().enumerate() {
                    chars.insert(at + k, c);
                }
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mangled_programs_never_panic() {
    let sources = sources();
    assert!(!sources.is_empty());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for round in 0..12 {
        for src in &sources {
            let program = mangle(src, &mut rng);
            let result = catch_unwind(AssertUnwindSafe(|| {
                let mut s = arr::Session::with_options(arr::Options {
                    threads: 1,
                    seed: Some(1),
                    ..Default::default()
                });
                let _ = s.check("<mangled>", &program);
            }));
            assert!(
                result.is_ok(),
                "round {round}: the checker panicked on:\n{program}"
            );
            checked += 1;
        }
    }
    println!("corpus: {checked} mangled programs checked without a panic");
}

#[test]
fn odd_inputs_never_panic() {
    let odd = [
        "",
        "\n\n",
        "#",
        "\"",
        "x = ",
        "fn",
        "fn f(",
        "fn f() {",
        "}",
        "[1, 2",
        "(((((",
        "a[",
        "a[::0]",
        "1 +",
        "import",
        "import \"/nonexistent.arr\"",
        "return 3",
        "x = ones(3); x[5]",
        "x = ones(3); x[-4]",
        "zeros(-1)",
        "reshape(ones(6), [4, -1])",
        "ones([2, 3]).sum(axis=5)",
        "fn f(n) { f(n) }\nf(1)",
        "fn f(n) { if n < 1 { 0 } else { f(n - 1) } }\nprint(f(100000))",
        "print(1 // 0, 1 % 0, 1.0 / 0.0)",
        "arange(0, 10, 0)",
        "linspace(0, 1, -5)",
        "random.integers(5, 5, shape=3)",
        "eye(-2)",
        "x = 9223372036854775807 + 1",
        "a, b = 1",
        "a, b = (1, 2, 3)",
        "for x in 3 { }",
        "if ones(3) > 0 { 1 }",
        "1 < 2 < 3",
        "x.y.z",
        "\"\\q\"",
        "print(ones([2, 2]) @ ones([3, 3]))",
        "range(10**12)",
        "ones(10, chunks=0)",
        "ones(10, chunks=[[3, 3]])",
    ];
    // Deep recursion runs 400 Arr calls deep: on a big stack, as the CLI runs programs (the
    // test harness's 2 MiB threads leave a margin that depends on the compiler's inlining).
    let worker = std::thread::Builder::new().stack_size(256 << 20);
    let run_all = move || odd_inputs_on_this_thread(&odd);
    worker
        .spawn(run_all)
        .expect("a test thread")
        .join()
        .expect("no panic escapes catch_unwind");
}

fn odd_inputs_on_this_thread(odd: &[&str]) {
    for program in odd.iter().copied() {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut s = arr::Session::with_options(arr::Options {
                threads: 1,
                seed: Some(1),
                ..Default::default()
            });
            let mut sink: Vec<u8> = Vec::new();
            let out: std::rc::Rc<std::cell::RefCell<dyn std::io::Write>> =
                std::rc::Rc::new(std::cell::RefCell::new(std::mem::take(&mut sink)));
            s.set_output(out);
            let _ = s.run("<odd>", program);
        }));
        assert!(result.is_ok(), "panicked on {program:?}");
    }
}
