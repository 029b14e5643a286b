//! The storage seam: one query layer over an embedded SQLite file or PostgreSQL.
//!
//! Capabilities write portable SQL with `$1, $2, …` placeholders (both backends accept
//! them through sqlx) and bind [`Value`]s; rows come back as [`Row`]s with typed
//! getters. Backend-specific SQL is kept to the few places that need it and is chosen
//! with [`Db::backend`]. We do not use `sqlx::Any` (its type support has gaps).
//!
//! SQLite runs in WAL mode with `synchronous=FULL` and foreign keys on. Writes go through
//! a one-connection pool so writers queue instead of failing with `SQLITE_BUSY`; reads use
//! a separate read-only pool. Every write happens in a [`Tx`], which is committed before a
//! handler answers 2xx.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Column, PgPool, Postgres, Row as _, Sqlite, SqlitePool, TypeInfo, ValueRef};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("column {0} is missing or has an unexpected type")]
    Column(String),
    #[error("unsupported database URL: {0}")]
    Url(String),
}

impl DbError {
    /// True when the database could not be reached (no connection in time, the
    /// connection broke): a 503, not a 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            DbError::Sqlx(
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::WorkerCrashed
            )
        )
    }

    /// True when the error is a violated UNIQUE constraint (a duplicate key).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                matches!(e.kind(), sqlx::error::ErrorKind::UniqueViolation)
            }
            _ => false,
        }
    }

    /// True when the error is a violated FOREIGN KEY constraint.
    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                matches!(e.kind(), sqlx::error::ErrorKind::ForeignKeyViolation)
            }
            _ => false,
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A value bound to a query or read from a row. Every variant carries its own type even
/// when null, so PostgreSQL learns the parameter's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Value::Int(None)
                | Value::Float(None)
                | Value::Text(None)
                | Value::Bool(None)
                | Value::Bytes(None)
        )
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(Some(v))
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        Value::Float(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(Some(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_string))
    }
}
impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(Some(v))
    }
}

/// Builds a `&[Value]` argument list: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::platform::db::Value::from($v)),*] };
}

