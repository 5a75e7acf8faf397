#!/usr/bin/env bash
# Builds the VS Code extension: editors/vscode/arr-language-VERSION.vsix.
#
#   editors/build.sh
#   code --install-extension editors/vscode/arr-language-*.vsix
#
# Needs node and npm. The packaging tool (@vscode/vsce, pinned in editors/vscode/package.json)
# is installed into editors/vscode/node_modules when it is missing. Nothing is asked: the
# flags below answer vsce's questions (no repository field; no runtime dependencies).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$here/vscode"

command -v npm >/dev/null || { echo "build.sh: npm is needed (apt-get install -y nodejs npm)" >&2; exit 1; }

if [ ! -x node_modules/.bin/vsce ] || [ ! -d node_modules/vscode-languageclient ]; then
    echo "build.sh: installing @vscode/vsce and vscode-languageclient into editors/vscode/node_modules"
    npm install --no-audit --no-fund --loglevel=error </dev/null
fi

# The grammars must match the compiler's tables; say so (but still build) when they do not.
arr_bin="${ARR:-$repo/target/release/arr}"
if [ -x "$arr_bin" ]; then
    if ! python3 "$here/generate.py" --check --arr "$arr_bin" >/dev/null; then
        echo "build.sh: warning: the grammars are out of date with $arr_bin;" \
             "run python3 editors/generate.py --arr $arr_bin" >&2
    fi
fi

rm -f ./*.vsix
# Production dependencies (the language client library) go into the .vsix; vsce leaves
# out the development ones (itself, the grammar test tool).
./node_modules/.bin/vsce package --allow-missing-repository </dev/null
ls -l ./*.vsix
