//! `arr lsp` driven by a scripted JSON-RPC client over stdin/stdout, as an editor drives it:
//! diagnostics (the same as `arr check`, across imports, gone after a fix), hover (types,
//! chunks, memory, builtin docs from the builtin table, `?` for data-dependent values, and
//! nothing computed or written), completion, signature help, definitions, references,
//! symbols, rename; the mangled corpus replayed as edits without a panic; memory flat over
//! 10^4 edits; and the answer times on a 300-line script.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long any one answer may take before the test gives up (a hang is a failure).
const PATIENCE: Duration = Duration::from_secs(30);

/// A language client: the server process, its messages on a channel, its stderr collected.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    stderr: std::thread::JoinHandle<String>,
    next_id: i64,
    /// Notifications read while waiting for responses, oldest first.
    pub pending: Vec<Value>,
}

impl Client {
    /// Starts `arr lsp` and completes the initialize handshake.
    pub fn start() -> Client {
        let mut child = Command::new(crate::arr_bin())
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("arr lsp starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let stdin = child.stdin.take().expect("stdin");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("JSON body");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let mut c = Client {
            child,
            stdin,
            messages: rx,
            stderr,
            next_id: 0,
            pending: Vec::new(),
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        assert!(
            init["result"]["capabilities"]["hoverProvider"] == json!(true),
            "{init}"
        );
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, v: &Value) {
        let body = serde_json::to_vec(v).expect("JSON");
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len());
        let _ = self.stdin.write_all(&body);
        let _ = self.stdin.flush();
    }

