//! Storage on both backends: the two migration sets describe the same schema; the audit
//! log is append-only (no code path updates or deletes it, and the database refuses);
//! the event log's followers resume after a restart and, on PostgreSQL, share the work
//! between nodes without losing or reordering events; `keng backup` taken while writes
//! go on restores to a working database.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use common::{backends, Backend, Server, TestDb};
use keng::args;
use keng::platform::audit::{record_change, Origin};
use keng::platform::db::Db;
use keng::platform::events::{self, Event, Follower};
use reqwest::StatusCode;

/// (table, column) pairs and index names of a migrated database.
async fn schema(db: &Db) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
    let mut cols = BTreeSet::new();
    let mut idx = BTreeSet::new();
    match db.backend() {
        keng::platform::db::Backend::Sqlite => {
            let tables = db
                .fetch_all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'", &[])
                .await
                .unwrap();
            for t in tables {
                let name = t.str("name").unwrap();
                for c in db
                    .fetch_all(
                        &format!("SELECT name FROM pragma_table_info('{name}')"),
                        &[],
                    )
                    .await
                    .unwrap()
                {
                    cols.insert((name.clone(), c.str("name").unwrap()));
                }
            }
            for i in db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'", &[]).await.unwrap() {
                idx.insert(i.str("name").unwrap());
            }
        }
        keng::platform::db::Backend::Postgres => {
            for c in db
                .fetch_all("SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'", &[])
                .await
                .unwrap()
            {
                cols.insert((c.str("t").unwrap(), c.str("c").unwrap()));
            }
            for i in db
                .fetch_all("SELECT indexname::text AS n FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' AND tablename NOT LIKE '_sqlx%'", &[])
                .await
                .unwrap()
            {
                idx.insert(i.str("n").unwrap());
            }
        }
    }
    (cols, idx)
}

/// Both migration folders hold the same files (by name), whatever the test database.
#[test]
fn both_backends_have_the_same_migrations() {
    let names = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect()
    };
    let (lite, pg) = (names("sqlite"), names("postgres"));
    assert!(lite.len() >= 7, "{lite:?}");
    assert_eq!(lite, pg, "a migration exists for one backend only");
    for n in &lite {
        let version = n.split('_').next().unwrap_or("");
        assert!(
            version.len() == 14 && version.chars().all(|c| c.is_ascii_digit()),
            "{n}: migrations are named <yyyymmddhhmmss>_<capability>_<what>.sql"
        );
    }
}

