// The Arr extension's code: for .arr files it starts the language server, `arr lsp`
// (diagnostics as you type, hover with dtype, shape, chunks and projected memory,
// completion, signature help, go to definition, symbols, rename). When no `arr` binary can
// be run (setting `arr.path`, default `arr` on PATH) or the language client library is
// missing, the extension keeps to the grammar, snippets and language configuration.
"use strict";

const vscode = require("vscode");
const { execFileSync } = require("child_process");

let client = null;

/** The `arr` command to run, or null when it cannot be run. */
function arrCommand() {
  const configured = vscode.workspace.getConfiguration("arr").get("path") || "arr";
  try {
    execFileSync(configured, ["--version"], { stdio: "ignore", timeout: 10000 });
    return configured;
  } catch (e) {
    return null;
  }
}

function activate(context) {
  const command = arrCommand();
  if (!command) {
    vscode.window.setStatusBarMessage(
      "Arr: no `arr` binary found (setting arr.path); highlighting and snippets only",
      15000
    );
    return null;
  }
  let lc;
  try {
    lc = require("vscode-languageclient/node");
  } catch (e) {
    vscode.window.setStatusBarMessage(
      "Arr: the language client library is missing; highlighting and snippets only",
      15000
    );
    return null;
  }
  client = new lc.LanguageClient(
    "arr",
    "Arr language server",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "arr" }] }
  );
  const started = client.start();
  // vscode-languageclient 7 returns a Disposable, later versions a Promise.
  if (started && typeof started.dispose === "function") {
    context.subscriptions.push(started);
  }
  return client;
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, arrCommand };