    fn next_message(&mut self) -> Value {
        match self.messages.recv_timeout(PATIENCE) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!("arr lsp did not answer in {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                let _ = self.child.kill();
                panic!("arr lsp exited");
            }
        }
    }

    /// Sends a request and waits for its response (keeping notifications in `pending`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.next_message();
            if m["id"] == json!(id) {
                return m;
            }
            self.pending.push(m);
        }
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Waits for the next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.pending.iter().position(|m| is_diagnostics_for(m, uri)) {
            let m = self.pending.remove(i);
            return m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        loop {
            let m = self.next_message();
            if is_diagnostics_for(&m, uri) {
                return m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.pending.push(m);
        }
    }

    /// Opens a document.
    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "arr", "version": 1, "text": text}}),
        );
    }

    /// Replaces a document's whole text.
    pub fn replace(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    /// A request at a position of a document.
    pub fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    /// The hover text at a position ("" when there is none).
    pub fn hover(&mut self, uri: &str, line: u32, character: u32) -> String {
        let r = self.at("textDocument/hover", uri, line, character);
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The completion labels at a position.
    pub fn completions(&mut self, uri: &str, line: u32, character: u32) -> Vec<String> {
        let r = self.at("textDocument/completion", uri, line, character);
        r["result"]["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["label"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The server's resident memory in KiB.
    pub fn rss_kib(&self) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Shuts down cleanly; returns the server's stderr, which must hold no panic.
    pub fn finish(mut self) -> String {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("arr lsp exits");
        let stderr = self.stderr.join().unwrap_or_default();
        assert!(
            status.success(),
            "arr lsp exit status {status}; stderr:\n{stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("internal error"),
            "arr lsp reported a panic:\n{stderr}"
        );
        stderr
    }
}

fn is_diagnostics_for(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("arr-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The line and column (1-based) and message `arr check` prints for a file.
fn arr_check(path: &Path) -> (String, String) {
    let out = Command::new(crate::arr_bin())
        .args(["check", &path.to_string_lossy()])
        .output()
        .expect("arr check runs");
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    let message = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("error: "))
        .unwrap_or("")
        .to_string();
    let at = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|l| {
            l.rsplitn(3, ':')
                .collect::<Vec<_>>()
                .get(..2)
                .map(|p| format!("{}:{}", p[1], p[0]))
        })
        .unwrap_or_default();
    (message, at)
}

#[test]
fn lsp_diagnostics_are_arr_checks_and_clear_after_a_fix() {
    let dir = scratch("diag");
    let bad = "a = ones([3, 4])\nb = ones(5)\ny = a + b\n";
    let path = dir.join("bad.arr");
    std::fs::write(&path, bad).unwrap();
    let (message, at) = arr_check(&path);
    assert!(message.starts_with("cannot broadcast"), "{message}");
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, bad);
    let d = c.diagnostics(&u);
    assert_eq!(d.len(), 1, "{d:?}");
    let first_line = d[0]["message"].as_str().unwrap().lines().next().unwrap();
    assert_eq!(first_line, message);
    let start = &d[0]["range"]["start"];
    let lsp_at = format!(
        "{}:{}",
        start["line"].as_u64().unwrap() + 1,
        start["character"].as_u64().unwrap() + 1
    );
    assert_eq!(lsp_at, at, "span differs from arr check");
    assert_eq!(d[0]["severity"], 1);
    // A later edit fixes it: the diagnostic disappears.
    c.replace(&u, 2, "a = ones([3, 4])\nb = ones(4)\ny = a + b\n");
    assert!(c.diagnostics(&u).is_empty());
    // A syntax error is reported where the parser stops, then fixed again.
    c.replace(&u, 3, "a = ones([3, 4]\n");
    let d = c.diagnostics(&u);
    assert_eq!(d.len(), 1);
    c.replace(&u, 4, "a = ones([3, 4])\n");
    assert!(c.diagnostics(&u).is_empty());
    c.finish();
}

#[test]
fn lsp_diagnostics_follow_imports() {
    let dir = scratch("import");
    let lib = dir.join("lib.arr");
    std::fs::write(&lib, "fn double(v) { v * 2 }\nk = ones(3) + ones(4)\n").unwrap();
    let main = dir.join("main.arr");
    let text = "import \"lib.arr\"\nz = double(ones(3))\n";
    std::fs::write(&main, text).unwrap();
    let u = uri(&main);
    let mut c = Client::start();
    c.open(&u, text);
    let d = c.diagnostics(&u);
    assert_eq!(d.len(), 1, "{d:?}");
    let m = d[0]["message"].as_str().unwrap();
    assert!(
        m.contains("lib.arr:2") && m.contains("cannot broadcast"),
        "{m}"
    );
    assert_eq!(
        d[0]["range"]["start"]["line"], 0,
        "shown on the import line"
    );
    let related = &d[0]["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], uri(&lib));
    assert_eq!(related["range"]["start"]["line"], 1);
    // Fixing the imported file (saved) clears the importer's diagnostic.
    std::fs::write(&lib, "fn double(v) { v * 2 }\nk = ones(3) + ones(3)\n").unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&lib)}}),
    );
    assert!(c.diagnostics(&u).is_empty());
    // Go to definition of an imported function lands in the imported file.
    let r = c.at("textDocument/definition", &u, 1, 5);
    assert_eq!(r["result"]["uri"], uri(&lib), "{r}");
    assert_eq!(
        r["result"]["range"]["start"],
        json!({"line": 0, "character": 3})
    );
    c.finish();
}

#[test]
fn lsp_hover_shows_types_chunks_memory_and_builtin_docs() {
    let dir = scratch("hover");
    let path = dir.join("h.arr");
    let text = "x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)\n\
                y = x.mean(axis=0)[::100]\n\
                fn scale(v: f64[n], k) -> f64[n] { v * k }\n\
                z = scale(y, 2)\n\
                n = 3\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, text);
    assert!(c.diagnostics(&u).is_empty());
    let h = c.hover(&u, 0, 0);
    for want in [
        "x: f64[20000, 20000]",
        "shape `(20000, 20000)`",
        "3.0 GiB if held in memory",
        "chunks: blocks of 1000 × 1000, grid 20 × 20 = 400 blocks",
        "projected peak",
        "400 tasks",
    ] {
        assert!(h.contains(want), "{want:?} missing in:\n{h}");
    }
    let h = c.hover(&u, 1, 0);
    assert!(
        h.contains("y: f64[200]") && h.contains("blocks of 10, grid 20 = 20 blocks"),
        "{h}"
    );
    // A sub-expression: `x.mean(axis=0)` before the slice.
    let h = c.hover(&u, 1, 17);
    assert!(h.contains("f64[20000]"), "{h}");
    // A parameter shows its declared named dimensions and the call's shape.
    let h = c.hover(&u, 2, 9);
    assert!(
        h.contains("v: f64[200]") && h.contains("declared `f64[n]`"),
        "{h}"
    );
    let h = c.hover(&u, 4, 0);
    assert!(h.contains("n: int = 3"), "{h}");
    // Builtins: signature and doc from the builtin table (the single source).
    for (line, col, name) in [(0, 12, "random.normal"), (1, 7, "mean")] {
        let b = arr::builtins::find(name).unwrap();
        let h = c.hover(&u, line, col);
        assert!(
            h.contains(&format!("{}({})", b.name, b.params)) && h.contains(b.doc),
            "{name}: {h}"
        );
    }
    // A user function shows its header as written.
    let h = c.hover(&u, 3, 5);
    assert!(h.contains("fn scale(v: f64[n], k) -> f64[n]"), "{h}");
    c.finish();
}

