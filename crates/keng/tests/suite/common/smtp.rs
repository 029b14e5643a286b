//! A local SMTP sink that keeps every message, and the decoding of what it got.

use std::time::Duration;

/// A local SMTP sink: accepts every message and keeps it (for the email tests).
pub struct SmtpSink {
    pub port: u16,
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as TokioBufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = TokioBufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut data = false;
                    let mut current = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if data {
                            if line == "." {
                                data = false;
                                store.lock().unwrap().push(std::mem::take(&mut current));
                                let _ = w.write_all(b"250 OK queued\r\n").await;
                            } else {
                                current.push_str(line.strip_prefix('.').unwrap_or(&line));
                                current.push('\n');
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("DATA") {
                            data = true;
                            b"354 go ahead\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        let _ = w.write_all(reply).await;
                    }
                });
            }
        });
        SmtpSink { port, messages }
    }

    /// Waits up to `secs` for a message containing `needle` (decoded subject or body).
    pub async fn wait_for(&self, needle: &str, secs: u64) -> Option<String> {
        for _ in 0..secs * 10 {
            if let Some(m) = self
                .messages
                .lock()
                .unwrap()
                .iter()
                .find(|m| decode_mail(m).contains(needle))
            {
                return Some(decode_mail(m));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }
}

/// Undoes the encodings lettre uses (RFC 2047 subjects, quoted-printable or base64 bodies)
/// well enough to search the text.
pub fn decode_mail(raw: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let (headers, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let unfolded = headers.replace("\n ", " ").replace("\n\t", " ");
    let word = regex::Regex::new(r"=\?[Uu][Tt][Ff]-8\?([BbQq])\?([^?]*)\?=").unwrap();
    for line in unfolded.lines() {
        let decoded = word.replace_all(line, |c: &regex::Captures| {
            if c[1].eq_ignore_ascii_case("b") {
                String::from_utf8_lossy(
                    &base64::engine::general_purpose::STANDARD
                        .decode(&c[2])
                        .unwrap_or_default(),
                )
                .to_string()
            } else {
                String::from_utf8_lossy(&qp(&c[2].replace('_', " "))).to_string()
            }
        });
        out.push_str(&decoded.replace("?= =?", ""));
        out.push('\n');
    }
    let lower = headers.to_ascii_lowercase();
    if lower.contains("content-transfer-encoding: base64") {
        let joined: String = body.lines().collect();
        out.push_str(&String::from_utf8_lossy(
            &base64::engine::general_purpose::STANDARD
                .decode(joined.trim())
                .unwrap_or_default(),
        ));
    } else if lower.contains("quoted-printable") {
        out.push_str(&String::from_utf8_lossy(&qp(&body.replace("=\n", ""))));
    } else {
        out.push_str(body);
    }
    out
}

fn qp(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}
