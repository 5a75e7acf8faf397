//! The live dashboard: an HTTP server inside the process (tiny_http) serving one page whose
//! HTML, script and styles are compiled into the binary (no CDN, no network), fed by a
//! Server-Sent Events stream (`/events`) built from exec's progress events
//! (`collect.rs`). `arr --dashboard [ADDR]`, the REPL's `:dashboard` and
//! `Session::start_dashboard` start it; it binds loopback unless given another address.
//! While no dashboard runs, `ExecConfig::events` is `None` and the executor pays nothing.

pub mod collect;
mod session;

use crate::exec::events::SinkRef;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The address `--dashboard` binds without one.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

const PAGE_HTML: &str = include_str!("page.html");
const PAGE_JS: &str = include_str!("page.js");
const PAGE_CSS: &str = include_str!("page.css");

/// A running dashboard; dropping it sends `bye`, closes every stream and stops the server.
pub struct Dashboard {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    shared: Arc<collect::Shared>,
    sink: SinkRef,
    stop: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
    acceptor: Option<std::thread::JoinHandle<()>>,
    streams: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

/// Sorts out `--dashboard [ADDR] FILE.arr ARGS`: when the option's value does not look like
/// an address (`host:port` or a port), it was the script, so the address is the default and
/// the script and its arguments move over by one. Returns the address, file and arguments.
pub fn split_addr(
    value: Option<String>,
    file: Option<String>,
    mut args: Vec<String>,
) -> (Option<String>, Option<String>, Vec<String>) {
    let Some(v) = value else {
        return (None, file, args);
    };
    let port = |p: &str| !p.is_empty() && p.parse::<u16>().is_ok();
    let is_addr = port(&v) || v.rsplit_once(':').is_some_and(|(_, p)| port(p));
    if is_addr {
        let addr = if port(&v) {
            format!("127.0.0.1:{v}")
        } else {
            v
        };
        return (Some(addr), file, args);
    }
    if let Some(f) = file {
        args.insert(0, f);
    }
    (Some(DEFAULT_ADDR.to_string()), Some(v), args)
}

impl Dashboard {
    /// Starts serving on `addr` (`host:port`; port 0 picks a free one).
    pub fn start(addr: &str) -> Result<Dashboard, String> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| format!("cannot serve the dashboard on {addr}: {e}"))?;
        let bound = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| format!("cannot serve the dashboard on {addr}: not an IP address"))?;
        let server = Arc::new(server);
        let shared = Arc::new(collect::Shared::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (collector, ticker) = collect::start(shared.clone(), stop.clone());
        let streams = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (server, shared, streams) = (server.clone(), shared.clone(), streams.clone());
            std::thread::Builder::new()
                .name("arr-dashboard".into())
                .spawn(move || accept(&server, &shared, &streams))
                .map_err(|e| format!("cannot start the dashboard: {e}"))?
        };
        Ok(Dashboard {
            addr: bound,
            server,
            shared,
            sink: collector,
            stop,
            ticker: Some(ticker),
            acceptor: Some(acceptor),
            streams,
        })
    }

    /// The address it serves.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The sink to put in `ExecConfig::events`.
    pub fn sink(&self) -> SinkRef {
        self.sink.clone()
    }

    /// Waits until a page has opened the event stream, at most `timeout`; says whether one
    /// did.
    pub fn wait_for_page(&self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let Ok(mut log) = self.shared.log.lock() else {
            return false;
        };
        while log.clients == 0 {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.shared.wake.wait_timeout(log, left) {
                Ok((l, _)) => log = l,
                Err(_) => return false,
            }
        }
        true
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        let streams: Vec<_> = self
            .streams
            .lock()
            .map(|mut s| s.drain(..).collect())
            .unwrap_or_default();
        for s in streams {
            let _ = s.join();
        }
        self.server.unblock();
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }
}