#[test]
fn lsp_answers_for_scripts_that_need_data_and_never_computes_or_writes() {
    let dir = scratch("data");
    let npy = dir.join("in.npy");
    // A real .npy file (written by Arr itself): the check reads only its header.
    let status = Command::new(crate::arr_bin())
        .args([
            "-e",
            &format!("to_npy(arange(10.0), \"{}\")", npy.display()),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let out = dir.join("out.npy");
    let path = dir.join("d.arr");
    let text = format!(
        "x = from_npy(\"{}\")\nm = x[x > 5.0]\nn = int(sum(x > 5.0))\nw = zeros(n)\n\
         to_npy(m, \"{}\")\nprint(m)\nt = m.sum()\n",
        npy.display(),
        out.display()
    );
    std::fs::write(&path, &text).unwrap();
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    assert!(c.diagnostics(&u).is_empty());
    let h = c.hover(&u, 0, 0);
    assert!(h.contains("x: f64[10]") && h.contains("chunks"), "{h}");
    let h = c.hover(&u, 1, 0);
    assert!(h.contains("m: f64[?]") && h.contains("`?`"), "{h}");
    let h = c.hover(&u, 2, 0);
    assert!(
        h.contains("n: int") && h.contains("known only when computed"),
        "{h}"
    );
    // A shape built from a computed value is known only when computed.
    let h = c.hover(&u, 3, 0);
    assert!(h.contains("known only when computed"), "{h}");
    let h = c.hover(&u, 6, 0);
    assert!(h.contains("t: f64"), "{h}");
    // Nothing was written, whatever the script says.
    assert!(!out.exists(), "the server wrote {}", out.display());
    c.finish();
    assert!(!out.exists());
}

#[test]
fn lsp_completion_offers_names_members_methods_and_keywords() {
    let dir = scratch("complete");
    let path = dir.join("c.arr");
    let text = "x = ones([3, 4])\nword = \"a\"\nfn scale(v, factor=2) { v * factor }\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, text);
    c.diagnostics(&u);
    let mut line = 3;
    let mut ask = |c: &mut Client, typed: &str| {
        let full = format!("{text}{typed}");
        c.replace(&u, 10 + line as i64, &full);
        line += 1;
        c.completions(&u, 3, typed.chars().count() as u32)
    };
    let got = ask(&mut c, "x.");
    for want in ["mean", "shape", "reshape", "scale"] {
        assert!(got.contains(&want.to_string()), "{want}: {got:?}");
    }
    assert!(!got.contains(&"zeros".to_string()));
    assert!(ask(&mut c, "random.").contains(&"normal".to_string()));
    let got = ask(&mut c, "sum(x, ");
    assert_eq!(
        got[..2],
        ["axis=".to_string(), "keepdims=".to_string()],
        "{got:?}"
    );
    assert!(ask(&mut c, "y = ze").contains(&"zeros".to_string()));
    assert!(ask(&mut c, "y = wo").contains(&"word".to_string()));
    assert_eq!(ask(&mut c, "scale(x, "), ["factor="]);
    assert!(ask(&mut c, "(x + 1).me").contains(&"mean".to_string()));
    // Items carry the builtin's signature and doc.
    c.replace(&u, 99, &format!("{text}y = zeros_l"));
    let r = c.at("textDocument/completion", &u, 3, 11);
    let item = &r["result"]["items"][0];
    let b = arr::builtins::find("zeros_like");
    match b {
        Some(b) => assert_eq!(item["detail"], format!("zeros_like({})", b.params)),
        None => assert_eq!(item["label"], "zeros_like"),
    }
    c.finish();
}

#[test]
fn lsp_signature_help_definition_references_symbols_and_rename() {
    let dir = scratch("symbols");
    let path = dir.join("s.arr");
    let text = "x = ones([3, 4])\n\
                fn norm2(a, squared=false) {\n\
                \x20   t = (a * a).sum()\n\
                \x20   if squared { t } else { sqrt(t) }\n\
                }\n\
                t = norm2(x)\n\
                print(t + norm2(x, squared=true))\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, text);
    assert!(c.diagnostics(&u).is_empty());
    // Signature help inside a builtin call, by position and by keyword.
    let sig = |c: &mut Client, typed: &str| {
        c.replace(&u, 50, &format!("{text}{typed}"));
        let r = c.at("textDocument/signatureHelp", &u, 7, typed.len() as u32);
        r["result"].clone()
    };
    let r = sig(&mut c, "x.mean(");
    let mean = arr::builtins::find("mean").unwrap();
    assert_eq!(
        r["signatures"][0]["label"],
        format!("mean({})", mean.params)
    );
    assert_eq!(r["activeParameter"], 1, "{r}");
    let r = sig(&mut c, "random.normal(0, 1, shape=[3], se");
    let label = r["signatures"][0]["label"].as_str().unwrap().to_string();
    let [from, to] = [0, 1].map(|i| {
        r["signatures"][0]["parameters"][r["activeParameter"].as_u64().unwrap() as usize]["label"]
            [i]
            .as_u64()
            .unwrap() as usize
    });
    assert!(label[from..to].starts_with("shape") || label[from..to].starts_with("chunks"));
    let r = sig(&mut c, "norm2(x, squared=");
    assert_eq!(r["signatures"][0]["label"], "norm2(a, squared=false)");
    assert_eq!(r["activeParameter"], 1);
    c.replace(&u, 60, text);
    // Definition: `t` inside the function is the local, outside the top-level one.
    let r = c.at("textDocument/definition", &u, 3, 17);
    assert_eq!(
        r["result"]["range"]["start"],
        json!({"line": 2, "character": 4}),
        "{r}"
    );
    let r = c.at("textDocument/definition", &u, 6, 6);
    assert_eq!(
        r["result"]["range"]["start"],
        json!({"line": 5, "character": 0}),
        "{r}"
    );
    let r = c.at("textDocument/definition", &u, 5, 5);
    assert_eq!(
        r["result"]["range"]["start"],
        json!({"line": 1, "character": 3}),
        "{r}"
    );
    // References of the local `t`: its binding and two uses.
    let r = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 4},
               "context": {"includeDeclaration": true}}),
    );
    assert_eq!(r["result"].as_array().unwrap().len(), 3, "{r}");
    // Symbols: x, norm2 (with a, squared, t inside), t.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["x", "norm2", "t"]);
    let inner: Vec<&str> = r["result"][1]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(inner, ["a", "squared", "t"]);
    assert_eq!(r["result"][0]["detail"], "f64[3, 4]");
    // Rename the local `t` to `total`: three edits inside the function, none outside.
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": 3, "character": 17},
               "newName": "total"}),
    );
    let edits = r["result"]["changes"][&u].as_array().unwrap().clone();
    let lines: Vec<u64> = edits
        .iter()
        .map(|e| e["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 3], "{r}");
    // Builtins and bad names cannot be renamed.
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": 3, "character": 30},
               "newName": "root"}),
    );
    assert!(r.get("error").is_some(), "{r}");
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 0},
               "newName": "for"}),
    );
    assert!(r.get("error").is_some(), "{r}");
    c.finish();
}