#[tokio::test]
async fn migrations_describe_the_same_schema_on_both_backends() {
    let Some(pg) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI must set KENG_TEST_DATABASE_URL: the schema comparison needs PostgreSQL");
        }
        eprintln!("KENG_TEST_DATABASE_URL not set: schema comparison runs only with PostgreSQL");
        return;
    };
    let lite = TestDb::new(&Backend::Sqlite).await;
    let post = TestDb::new(&pg).await;
    let (lc, li) = schema(&lite.open().await).await;
    let (pc, pi) = schema(&post.open().await).await;
    assert!(lc.len() > 60, "sqlite schema looks empty: {lc:?}");
    let only_lite: Vec<_> = lc.difference(&pc).collect();
    let only_pg: Vec<_> = pc.difference(&lc).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "columns drift:\n only in SQLite: {only_lite:?}\n only in PostgreSQL: {only_pg:?}"
    );
    assert_eq!(li, pi, "indexes drift");
    // The migration files are in step too: same names in both folders.
    let names = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    // No code path issues UPDATE or DELETE against audit_log.
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let re = regex::Regex::new(r"(?i)(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log)").unwrap();
    fn files(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    files(std::path::Path::new(src), &mut all);
    for f in &all {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        assert!(
            !re.is_match(&text),
            "{} touches audit_log rows",
            f.display()
        );
    }
    // And the database refuses, on every backend.
    for backend in backends() {
        let t = TestDb::new(&backend).await;
        let db = t.open().await;
        let mut tx = db.begin().await.unwrap();
        record_change(
            &mut tx,
            &Origin::system("test"),
            "test.done",
            "test",
            "1",
            None,
            Some(serde_json::json!({"a": 1})),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let n = db
            .fetch_one("SELECT COUNT(*) AS n FROM audit_log", &[])
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(n, 1);
        let mut tx = db.begin().await.unwrap();
        let upd = tx
            .execute("UPDATE audit_log SET actor_name = $1", args!["mallory"])
            .await;
        assert!(
            upd.is_err(),
            "{}: UPDATE on audit_log must fail",
            backend.name()
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let del = tx.execute("DELETE FROM audit_log", &[]).await;
        assert!(
            del.is_err(),
            "{}: DELETE on audit_log must fail",
            backend.name()
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        assert!(
            tx.execute("UPDATE events SET kind = $1", args!["x"])
                .await
                .is_err(),
            "events are append-only too"
        );
        drop(tx);
        let row = db
            .fetch_one("SELECT actor_name FROM audit_log", &[])
            .await
            .unwrap();
        assert_eq!(row.str("actor_name").unwrap(), "test");
        db.close().await;
    }
}

/// A follower that records what it sees, optionally failing on one event once.
struct Recorder {
    name: String,
    seen: Arc<Mutex<Vec<i64>>>,
    fail_on: Mutex<Option<i64>>,
}

#[async_trait::async_trait]
impl Follower for Recorder {
    fn name(&self) -> &str {
        &self.name
    }
    async fn handle(&self, _db: &Db, e: &Event) -> anyhow::Result<()> {
        let mut f = self.fail_on.lock().unwrap();
        if *f == Some(e.id) {
            *f = None;
            anyhow::bail!("transient failure");
        }
        self.seen.lock().unwrap().push(e.id);
        Ok(())
    }
}

async fn append(db: &Db, n: usize) {
    for i in 0..n {
        let mut tx = db.begin().await.unwrap();
        events::append(
            &mut tx,
            "test.event",
            "test",
            &i.to_string(),
            None,
            &serde_json::json!({"i": i}),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn followers_resume_after_restart_and_retry_failures() {
    for backend in backends() {
        let t = TestDb::new(&backend).await;
        let db = t.open().await;
        append(&db, 30).await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let rec = Recorder {
            name: "recorder".into(),
            seen: seen.clone(),
            fail_on: Mutex::new(None),
        };
        let ids: Vec<i64> = events::read_after(&db, 0, 1000)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        *rec.fail_on.lock().unwrap() = Some(ids[10]);
        // The failure stops the batch at event 11; the cursor keeps the ten before it.
        assert!(events::run_batch(&db, &rec).await.is_err());
        assert_eq!(seen.lock().unwrap().len(), 10);
        // A "restart": a new follower object with the same name resumes at the cursor.
        let rec2 = Recorder {
            name: "recorder".into(),
            seen: seen.clone(),
            fail_on: Mutex::new(None),
        };
        while events::run_batch(&db, &rec2).await.unwrap() > 0 {}
        assert_eq!(
            *seen.lock().unwrap(),
            ids,
            "{}: every event once, in order",
            backend.name()
        );
        append(&db, 5).await;
        while events::run_batch(&db, &rec2).await.unwrap() > 0 {}
        assert_eq!(seen.lock().unwrap().len(), 35);
        let cur = events::cursors(&db).await.unwrap();
        assert_eq!(
            cur,
            vec![("recorder".to_string(), events::head(&db).await.unwrap())]
        );
        db.close().await;
    }
}

#[tokio::test]
async fn on_postgresql_nodes_share_a_follower_without_loss_or_disorder() {
    let Some(pg) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI must set KENG_TEST_DATABASE_URL");
        }
        return;
    };
    let t = TestDb::new(&pg).await;
    // Two "nodes": two pools on the same database, each running the same follower.
    let node_a = t.open().await;
    let node_b = t.open().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mk = || -> Arc<dyn Follower> {
        Arc::new(Recorder {
            name: "shared".into(),
            seen: seen.clone(),
            fail_on: Mutex::new(None),
        })
    };
    let mut tasks = events::spawn(node_a.clone(), vec![mk()], stop_rx.clone());
    tasks.extend(events::spawn(node_b.clone(), vec![mk()], stop_rx));
    // Writers on both nodes, concurrently.
    let (a, b) = (node_a.clone(), node_b.clone());
    let w1 = tokio::spawn(async move { append(&a, 150).await });
    let w2 = tokio::spawn(async move { append(&b, 150).await });
    w1.await.unwrap();
    w2.await.unwrap();
    let head = events::head(&node_a).await.unwrap();
    for _ in 0..200 {
        if seen.lock().unwrap().len() >= 300 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    let seen = seen.lock().unwrap().clone();
    let all: Vec<i64> = events::read_after(&node_a, 0, 10_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(all.len(), 300);
    assert_eq!(
        seen, all,
        "each event handled once, in log order, across both nodes"
    );
    assert_eq!(*all.last().unwrap(), head);
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_to_a_working_database() {
    let s = Server::start(&Backend::Sqlite).await;
    let api = s.api(Some(&s.token_for("tuyentruyen").await));
    // Writers keep creating press agencies while the backup runs.
    let writer = {
        let base = s.base.clone();
        let token = api.token.clone().unwrap();
        tokio::spawn(async move {
            let api = common::Api {
                client: reqwest::Client::new(),
                base,
                token: Some(token),
            };
            let mut acknowledged = 0;
            for i in 0..150 {
                let (st, _) = api
                    .post("/api/v1/agencies", &serde_json::json!({"code": format!("BK{i}"), "name": format!("Báo thử {i}"), "kind": "local", "medium": "online"}))
                    .await;
                assert_eq!(st, StatusCode::CREATED);
                acknowledged += 1;
            }
            acknowledged
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = api
        .get("/api/v1/agencies")
        .await
        .1
        .as_array()
        .unwrap()
        .len();
    let out = common::temp_dir("backup").join("during-writes");
    let status = s.db.command().arg("backup").arg(&out).output().unwrap();
    assert!(
        status.status.success(),
        "backup failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let acknowledged = writer.await.unwrap();
    assert_eq!(acknowledged, 150);
    // Restore: a new data dir whose database is the backup.
    let restored = TestDb::new(&Backend::Sqlite).await;
    let status = restored
        .command()
        .arg("restore")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "restore failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let check = restored.command().arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "check on the restored copy: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let db = restored.open().await;
    let ok = db.fetch_one("PRAGMA integrity_check", &[]).await.unwrap();
    assert_eq!(ok.str("integrity_check").unwrap(), "ok");
    let n = db
        .fetch_one("SELECT COUNT(*) AS n FROM agencies", &[])
        .await
        .unwrap()
        .i64("n")
        .unwrap() as usize;
    assert!(
        n >= before,
        "the backup holds every agency acknowledged before it started ({n} < {before})"
    );
    // Every agency in the copy has its audit record and event: the snapshot is consistent.
    let audited = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'agency.created'",
            &[],
        )
        .await
        .unwrap()
        .i64("n")
        .unwrap() as usize;
    let evented = db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM events WHERE kind = 'agency.created'",
            &[],
        )
        .await
        .unwrap()
        .i64("n")
        .unwrap() as usize;
    assert_eq!((audited, evented), (n, n));
    db.close().await;
    // The restored database serves: sign in works.
    let s2 = Server::start_on(
        restored,
        common::Options {
            demo: false,
            ..Default::default()
        },
    );
    s2.browser()
        .login("tuyentruyen", common::DEMO_PASSWORD)
        .await;
    // Backing up into a folder that is not empty is refused, nothing overwritten.
    let again = s.db.command().arg("backup").arg(&out).output().unwrap();
    assert!(!again.status.success());
}

/// A database made by `main` at 73da4a1 (the demo province, before migrations were
/// named by date), as SQL: `sqlite3 .dump` and `pg_dump --inserts`.
const OLD_MAIN_SQLITE: &str = include_str!("fixtures/main-73da4a1.sqlite.sql");
const OLD_MAIN_POSTGRES: &str = include_str!("fixtures/main-73da4a1.postgres.sql");

/// Loads the old database's dump into a fresh test database.
async fn load_old_main(backend: &Backend) -> TestDb {
    use sqlx::Connection;
    let db = TestDb::new(backend).await;
    match &db.database_url {
        None => {
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(db.sqlite_file())
                .create_if_missing(true);
            let mut c = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
            sqlx::raw_sql(OLD_MAIN_SQLITE)
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        Some(url) => {
            // psql meta-commands are not SQL.
            let sql: String = OLD_MAIN_POSTGRES
                .lines()
                .filter(|l| !l.starts_with('\\'))
                .map(|l| format!("{l}\n"))
                .collect();
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(&sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
    }
    db
}

/// A database made by the previous `main` upgrades in place when the server starts: its
/// migrations are recognised (renumbered, none re-applied), its schema becomes exactly a
/// fresh database's, everything in it is still there, and the newsroom works on it —
/// sign-in, the desk, publication, the public pages and feeds, search.
#[tokio::test]
async fn a_database_made_by_the_previous_main_upgrades_in_place() {
    for backend in backends() {
        let old = load_old_main(&backend).await;
        let before = {
            let db = keng::platform::db::Db::open(
                &keng::platform::db::Location::from_args(
                    &old.data_dir,
                    old.database_url.as_deref(),
                )
                .unwrap(),
            )
            .await
            .unwrap();
            let count = |sql: &'static str| {
                let db = db.clone();
                async move { db.fetch_one(sql, &[]).await.unwrap().i64("n").unwrap() }
            };
            let v = (
                count("SELECT COUNT(*) AS n FROM bulletins").await,
                count("SELECT COUNT(*) AS n FROM users").await,
                count("SELECT COUNT(*) AS n FROM audit_log").await,
                count("SELECT COUNT(*) AS n FROM events").await,
                count("SELECT MAX(version) AS n FROM _sqlx_migrations").await,
            );
            db.close().await;
            v
        };
        assert!(before.0 >= 14 && before.1 >= 11, "{before:?}");
        assert_eq!(before.4, 5, "the fixture is numbered the old way");

        let s = Server::start_on(
            old,
            common::Options {
                demo: false,
                ..Default::default()
            },
        );
        let officer = s.api(Some(&s.token_for("tuyentruyen").await));
        let leader = s.api(Some(&s.token_for("phatngon").await));
        let (st, list) = officer.get("/api/v1/bulletins?limit=100").await;
        assert_eq!(st, StatusCode::OK, "{list}");
        let body = serde_json::json!({"kind": "press_release", "category": "khac",
            "title": "Tin sau nâng cấp cơ sở dữ liệu", "summary": "Tóm tắt.",
            "body": "Nội dung.", "audience": "public"});
        let id = common::publish(&officer, &leader, &body, common::Until::Published).await;
        let anon = s.api(None);
        let (st, b) = anon.get(&format!("/api/v1/bulletins/{id}")).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let (st, html) = s.browser().text("/tin").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("Tin sau nâng cấp cơ sở dữ liệu"));
        assert!(
            html.contains("cháy kho hàng"),
            "the old bulletins are listed"
        );
        // The search index is rebuilt from the event log on the new node.
        let mut found = false;
        for _ in 0..100 {
            let (_, hits) = anon.get("/api/v1/search?q=kho+h%C3%A0ng").await;
            if hits.as_array().is_some_and(|h| !h.is_empty()) {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(found, "search finds an old bulletin");

        let upgraded = s.stop();
        let db = upgraded.open().await;
        let n = |sql: &'static str| {
            let db = db.clone();
            async move { db.fetch_one(sql, &[]).await.unwrap().i64("n").unwrap() }
        };
        assert_eq!(n("SELECT COUNT(*) AS n FROM bulletins").await, before.0 + 1);
        assert_eq!(n("SELECT COUNT(*) AS n FROM users").await, before.1);
        assert!(n("SELECT COUNT(*) AS n FROM audit_log").await > before.2);
        assert!(n("SELECT COUNT(*) AS n FROM events").await > before.3);
        let fresh = TestDb::new(&backend).await;
        let fresh_db = fresh.open().await;
        assert_eq!(
            schema(&db).await,
            schema(&fresh_db).await,
            "{}",
            backend.name()
        );
        let versions = |db: Db| async move {
            db.fetch_all(
                "SELECT version AS n FROM _sqlx_migrations ORDER BY version",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.i64("n").unwrap())
            .collect::<Vec<_>>()
        };
        let (v_old, v_fresh) = (versions(db.clone()).await, versions(fresh_db.clone()).await);
        assert_eq!(v_old, v_fresh, "{}", backend.name());
        assert!(v_old.iter().all(|v| *v > 20_000_000_000_000), "{v_old:?}");
    }
}
