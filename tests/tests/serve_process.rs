//! The `canvass serve` process itself: settings from the environment, logs for a file, and
//! clients that stall.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use canvass_tests::harness::surveys_dir;
use canvass_tests::load::{Serve, canvass_binary};

/// `CANVASS_TRUST_FORWARDED_FOR` takes the usual boolean spellings, and anything else stops
/// the start with a message that names the setting and the value.
#[test]
fn trust_forwarded_for_takes_the_usual_booleans_and_names_a_bad_one() {
    for good in ["1", "0", "true", "false", "yes", "no", "on", "off"] {
        let data = tempfile::tempdir().unwrap();
        let mut serve = Serve::start_with_env(
            "sqlite",
            data.path(),
            &[("CANVASS_TRUST_FORWARDED_FOR", good)],
        );
        assert!(serve.is_running(), "{good}: {}", serve.log_tail());
    }
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(canvass_binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--report-interval-hours",
            "0",
        ])
        .arg("--data")
        .arg(data.path())
        .arg("--surveys")
        .arg(surveys_dir())
        .env("CANVASS_TRUST_FORWARDED_FOR", "maybe")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("maybe") && message.contains("trust-forwarded-for"),
        "{message}"
    );
}

/// Logs written to a file (not a terminal) carry no colour codes.
#[test]
fn logs_for_a_file_have_no_colour_codes() {
    let data = tempfile::tempdir().unwrap();
    let serve = Serve::start_with("sqlite", data.path(), &[], "info");
    // One logged request, so there is a line with fields to colour.
    let mut stream = TcpStream::connect(serve.base.trim_start_matches("http://")).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while serve.log_count("route=/healthz") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = serve.log_text();
    assert!(log.contains("route=/healthz"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "ANSI escape codes in a log file:\n{log:?}"
    );
}

/// Clients that send half a request are cut off: a stalled head after the header timeout
/// (10 s), a stalled body after the request timeout (20 s, with `408`). Before these timeouts
/// every stalled connection stayed open for good.
#[test]
fn stalled_clients_are_cut_off() {
    let data = tempfile::tempdir().unwrap();
    let serve = Serve::start_with("sqlite", data.path(), &[], "warn");
    let addr = serve.base.trim_start_matches("http://").to_owned();
    let stall_head = || {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(b"POST /surveys/platform-treatment/responses HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        s
    };
    let stall_body = || {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(
            b"POST /surveys/platform-treatment/responses HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"submission_id\"",
        )
        .unwrap();
        s
    };
    let started = Instant::now();
    let heads: Vec<TcpStream> = (0..20).map(|_| stall_head()).collect();
    let bodies: Vec<TcpStream> = (0..20).map(|_| stall_body()).collect();
    for mut s in heads.into_iter().chain(bodies) {
        s.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
        let mut reply = Vec::new();
        // Ends when the server closes the connection; a timeout here means it never did.
        let read = s.read_to_end(&mut reply);
        assert!(read.is_ok(), "a stalled connection is still open: {read:?}");
        let text = String::from_utf8_lossy(&reply);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "a stalled request got {text}"
        );
    }
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(35),
        "closing the stalled connections took {waited:?}"
    );
}
