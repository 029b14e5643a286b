//! The command line and operations: `keng user add`, `token create` (prints only the
//! token), `passwd`, `check`, `migrate`, environment variables for the data dir and the
//! database; /healthz, /readyz, /metrics; JSON logs; graceful shutdown; an idle server
//! sleeps.

use crate::common;

use std::io::Write;
use std::process::Stdio;

use common::{backends, Backend, Server, TestDb};
use reqwest::StatusCode;

fn run_with_stdin(mut cmd: std::process::Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_command_line_manages_accounts_and_tokens() {
    for backend in backends() {
        let t = TestDb::new(&backend).await;
        let out = t.command().arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let mut add = t.command();
        add.args([
            "user",
            "add",
            "--username",
            "Admin.One",
            "--role",
            "admin",
            "--name",
            "Quản trị viên",
            "--password-stdin",
        ]);
        let out = run_with_stdin(add, "một mật khẩu đủ dài\n");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // Bad input is explained, in Vietnamese and English, with a non-zero exit.
        let mut bad = t.command();
        bad.args([
            "user",
            "add",
            "--username",
            "x",
            "--role",
            "leader",
            "--password-stdin",
        ]);
        let out = run_with_stdin(bad, "short\n");
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Mật khẩu cần ít nhất 10 ký tự") && err.contains("at least 10 characters"),
            "{err}"
        );
        let mut role = t.command();
        role.args([
            "user",
            "add",
            "--username",
            "abc",
            "--role",
            "king",
            "--password-stdin",
        ]);
        assert!(!run_with_stdin(role, "long enough password\n")
            .status
            .success());

        // token create prints only the token.
        let out = t
            .command()
            .args(["token", "create", "--username", "admin.one", "--name", "ci"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(out.stdout).unwrap();
        let token = token.trim_end_matches('\n');
        assert!(
            token.starts_with("keng_") && !token.contains(char::is_whitespace),
            "{token:?}"
        );

        // The password can be changed from the command line; the old one stops working.
        let mut pw = t.command();
        pw.args([
            "user",
            "passwd",
            "--username",
            "admin.one",
            "--password-stdin",
        ]);
        assert!(run_with_stdin(pw, "mật khẩu mới thật dài\n")
            .status
            .success());

        let out = t.command().arg("check").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("database: ok") && text.contains("1 accounts"),
            "{text}"
        );
        assert!(text.contains("metrics: off"), "{text}");

        // The server, started without --demo, knows the account and its token.
        let s = Server::start_on(
            t,
            common::Options {
                demo: false,
                ..Default::default()
            },
        );
        let (st, me) = s.api(Some(token)).get("/api/v1/me").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(me["username"], "admin.one");
        assert_eq!(me["display_name"], "Quản trị viên");
        let b = s.browser();
        let r = b
            .submit(
                "/login",
                "/login",
                &[
                    ("username", "admin.one"),
                    ("password", "một mật khẩu đủ dài"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        b.login("admin.one", "mật khẩu mới thật dài").await;
    }
}

#[tokio::test]
async fn environment_variables_choose_the_data_dir_and_database() {
    let t = TestDb::new(&Backend::Sqlite).await;
    let out = std::process::Command::new(common::bin())
        .arg("migrate")
        .env("KENG_DATA_DIR", &t.data_dir)
        .env_remove("KENG_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(t.sqlite_file().exists(), "KENG_DATA_DIR was honoured");
    // A database URL of an unknown kind is refused clearly.
    let out = std::process::Command::new(common::bin())
        .args(["check"])
        .env("KENG_DATA_DIR", &t.data_dir)
        .env("KENG_DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    // A broken keng.toml is reported, not ignored.
    std::fs::write(
        t.data_dir.join("keng.toml"),
        "[clocks]\ninitial_information_hours = -3\n",
    )
    .unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["check"])
        .env("KENG_DATA_DIR", &t.data_dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("initial_information_hours"));
}

#[tokio::test]
async fn operations_endpoints_report_health_and_metrics() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        let b = s.browser();
        assert_eq!(b.text("/healthz").await, (StatusCode::OK, "ok".to_string()));
        assert_eq!(
            b.text("/readyz").await,
            (StatusCode::OK, "ready".to_string())
        );
        b.get("/login").await;
        b.get("/users/0190").await;
        // Not public: 404 without the metrics token, and with a wrong one.
        assert_eq!(b.get("/metrics").await.status(), StatusCode::NOT_FOUND);
        let r = s
            .api(Some("not-the-metrics-token-at-all"))
            .get("/metrics")
            .await;
        assert_eq!(r.0, StatusCode::NOT_FOUND);
        // A signed-in admin's session is no metrics credential either.
        let admin = s.browser();
        admin.login("quantri", common::DEMO_PASSWORD).await;
        assert_eq!(admin.get("/metrics").await.status(), StatusCode::NOT_FOUND);
        let (st, m) = s.metrics().await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            m.contains("keng_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}"),
            "{m}"
        );
        assert!(
            m.contains("route=\"/users/{id}\""),
            "ids are folded into the route template"
        );
        assert!(m.contains("keng_http_request_duration_seconds"));
        assert!(m.contains("keng_db_pool_connections"));
        assert!(m.contains("keng_event_log_head"));
    }
}

#[tokio::test]
async fn metrics_can_be_served_on_a_separate_address_only() {
    for backend in backends() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let opts = common::Options {
            toml: Some(format!("metrics_listen = \"127.0.0.1:{port}\"\n")),
            env: vec![("KENG_METRICS_TOKEN".into(), String::new())],
            ..Default::default()
        };
        let s = Server::start_with(&backend, opts).await;
        s.browser().get("/login").await;
        // The main listener: no metrics, whatever is presented.
        assert_eq!(
            s.browser().get("/metrics").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(s.metrics().await.0, StatusCode::NOT_FOUND);
        // The metrics listener: metrics, and nothing else.
        let client = reqwest::Client::new();
        let r = client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("keng_http_requests_total"));
        let r = client
            .get(format!("http://127.0.0.1:{port}/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // `keng check` says where metrics are served.
        let out = s.db.command().arg("check").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("metrics: on 127.0.0.1:{port} only")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_server_logs_json_and_shuts_down_gracefully() {
    let t = TestDb::new(&Backend::Sqlite).await;
    let mut child = t
        .command()
        .args([
            "--log-format",
            "json",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--demo",
        ])
        .env("KENG_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(a) = l.strip_prefix("keng listening on ") {
                let _ = tx.send(a.to_string());
            }
        }
    });
    let base = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    // Requests in flight when SIGTERM arrives still complete.
    let client = reqwest::Client::new();
    // Forty requests; SIGTERM goes out once five have completed, the rest in flight.
    let mut inflight: futures::stream::FuturesUnordered<_> = (0..40)
        .map(|_| {
            let c = client.clone();
            let url = format!("{base}/tin");
            async move { c.get(url).send().await }
        })
        .collect();
    let mut results = Vec::new();
    while let Some(r) = futures::StreamExt::next(&mut inflight).await {
        results.push(r);
        if results.len() == 5 {
            std::process::Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status()
                .unwrap();
        }
    }
    let ok = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.status() == StatusCode::OK))
        .count();
    // No accepted request is answered with an error: each either completed, or never
    // reached the application (refused, or closed in the accept backlog at shutdown).
    let server_errors = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.status().is_server_error()))
        .count();
    let not_transport = results
        .iter()
        .filter(|r| {
            r.as_ref()
                .is_err_and(|e| !(e.is_connect() || e.is_request()))
        })
        .count();
    assert_eq!((server_errors, not_transport), (0, 0));
    assert!(ok >= 5, "requests completed up to and during shutdown");
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut std::io::BufReader::new(stderr), &mut logs).unwrap();
    let json_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!json_lines.is_empty(), "logs are JSON: {logs}");
    assert!(json_lines
        .iter()
        .any(|l| l["fields"]["message"] == "listening"));
    assert!(json_lines
        .iter()
        .any(|l| l["fields"]["message"] == "stopped"));
}

/// CPU time (user + system) the process has used so far, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/pid/stat");
    // The command name (field 2) may hold spaces: count fields after its closing ')'.
    let rest = &stat[stat.rfind(')').expect("stat has a comm field") + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime");
    let hz = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    ticks / hz
}

/// Regression: the followers, the search indexer and the webhook dispatcher woke each
/// other forever (every cursor write woke every loop): an idle demo server used most of
/// a core. Now only commits that queue work wake anybody.
#[tokio::test]
async fn an_idle_server_sleeps() {
    for backend in backends() {
        let s = Server::start(&backend).await;
        // Let start-up work (the demo's search index, due releases) finish.
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        let before = cpu_seconds(s.pid());
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        let used = cpu_seconds(s.pid()) - before;
        assert!(
            used < 0.3,
            "{}: an idle server used {used:.2} s of CPU in 6 s",
            backend.name()
        );
        let (st, m) = s.metrics().await;
        assert_eq!(st, StatusCode::OK);
        assert!(m.contains("keng_wakeups_total"), "{m}");
    }
}
