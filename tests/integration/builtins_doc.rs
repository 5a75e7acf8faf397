//! `docs/builtins.md` is generated from the builtin table (`src/builtins/`: name, parameters,
//! doc, group), the prelude's functions and their `#` doc comments (`stdlib/prelude.arr`),
//! and the examples in `docs/builtin_examples.arr`, each run to record its output. The test
//! fails when the file drifts from what would be generated, when a builtin has no example
//! (unless `docs/builtin_examples.arr` says why with a `#> NAME -- no example: REASON` line),
//! when an example names no builtin, or when an example fails. Regenerate with
//!
//! ```sh
//! UPDATE_EXPECT=1 cargo test --release --test integration builtins_md
//! ```

use crate::doctests::{root, run_code, scratch};
use std::collections::BTreeMap;

/// One example: its code, or why there is none.
enum Example {
    Code(String),
    Missing(String),
}

/// Parses `docs/builtin_examples.arr`: each example starts with a line `#> NAME`; a line
/// `#> NAME -- no example: REASON` marks a builtin that has none on purpose.
fn examples(text: &str) -> Result<BTreeMap<String, Example>, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    let finish = |cur: Option<(String, String)>, out: &mut BTreeMap<String, Example>| {
        if let Some((name, code)) = cur {
            let code = code.trim().to_string() + "\n";
            if out.insert(name.clone(), Example::Code(code)).is_some() {
                return Err(format!("two examples for `{name}`"));
            }
        }
        Ok(())
    };
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("#> ") {
            finish(current.take(), &mut out)?;
            match head.split_once(" -- no example:") {
                Some((name, why)) => {
                    out.insert(name.trim().to_string(), Example::Missing(why.trim().into()));
                }
                None => current = Some((head.trim().to_string(), String::new())),
            }
        } else if let Some((_, code)) = current.as_mut() {
            code.push_str(line);
            code.push('\n');
        }
    }
    finish(current, &mut out)?;
    Ok(out)
}

/// A prelude function: name, parameter text and doc comment.
struct PreludeFn {
    name: String,
    params: String,
    doc: String,
}

/// The functions of the prelude with the `#` comment lines right above each.
fn prelude_functions() -> Vec<PreludeFn> {
    let mut out = Vec::new();
    let mut doc: Vec<String> = Vec::new();
    for line in arr::PRELUDE.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("fn ") {
            let name = rest.split('(').next().unwrap_or("").trim().to_string();
            let params = rest
                .split_once('(')
                .and_then(|(_, r)| r.rsplit_once(')'))
                .map(|(p, _)| p)
                .unwrap_or("")
                .split(')')
                .next()
                .unwrap_or("")
                .to_string();
            out.push(PreludeFn {
                name,
                params,
                doc: doc.join(" "),
            });
            doc.clear();
        } else if let Some(c) = t.strip_prefix('#') {
            doc.push(c.trim().to_string());
        } else {
            doc.clear();
        }
    }
    out
}

/// A group's heading: `DataDependent` reads `Data-dependent`.
fn heading(group: &str) -> String {
    let mut words = String::new();
    for (i, c) in group.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            words.push('-');
            words.push(c.to_ascii_lowercase());
        } else {
            words.push(c);
        }
    }
    match words.as_str() {
        "Elementwise" => "Element-wise".into(),
        "Linalg" => "Linear algebra".into(),
        "Reduction" => "Reductions".into(),
        "Scan" => "Scans".into(),
        "Host" => "Host and input/output".into(),
        _ => words,
    }
}

/// One builtin's section.
fn section(
    name: &str,
    signature: &str,
    doc: &str,
    example: Option<&Example>,
    outputs: &BTreeMap<String, String>,
) -> String {
    let mut s = format!("### `{name}`\n\n`{signature}`\n\n{doc}\n\n");
    match example {
        Some(Example::Code(code)) => {
            s.push_str(&format!("```arr\n{code}```\n"));
            let out = outputs.get(name).map(String::as_str).unwrap_or("");
            if !out.is_empty() {
                s.push_str(&format!("\n```output\n{out}```\n"));
            }
            s.push('\n');
        }
        Some(Example::Missing(why)) => s.push_str(&format!("(No example: {why}.)\n\n")),
        None => s.push_str("(No example yet.)\n\n"),
    }
    s
}

