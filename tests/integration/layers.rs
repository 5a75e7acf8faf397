//! The layering of DESIGN §2 as a test (rust-analyzer's tidy in spirit): every `crate::`,
//! `super::` (and, in the binary, `arr::`) path in `src/**/*.rs` — in `use` trees and inline
//! in code — is resolved to the module it names, and an import that the design table forbids
//! fails the test with `file:line`, the path and the rule it breaks.
//!
//! The table below is data: one row per module, the modules it must not use and why. Every
//! top-level module under `src/` must have a row, so a new module (the planned `plan/`,
//! `lsp/`, `dashboard/` already have theirs) is classified when it appears.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a module must not use.
enum Forbid {
    /// These modules (a module path such as `exec` or `backend::interp` covers everything
    /// inside it).
    These(&'static [&'static str]),
    /// Every module except these (and the module itself); `lib` is the crate root's own items
    /// (`crate::Session`, `crate::PRELUDE`).
    AllBut(&'static [&'static str]),
}

/// One row of the table: code in `module` (and its submodules) must not use `forbid`.
struct Rule {
    module: &'static str,
    forbid: Forbid,
    why: &'static str,
}

/// The faces (REPL, CLI, language server, dashboard) see the `Session` API: the crate root,
/// the value types it hands out (`value`), `embed`, the units they print (`units`), the
/// vocabulary of the language (`language`) and exec's events.
const FACE_API: &[&str] = &[
    "lib",
    "value",
    "embed",
    "units",
    "language",
    "alloc_stats",
    "exec::events",
    "repl",
    "lsp",
    "dashboard",
];

