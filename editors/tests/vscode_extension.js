// Tests editors/vscode/extension.js without VS Code: `vscode` and the language client are
// stand-ins that record what the extension asks of them. With a runnable `arr` (argv[2])
// the extension must start `arr lsp` for arr files; with a missing binary it must start
// nothing and say it keeps to highlighting.
//   node editors/tests/vscode_extension.js /path/to/arr
"use strict";
const Module = require("module");
const path = require("path");

const arr = process.argv[2];
let configuredPath = arr;
const started = [];
const messages = [];
const fakeVscode = {
  workspace: { getConfiguration: () => ({ get: () => configuredPath }) },
  window: { setStatusBarMessage: (m) => messages.push(m) },
};
class LanguageClient {
  constructor(id, name, server, options) {
    this.id = id;
    this.server = server;
    this.options = options;
  }
  start() {
    started.push(this);
    return { dispose() {} };
  }
  stop() {}
}
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === "vscode") return fakeVscode;
  if (request === "vscode-languageclient/node") return { LanguageClient };
  return load.call(this, request, parent, isMain);
};
const ext = require(path.join(__dirname, "..", "vscode", "extension.js"));

let failed = 0;
function check(ok, what) {
  console.log((ok ? "ok:   " : "FAIL: ") + what);
  if (!ok) failed++;
}

const context = { subscriptions: [] };
ext.activate(context);
check(started.length === 1, "a language client starts when arr can be run");
check(
  started.length === 1 &&
    started[0].server.command === arr &&
    JSON.stringify(started[0].server.args) === '["lsp"]',
  "it runs `arr lsp`"
);
check(
  started.length === 1 && started[0].options.documentSelector[0].language === "arr",
  "for arr documents"
);
check(context.subscriptions.length === 1, "the client is disposed with the extension");

configuredPath = "/nonexistent/arr";
ext.activate({ subscriptions: [] });
check(started.length === 1, "no client without an arr binary");
check(messages.some((m) => m.includes("highlighting")), "and it says it keeps to highlighting");
process.exit(failed ? 1 : 0);
