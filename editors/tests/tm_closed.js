// Tokenizes whole Arr programs with the VS Code grammar (vscode-textmate, as VS Code does)
// and fails when a file ends inside an open construct (a call, string, type or function
// header the grammar never closed) or when a token is scoped `invalid.*`. Complements the
// line-by-line assertions of vscode-tmgrammar-test. Run by editors/test.sh:
//   node editors/tests/tm_closed.js FILE.arr...
// vscode-textmate and vscode-oniguruma come with vscode-tmgrammar-test in
// editors/vscode/node_modules.
'use strict';
const fs = require('fs');
const path = require('path');

const vscodeDir = path.join(__dirname, '..', 'vscode');
const modules = path.join(vscodeDir, 'node_modules');
const vsctm = require(path.join(modules, 'vscode-textmate'));
const oniguruma = require(path.join(modules, 'vscode-oniguruma'));

const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma', 'release', 'onig.wasm')).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const grammarPath = path.join(vscodeDir, 'syntaxes', 'arr.tmLanguage.json');
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
});

registry.loadGrammar('source.arr').then((grammar) => {
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    let stack = vsctm.INITIAL;
    fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, i) => {
      const result = grammar.tokenizeLine(line, stack);
      stack = result.ruleStack;
      for (const t of result.tokens) {
        const bad = t.scopes.find((s) => s.startsWith('invalid'));
        if (bad) {
          console.log(`${file}:${i + 1}:${t.startIndex + 1}: ${bad}: ${line}`);
          problems++;
        }
      }
    });
    if (stack.depth !== 1) {
      console.log(`${file}: ends inside an open construct (rule stack depth ${stack.depth})`);
      problems++;
    }
  }
  console.log(`tm_closed: ${files.length} files, ${problems} problems`);
  process.exit(problems === 0 && files.length > 0 ? 0 : 1);
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
