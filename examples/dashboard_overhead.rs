//! What the dashboard's events cost: 10^6 tiny tasks (a sum over blocks of one element)
//! with no dashboard, with a dashboard that no page has open, and with a page following
//! the event stream, in the same process, alternating, best of three each.
//!
//! `cargo run --release --example dashboard_overhead`

use std::io::{Read, Write};
use std::time::{Duration, Instant};

const PROGRAM: &str = "print(ones(1000000, chunks=1).sum())";

fn time(s: &mut arr::Session) -> f64 {
    let t = Instant::now();
    let out = s.eval_to_string(PROGRAM).expect("the program runs");
    assert_eq!(out, "1000000.0\n");
    t.elapsed().as_secs_f64()
}

fn main() {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let opts = || arr::Options {
        threads,
        progress: false,
        ..arr::Options::default()
    };
    let mut off = arr::Session::with_options(opts());
    let mut idle = arr::Session::with_options(opts());
    idle.start_dashboard("127.0.0.1:0")
        .expect("dashboard starts");
    let mut watched = arr::Session::with_options(opts());
    let url = watched
        .start_dashboard("127.0.0.1:0")
        .expect("dashboard starts");
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let reader = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        write!(
            s,
            "GET /events HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        buf.len()
    });
    assert!(watched.wait_for_dashboard_page(Duration::from_secs(10)));
    let (mut a, mut b, mut c) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..3 {
        a = a.min(time(&mut off));
        b = b.min(time(&mut idle));
        c = c.min(time(&mut watched));
    }
    watched.stop_dashboard();
    let streamed = reader.join().unwrap_or(0);
    println!("10^6 tiny tasks on {threads} threads, best of 3:");
    println!("  no dashboard:              {a:.3} s");
    println!(
        "  dashboard, no page open:   {b:.3} s ({:+.1} %)",
        100.0 * (b / a - 1.0)
    );
    println!(
        "  dashboard, page following: {c:.3} s ({:+.1} %), {streamed} bytes streamed",
        100.0 * (c / a - 1.0)
    );
}
