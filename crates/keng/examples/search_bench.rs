//! Search benchmark: Kẻng's tantivy index (accented + folded Vietnamese syllables) side
//! by side with PostgreSQL full-text search (`unaccent` + `simple`), on the same corpus of
//! generated Vietnamese bulletins and the same queries, in one run.
//!
//!   python3 gen-bulletins.py 100000 --seed 1 > corpus.jsonl
//!   python3 gen-bulletins.py --queries > queries.txt
//!   cargo run --release --example search_bench -- corpus.jsonl queries.txt postgres://postgres@127.0.0.1/test
//!
//! Both engines answer "the 20 best ids for this query". Each query runs `ROUNDS` times
//! on each engine after a warm-up; p50 and p99 are per query and over all.

use std::io::BufRead;
use std::time::Instant;

use keng::newsroom::model::{Bulletin, State};
use keng::newsroom::search::SearchIndex;
use sqlx::Connection;

const ROUNDS: usize = 50;

fn bulletin(v: &serde_json::Value, n: usize) -> Bulletin {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    Bulletin {
        id: format!("{:08}", n),
        kind: "press_release".into(),
        category: s("category"),
        title: s("title"),
        summary: s("summary"),
        body_html: format!("<p>{}</p>", s("body")),
        places: vec![s("district"), s("commune")],
        tags: Vec::new(),
        video_links: Vec::new(),
        audience: "public".into(),
        embargo_until: None,
        publish_at: None,
        incident_id: None,
        unit_id: None,
        unit_ids: Vec::new(),
        spokesperson_id: None,
        state: State::Published,
        version: 1,
        author_id: None,
        submitted_by: None,
        approved_by: None,
        self_approved: false,
        published_by: None,
        published_at: Some(0),
        released_at: Some(0),
        press_released_at: Some(0),
        corrected_at: None,
        correction_note: None,
        withdrawn_at: None,
        withdrawal_reason: None,
        review_note: None,
        review_note_by: None,
        review_note_at: None,
        created_at: 0,
        updated_at: 0,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        anyhow::bail!("usage: search_bench CORPUS.jsonl QUERIES.txt POSTGRES_URL");
    }
    let corpus: Vec<serde_json::Value> = std::io::BufReader::new(std::fs::File::open(&args[1])?)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect();
    let queries: Vec<String> = std::fs::read_to_string(&args[2])?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let n = corpus.len();
    eprintln!("{n} bulletins, {} queries", queries.len());

    // tantivy
    let dir = std::env::temp_dir().join(format!("keng-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let index = SearchIndex::open(&dir)?;
    let t = Instant::now();
    for (chunk_no, chunk) in corpus.chunks(10_000).enumerate() {
        let docs: Vec<Bulletin> = chunk
            .iter()
            .enumerate()
            .map(|(i, v)| bulletin(v, chunk_no * 10_000 + i))
            .collect();
        index.apply(&docs, &[], &[], 0)?;
    }
    let tantivy_build = t.elapsed().as_secs_f64();
    eprintln!("tantivy: indexed in {tantivy_build:.1} s");

    // PostgreSQL
    let mut pg = sqlx::PgConnection::connect(&args[3]).await?;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS unaccent")
        .execute(&mut pg)
        .await?;
    sqlx::query("DROP TABLE IF EXISTS keng_search_bench")
        .execute(&mut pg)
        .await?;
    sqlx::query(
        "CREATE TABLE keng_search_bench (id TEXT PRIMARY KEY, title TEXT, body TEXT, tsv tsvector)",
    )
    .execute(&mut pg)
    .await?;
    let t = Instant::now();
    for (chunk_no, chunk) in corpus.chunks(2_000).enumerate() {
        let mut ids = Vec::new();
        let mut titles = Vec::new();
        let mut bodies = Vec::new();
        for (i, v) in chunk.iter().enumerate() {
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            ids.push(format!("{:08}", chunk_no * 2_000 + i));
            titles.push(s("title"));
            bodies.push(format!(
                "{} {} {} {}",
                s("summary"),
                s("body"),
                s("district"),
                s("commune")
            ));
        }
        sqlx::query(
            "INSERT INTO keng_search_bench (id, title, body, tsv)
             SELECT i, t, b, setweight(to_tsvector('simple', unaccent(t)), 'A') || to_tsvector('simple', unaccent(b))
             FROM unnest($1::text[], $2::text[], $3::text[]) AS x(i, t, b)",
        )
        .bind(&ids)
        .bind(&titles)
        .bind(&bodies)
        .execute(&mut pg)
        .await?;
    }
    sqlx::query("CREATE INDEX keng_search_bench_tsv ON keng_search_bench USING GIN (tsv)")
        .execute(&mut pg)
        .await?;
    sqlx::query("ANALYZE keng_search_bench")
        .execute(&mut pg)
        .await?;
    let pg_build = t.elapsed().as_secs_f64();
    eprintln!("PostgreSQL: loaded and indexed in {pg_build:.1} s");
    let pg_sql = "SELECT id FROM keng_search_bench, plainto_tsquery('simple', unaccent($1)) q
                  WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20";

    let mut rows = Vec::new();
    let (mut all_t, mut all_p) = (Vec::new(), Vec::new());
    for q in &queries {
        // warm-up
        let tantivy_hits = index.candidates(q, None, 20)?.len();
        let pg_hits: Vec<(String,)> = sqlx::query_as(pg_sql).bind(q).fetch_all(&mut pg).await?;
        let mut tt = Vec::with_capacity(ROUNDS);
        let mut pp = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let _ = index.candidates(q, None, 20)?;
            tt.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let _: Vec<(String,)> = sqlx::query_as(pg_sql).bind(q).fetch_all(&mut pg).await?;
            pp.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        tt.sort_by(|a, b| a.total_cmp(b));
        pp.sort_by(|a, b| a.total_cmp(b));
        rows.push(format!(
            "| {q} | {tantivy_hits} | {:.2} | {:.2} | {} | {:.2} | {:.2} |",
            percentile(&tt, 0.5),
            percentile(&tt, 0.99),
            pg_hits.len(),
            percentile(&pp, 0.5),
            percentile(&pp, 0.99)
        ));
        all_t.extend(tt);
        all_p.extend(pp);
    }
    all_t.sort_by(|a, b| a.total_cmp(b));
    all_p.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{n} bulletins; {} queries × {ROUNDS} rounds each, alternating engines. Times in ms.",
        queries.len()
    );
    println!("Build: tantivy {tantivy_build:.1} s; PostgreSQL load + GIN {pg_build:.1} s.\n");
    println!("| query | tantivy hits | tantivy p50 | tantivy p99 | PG hits | PG p50 | PG p99 |");
    println!("|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    println!(
        "| **all queries** | | **{:.2}** | **{:.2}** | | **{:.2}** | **{:.2}** |",
        percentile(&all_t, 0.5),
        percentile(&all_t, 0.99),
        percentile(&all_p, 0.5),
        percentile(&all_p, 0.99)
    );
    sqlx::query("DROP TABLE keng_search_bench")
        .execute(&mut pg)
        .await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
