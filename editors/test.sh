#!/usr/bin/env bash
# Tests the editor support with the real tools:
#   1. generate.py --check: the grammars match `arr --dump-syntax` (needs an arr binary);
#   2. vscode-tmgrammar-test over editors/vscode/tests/*.arr (the TextMate grammar in
#      VS Code's own engine); the tool is installed into editors/vscode/node_modules by npm
#      when it is missing; then tests/tm_closed.js tokenizes whole programs (examples/,
#      stdlib/, the sample) and fails on a construct left open or an `invalid.*` token;
#   2b. tests/vscode_extension.js: the extension's code starts `arr lsp` with a runnable
#      arr, and keeps to the grammar without one (VS Code and the client library stubbed);
#   3. vim -es: ftdetect, ftplugin, syntax and indent files on editors/tests/sample.arr;
#   4. emacs --batch: byte-compiles and loads arr-mode.el, fontifies and indents the sample,
#      talks to the REPL through run-arr.
# Vim and Emacs are optional: each is skipped, with a message, when it is not installed
# ($ARR_TEST_VIM and $ARR_TEST_EMACS name other binaries).
# The arr binary is $ARR, else target/release/arr; without one, step 1 and the checks that
# need the compiler's tables (every name highlighted; the REPL) are skipped.
#
#   editors/test.sh            (from anywhere)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
passed=0 failed=0 skipped=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

ok()   { echo "ok:   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
skip() { echo "skip: $1"; skipped=$((skipped + 1)); }

arr_bin="${ARR:-$repo/target/release/arr}"
syntax_json=""
if [ -x "$arr_bin" ] && "$arr_bin" --dump-syntax >"$tmp/syntax.json" 2>"$tmp/dump.err"; then
    syntax_json="$tmp/syntax.json"
    if python3 "$here/generate.py" --check --json "$syntax_json"; then
        ok "generate.py --check (grammars match $arr_bin --dump-syntax)"
    else
        fail "generate.py --check: grammars out of date; run python3 editors/generate.py --arr $arr_bin"
    fi
else
    arr_bin=""
    skip "generate.py --check: no arr binary (build it, or set ARR=/path/to/arr)"
fi

# --- VS Code grammar
if ! command -v npm >/dev/null; then
    fail "vscode-tmgrammar-test: npm is not installed (apt-get install -y nodejs npm)"
else
    tool="$here/vscode/node_modules/.bin/vscode-tmgrammar-test"
    if [ ! -x "$tool" ]; then
        echo "test.sh: installing vscode-tmgrammar-test into editors/vscode/node_modules"
        (cd "$here/vscode" && npm install --no-audit --no-fund --loglevel=error </dev/null) ||
            fail "npm install in editors/vscode"
    fi
    if [ -x "$tool" ]; then
        if (cd "$here/vscode" && "$tool" --compact 'tests/*.arr'); then
            ok "vscode-tmgrammar-test editors/vscode/tests/*.arr"
        else
            fail "vscode-tmgrammar-test editors/vscode/tests/*.arr"
        fi
        # whole programs: every construct the grammar opens is closed by the end of the file
        shopt -s nullglob
        programs=("$repo"/examples/*.arr "$repo"/stdlib/*.arr "$here"/tests/sample.arr)
        shopt -u nullglob
        if node "$here/tests/tm_closed.js" "${programs[@]}"; then
            ok "VS Code grammar closes every construct in examples/, stdlib/ and the sample"
        else
            fail "VS Code grammar on examples/, stdlib/ and the sample (tm_closed.js)"
        fi
    fi
fi

# --- VS Code extension code: starts `arr lsp`, or keeps to the grammar without arr
if ! command -v node >/dev/null; then
    skip "VS Code extension.js: node is not installed"
elif [ -z "$arr_bin" ]; then
    skip "VS Code extension.js: no arr binary"
elif node "$here/tests/vscode_extension.js" "$arr_bin"; then
    ok "VS Code extension.js starts arr lsp, and only the grammar without arr"
else
    fail "VS Code extension.js (tests/vscode_extension.js)"
fi

# --- Vim
vim_bin="${ARR_TEST_VIM:-vim}"
if command -v "$vim_bin" >/dev/null; then
    ARR_SYNTAX_JSON="$syntax_json" ARR_TEST_LOG="$tmp/vim.log" "$vim_bin" -N -u NONE -i NONE -n -es \
        -S "$here/tests/vim_test.vim" </dev/null
    status=$?
    cat "$tmp/vim.log" 2>/dev/null
    if [ "$status" -eq 0 ] && grep -q '^vim: ok' "$tmp/vim.log" 2>/dev/null; then
        ok "vim: editors/vim on editors/tests/sample.arr"
    else
        fail "vim: editors/vim on editors/tests/sample.arr (exit $status)"
    fi
else
    skip "vim tests: $vim_bin is not installed (apt-get install -y vim-nox)"
fi

# --- Emacs
emacs_bin="${ARR_TEST_EMACS:-emacs}"
if command -v "$emacs_bin" >/dev/null; then
    if ARR_SYNTAX_JSON="$syntax_json" ARR_BIN="$arr_bin" "$emacs_bin" --batch -Q \
        -l "$here/tests/emacs_test.el" </dev/null 2>&1; then
        ok "emacs: editors/emacs/arr-mode.el on editors/tests/sample.arr"
    else
        fail "emacs: editors/emacs/arr-mode.el on editors/tests/sample.arr"
    fi
else
    skip "emacs tests: $emacs_bin is not installed (apt-get install -y emacs-nox)"
fi

echo "editors: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
