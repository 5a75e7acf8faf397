//! The live dashboard: the server answers, the event stream of a small program delivers the
//! plan, progress and the end of each computation and closes when the program ends, the
//! embedding API starts and stops it, the page works in a real browser (chromium, driven by
//! `tests/browser/dashboard.mjs`), and plan pictures keep their structure (goldens).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Sends a GET and returns the status code and the body (the whole stream, until the server
/// closes it).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the dashboard");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read the response");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// The JSON messages of an event stream.
fn messages(body: &str) -> Vec<serde_json::Value> {
    body.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).expect("each message is JSON"))
        .collect()
}

const PROGRAM: &str = "x = random.normal(10, 1, shape=[2000, 2000], chunks=[500, 500], seed=7)\n\
                       print((x + 1)[::2, ::2].sum() > 0)\n\
                       print(x.mean(axis=0).max() > 9)\n";

#[test]
fn event_stream_delivers_plan_progress_end_and_closes() {
    let dir = std::env::temp_dir().join(format!("arr-dash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prog = dir.join("small.arr");
    std::fs::write(&prog, PROGRAM).unwrap();
    let mut child = Command::new(crate::arr_bin())
        .args([
            "--dashboard",
            "127.0.0.1:0",
            "--dashboard-wait",
            "--threads",
            "2",
        ])
        .arg(&prog)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("[arr] dashboard at http://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("the address is printed first, got {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    // The page, its script and styles are served from the binary; others are 404.
    let (status, page) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(page.contains("<title>Arr dashboard</title>") && page.contains("/app.js"));
    assert_eq!(get(&addr, "/app.js").0, 200);
    assert_eq!(get(&addr, "/app.css").0, 200);
    assert_eq!(get(&addr, "/nothing").0, 404);
    // The stream: the program waits for it, runs, and the stream ends with the program.
    let (status, body) = get(&addr, "/events");
    assert_eq!(status, 200);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "true\ntrue\n");
    let msgs = messages(&body);
    let kinds: Vec<&str> = msgs.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.last(), Some(&"bye"), "{kinds:?}");
    let plans: Vec<&serde_json::Value> = msgs.iter().filter(|m| m["type"] == "plan").collect();
    let ends: Vec<&serde_json::Value> = msgs.iter().filter(|m| m["type"] == "end").collect();
    assert_eq!((plans.len(), ends.len()), (2, 2), "{kinds:?}");
    for (plan, end) in plans.iter().zip(&ends) {
        let run = &plan["run"];
        assert_eq!(&end["run"], run);
        assert_eq!(end["ok"], true);
        assert!(plan["svg"].as_str().unwrap().contains("data-node"));
        assert!(plan["memory_limit"].as_u64().unwrap() > 0);
        // Every task of the run came as a bar, and the counts per node add up to them.
        let ticks: Vec<&serde_json::Value> = msgs
            .iter()
            .filter(|m| m["type"] == "tick" && &m["run"] == run)
            .collect();
        assert!(!ticks.is_empty());
        let bars: u64 = ticks
            .iter()
            .flat_map(|t| t["bars"].as_array().unwrap())
            .map(|b| b[4].as_u64().unwrap())
            .sum();
        let last = ticks.last().unwrap();
        let done: u64 = last["done"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .sum();
        let tasks = end["tasks"].as_u64().unwrap();
        assert!(tasks >= 16, "{tasks}");
        assert_eq!((bars, done), (tasks, tasks));
        assert!(last["elements"].as_u64().unwrap() > 0);
        // Tasks ran on the two workers.
        assert!(
            ticks
                .iter()
                .flat_map(|t| t["bars"].as_array().unwrap())
                .all(|b| b[0].as_u64().unwrap() < 2)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_dashboard_address_is_refused() {
    let out = Command::new(crate::arr_bin())
        .args(["--dashboard", "256.1.1.1:80", "-e", "print(1)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: cannot serve the dashboard on 256.1.1.1:80"),
        "{err}"
    );
}

#[test]
fn the_embedding_api_starts_and_stops_the_dashboard() {
    let mut s = arr::Session::new();
    assert_eq!(s.dashboard_url(), None);
    let url = s.start_dashboard("127.0.0.1:0").unwrap();
    assert_eq!(s.dashboard_url().as_deref(), Some(url.as_str()));
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let reader = std::thread::spawn(move || get(&addr, "/events"));
    assert!(s.wait_for_dashboard_page(Duration::from_secs(30)));
    assert_eq!(
        s.eval_to_string("print(sum(arange(100, chunks=10)))")
            .unwrap(),
        "4950\n"
    );
    s.stop_dashboard();
    assert_eq!(s.dashboard_url(), None);
    let (status, body) = reader.join().unwrap();
    assert_eq!(status, 200);
    let msgs = messages(&body);
    let kinds: Vec<&str> = msgs.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"plan"));
    assert_eq!(kinds.last(), Some(&"bye"));
    let end = msgs.iter().find(|m| m["type"] == "end").unwrap();
    assert_eq!(
        (end["ok"].as_bool(), end["tasks"].as_u64()),
        (Some(true), Some(10))
    );
    // Stopped, the session computes on with no sink.
    assert_eq!(s.eval_to_string("print(1 + 1)").unwrap(), "2\n");
    assert!(s.state().borrow().exec.events.is_none());
}

/// The browser test needs node, `tests/browser/node_modules` (playwright-core) and
/// `/usr/bin/chromium`, which `make deps` installs; `make test` sets ARR_REQUIRE_BROWSER=1
/// so that their absence fails instead of skipping.
#[test]
fn the_dashboard_works_in_chromium() {
    let root = env!("CARGO_MANIFEST_DIR");
    let browser_dir = format!("{root}/tests/browser");
    let ready = std::path::Path::new(&format!("{browser_dir}/node_modules/playwright-core"))
        .exists()
        && std::path::Path::new("/usr/bin/chromium").exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !ready {
        assert!(
            std::env::var("ARR_REQUIRE_BROWSER").is_err(),
            "the browser test needs node, chromium and playwright-core: run `make deps`"
        );
        eprintln!("skipping the browser test: run `make deps` for chromium and playwright-core");
        return;
    }
    let out = Command::new("node")
        .current_dir(&browser_dir)
        .args([
            "dashboard.mjs",
            crate::arr_bin(),
            &format!("{root}/benches/workloads/w3_2tb.arr"),
            &format!("{root}/target/browser"),
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("browser test: ok"),
        "{text}"
    );
    assert!(std::path::Path::new(&format!("{root}/target/browser/dashboard.png")).exists());
}

/// The text structure of a plan picture: each label (its lines joined by ` | `), sorted;
/// the nodes marked for the dashboard; the arrows.
fn svg_structure(svg: &str) -> String {
    let mut labels: Vec<String> = svg
        .split("<text")
        .skip(1)
        .map(|t| {
            let t = t.split("</text>").next().unwrap_or("");
            t.split("<tspan")
                .skip(1)
                .filter_map(|s| s.split_once('>').map(|(_, r)| r))
                .map(|s| s.split("</tspan>").next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .filter(|l: &String| !l.is_empty())
        .collect();
    labels.sort();
    let mut nodes: Vec<usize> = svg
        .split("data-node=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    let arrows = svg.matches("marker-end").count();
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    format!(
        "nodes marked: {nodes:?}\narrows: {arrows}\nlabels:\n{}\n",
        labels.join("\n")
    )
}

fn plan_picture(code: &str) -> String {
    let dir = std::env::temp_dir().join(format!("arr-svg-{}-{}", std::process::id(), code.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plan.svg");
    let mut s = arr::Session::with_options(arr::Options {
        threads: 2,
        memory_limit: 1 << 30,
        ..arr::Options::default()
    });
    s.run(
        "<test>",
        &format!(
            "{code}\nexplain(y, path={:?})\n",
            path.display().to_string()
        ),
    )
    .unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    svg_structure(&svg)
}

#[test]
fn plan_pictures_keep_their_structure() {
    expect_test::expect_file!["../golden/plan_svg/fused_mean_slice.txt"].assert_eq(&plan_picture(
        "x = random.normal(10, 0.1, shape=[20000, 20000], chunks=[1000, 1000], seed=42)\n\
         y = (x * 2 + 1).mean(axis=0)[::100]",
    ));
    expect_test::expect_file!["../golden/plan_svg/irregular_shared.txt"].assert_eq(&plan_picture(
        "a = arange(210, chunks=[[i + 1 for i in range(20)]]).astype(f64)\n\
         y = (a * a).sum() + a.max()",
    ));
}

#[test]
fn explain_path_must_be_svg_and_arr_explain_draws_each_plan() {
    let out = Command::new(crate::arr_bin())
        .args(["-e", "explain(ones(4), path=\"plan.png\")"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: explain draws SVG"), "{err}");
    let dir = std::env::temp_dir().join(format!("arr-explain-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prog = dir.join("two.arr");
    std::fs::write(
        &prog,
        "x = ones(100, chunks=10)\nprint(x.sum())\nprint((x * 2).max())\n",
    )
    .unwrap();
    let out = Command::new(crate::arr_bin())
        .args(["explain", "--svg"])
        .arg(dir.join("p.svg"))
        .arg(&prog)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("plan: ")
            .count(),
        2
    );
    for name in ["p.svg", "p-2.svg"] {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(svg.contains("data-node=\"0\""), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