#[test]
fn lsp_survives_the_mangled_corpus_as_edits() {
    let sources = crate::corpus::sources();
    let mut rng = crate::corpus::Rng(0x2545_f491_4f6c_dd1d);
    let dir = scratch("corpus");
    let u = uri(&dir.join("m.arr"));
    let mut c = Client::start();
    c.open(&u, "");
    let mut version = 1;
    let mut replayed = 0;
    for src in &sources {
        let program = crate::corpus::mangle(src, &mut rng);
        version += 1;
        c.replace(&u, version, &program);
        // Random small edits on top, by range (some past the end: they clamp).
        for _ in 0..3 {
            let line = rng.below(program.lines().count() + 2) as u32;
            let col = rng.below(40) as u32;
            let snippet = crate::corpus::SNIPPETS[rng.below(crate::corpus::SNIPPETS.len())];
            version += 1;
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": u, "version": version},
                       "contentChanges": [{"range": {"start": {"line": line, "character": col},
                                                      "end": {"line": line, "character": col + rng.below(5) as u32}},
                                           "text": snippet}]}),
            );
        }
        let line = rng.below(program.lines().count() + 1) as u32;
        let col = rng.below(30) as u32;
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/signatureHelp",
            "textDocument/definition",
        ] {
            let r = c.at(method, &u, line, col);
            assert!(
                r.get("error").is_none(),
                "{method} failed on:\n{program}\n{r}"
            );
        }
        let r = c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        );
        assert!(r.get("error").is_none(), "{r}");
        replayed += 1;
    }
    c.finish();
    println!("lsp corpus: {replayed} mangled documents replayed as edits without a panic");
}

