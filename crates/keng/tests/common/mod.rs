//! The test harness: starts the real `keng` binary on a random port against a fresh
//! database — a SQLite file in a temporary data dir, and, when KENG_TEST_DATABASE_URL
//! is set, a fresh PostgreSQL database of its own — and talks HTTP to it like a browser
//! (cookies, CSRF tokens from the forms) or like an API client (Bearer tokens).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use sqlx::Connection;

pub const DEMO_PASSWORD: &str = "kengdemo2025";

/// The `metrics_token` every test server has (`/metrics` is closed without it).
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// SQLite always; PostgreSQL too when KENG_TEST_DATABASE_URL is set.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("KENG_TEST_DATABASE_URL") {
        if !url.is_empty() {
            v.push(Backend::Postgres(url));
        }
    }
    v
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_keng")
}

/// A fresh, empty temporary directory under the target dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = base.join(format!("{tag}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A database for one test: a data dir, and on PostgreSQL a database of its own.
pub struct TestDb {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: &Backend) -> TestDb {
        let data_dir = temp_dir(backend.name());
        match backend {
            Backend::Sqlite => TestDb {
                data_dir,
                database_url: None,
                pg_admin_url: None,
                pg_name: None,
            },
            Backend::Postgres(admin) => {
                let name = format!("keng_t_{}", uuid::Uuid::now_v7().simple());
                let mut conn = sqlx::PgConnection::connect(admin)
                    .await
                    .expect("connect to KENG_TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(admin).expect("KENG_TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDb {
                    data_dir,
                    database_url: Some(url.to_string()),
                    pg_admin_url: Some(admin.clone()),
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Another node's view of the same database: its own data dir, the same PostgreSQL
    /// database (dropped only by the original).
    pub fn sharing(&self) -> TestDb {
        TestDb {
            data_dir: temp_dir("node"),
            database_url: self.database_url.clone(),
            pg_admin_url: None,
            pg_name: None,
        }
    }

    /// `keng` with this database's --data-dir and --database-url.
    pub fn command(&self) -> Command {
        let mut c = Command::new(bin());
        c.arg("--data-dir").arg(&self.data_dir);
        if let Some(u) = &self.database_url {
            c.arg("--database-url").arg(u);
        }
        c.env_remove("KENG_DATABASE_URL")
            .env_remove("KENG_DATA_DIR")
            .env("KENG_LOG", "warn,html5ever=error");
        c
    }

    pub fn sqlite_file(&self) -> PathBuf {
        self.data_dir.join("keng.sqlite3")
    }

    /// Opens the application's storage layer directly (for the storage tests).
    pub async fn open(&self) -> keng::platform::db::Db {
        let loc =
            keng::platform::db::Location::from_args(&self.data_dir, self.database_url.as_deref())
                .expect("location");
        keng::platform::db::Db::open_migrated(&loc)
            .await
            .expect("open database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let (Some(admin), Some(name)) = (self.pg_admin_url.clone(), self.pg_name.clone()) {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A running `keng serve`.
pub struct Server {
    child: Child,
    pub base: String,
    pub db: TestDb,
}

pub struct Options {
    pub demo: bool,
    pub env: Vec<(String, String)>,
    pub toml: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo: true,
            env: Vec::new(),
            toml: None,
        }
    }
}

impl Server {
    pub async fn start(backend: &Backend) -> Server {
        Server::start_with(backend, Options::default()).await
    }

    pub async fn start_with(backend: &Backend, opts: Options) -> Server {
        let db = TestDb::new(backend).await;
        Server::start_on(db, opts)
    }

    /// Starts a server on an existing database.
    pub fn start_on(db: TestDb, opts: Options) -> Server {
        if let Some(t) = &opts.toml {
            std::fs::write(db.data_dir.join("keng.toml"), t).expect("write keng.toml");
        }
        let mut cmd = db.command();
        cmd.arg("serve").arg("--listen").arg("127.0.0.1:0");
        if opts.demo {
            cmd.arg("--demo");
        }
        // Webhook receivers of the tests listen on loopback, which production refuses
        // unless allowed; tests that check the refusal override this with "[]".
        cmd.env("KENG_WEBHOOKS__ALLOW_PRIVATE", r#"["127.0.0.1/8"]"#)
            .env("KENG_METRICS_TOKEN", METRICS_TOKEN);
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("start keng serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(addr) = line.strip_prefix("keng listening on ") {
                        let _ = tx.send(addr.trim().to_string());
                        sent = true;
                    }
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(90)) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!("keng serve did not start within 90 s");
            }
        };
        Server { child, base, db }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    pub fn api(&self, token: Option<&str>) -> Api {
        Api {
            client: plain_client(),
            base: self.base.clone(),
            token: token.map(str::to_string),
        }
    }

    /// `/metrics` with the test servers' metrics token.
    pub async fn metrics(&self) -> (StatusCode, String) {
        let r = plain_client()
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("GET /metrics");
        let s = r.status();
        (s, r.text().await.unwrap_or_default())
    }

    /// A token for a demo account, through the real login and profile pages.
    pub async fn token_for(&self, username: &str) -> String {
        let b = self.browser();
        b.login(username, DEMO_PASSWORD).await;
        b.create_token("test").await
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the process to end (returns its exit status).
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..200 {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Stops the server and hands back its database.
    pub fn stop(mut self) -> TestDb {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let db = std::mem::replace(
            &mut self.db,
            TestDb {
                data_dir: PathBuf::new(),
                database_url: None,
                pg_admin_url: None,
                pg_name: None,
            },
        );
        std::mem::forget(self);
        db
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// A browser: a cookie jar, no automatic redirects, CSRF tokens read from the forms.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub fn csrf_of(html: &str) -> Option<String> {
    let re = regex::Regex::new(r#"name="_csrf" value="([^"]+)""#).ok()?;
    re.captures(html).map(|c| c[1].to_string())
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(0)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        Browser {
            client,
            base: base.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("GET")
    }

    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.text().await.unwrap_or_default())
    }

    /// The CSRF token of the form on `page`.
    pub async fn csrf(&self, page: &str) -> String {
        let (status, html) = self.text(page).await;
        csrf_of(&html).unwrap_or_else(|| panic!("no CSRF token on {page} ({status})"))
    }

    /// Posts a form with the CSRF token taken from `page`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf(page).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("_csrf", &token));
        self.client
            .post(format!("{}{}", self.base, action))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form with an explicit (or no) CSRF token.
    pub async fn post_raw(&self, action: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{}", self.base, action))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login(&self, username: &str, password: &str) {
        let r = self
            .submit(
                "/login",
                "/login",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            r.text().await.unwrap_or_default()
        );
    }

    /// Creates an API token on the profile page and returns its secret.
    pub async fn create_token(&self, name: &str) -> String {
        let r = self
            .submit("/profile", "/profile/tokens", &[("name", name)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap_or_default();
        let re = regex::Regex::new(r"<code>(keng_[A-Za-z0-9_-]+)</code>").expect("regex");
        re.captures(&html)
            .map(|c| c[1].to_string())
            .expect("token shown once on the profile page")
    }
}

/// An API client with an optional Bearer token.
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn get(&self, path: &str) -> (StatusCode, serde_json::Value) {
        let r = self
            .req(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET");
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let r = self
            .req(method, path)
            .json(body)
            .send()
            .await
            .expect("request");
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
}

/// The id of the demo account or agency etc. found through the API.
pub async fn user_id(api: &Api, username: &str) -> String {
    let (s, users) = api.get("/api/v1/users").await;
    assert_eq!(s, StatusCode::OK);
    users
        .as_array()
        .and_then(|a| a.iter().find(|u| u["username"] == username))
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no user {username}"))
}

pub async fn agency_id(api: &Api, code: &str) -> String {
    let (_, agencies) = api.get("/api/v1/agencies").await;
    agencies
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == code))
        .and_then(|x| x["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no agency {code}"))
}

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

/// A webhook receiver on loopback: records each request's headers and body, and answers
/// with the statuses it is given in turn (then 200).
/// The requests a receiver got: headers and body of each.
pub type Received =
    std::sync::Arc<std::sync::Mutex<Vec<(std::collections::HashMap<String, String>, String)>>>;

pub struct Receiver {
    pub url: String,
    pub requests: Received,
}

impl Receiver {
    pub async fn start(fail_first: Vec<u16>) -> Receiver {
        use axum::routing::post;
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let failures = std::sync::Arc::new(std::sync::Mutex::new(fail_first));
        let (req_store, fails) = (requests.clone(), failures.clone());
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let (req_store, fails) = (req_store.clone(), fails.clone());
                async move {
                    let h = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect();
                    req_store.lock().unwrap().push((h, body));
                    let mut f = fails.lock().unwrap();
                    let code = if f.is_empty() { 200 } else { f.remove(0) };
                    axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::OK)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, requests }
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}
