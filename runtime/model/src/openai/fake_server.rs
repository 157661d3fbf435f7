//! A local HTTP server that plays a script of replies, for testing retries and timeouts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answers with a status, extra headers and a body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// Reads the request and waits this long before answering 200 with `{}`: longer than the
    /// client's timeout, it is a timeout.
    Stall(Duration),
    /// Closes the connection without answering.
    Hangup,
}

impl Reply {
    /// A 200 reply carrying a chat completion with `text`.
    pub fn completion(text: &str) -> Self {
        let body = serde_json::json!({
            "choices": [{"message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3},
        });
        Self::Status(200, Vec::new(), body.to_string())
    }

    /// An error status with a short body.
    pub fn error(status: u16) -> Self {
        Self::Status(
            status,
            Vec::new(),
            format!("{{\"error\": \"status {status}\"}}"),
        )
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `POST /v1/chat/completions`.
    pub request_line: String,
    /// Header lines, lowercase names.
    pub headers: Vec<String>,
    /// The body.
    pub body: String,
}

/// The server: one reply per connection, in the order connections arrive, then it stops.
pub struct FakeServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts a server that answers with `replies`, one connection each.
    pub fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        // Each connection gets its own thread: a stalled reply must not hold up the retry.
        let thread = std::thread::spawn(move || {
            let mut connections = Vec::new();
            for reply in replies {
                let Ok((stream, _)) = listener.accept() else {
                    break;
                };
                let log = Arc::clone(&log);
                connections.push(std::thread::spawn(move || serve(stream, reply, &log)));
            }
            for connection in connections {
                let _ = connection.join();
            }
        });
        Self {
            url,
            seen,
            thread: Some(thread),
        }
    }

    /// The requests received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until every reply was given.
    pub fn finish(mut self) -> Vec<Seen> {
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        self.seen()
    }
}

fn serve(stream: TcpStream, reply: Reply, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let line = line.trim_end().to_ascii_lowercase();
        if let Some(value) = line.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        headers.push(line);
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    log.lock().unwrap().push(Seen {
        request_line: request_line.trim_end().to_owned(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let (status, extra, body) = match reply {
        Reply::Hangup => return,
        Reply::Stall(wait) => {
            std::thread::sleep(wait);
            (200, Vec::new(), "{}".to_owned())
        }
        Reply::Status(status, extra, body) => (status, extra, body),
    };
    let mut response = format!(
        "HTTP/1.1 {status} Fake\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&body);
    let mut stream = stream;
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}
