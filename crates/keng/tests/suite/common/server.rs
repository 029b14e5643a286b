//! The real `keng` binary on a random port against a fresh database of its own: a
//! SQLite file in a temporary data dir, or a fresh PostgreSQL database when
//! KENG_TEST_DATABASE_URL is set.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sqlx::Connection;

use super::{Api, Browser, DEMO_PASSWORD, METRICS_TOKEN};

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

/// Two nodes on one PostgreSQL database — the first with the demo — or None without
/// PostgreSQL (a failure under CI=true, where the multi-node tests must run).
pub async fn two_postgresql_nodes(what: &str) -> Option<(Server, Server)> {
    two_postgresql_nodes_with(what, None).await
}

/// [`two_postgresql_nodes`], both with this keng.toml.
pub async fn two_postgresql_nodes_with(
    what: &str,
    toml: Option<String>,
) -> Option<(Server, Server)> {
    let Some(pg) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI must set KENG_TEST_DATABASE_URL: {what} needs PostgreSQL");
        }
        return None;
    };
    let a = Server::start_with(
        &pg,
        Options {
            toml: toml.clone(),
            ..Default::default()
        },
    )
    .await;
    let b = Server::start_on(
        a.db.sharing(),
        Options {
            demo: false,
            toml,
            ..Default::default()
        },
    );
    Some((a, b))
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
            .env("KENG_METRICS_TOKEN", METRICS_TOKEN)
            // The demo's own press sites would add coverage the tests did not make.
            .env("KENG_COVERAGE__DEMO_FEEDS", "false");
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
