//! An HTTP proxy on 127.0.0.1 in front of a real server: it counts requests by method, and can
//! inject faults (5xx, 429, resets, stalls, a slow link) or refuse everything with a 403.
//! One request per connection (it asks the server to close), which every client here handles.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Copy)]
pub enum Mode {
    /// Forward everything untouched, counting.
    Count,
    /// Seeded faults: 500, 503, 429, a reset or a stall, on about a quarter of requests (never
    /// more than three times in a row for the same request, so that a client with bounded
    /// retries gets through: a flaky link, not a dead one), and replies that trickle out like a slow link.
    Flaky(u64),
    /// Every request answered 403.
    Forbidden,
}

pub struct Proxy {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    pub faults: Arc<AtomicUsize>,
    by_method: Arc<Mutex<BTreeMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Proxy {
    /// Requests seen so far, by method, e.g. `{"GET": 50, "HEAD": 1}`.
    pub fn by_method(&self) -> BTreeMap<String, usize> {
        self.by_method.lock().unwrap().clone()
    }

    /// Forgets the counts so far.
    pub fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.by_method.lock().unwrap().clear();
    }
}

/// One request, whole (head and a `content-length` body). A client that waits for
/// `100 Continue` gets it from here; the header is dropped before forwarding.
fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let head_end = loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let lower = head.to_ascii_lowercase();
    let len: usize = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let body = buf[head_end..].to_vec();
    let mut head: Vec<&str> = head.trim_end().split("\r\n").collect();
    if lower.contains("\r\nexpect: 100-continue") {
        head.retain(|l| !l.to_ascii_lowercase().starts_with("expect:"));
        s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").ok()?;
    }
    let mut out = head.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&body);
    let want = out.len() - body.len() + len;
    while out.len() < want {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    Some(out)
}

fn reply(c: &mut TcpStream, status: &str) {
    let _ = c.write_all(
        format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes(),
    );
}

/// Starts a proxy to `127.0.0.1:upstream`.
pub fn start(upstream: u16, mode: Mode) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let faults = Arc::new(AtomicUsize::new(0));
    let by_method = Arc::new(Mutex::new(BTreeMap::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (rq, fl, bm, st) = (
        requests.clone(),
        faults.clone(),
        by_method.clone(),
        stop.clone(),
    );
    std::thread::spawn(move || {
        let mut rng = fastrand::Rng::with_seed(match mode {
            Mode::Flaky(s) => s,
            _ => 0,
        });
        let streaks: Arc<Mutex<BTreeMap<String, u32>>> = Arc::default();
        for conn in listener.incoming() {
            if st.load(Ordering::Relaxed) {
                return;
            }
            let Ok(mut c) = conn else { continue };
            let mut roll = rng.u32(0..100);
            let (rq, fl, bm, streaks) = (rq.clone(), fl.clone(), bm.clone(), streaks.clone());
            std::thread::spawn(move || {
                let Some(req) = read_request(&mut c) else {
                    return;
                };
                rq.fetch_add(1, Ordering::Relaxed);
                let line = String::from_utf8_lossy(&req[..req.len().min(2048)])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let method = line.split(' ').next().unwrap_or("").to_string();
                *bm.lock().unwrap().entry(method).or_default() += 1;
                {
                    // Rolls below 22 fail the request (22..=24 only delay it).
                    let mut streaks = streaks.lock().unwrap();
                    let n = streaks.entry(line).or_default();
                    *n = if roll < 22 { *n + 1 } else { 0 };
                    if *n > 3 {
                        roll = 99;
                        *n = 0;
                    }
                }
                let fault = |status: Option<&str>, c: &mut TcpStream| {
                    fl.fetch_add(1, Ordering::Relaxed);
                    if let Some(s) = status {
                        reply(c, s);
                    }
                };
                match mode {
                    Mode::Forbidden => {
                        let body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
                        let _ = c.write_all(format!("HTTP/1.1 403 Forbidden\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes());
                        return;
                    }
                    Mode::Flaky(_) => match roll {
                        0..=5 => return fault(Some("500 Internal Server Error"), &mut c),
                        6..=11 => return fault(Some("503 Service Unavailable"), &mut c),
                        12..=16 => return fault(Some("429 Too Many Requests"), &mut c),
                        // The connection dropped: a reset.
                        17..=21 => return fault(None, &mut c),
                        // A stall, then the request goes through.
                        22..=24 => {
                            fault(None, &mut c);
                            std::thread::sleep(Duration::from_millis(1500))
                        }
                        _ => {}
                    },
                    Mode::Count => {}
                }
                // Forward, asking the server to close so that its reply ends at EOF.
                let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    return;
                };
                let head_end = req.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 2;
                let mut fwd = req[..head_end].to_vec();
                fwd.extend_from_slice(b"Connection: close\r\n");
                fwd.extend_from_slice(&req[head_end..]);
                if up.write_all(&fwd).is_err() {
                    return;
                }
                let mut resp = Vec::new();
                let _ = up.read_to_end(&mut resp);
                // On a flaky link the reply trickles out.
                let part = if let Mode::Flaky(_) = mode {
                    16 * 1024
                } else {
                    resp.len().max(1)
                };
                for p in resp.chunks(part) {
                    if c.write_all(p).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Proxy {
        port,
        requests,
        faults,
        by_method,
        stop,
    }
}
