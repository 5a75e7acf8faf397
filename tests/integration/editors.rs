//! Editor support (editors/): the grammars' name lists must be exactly the ones the compiler
//! prints with `arr --dump-syntax` (checked by `editors/generate.py --check`), and, when
//! `ARR_EDITOR_TESTS=1`, the grammars are run through the real tools by `editors/test.sh`
//! (vscode-tmgrammar-test, installed with npm; vim and emacs when they are installed).

use std::process::Command;

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn grammars_match_compiler_tables() {
    let out = Command::new("python3")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "editors/generate.py",
            "--check",
            "--arr",
            env!("CARGO_BIN_EXE_arr"),
        ])
        .output()
        .expect("python3 runs editors/generate.py");
    assert!(
        out.status.success(),
        "the editor grammars are out of date with `arr --dump-syntax`; \
         run `python3 editors/generate.py --arr target/release/arr` and commit the result:\n{}",
        output_text(&out)
    );
}

#[test]
fn editor_grammars_pass_their_tool_tests() {
    if std::env::var("ARR_EDITOR_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "editor tool tests skipped (npm installs are slow): \
             set ARR_EDITOR_TESTS=1 to run editors/test.sh"
        );
        return;
    }
    let out = Command::new("bash")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("editors/test.sh")
        .env("ARR", env!("CARGO_BIN_EXE_arr"))
        .output()
        .expect("bash runs editors/test.sh");
    let text = output_text(&out);
    assert!(out.status.success(), "editors/test.sh failed:\n{text}");
    assert!(
        text.contains(" passed, 0 failed"),
        "no summary line:\n{text}"
    );
}