fn accept(
    server: &tiny_http::Server,
    shared: &Arc<collect::Shared>,
    streams: &Mutex<Vec<std::thread::JoinHandle<()>>>,
) {
    for request in server.incoming_requests() {
        let path = request.url().split('?').next().unwrap_or("").to_string();
        let (body, mime) = match path.as_str() {
            "/" | "/index.html" => (PAGE_HTML, "text/html; charset=utf-8"),
            "/app.js" => (PAGE_JS, "text/javascript; charset=utf-8"),
            "/app.css" => (PAGE_CSS, "text/css; charset=utf-8"),
            "/events" => {
                let shared = shared.clone();
                let writer = request.into_writer();
                if let Ok(handle) = std::thread::Builder::new()
                    .name("arr-dashboard-stream".into())
                    .spawn(move || stream(writer, &shared))
                    && let Ok(mut s) = streams.lock()
                {
                    s.push(handle);
                }
                continue;
            }
            _ => {
                let _ = request
                    .respond(tiny_http::Response::from_string("not found").with_status_code(404));
                continue;
            }
        };
        let mut response = tiny_http::Response::from_string(body);
        if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", mime) {
            response = response.with_header(h);
        }
        if let Ok(h) = tiny_http::Header::from_bytes("Cache-Control", "no-store") {
            response = response.with_header(h);
        }
        let _ = request.respond(response);
    }
}

/// Writes the event stream: every message of the log from the current run's plan on, then
/// each new one as it comes, until the log closes (then the connection ends).
fn stream(mut out: Box<dyn Write + Send>, shared: &collect::Shared) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    let mut next = match shared.log.lock() {
        Ok(mut log) => {
            log.clients += 1;
            shared.wake.notify_all();
            log.run_start
        }
        Err(_) => return,
    };
    loop {
        let (batch, closed) = {
            let Ok(mut log) = shared.log.lock() else {
                return;
            };
            while next >= log.base + log.msgs.len() && !log.closed {
                match shared.wake.wait_timeout(log, Duration::from_secs(5)) {
                    Ok((l, timeout)) => {
                        log = l;
                        if timeout.timed_out() {
                            break;
                        }
                    }
                    Err(_) => return,
                }
            }
            next = next.max(log.base);
            let batch: Vec<Arc<str>> = log.msgs[next - log.base..].to_vec();
            next += batch.len();
            (batch, log.closed && next >= log.base + log.msgs.len())
        };
        let mut text = String::new();
        for msg in &batch {
            text.push_str("data: ");
            text.push_str(msg);
            text.push_str("\n\n");
        }
        if batch.is_empty() && !closed {
            // Keeps proxies and the browser from timing the stream out.
            text.push_str(": keep-alive\n\n");
        }
        if out
            .write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
        if closed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_ADDR, split_addr};

    fn split(
        v: Option<&str>,
        f: Option<&str>,
        a: &[&str],
    ) -> (Option<String>, Option<String>, Vec<String>) {
        split_addr(
            v.map(String::from),
            f.map(String::from),
            a.iter().map(|s| s.to_string()).collect(),
        )
    }

    #[test]
    fn the_optional_address_is_told_from_the_script() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            split(None, Some("f.arr"), &["1"]),
            (None, s("f.arr"), vec!["1".into()])
        );
        assert_eq!(
            split(Some("0.0.0.0:9000"), Some("f.arr"), &[]),
            (s("0.0.0.0:9000"), s("f.arr"), vec![])
        );
        assert_eq!(
            split(Some("9000"), Some("f.arr"), &[]),
            (s("127.0.0.1:9000"), s("f.arr"), vec![])
        );
        assert_eq!(
            split(Some("localhost:80"), None, &[]),
            (s("localhost:80"), None, vec![])
        );
        // `arr --dashboard f.arr 1 2`: the script was taken as the address.
        assert_eq!(
            split(Some("f.arr"), Some("1"), &["2"]),
            (s(DEFAULT_ADDR), s("f.arr"), vec!["1".into(), "2".into()])
        );
    }

    #[test]
    fn bars_merge_per_worker_and_node() {
        let bars = vec![
            [0, 1, 5, 9, 1],
            [0, 1, 1, 3, 1],
            [1, 1, 2, 4, 1],
            [0, 2, 0, 1, 1],
        ];
        assert_eq!(
            super::collect::merge_bars(bars),
            vec![[0, 1, 1, 9, 2], [0, 2, 0, 1, 1], [1, 1, 2, 4, 1]]
        );
    }
}