/// DESIGN §2's table ("must not know about"), row by row.
const RULES: &[Rule] = &[
    Rule {
        module: "syntax",
        forbid: Forbid::AllBut(&["units"]),
        why: "syntax knows nothing below it",
    },
    Rule {
        module: "sema",
        forbid: Forbid::AllBut(&["syntax", "units"]),
        why: "sema (names, dtypes) is the front end's base: eval and builtins build on it, not the reverse",
    },
    Rule {
        module: "eval",
        forbid: Forbid::These(&[
            "backend",
            "exec::region",
            "exec::reduce",
            "exec::scan",
            "exec::sources",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "eval must not know chunks' contents or backends (it asks exec for results)",
    },
    Rule {
        module: "builtins",
        forbid: Forbid::These(&[
            "backend",
            "exec::region",
            "exec::reduce",
            "exec::scan",
            "exec::sources",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "builtins must not know chunks' contents or backends (they ask exec for results)",
    },
    Rule {
        module: "value",
        forbid: Forbid::These(&[
            "backend",
            "exec",
            "opt",
            "plan",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "host values belong to the evaluator: they must not know chunks' contents or backends",
    },
    Rule {
        module: "data",
        forbid: Forbid::AllBut(&["sema::dtype", "units"]),
        why: "in-memory arrays are a base layer: they know dtypes only",
    },
    Rule {
        module: "scalar",
        forbid: Forbid::AllBut(&["data", "sema::dtype", "kernel", "units"]),
        why: "the scalar semantics of the ops sit below the evaluator, the optimiser and every backend",
    },
    Rule {
        module: "units",
        forbid: Forbid::AllBut(&[]),
        why: "units are a base layer",
    },
    Rule {
        module: "alloc_stats",
        forbid: Forbid::AllBut(&[]),
        why: "the counting allocator is a base layer",
    },
    Rule {
        module: "graph",
        forbid: Forbid::These(&[
            "syntax",
            "eval",
            "builtins",
            "value",
            "opt",
            "plan",
            "exec",
            "backend",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "the graph must not know syntax or execution (nor the layers that build it)",
    },
    Rule {
        module: "opt",
        forbid: Forbid::These(&[
            "exec",
            "backend",
            "syntax",
            "eval",
            "builtins",
            "value",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "the optimiser's passes are pure graph rewrites: they must not know exec or backends",
    },
    Rule {
        module: "plan",
        forbid: Forbid::These(&[
            "exec",
            "backend",
            "syntax",
            "eval",
            "builtins",
            "value",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "the plan must not know kernels' insides (backends) nor who runs it",
    },
    Rule {
        module: "kernel",
        forbid: Forbid::These(&[
            "exec",
            "backend",
            "opt",
            "plan",
            "syntax",
            "eval",
            "builtins",
            "value",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "the kernel IR must not know exec or backends",
    },
    Rule {
        module: "backend",
        forbid: Forbid::These(&[
            "graph",
            "exec",
            "opt",
            "plan",
            "syntax",
            "eval",
            "builtins",
            "value",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "backends must not know the graph (they see kernels only) nor who launches them",
    },
    Rule {
        module: "backend::interp",
        forbid: Forbid::These(&["backend::jit", "backend::cuda"]),
        why: "backends must not know each other",
    },
    Rule {
        module: "backend::jit",
        forbid: Forbid::These(&["backend::interp", "backend::cuda"]),
        why: "backends must not know each other",
    },
    Rule {
        module: "backend::cuda",
        forbid: Forbid::These(&["backend::interp", "backend::jit"]),
        why: "backends must not know each other",
    },
    Rule {
        module: "exec",
        forbid: Forbid::These(&[
            "syntax",
            "eval",
            "builtins",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "exec runs plans: it must not know syntax nor the layers above it",
    },
    Rule {
        module: "io",
        forbid: Forbid::These(&[
            "graph::build",
            "opt",
            "plan",
            "kernel",
            "backend",
            "syntax",
            "eval",
            "builtins",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "sources and stores must not know the graph beyond source/store nodes, nor the evaluator",
    },
    Rule {
        module: "repl",
        forbid: Forbid::AllBut(FACE_API),
        why: "the faces use nothing beyond the Session API and exec's events",
    },
    Rule {
        module: "main",
        forbid: Forbid::AllBut(FACE_API),
        why: "the faces use nothing beyond the Session API and exec's events",
    },
    Rule {
        module: "lsp",
        forbid: Forbid::AllBut(FACE_API),
        why: "the faces use nothing beyond the Session API and exec's events",
    },
    Rule {
        module: "dashboard",
        forbid: Forbid::AllBut(FACE_API),
        why: "the faces use nothing beyond the Session API and exec's events",
    },
    Rule {
        module: "language",
        forbid: Forbid::These(&[
            "eval",
            "exec",
            "opt",
            "plan",
            "kernel",
            "backend",
            "graph",
            "io",
            "repl",
            "lsp",
            "dashboard",
        ]),
        why: "the language's vocabulary for tools is names and tokens only",
    },
];

/// Violations being removed by work in progress elsewhere, each with who removes it. The
/// list can only shrink: an entry that no longer matches any import fails the test.
const PENDING: &[(&str, &str, &str)] = &[];

/// Modules that may use anything: the embedding boundary (`lib.rs`, `embed`).
const UNRESTRICTED: &[&str] = &["lib", "embed"];

/// A path one file names: where, and the module path it resolves to.
struct Use {
    line: usize,
    path: Vec<String>,
}

/// Source text with comments, string and char literals blanked out (newlines kept).
fn strip(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) && {
            let prev = if i > 0 { b[i - 1] } else { b' ' };
            !(prev.is_ascii_alphanumeric() || prev == b'_')
        } {
            // Raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j >= b.len() || b[j] != b'"' {
                out.push(b[i]);
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let mut k = j + 1;
            while k < b.len() && !b[k..].starts_with(&close) {
                k += 1;
            }
            let end = (k + close.len()).min(b.len());
            for &c in &b[i..end] {
                out.push(if c == b'\n' { b'\n' } else { b' ' });
            }
            i = end;
        } else if b[i] == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    out.push(b' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let end = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map(|p| i + 2 + p)
            } else if b.get(i + 2) == Some(&b'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    out.extend(std::iter::repeat_n(b' ', e + 1 - i));
                    i = e + 1;
                }
                None => {
                    out.push(b'\'');
                    i += 1;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The module path of a file: `src/exec/region.rs` → `exec::region`, `src/lib.rs` → `lib`.
fn file_module(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs").to_string();
    if stem != "mod" {
        parts.push(stem);
    }
    if parts.first().is_some_and(|p| p == "bin") {
        return vec!["main".into()];
    }
    parts
}

/// Parses a use tree at `b[i..]` (after `prefix::`), pushing every leaf path.
fn use_tree(
    b: &[u8],
    mut i: usize,
    prefix: Vec<String>,
    line: &dyn Fn(usize) -> usize,
    out: &mut Vec<(usize, Vec<String>)>,
) -> usize {
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut path = prefix;
    loop {
        i = skip_ws(i);
        if i >= b.len() {
            return i;
        }
        if b[i] == b'{' {
            i += 1;
            loop {
                i = skip_ws(i);
                if i >= b.len() {
                    return i;
                }
                if b[i] == b'}' {
                    return i + 1;
                }
                if b[i] == b',' {
                    i += 1;
                    continue;
                }
                i = use_tree(b, i, path.clone(), line, out);
            }
        }
        if b[i] == b'*' {
            out.push((line(i), path));
            return i + 1;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if i == start {
            // Not a path continuation: the path ends here.
            out.push((line(start), path));
            return i;
        }
        let word = String::from_utf8_lossy(&b[start..i]).into_owned();
        let after = skip_ws(i);
        if word != "self" {
            path.push(word);
        }
        if b[after..].starts_with(b"::") {
            i = after + 2;
            continue;
        }
        out.push((line(start), path));
        // Skip an `as name` rename.
        let j = skip_ws(after);
        if b[j..].starts_with(b"as") && b.get(j + 2).is_some_and(|c| !is_ident(*c)) {
            let mut k = skip_ws(j + 2);
            while k < b.len() && is_ident(b[k]) {
                k += 1;
            }
            return k;
        }
        return after;
    }
}

/// Every crate path `file` names, resolved to absolute module paths.
fn uses_of(src: &Path, file: &Path) -> Vec<Use> {
    let text = std::fs::read_to_string(file).expect("readable source");
    let clean = strip(&text);
    let b = clean.as_bytes();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(
            b.iter()
                .enumerate()
                .filter(|(_, c)| **c == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let line = |pos: usize| line_starts.partition_point(|&s| s <= pos);
    let module = file_module(src, file);
    let is_bin = module == ["main"];
    // Inline `mod name {` blocks: (brace depth at which they close, name).
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut found: Vec<(usize, Vec<String>)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == b'}' {
            depth = depth.saturating_sub(1);
            while inline.last().is_some_and(|(d, _)| *d > depth) {
                inline.pop();
            }
            i += 1;
            continue;
        }
        if !is_ident(c) || (i > 0 && (is_ident(b[i - 1]) || b[i - 1] == b'$')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        let word = &clean[start..i];
        if word == "mod" {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let name_start = j;
            while j < b.len() && is_ident(b[j]) {
                j += 1;
            }
            let name = clean[name_start..j].to_string();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if b.get(j) == Some(&b'{') && !name.is_empty() {
                inline.push((depth + 1, name));
            }
            continue;
        }
        let root = match word {
            "crate" => true,
            "arr" if is_bin => true,
            "super" => false,
            _ => continue,
        };
        // `crate::` / `super::` must be followed by `::` (and not preceded by `::`).
        if !b[i..].starts_with(b"::") || (start >= 2 && &b[start - 2..start] == b"::") {
            continue;
        }
        let mut here: Vec<String> = module.clone();
        here.extend(inline.iter().map(|(_, n)| n.clone()));
        let mut base: Vec<String> = if root { Vec::new() } else { here };
        let mut k = i + 2;
        if !root {
            // `super::super::...`: climb once per `super`.
            base.pop();
            while clean[k..].starts_with("super::") {
                base.pop();
                k += "super::".len();
            }
            if is_bin {
                continue;
            }
        }
        if is_bin && root {
            base.clear();
        }
        k = use_tree(b, k, base, &line, &mut found);
        i = k;
    }
    found
        .into_iter()
        .map(|(line, path)| Use { line, path })
        .collect()
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules of the crate (files and folders under `src/`).
fn top_modules(src: &Path) -> BTreeSet<String> {
    let mut mods = BTreeSet::new();
    for entry in std::fs::read_dir(src).expect("src").flatten() {
        let p = entry.path();
        let name = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() && (p.join("mod.rs").exists() || name == "bin") {
            mods.insert(if name == "bin" { "main".into() } else { name });
        } else if p.extension().is_some_and(|e| e == "rs") {
            mods.insert(name);
        }
    }
    mods
}

/// A used path as the module path it names: its first segment is a top-level module, or
/// `lib` for the crate root's own items.
fn target(path: &[String], modules: &BTreeSet<String>) -> Vec<String> {
    match path.first() {
        Some(first) if modules.contains(first) && first != "lib" && first != "main" => {
            path.to_vec()
        }
        _ => {
            let mut t = vec!["lib".to_string()];
            t.extend(path.iter().cloned());
            t
        }
    }
}

fn starts_with(path: &[String], module: &str) -> bool {
    let parts: Vec<&str> = module.split("::").collect();
    path.len() >= parts.len() && parts.iter().zip(path).all(|(a, b)| a == b)
}

/// The rule a use breaks, if any.
fn broken<'r>(from: &[String], to: &[String], rules: &'r [Rule]) -> Option<&'r Rule> {
    rules.iter().find(|rule| {
        if !starts_with(from, rule.module) {
            return false;
        }
        match rule.forbid {
            Forbid::These(list) => list.iter().any(|m| starts_with(to, m)),
            Forbid::AllBut(list) => to[0] != from[0] && !list.iter().any(|m| starts_with(to, m)),
        }
    })
}

#[test]
fn imports_follow_the_design_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = top_modules(&src);
    let classified: BTreeSet<&str> = RULES
        .iter()
        .map(|r| r.module.split("::").next().expect("a module"))
        .chain(UNRESTRICTED.iter().copied())
        .collect();
    let unclassified: Vec<&String> = modules
        .iter()
        .filter(|m| !classified.contains(m.as_str()))
        .collect();
    assert!(
        unclassified.is_empty(),
        "src/ has modules without a row in the layers table (tests/integration/layers.rs, DESIGN §2): {unclassified:?}"
    );
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut failures = Vec::new();
    let mut pending_hit = vec![false; PENDING.len()];
    let mut seen = 0;
    for file in &files {
        let from = file_module(&src, file);
        for u in uses_of(&src, file) {
            seen += 1;
            let to = target(&u.path, &modules);
            if let Some(rule) = broken(&from, &to, RULES) {
                let rel = file
                    .strip_prefix(src.parent().expect("root"))
                    .unwrap_or(file)
                    .to_string_lossy()
                    .into_owned();
                if let Some(k) = PENDING
                    .iter()
                    .position(|(f, t, _)| rel == *f && starts_with(&to, t))
                {
                    pending_hit[k] = true;
                    continue;
                }
                let shown: Vec<&str> = to
                    .iter()
                    .skip(usize::from(to[0] == "lib"))
                    .map(String::as_str)
                    .collect();
                failures.push(format!(
                    "{rel}:{}: `{}` uses `crate::{}` — rule `{}`: {}",
                    u.line,
                    from.join("::"),
                    shown.join("::"),
                    rule.module,
                    rule.why
                ));
            }
        }
    }
    assert!(
        seen > 500,
        "found only {seen} crate paths: the scanner is broken"
    );
    for ((file, target, who), hit) in PENDING.iter().zip(&pending_hit) {
        assert!(
            hit,
            "{file} no longer uses `crate::{target}` ({who}): remove its PENDING entry"
        );
    }
    assert!(
        failures.is_empty(),
        "{} import(s) break DESIGN §2's layering (move the shared piece down a layer):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The scanner itself: grouped trees, renames, `super::` and inline paths resolve, and a
/// forbidden import is caught (so the test above can fail).
#[test]
fn the_scanner_resolves_paths_and_catches_a_forbidden_use() {
    let dir = std::env::temp_dir().join(format!("arr-layers-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("opt")).expect("temp dir");
    let file = src.join("opt").join("fold.rs");
    std::fs::write(
        &file,
        "//! crate::exec in a comment is ignored\n\
         use crate::{graph::node::{Node, Op as O}, data::Data};\n\
         use super::rewrite;\n\
         fn f() { let s = \"crate::backend\"; crate::exec::region::eval(); }\n\
         mod tests { use super::super::cse; }\n",
    )
    .expect("write");
    let uses = uses_of(&src, &file);
    let paths: Vec<(usize, String)> = uses.iter().map(|u| (u.line, u.path.join("::"))).collect();
    assert_eq!(
        paths,
        vec![
            (2, "graph::node::Node".to_string()),
            (2, "graph::node::Op".to_string()),
            (2, "data::Data".to_string()),
            (3, "opt::rewrite".to_string()),
            (4, "exec::region::eval".to_string()),
            (5, "opt::cse".to_string()),
        ]
    );
    let modules: BTreeSet<String> = ["opt", "exec", "graph", "data"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let from = vec!["opt".to_string(), "fold".to_string()];
    let bad = target(&uses[4].path, &modules);
    assert_eq!(broken(&from, &bad, RULES).map(|r| r.module), Some("opt"));
    let fine = target(&uses[0].path, &modules);
    assert!(broken(&from, &fine, RULES).is_none());
    // A face may use the crate root but not the evaluator.
    let repl = vec!["repl".to_string()];
    let root = target(&["Session".to_string()], &modules);
    assert!(broken(&repl, &root, RULES).is_none());
    let eval = vec!["eval".to_string(), "Interp".to_string()];
    let eval_mods: BTreeSet<String> = ["eval".to_string()].into();
    assert!(broken(&repl, &target(&eval, &eval_mods), RULES).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}