/// The generated `docs/builtins.md`, and the problems found on the way.
fn generate() -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let text = std::fs::read_to_string(root().join("docs/builtin_examples.arr"))
        .expect("docs/builtin_examples.arr exists");
    let examples = match examples(&text) {
        Ok(e) => e,
        Err(e) => return (String::new(), vec![e]),
    };
    let table = arr::builtins::table();
    let prelude = prelude_functions();
    let known: Vec<&str> = table
        .iter()
        .map(|b| b.name)
        .chain(prelude.iter().map(|f| f.name.as_str()))
        .collect();
    for name in examples.keys() {
        if !known.contains(&name.as_str()) {
            problems.push(format!(
                "docs/builtin_examples.arr: `{name}` is not a builtin"
            ));
        }
    }
    for name in &known {
        if !examples.contains_key(*name) {
            problems.push(format!(
                "`{name}` has no example in docs/builtin_examples.arr (add one, or a line \
                 `#> {name} -- no example: REASON`)"
            ));
        }
    }
    for f in &prelude {
        if f.doc.is_empty() {
            problems.push(format!(
                "prelude function `{}` has no `#` doc comment in stdlib/prelude.arr",
                f.name
            ));
        }
    }
    // Run every example, recording what it prints.
    let mut outputs = BTreeMap::new();
    for (name, ex) in &examples {
        let Example::Code(code) = ex else { continue };
        let dir = scratch(&format!("builtin-{name}"));
        let r = run_code(&dir, code, false);
        if r.code != 0 {
            problems.push(format!(
                "the example of `{name}` fails (exit {}):\n{code}{}",
                r.code, r.stderr
            ));
        }
        outputs.insert(name.clone(), r.stdout);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut md = String::from(
        "# Builtins\n\n\
         Every builtin function of Arr, by group, with its signature, its documentation and an\n\
         example with the output it prints. This page is generated from the builtin table\n\
         (`src/builtins/`), the prelude (`stdlib/prelude.arr`) and the examples in\n\
         [builtin_examples.arr](builtin_examples.arr); do not edit it by hand. After changing\n\
         any of them, regenerate it with\n\n\
         ```sh\nUPDATE_EXPECT=1 cargo test --release --test integration builtins_md\n```\n\n\
         A test fails when this page drifts from the table, and every example runs in\n\
         `make test`. Any function can also be called as a method: `x.sum(axis=0)` is\n\
         `sum(x, axis=0)`. [language.md](language.md) describes the language itself.\n\n",
    );
    // Groups in the table's order.
    let mut groups: Vec<String> = Vec::new();
    for b in table {
        let g = format!("{:?}", b.group);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    md.push_str("## Contents\n\n");
    for g in &groups {
        let names: Vec<String> = table
            .iter()
            .filter(|b| format!("{:?}", b.group) == *g)
            .map(|b| format!("`{}`", b.name))
            .collect();
        md.push_str(&format!("- **{}**: {}\n", heading(g), names.join(" ")));
    }
    let names: Vec<String> = prelude.iter().map(|f| format!("`{}`", f.name)).collect();
    md.push_str(&format!(
        "- **Written in Arr (the prelude)**: {}\n\n",
        names.join(" ")
    ));
    for g in &groups {
        md.push_str(&format!("## {}\n\n", heading(g)));
        for b in table.iter().filter(|b| format!("{:?}", b.group) == *g) {
            md.push_str(&section(
                b.name,
                &format!("{}({})", b.name, b.params),
                b.doc,
                examples.get(b.name),
                &outputs,
            ));
        }
    }
    md.push_str(
        "## Written in Arr (the prelude)\n\n\
         These functions are written in Arr itself, in `stdlib/prelude.arr`, and loaded before\n\
         every program; they are checked and fused like your own functions.\n\n",
    );
    for f in &prelude {
        md.push_str(&section(
            &f.name,
            &format!("{}({})", f.name, f.params),
            &f.doc,
            examples.get(&f.name),
            &outputs,
        ));
    }
    (md.trim_end().to_string() + "\n", problems)
}

#[test]
fn builtins_md_is_generated_from_the_table() {
    let (md, problems) = generate();
    assert!(
        problems.is_empty(),
        "docs/builtins.md cannot be generated:\n{}",
        problems.join("\n")
    );
    let path = root().join("docs/builtins.md");
    if std::env::var("UPDATE_EXPECT").as_deref() == Ok("1") {
        std::fs::write(&path, &md).expect("write docs/builtins.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == md,
        "docs/builtins.md is out of date with the builtin table or the examples; regenerate it:\n\
         UPDATE_EXPECT=1 cargo test --release --test integration builtins_md"
    );
}