/// One result row, backend-neutral.
#[derive(Debug, Clone)]
pub struct Row {
    /// Shared by every row of one answer.
    names: std::sync::Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    fn value(&self, name: &str) -> DbResult<&Value> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.values[i])
            .ok_or_else(|| DbError::Column(name.to_string()))
    }

    pub fn opt_i64(&self, name: &str) -> DbResult<Option<i64>> {
        match self.value(name)? {
            Value::Int(v) => Ok(*v),
            Value::Bool(v) => Ok(v.map(i64::from)),
            v if v.is_null() => Ok(None),
            _ => Err(DbError::Column(name.to_string())),
        }
    }

    pub fn i64(&self, name: &str) -> DbResult<i64> {
        self.opt_i64(name)?
            .ok_or_else(|| DbError::Column(name.to_string()))
    }

    pub fn opt_f64(&self, name: &str) -> DbResult<Option<f64>> {
        match self.value(name)? {
            Value::Float(v) => Ok(*v),
            Value::Int(v) => Ok(v.map(|i| i as f64)),
            v if v.is_null() => Ok(None),
            _ => Err(DbError::Column(name.to_string())),
        }
    }

    pub fn opt_str(&self, name: &str) -> DbResult<Option<String>> {
        match self.value(name)? {
            Value::Text(v) => Ok(v.clone()),
            v if v.is_null() => Ok(None),
            _ => Err(DbError::Column(name.to_string())),
        }
    }

    pub fn str(&self, name: &str) -> DbResult<String> {
        self.opt_str(name)?
            .ok_or_else(|| DbError::Column(name.to_string()))
    }

    pub fn bool(&self, name: &str) -> DbResult<bool> {
        match self.value(name)? {
            Value::Bool(Some(b)) => Ok(*b),
            Value::Int(Some(i)) => Ok(*i != 0),
            _ => Err(DbError::Column(name.to_string())),
        }
    }

    pub fn opt_bytes(&self, name: &str) -> DbResult<Option<Vec<u8>>> {
        match self.value(name)? {
            Value::Bytes(v) => Ok(v.clone()),
            v if v.is_null() => Ok(None),
            _ => Err(DbError::Column(name.to_string())),
        }
    }

    /// The column names of an answer's rows (taken once, shared by its rows).
    fn names<R: sqlx::Row>(rows: &[R]) -> std::sync::Arc<[String]> {
        match rows.first() {
            Some(r) => r.columns().iter().map(|c| c.name().to_string()).collect(),
            None => std::sync::Arc::from(Vec::new()),
        }
    }

    fn from_sqlite(row: &SqliteRow, names: &std::sync::Arc<[String]>) -> DbResult<Row> {
        let mut values = Vec::with_capacity(row.columns().len());
        for i in 0..row.columns().len() {
            let raw = row.try_get_raw(i)?;
            let v = if raw.is_null() {
                Value::Text(None)
            } else {
                let kind = raw.type_info();
                match kind.name() {
                    "INTEGER" | "BOOLEAN" | "INT8" | "BIGINT" => Value::Int(row.try_get(i)?),
                    "REAL" => Value::Float(row.try_get(i)?),
                    "BLOB" => Value::Bytes(row.try_get(i)?),
                    _ => Value::Text(row.try_get(i)?),
                }
            };
            values.push(v);
        }
        Ok(Row {
            names: names.clone(),
            values,
        })
    }

    fn from_pg(row: &PgRow, names: &std::sync::Arc<[String]>) -> DbResult<Row> {
        let mut values = Vec::with_capacity(row.columns().len());
        for (i, col) in row.columns().iter().enumerate() {
            let v = match col.type_info().name() {
                "INT8" => Value::Int(row.try_get(i)?),
                "INT4" => Value::Int(row.try_get::<Option<i32>, _>(i)?.map(i64::from)),
                "INT2" => Value::Int(row.try_get::<Option<i16>, _>(i)?.map(i64::from)),
                "BOOL" => Value::Bool(row.try_get(i)?),
                "FLOAT8" => Value::Float(row.try_get(i)?),
                "FLOAT4" => Value::Float(row.try_get::<Option<f32>, _>(i)?.map(f64::from)),
                "BYTEA" => Value::Bytes(row.try_get(i)?),
                "TEXT" | "VARCHAR" | "NAME" | "BPCHAR" => Value::Text(row.try_get(i)?),
                _ => return Err(DbError::Column(col.name().to_string())),
            };
            values.push(v);
        }
        Ok(Row {
            names: names.clone(),
            values,
        })
    }
}

fn bind_sqlite<'q>(
    mut q: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    args: &[Value],
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for a in args {
        q = match a.clone() {
            Value::Int(v) => q.bind(v),
            Value::Float(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Bytes(v) => q.bind(v),
        };
    }
    q
}

fn bind_pg<'q>(
    mut q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    args: &[Value],
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match a.clone() {
            Value::Int(v) => q.bind(v),
            Value::Float(v) => q.bind(v),
            Value::Text(v) => q.bind(v),
            Value::Bool(v) => q.bind(v),
            Value::Bytes(v) => q.bind(v),
        };
    }
    q
}

/// Runs one statement against any executor of either backend.
macro_rules! run {
    (sqlite, $exec:expr, fetch_all, $sql:expr, $args:expr) => {{
        let rows = bind_sqlite(sqlx::query($sql), $args)
            .fetch_all($exec)
            .await?;
        let names = Row::names(&rows);
        rows.iter()
            .map(|r| Row::from_sqlite(r, &names))
            .collect::<DbResult<Vec<_>>>()
    }};
    (pg, $exec:expr, fetch_all, $sql:expr, $args:expr) => {{
        let rows = bind_pg(sqlx::query($sql), $args).fetch_all($exec).await?;
        let names = Row::names(&rows);
        rows.iter()
            .map(|r| Row::from_pg(r, &names))
            .collect::<DbResult<Vec<_>>>()
    }};
    (sqlite, $exec:expr, execute, $sql:expr, $args:expr) => {{
        Ok(bind_sqlite(sqlx::query($sql), $args)
            .execute($exec)
            .await?
            .rows_affected())
    }};
    (pg, $exec:expr, execute, $sql:expr, $args:expr) => {{
        Ok(bind_pg(sqlx::query($sql), $args)
            .execute($exec)
            .await?
            .rows_affected())
    }};
}