#[test]
fn lsp_memory_stays_flat_over_ten_thousand_edits() {
    let dir = scratch("memory");
    std::fs::write(dir.join("lib.arr"), "fn half(v) { v / 2 }\nc = ones(8)\n").unwrap();
    let u = uri(&dir.join("mem.arr"));
    let base = "import \"lib.arr\"\nfn f(a) { b = a * 2; b.sum() }\n\
                x = random.normal(0, 1, shape=[4000, 4000], chunks=1000, seed=1)\ny = f(half(x))\n";
    let mut c = Client::start();
    c.open(&u, base);
    c.diagnostics(&u);
    let mut samples = Vec::new();
    for i in 0..10_000u32 {
        // Alternate a valid and a broken document; each edit is analysed (a hover forces it).
        let text = if i % 2 == 0 {
            format!("{base}z{i} = y + {i}\n")
        } else {
            format!("{base}z = x[:, {i}] + ones(3)\n")
        };
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": i + 2}, "contentChanges": [{"text": text}]}),
        );
        c.hover(&u, 3, 0);
        c.pending.clear();
        if i % 1000 == 999 {
            samples.push(c.rss_kib());
        }
    }
    let first = samples[0];
    let last = *samples.last().unwrap();
    println!("lsp memory: RSS after each 1000 edits (KiB): {samples:?}");
    assert!(
        last <= first + 8 * 1024,
        "RSS grew from {first} KiB to {last} KiB over 9000 edits: {samples:?}"
    );
    c.finish();
}

/// A 300-line script of the kinds of statements users write.
fn long_script() -> String {
    let mut s = String::from("import \"helpers.arr\"\n");
    let mut i = 0;
    while s.lines().count() < 300 {
        s.push_str(&format!(
            "a{i} = random.normal({i}, 1, shape=[4000, 3000], chunks=[1000, 1000], seed={i})\n\
             b{i} = (a{i} - a{i}.mean(axis=0)) / a{i}.std(axis=0)\n\
             fn f{i}(v: f64[n, m], k) -> f64[n] {{\n\
             \x20   w = v * k + 1\n\
             \x20   w.sum(axis=1)\n\
             }}\n\
             c{i} = f{i}(b{i}, 2.0)[::10]\n\
             d{i} = where(c{i} > 0, c{i}, 0.0).cumsum()\n\
             e{i} = concatenate([d{i}, d{i}[:5]]).reshape([-1, 5])\n\
             g{i} = clamp(e{i}.T @ e{i})\n"
        ));
        i += 1;
    }
    s.lines().take(300).map(|l| format!("{l}\n")).collect()
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (p(0.5), p(0.9), p(0.99), v[v.len() - 1])
}

