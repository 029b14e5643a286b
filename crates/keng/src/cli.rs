//! The `keng` command line: serve, migrate, user, token, backup and restore, check,
//! reindex, files (verify, migrate), import and export (scam indicators).

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::accounts::model::Status;
use crate::accounts::store::{self, NewUser};
use crate::platform::audit::Origin;
use crate::platform::backup;
use crate::platform::blobs::BlobStore;
use crate::platform::config::Config;
use crate::platform::db::{Db, Location};
use crate::platform::errors::AppError;
use crate::platform::i18n::{self, Lang};
use crate::platform::permissions::Role;

#[derive(Parser, Debug)]
#[command(
    name = "keng",
    version,
    about = "Kẻng — Công an tỉnh với báo chí và người dân / a provincial police department's platform for the press and the public"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Where the SQLite file, keng.toml and uploads live.
    #[arg(
        long,
        global = true,
        env = "KENG_DATA_DIR",
        default_value = "./keng-data"
    )]
    pub data_dir: PathBuf,
    /// postgres://… to run on PostgreSQL instead of the embedded SQLite file.
    #[arg(long, global = true, env = "KENG_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web application.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the demo province into an empty database and print its accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a backup into a new folder while the server runs: the database (SQLite
    /// copy or pg_dump), every file, keng.toml and a manifest of hashes.
    Backup { dir: PathBuf },
    /// Bring a backup folder back into an empty data directory (SQLite) or an empty
    /// database (--database-url), files into the configured store.
    Restore {
        dir: PathBuf,
        /// Only the files (after a restore whose database is back but whose files were
        /// not stored, e.g. the store was down).
        #[arg(long)]
        files_only: bool,
    },
    /// Validate the configuration and the database.
    Check,
    /// Rebuild this node's search index from the database.
    Reindex,
    /// Check stored files, or move them to another store.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// Import records in bulk (all or nothing; the same file twice adds nothing).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export records in bulk to standard output or a file.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// The security figures' derived data.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Rebuild the running totals the reports read from the figures (a running server
    /// keeps them current by itself; reports scan the figures while this runs).
    Rebuild,
    /// Compare the running totals with a scan of the figures for random periods, every
    /// unit and subtree, staff's and the public's; exits 1 on any difference.
    Verify {
        /// How many random periods.
        #[arg(long, default_value_t = 50)]
        periods: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How long to wait for the totals to be current, in seconds.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Scam indicators from a CSV (value, kind, status), a host list, a STIX 2.1 bundle,
    /// a MISP event or PhishTank JSON. Every unusable line is reported and nothing is
    /// written unless the whole file is clean.
    Indicators {
        file: PathBuf,
        /// The file's format (by default from its name and content).
        #[arg(long, value_enum)]
        format: Option<crate::scamcheck::bulk::Format>,
        /// The status of rows that do not give one: reported, verified or published.
        #[arg(long, default_value = "published")]
        status: String,
        /// Where the list comes from (kept on every record), e.g. "chongluadao".
        #[arg(long)]
        source: Option<String>,
        /// The file's text encoding when it is not UTF-8: windows-1258.
        #[arg(long)]
        encoding: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Scam indicators (published ones; --verified adds the verified).
    Indicators {
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::scamcheck::bulk::Format,
        /// Also the verified indicators not yet published.
        #[arg(long)]
        verified: bool,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum FilesCommand {
    /// Check that every file a record names is stored and matches its hash, and list the
    /// stored files nothing names (orphans).
    Verify {
        /// Remove the orphans.
        #[arg(long)]
        delete_orphans: bool,
    },
    /// Copy every file from the configured store to another (local, database or s3 —
    /// the bucket of [files.s3]), checking each hash; safe to run again. Then set
    /// `[files] store` to the new one.
    Migrate {
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an active account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, leader, spokesperson, press_officer, unit_officer or journalist.
        #[arg(long)]
        role: String,
        /// Unit code (unit officers).
        #[arg(long)]
        unit: Option<String>,
        /// Press agency code (journalists).
        #[arg(long)]
        agency: Option<String>,
        /// Display name (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Press card number (journalists).
        #[arg(long)]
        press_card: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set an account's password, read from standard input.
    Passwd {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token; prints only the token.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KENG_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn,html5ever=error")
    });
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => b.json().try_init(),
        LogFormat::Text => b.try_init(),
    };
}

fn read_password(stdin: bool) -> anyhow::Result<String> {
    if !stdin {
        anyhow::bail!("pass --password-stdin and write the password to standard input");
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let pw = s.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        anyhow::bail!("no password on standard input");
    }
    Ok(pw)
}

/// Explains an application error on the terminal (in Vietnamese, then English).
fn explain(e: AppError) -> anyhow::Error {
    let mut msg = format!(
        "{} / {}",
        i18n::t(Lang::Vi, e.key()),
        i18n::t(Lang::En, e.key())
    );
    if let AppError::Invalid(fields) = &e {
        for (f, k) in fields {
            msg.push_str(&format!(
                "\n  {f}: {} / {}",
                i18n::t(Lang::Vi, k),
                i18n::t(Lang::En, k)
            ));
        }
    }
    if let AppError::Internal(d) = &e {
        msg.push_str(&format!("\n  {d}"));
    }
    anyhow::Error::msg(msg)
}

/// The platform's configuration with every capability's section read and checked.
fn load_config(data_dir: &std::path::Path) -> Result<Config, String> {
    let mut config = Config::load(data_dir)?;
    crate::capabilities::configure(&mut config)?;
    Ok(config)
}

async fn open(global: &Global) -> anyhow::Result<(Db, Config)> {
    std::fs::create_dir_all(&global.data_dir)?;
    let config = load_config(&global.data_dir).map_err(|e| anyhow::anyhow!("keng.toml: {e}"))?;
    let location = Location::from_args(&global.data_dir, global.database_url.as_deref())?;
    let db = Db::open_migrated(&location).await?;
    Ok((db, config))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging(cli.global.log_format);
    crate::capabilities::install();
    let g = cli.global;
    match cli.command {
        Command::Serve { listen, demo } => {
            let (db, mut config) = open(&g).await?;
            if demo {
                // Links the demo writes down (CAP messages) point where it will listen.
                if config.base_url_from_request {
                    let host = if listen.ip().is_unspecified() {
                        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), listen.port())
                    } else {
                        listen
                    };
                    config.public_base_url = format!("http://{host}");
                }
                crate::demo::load(&db, &config).await?;
                crate::demo::configure(&mut config);
            }
            crate::server::serve(db, config, &g.data_dir, listen).await
        }
        Command::Migrate => {
            let (db, _) = open(&g).await?;
            println!("database is up to date ({:?})", db.backend());
            Ok(())
        }
        Command::User { command } => {
            let (db, _) = open(&g).await?;
            let origin = Origin::system("cli");
            match command {
                UserCommand::Add {
                    username,
                    role,
                    unit,
                    agency,
                    name,
                    email,
                    press_card,
                    password_stdin,
                } => {
                    let role = Role::parse(&role).filter(|r| *r != Role::Public).ok_or_else(|| {
                        anyhow::anyhow!("unknown role {role}: admin, leader, spokesperson, press_officer, unit_officer, journalist")
                    })?;
                    let password = read_password(password_stdin)?;
                    let unit_id = match unit {
                        Some(code) => Some(
                            store::unit_by_code(&db, &code.to_ascii_uppercase())
                                .await?
                                .ok_or_else(|| anyhow::anyhow!("no unit with code {code}"))?
                                .id,
                        ),
                        None => None,
                    };
                    let agency_id = match agency {
                        Some(code) => {
                            let code = code.to_ascii_uppercase();
                            let all = store::list_agencies(&db).await?;
                            Some(
                                all.into_iter()
                                    .find(|a| a.code == code)
                                    .ok_or_else(|| {
                                        anyhow::anyhow!("no press agency with code {code}")
                                    })?
                                    .id,
                            )
                        }
                        None => None,
                    };
                    let input = NewUser {
                        display_name: name.unwrap_or_else(|| username.clone()),
                        username,
                        email,
                        phone: None,
                        title: None,
                        role,
                        unit_id,
                        agency_id,
                        is_editor: false,
                        press_card_no: press_card,
                        password,
                    };
                    let u = store::create_user(&db, &origin, &input, Status::Active)
                        .await
                        .map_err(explain)?;
                    println!("created {} ({})", u.username, u.role.as_str());
                    Ok(())
                }
                UserCommand::Passwd {
                    username,
                    password_stdin,
                } => {
                    let password = read_password(password_stdin)?;
                    let u = store::user_by_username(&db, &username)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no user {username}"))?;
                    store::set_password(&db, &origin, &u.id, &password, None)
                        .await
                        .map_err(explain)?;
                    println!("password changed for {}", u.username);
                    Ok(())
                }
            }
        }
        Command::Token {
            command: TokenCommand::Create { username, name },
        } => {
            let (db, _) = open(&g).await?;
            let u = store::user_by_username(&db, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user {username}"))?;
            if u.status != Status::Active {
                anyhow::bail!("account {username} is {}", u.status.as_str());
            }
            let (_, secret) = store::create_token(&db, &Origin::system("cli"), &u.id, &name)
                .await
                .map_err(explain)?;
            println!("{secret}");
            Ok(())
        }
        Command::Backup { dir } => {
            let (db, config) = open(&g).await?;
            let location = Location::from_args(&g.data_dir, g.database_url.as_deref())?;
            let store = BlobStore::configured(&config.files, &db, &g.data_dir)
                .map_err(anyhow::Error::msg)?;
            let progress = bar("files", 0);
            let m = backup::backup(&db, &location, &store, &g.data_dir, &dir, |done, total| {
                progress.set_length(total as u64);
                progress.set_position(done as u64);
            })
            .await?;
            progress.finish_and_clear();
            let bytes: u64 = m.files.iter().map(|f| f.size).sum();
            println!(
                "wrote {}: database ({}), {} files ({bytes} bytes){}{}",
                dir.display(),
                m.database,
                m.files.len(),
                if m.files_in_database {
                    ", the files of the database store inside the database copy"
                } else {
                    ""
                },
                if m.config.is_some() {
                    ", keng.toml"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Command::Restore { dir, files_only } => restore(&g, &dir, files_only).await,
        Command::Stats { command } => {
            let (db, _) = open(&g).await?;
            match command {
                StatsCommand::Rebuild => {
                    let started = std::time::Instant::now();
                    let pb = bar("units", 0);
                    crate::stats::running::rebuild(&db, &mut |done, total| {
                        pb.set_length(total as u64);
                        pb.set_position(done as u64);
                    })
                    .await?;
                    pb.finish_and_clear();
                    let rows = db
                        .fetch_one("SELECT COUNT(*) AS n FROM stat_running", &[])
                        .await?
                        .i64("n")?;
                    println!(
                        "running totals rebuilt: {rows} rows in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                    Ok(())
                }
                StatsCommand::Verify {
                    periods,
                    seed,
                    wait,
                } => {
                    let o = crate::stats::verify::verify(
                        &db,
                        periods,
                        seed,
                        std::time::Duration::from_secs(wait),
                    )
                    .await?;
                    for m in &o.mismatches {
                        println!("MISMATCH {m}");
                    }
                    println!(
                        "{} comparisons, {} mismatches",
                        o.comparisons,
                        o.mismatches.len()
                    );
                    if o.mismatches.is_empty() {
                        Ok(())
                    } else {
                        anyhow::bail!("the running totals differ from the figures")
                    }
                }
            }
        }
        Command::Reindex => {
            let (db, _) = open(&g).await?;
            let n = reindex(&db, &g.data_dir).await?;
            println!(
                "indexed {} bulletins and {} other records into {}",
                n.bulletins,
                n.others,
                crate::newsroom::search::SearchIndex::dir_in(&g.data_dir).display()
            );
            Ok(())
        }
        Command::Files { command } => {
            let (db, config) = open(&g).await?;
            let store = BlobStore::configured(&config.files, &db, &g.data_dir)
                .map_err(anyhow::Error::msg)?;
            match command {
                FilesCommand::Verify { delete_orphans } => {
                    files_verify(&db, &store, delete_orphans).await
                }
                FilesCommand::Migrate { to } => {
                    let target = BlobStore::open(&to, &config.files, &db, &g.data_dir)
                        .map_err(anyhow::Error::msg)?;
                    files_migrate(&db, &store, &target).await
                }
            }
        }
        Command::Import {
            command:
                ImportCommand::Indicators {
                    file,
                    format,
                    status,
                    source,
                    encoding,
                },
        } => import_indicators(&g, &file, format, &status, source, encoding).await,
        Command::Export {
            command:
                ExportCommand::Indicators {
                    format,
                    verified,
                    output,
                },
        } => {
            let (db, _) = open(&g).await?;
            use crate::scamcheck::model::Status;
            let statuses: &[Status] = if verified {
                &[Status::Published, Status::Verified]
            } else {
                &[Status::Published]
            };
            let n = match &output {
                Some(p) => {
                    let mut f = std::io::BufWriter::new(std::fs::File::create(p)?);
                    crate::scamcheck::bulk::export(&db, statuses, format, &mut f).await?
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = stdout.lock();
                    crate::scamcheck::bulk::export(&db, statuses, format, &mut lock).await?
                }
            };
            eprintln!("exported {n} indicators");
            Ok(())
        }
        Command::Check => {
            std::fs::create_dir_all(&g.data_dir)?;
            let config =
                load_config(&g.data_dir).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
            if config.base_url_from_request {
                println!(
                    "configuration: ok (site \"{}\"); public_base_url is not set: links use each request's own address, mail and webhooks the address `keng serve` listens on — set it for production",
                    config.site_name
                );
            } else {
                println!(
                    "configuration: ok (site \"{}\", public URL {})",
                    config.site_name, config.public_base_url
                );
            }
            println!("metrics: {}", metrics_summary(&config));
            let location = Location::from_args(&g.data_dir, g.database_url.as_deref())?;
            let db = Db::open(&location).await?;
            db.ping().await?;
            db.migrate().await?;
            let head = crate::platform::events::head(&db).await?;
            let users = db
                .fetch_one("SELECT COUNT(*) AS n FROM users", &[])
                .await?
                .i64("n")?;
            println!(
                "database: ok ({:?}, schema current, {users} accounts, event log at {head})",
                db.backend()
            );
            let blobs = BlobStore::configured(&config.files, &db, &g.data_dir)
                .map_err(anyhow::Error::msg)?;
            blobs
                .check()
                .await
                .map_err(|e| anyhow::anyhow!("files: {}: {e}", blobs.describe()))?;
            println!("files: ok ({}, written and read back)", blobs.describe());
            warn_local_on_postgres(&db, &blobs);
            check_templates()?;
            Ok(())
        }
    }
}

/// Where `/metrics` is served, as `keng check` reports it.
fn metrics_summary(config: &Config) -> String {
    match (
        config.metrics_listen.is_empty(),
        config.metrics_token.is_empty(),
    ) {
        (true, true) => "off (set metrics_listen or metrics_token to serve /metrics)".into(),
        (true, false) => "on the main listener with the bearer token (metrics_token)".into(),
        (false, true) => format!("on {} only", config.metrics_listen),
        (false, false) => format!(
            "on {}, and on the main listener with the bearer token (metrics_token)",
            config.metrics_listen
        ),
    }
}

fn check_templates() -> anyhow::Result<()> {
    crate::platform::web::Templates::load().map_err(anyhow::Error::msg)?;
    println!("templates: ok");
    Ok(())
}

/// `keng import indicators`: read and check the whole file, report every unusable
/// line, and write only a clean file, in one transaction, with a progress bar.
async fn import_indicators(
    g: &Global,
    file: &std::path::Path,
    format: Option<crate::scamcheck::bulk::Format>,
    status: &str,
    source: Option<String>,
    encoding: Option<String>,
) -> anyhow::Result<()> {
    use crate::scamcheck::{bulk, model::Status};
    let default = match Status::parse(status) {
        Some(s @ (Status::Reported | Status::Verified | Status::Published)) => s,
        _ => anyhow::bail!("--status must be reported, verified or published"),
    };
    let windows_1258 = match encoding.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("utf-8" | "utf8") => false,
        Some("windows-1258" | "cp1258") => true,
        Some(other) => anyhow::bail!("unknown encoding {other}: the file must be UTF-8, UTF-16 with a byte order mark, or windows-1258"),
    };
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let text = bulk::decode(&bytes, windows_1258)
        .map_err(|e| anyhow::anyhow!("{}: {e}; nothing imported", file.display()))?;
    drop(bytes);
    let format = format.unwrap_or_else(|| bulk::Format::guess(file, &text));
    let (db, _) = open(g).await?;
    let banks = crate::scamcheck::store::banks(&db).await?;
    eprintln!("reading {} as {format:?}…", file.display());
    let parsed = bulk::parse(&text, format, default, &banks);
    drop(text);
    if !parsed.errors.is_empty() {
        for e in parsed.errors.iter().take(50) {
            eprintln!("line {}: {}", e.line, e.why);
        }
        if parsed.errors.len() > 50 {
            eprintln!("… and {} more lines", parsed.errors.len() - 50);
        }
        anyhow::bail!(
            "{} of {} lines cannot be used; nothing imported (fix them, or remove them, and run again)",
            parsed.errors.len(),
            parsed.errors.len() + parsed.rows.len()
        );
    }
    let source = format!(
        "import:{}",
        source.unwrap_or_else(|| file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("file")
            .to_string())
    );
    let pb = bar("importing", parsed.rows.len());
    let counts = bulk::write(&db, &Origin::system("cli"), &parsed, &source, |n| {
        pb.set_position(n as u64)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}; nothing imported"))?;
    pb.finish_and_clear();
    println!(
        "imported {} new indicators ({} already known, left as they were; {} lines skipped; {} official addresses or whole platforms left out)",
        counts.added, counts.unchanged, parsed.skipped, parsed.protected
    );
    Ok(())
}

fn bar(msg: &'static str, len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(msg);
    bar
}

/// Orphans stored this recently are never removed.
const ORPHAN_GRACE_MS: i64 = 3_600_000;

/// The local store on PostgreSQL keeps files on one node: the others answer 404.
fn warn_local_on_postgres(db: &Db, store: &BlobStore) {
    if store.name() == "local" && db.backend() == crate::platform::db::Backend::Postgres {
        eprintln!(
            "warning: [files] store = \"local\" keeps files in this node's data directory; other nodes on this database cannot serve them (use store = \"database\", or one shared directory)"
        );
    }
}

/// `keng files verify`: every referenced file stored and intact; orphans listed.
async fn files_verify(db: &Db, store: &BlobStore, delete_orphans: bool) -> anyhow::Result<()> {
    let started = crate::platform::clock::now_ms();
    warn_local_on_postgres(db, store);
    let refs = crate::platform::capability::referenced_blobs(db).await?;
    let progress = bar("verify", refs.len());
    let mut bad = Vec::new();
    for sha in &refs {
        if store.read_own(sha).await?.is_none() {
            let why = if store.exists(sha).await? {
                "does not match its hash"
            } else if store.read(sha).await?.is_some() {
                "only in this node's data directory (run `keng files migrate --to` the configured store)"
            } else {
                "missing"
            };
            bad.push(format!("{sha}: {why}"));
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let orphans: Vec<String> = store
        .list()
        .await?
        .into_iter()
        .filter(|s| !refs.contains(s))
        .collect();
    println!(
        "{} store: {} files referenced, {} stored and intact, {} orphans",
        store.name(),
        refs.len(),
        refs.len() - bad.len(),
        orphans.len()
    );
    if delete_orphans {
        // Only what is still named by nothing just before removing it, and nothing stored
        // in the last hour: an upload in flight stores its blob before its row, and a
        // re-upload of an orphan's bytes marks it stored again.
        let now_refs = crate::platform::capability::referenced_blobs(db).await?;
        for o in &orphans {
            if now_refs.contains(o) {
                println!("kept {o}: referenced now");
            } else if store.delete_if_older(o, started - ORPHAN_GRACE_MS).await? {
                println!("removed orphan {o}");
            } else if store.exists(o).await? {
                println!("kept {o}: stored less than an hour ago");
            } else {
                println!("orphan {o} was not there to remove");
            }
        }
    } else {
        for o in &orphans {
            println!("orphan {o}");
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        for b in &bad {
            eprintln!("{b}");
        }
        anyhow::bail!("{} referenced files are missing or damaged", bad.len())
    }
}

/// Rebuilds this node's search index from the database, with a progress bar; what it
/// indexed.
async fn reindex(
    db: &Db,
    data_dir: &std::path::Path,
) -> anyhow::Result<crate::newsroom::search::Rebuilt> {
    let index = crate::newsroom::search::SearchIndex::open(
        &crate::newsroom::search::SearchIndex::dir_in(data_dir),
    )?;
    let progress = bar("reindex", 0);
    let n = crate::newsroom::search::rebuild(db, &index, |done, total| {
        progress.set_length(total as u64);
        progress.set_position(done as u64);
    })
    .await?;
    progress.finish_and_clear();
    Ok(n)
}

/// `keng restore DIR`: the configuration (when the data directory has none), then —
/// once the file store answers — the database into an empty place, the files into the
/// configured store (those a database-store backup holds in its database copy too, when
/// another store is configured now), the search index rebuilt.
async fn restore(g: &Global, dir: &std::path::Path, files_only: bool) -> anyhow::Result<()> {
    let m = backup::open_backup(dir)?;
    println!(
        "backup of {} ({} database, {} files), checked against its manifest",
        m.created_at,
        m.backend,
        m.files.len()
    );
    std::fs::create_dir_all(&g.data_dir)?;
    if m.config.is_some() && !g.data_dir.join("keng.toml").exists() {
        std::fs::copy(dir.join("keng.toml"), g.data_dir.join("keng.toml"))?;
        println!("keng.toml restored");
    }
    let config = load_config(&g.data_dir).map_err(|e| anyhow::anyhow!("keng.toml: {e}"))?;
    let location = Location::from_args(&g.data_dir, g.database_url.as_deref())?;
    if !files_only {
        // A store that is down would leave a database without its files: check it first
        // (the database store is checked with the database, below).
        if let Some(store) =
            BlobStore::outside_database(&config.files, &g.data_dir).map_err(anyhow::Error::msg)?
        {
            store.check().await.map_err(|e| {
                anyhow::anyhow!("files: {}: {e}; nothing was restored", store.describe())
            })?;
        }
        backup::restore_database(dir, &m, &location).await?;
    }
    let (db, _) = open(g).await?;
    let store =
        BlobStore::configured(&config.files, &db, &g.data_dir).map_err(anyhow::Error::msg)?;
    let progress = bar("files", m.files.len());
    let stored = backup::restore_files(dir, &m, &store, |done, _| {
        progress.set_position(done as u64)
    })
    .await;
    progress.finish_and_clear();
    let n = stored.map_err(|e| {
        anyhow::anyhow!(
            "{e}\nthe database is restored but not every file: when {} works again, run `keng restore {} --files-only`",
            store.describe(),
            dir.display()
        )
    })?;
    // Files a database-store backup carried in its database copy, now to live elsewhere.
    let mut moved = 0;
    if m.files_in_database && store.name() != "database" {
        let inside = BlobStore::open("database", &config.files, &db, &g.data_dir)
            .map_err(anyhow::Error::msg)?;
        for sha in inside.list().await? {
            if store.read_own(&sha).await?.is_none() {
                if let Some(bytes) = inside.read_own(&sha).await? {
                    store.put(bytes).await?;
                    moved += 1;
                }
            }
        }
    }
    let indexed = reindex(&db, &g.data_dir).await?;
    println!(
        "restored the database, {} files into the {} and {} bulletins and {} other records into the search index",
        n + moved,
        store.describe(),
        indexed.bulletins,
        indexed.others
    );
    if store.name() == "s3" {
        eprintln!(
            "warning: this copy uses the bucket of keng.toml ({}); if the backup's own site still runs, give this copy another [files.s3] prefix before any `keng files verify --delete-orphans`, which would otherwise count the other site's files as orphans",
            store.describe()
        );
    }
    if !m.missing.is_empty() {
        eprintln!(
            "warning: {} files were already missing or damaged when the backup was taken",
            m.missing.len()
        );
    }
    Ok(())
}

/// `keng files migrate --to KIND`: every stored and referenced file copied and checked.
async fn files_migrate(db: &Db, from: &BlobStore, to: &BlobStore) -> anyhow::Result<()> {
    warn_local_on_postgres(db, to);
    let mut all = crate::platform::capability::referenced_blobs(db).await?;
    all.extend(from.list().await?);
    let progress = bar("migrate", all.len());
    let (mut copied, mut there, mut missing) = (0, 0, Vec::new());
    for sha in &all {
        if to.read_own(sha).await?.is_some() {
            there += 1;
        } else if let Some(bytes) = from.read(sha).await? {
            let put = to.put(bytes).await?;
            if &put != sha || to.read_own(sha).await?.is_none() {
                anyhow::bail!("{sha}: the {} store did not keep it intact", to.name());
            }
            copied += 1;
        } else {
            missing.push(sha.clone());
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    println!(
        "{} → {}: {copied} copied, {there} already there, {} missing in {} (see `keng files verify`)",
        from.name(),
        to.name(),
        missing.len(),
        from.name()
    );
    println!(
        "now set [files] store = \"{}\" in keng.toml on every node",
        to.name()
    );
    Ok(())
}