/// A handle on the database: cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite { write: SqlitePool, read: SqlitePool },
    Postgres(PgPool),
}

/// Where the database lives: the SQLite file in the data dir, or a PostgreSQL URL.
#[derive(Clone, Debug)]
pub enum Location {
    SqliteFile(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    pub fn from_args(data_dir: &Path, database_url: Option<&str>) -> DbResult<Location> {
        match database_url {
            None | Some("") => Ok(Location::SqliteFile(data_dir.join("keng.sqlite3"))),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Location::Postgres(url.to_string()))
            }
            Some(url) if url.starts_with("sqlite://") => Ok(Location::SqliteFile(
                url.trim_start_matches("sqlite://").into(),
            )),
            Some(url) => Err(DbError::Url(url.to_string())),
        }
    }
}

impl Db {
    /// Opens (creating the SQLite file if needed) without migrating.
    pub async fn open(location: &Location) -> DbResult<Db> {
        match location {
            Location::SqliteFile(path) => {
                let base = SqliteConnectOptions::new()
                    .filename(path)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(base.clone().create_if_missing(true))
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(base.read_only(true))
                    .await?;
                Ok(Db::Sqlite { write, read })
            }
            Location::Postgres(url) => {
                let opts = sqlx::postgres::PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Opens and applies every pending migration.
    pub async fn open_migrated(location: &Location) -> DbResult<Db> {
        let db = Db::open(location).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies every pending migration (`migrations/{sqlite,postgres}/`, named
    /// `<UTC timestamp>_<what>.sql` so that capabilities never collide), after
    /// recognising the numbering of databases made before the migrations were named by
    /// date.
    pub async fn migrate(&self) -> DbResult<()> {
        self.renumber_old_migrations().await?;
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Until 2026-11-30 migrations were numbered 0001–0005; they kept their content (so
    /// their checksums) and took the date they were written as their version. A database
    /// made before records the old numbers: renumber them, in one transaction, so the
    /// migrator sees them applied and runs only what is new.
    async fn renumber_old_migrations(&self) -> DbResult<()> {
        const RENUMBERED: [(i64, i64); 5] = [
            (1, 20261126035952),
            (2, 20261126042603),
            (3, 20261126043732),
            (4, 20261126051205),
            (5, 20261129211120),
        ];
        let exists = match self.backend() {
            Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            Backend::Postgres => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()",
        };
        if self.fetch_one(exists, &[]).await?.i64("n")? == 0 {
            return Ok(());
        }
        let old = self
            .fetch_one(
                "SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE version < 1000",
                &[],
            )
            .await?
            .i64("n")?;
        if old == 0 {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for (from, to) in RENUMBERED {
            tx.execute(
                "UPDATE _sqlx_migrations SET version = $1 WHERE version = $2",
                &[to.into(), from.into()],
            )
            .await?;
        }
        tx.commit().await?;
        tracing::info!(count = old, "renumbered migrations of an older database");
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The PostgreSQL pool, for the few backend-specific features (LISTEN/NOTIFY).
    pub fn pg_pool(&self) -> Option<&PgPool> {
        match self {
            Db::Postgres(p) => Some(p),
            Db::Sqlite { .. } => None,
        }
    }

    /// Pool statistics for /metrics: (connections open, idle).
    pub fn pool_stats(&self) -> (u32, usize) {
        match self {
            Db::Sqlite { write, read } => (
                write.size() + read.size(),
                write.num_idle() + read.num_idle(),
            ),
            Db::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    pub async fn fetch_all(&self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        match self {
            Db::Sqlite { read, .. } => run!(sqlite, read, fetch_all, sql, args),
            Db::Postgres(p) => run!(pg, p, fetch_all, sql, args),
        }
    }

    pub async fn fetch_optional(&self, sql: &str, args: &[Value]) -> DbResult<Option<Row>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    pub async fn fetch_one(&self, sql: &str, args: &[Value]) -> DbResult<Row> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(DbError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> DbResult<Tx> {
        let inner = match self {
            // IMMEDIATE: the write lock is taken at BEGIN (waiting up to the busy
            // timeout), so a transaction that reads before it writes cannot fail with
            // SQLITE_BUSY_SNAPSHOT when another process (the CLI beside a running
            // server) committed in between.
            Db::Sqlite { write, .. } => TxInner::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(Tx {
            inner,
            public_change: false,
            wake: false,
            entities: Vec::new(),
        })
    }

    /// Runs `sql` in its own short transaction (for housekeeping writes that need no
    /// audit record, such as a session's last-seen time).
    pub async fn execute(&self, sql: &str, args: &[Value]) -> DbResult<u64> {
        let mut tx = self.begin().await?;
        let n = tx.execute(sql, args).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> DbResult<()> {
        self.fetch_one("SELECT 1 AS one", &[]).await.map(|_| ())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Where a read runs: the database (its read pool) or an open transaction, which sees
/// its own writes. A query written once serves both (`load(db, id)` and
/// `load(&mut tx, id)`): take `impl Into<Conn<'_>>`.
pub enum Conn<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Conn<'a> {
    fn from(db: &'a Db) -> Self {
        Conn::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Conn<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Conn::Tx(tx)
    }
}

impl Conn<'_> {
    pub async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        match self {
            Conn::Db(db) => db.fetch_all(sql, args).await,
            Conn::Tx(tx) => tx.fetch_all(sql, args).await,
        }
    }

    pub async fn fetch_optional(&mut self, sql: &str, args: &[Value]) -> DbResult<Option<Row>> {
        match self {
            Conn::Db(db) => db.fetch_optional(sql, args).await,
            Conn::Tx(tx) => tx.fetch_optional(sql, args).await,
        }
    }

    pub async fn fetch_one(&mut self, sql: &str, args: &[Value]) -> DbResult<Row> {
        match self {
            Conn::Db(db) => db.fetch_one(sql, args).await,
            Conn::Tx(tx) => tx.fetch_one(sql, args).await,
        }
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: TxInner,
    /// Something the public can see changed: cached public pages are stale once this
    /// commits.
    public_change: bool,
    /// Work for this node's background loops was queued (an event appended, a delivery
    /// or an email enqueued): they are woken once this commits. A commit that queues
    /// nothing wakes nobody, so an idle server sleeps.
    wake: bool,
    /// The kinds of entity whose events it appended: this node's caches of them are
    /// stale once it commits (`events::generation_of`).
    entities: Vec<String>,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// Marks the transaction as changing what the public may see.
    pub fn mark_public_change(&mut self) {
        self.public_change = true;
    }

    /// Marks the transaction as queueing work for the background loops (see
    /// `events::signal`, which also tells the other nodes).
    pub fn mark_wake(&mut self) {
        self.wake = true;
    }

    /// Marks the transaction as changing entities of `kind` (see `events::append`).
    pub fn mark_entity(&mut self, kind: &str) {
        if !self.entities.iter().any(|e| e == kind) {
            self.entities.push(kind.to_string());
        }
    }

    pub fn backend(&self) -> Backend {
        match &self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn fetch_all(&mut self, sql: &str, args: &[Value]) -> DbResult<Vec<Row>> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => run!(sqlite, &mut **tx, fetch_all, sql, args),
            TxInner::Postgres(tx) => run!(pg, &mut **tx, fetch_all, sql, args),
        }
    }

    pub async fn fetch_optional(&mut self, sql: &str, args: &[Value]) -> DbResult<Option<Row>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    pub async fn fetch_one(&mut self, sql: &str, args: &[Value]) -> DbResult<Row> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(DbError::Sqlx(sqlx::Error::RowNotFound))
    }

    pub async fn execute(&mut self, sql: &str, args: &[Value]) -> DbResult<u64> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => run!(sqlite, &mut **tx, execute, sql, args),
            TxInner::Postgres(tx) => run!(pg, &mut **tx, execute, sql, args),
        }
    }

    /// Commits: after this returns Ok the write is durable (WAL + synchronous=FULL on
    /// SQLite, a committed transaction on PostgreSQL).
    pub async fn commit(self) -> DbResult<()> {
        let (public_change, wake) = (self.public_change, self.wake);
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        if !self.entities.is_empty() {
            super::events::changed(self.entities.iter().map(String::as_str));
        }
        if public_change {
            super::cache::bump();
        }
        if wake {
            super::events::wake();
        }
        Ok(())
    }
}