#[test]
fn lsp_answers_within_50_ms_on_a_300_line_script() {
    let dir = scratch("latency");
    std::fs::write(
        dir.join("helpers.arr"),
        "fn clamp(v) { clip(v, -1e6, 1e6) }\n",
    )
    .unwrap();
    let path = dir.join("long.arr");
    let text = long_script();
    assert_eq!(text.lines().count(), 300);
    std::fs::write(&path, &text).unwrap();
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    let d = c.diagnostics(&u);
    assert!(d.is_empty(), "{d:?}");
    let lines: Vec<&str> = text.lines().collect();
    let mut rng = crate::corpus::Rng(0x1234_5678_9abc_def1);
    let (mut hover, mut complete, mut diag) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..60 {
        // An edit (the diagnostic's time runs from the edit to its publication, debounce
        // included); every other edit breaks the script and the next fixes it.
        let target = 1 + rng.below(299);
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        if round % 2 == 0 {
            edited[target] = "zz = ones(3) + ones(4)".into();
        }
        let new_text: String = edited.iter().map(|l| format!("{l}\n")).collect();
        let t = Instant::now();
        c.replace(&u, round + 2, &new_text);
        let d = c.diagnostics(&u);
        diag.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(d.len(), usize::from(round % 2 == 0), "round {round}: {d:?}");
        // Hover somewhere on a random line.
        let line = rng.below(300);
        let col = rng.below(lines[line].len().max(1));
        let t = Instant::now();
        let _ = c.hover(&u, line as u32, col as u32);
        hover.push(t.elapsed().as_secs_f64() * 1e3);
        // Completion after a receiver and inside a call.
        let col = lines[line].len();
        let t = Instant::now();
        let _ = c.completions(&u, line as u32, col as u32);
        complete.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let report = |name: &str, v: &Vec<f64>| {
        let (p50, p90, p99, max) = percentiles(v.clone());
        println!(
            "lsp latency {name} over {} requests (ms): p50 {p50:.1}, p90 {p90:.1}, p99 {p99:.1}, max {max:.1}",
            v.len()
        );
        (p50, p90)
    };
    let h = report("hover", &hover);
    let k = report("completion", &complete);
    let d = report("diagnostics (edit to publish, debounce included)", &diag);
    for (name, (p50, p90)) in [("hover", h), ("completion", k), ("diagnostics", d)] {
        assert!(
            p50 < 50.0 && p90 < 100.0,
            "{name}: p50 {p50:.1} ms, p90 {p90:.1} ms"
        );
    }
    c.finish();
}

/// Whether `nvim` can be run.
fn have_nvim() -> bool {
    Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn lsp_in_headless_neovim_shows_the_diagnostic_and_hover() {
    if !have_nvim() {
        assert!(
            std::env::var("ARR_REQUIRE_NVIM").is_err(),
            "ARR_REQUIRE_NVIM is set but nvim is missing (make deps installs it)"
        );
        println!("skipped: nvim is not installed (make deps installs Debian's neovim)");
        return;
    }
    let dir = scratch("nvim");
    let file = dir.join("shapes.arr");
    std::fs::write(&file, "a = ones([3, 4])\nb = ones(5)\ny = a + b\n").unwrap();
    let out = dir.join("seen.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/tests/nvim_lsp.lua");
    let started = Instant::now();
    let status = Command::new("timeout")
        .args(["120", "nvim", "--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("ARR_BIN", crate::arr_bin())
        .env("ARR_FILE", &file)
        .env("ARR_OUT", &out)
        .stdin(Stdio::null())
        .status()
        .expect("nvim runs");
    let seen = std::fs::read_to_string(&out).unwrap_or_default();
    println!(
        "neovim session ({:.2} s):\n{seen}",
        started.elapsed().as_secs_f64()
    );
    assert!(status.success(), "nvim failed ({status}):\n{seen}");
    assert!(
        seen.contains("diagnostic 3:5: cannot broadcast f64[3, 4] with f64[5]"),
        "{seen}"
    );
    assert!(seen.contains("a: f64[3, 4]"), "{seen}");
    assert!(seen.contains("diagnostics cleared after the fix"), "{seen}");
    assert!(
        seen.contains("y: f64[3, 4]") && seen.contains("grid 1 × 2 = 2 blocks"),
        "{seen}"
    );
}
