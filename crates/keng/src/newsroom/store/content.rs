//! A bulletin's content: the input, its checks and sanitising, creation, reading and editing before publication (each edit a new version).

use super::*;

/// A bulletin as written in the editor or sent to the API.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct BulletinInput {
    /// initial_information, press_release or case_update.
    pub kind: String,
    pub category: String,
    pub title: String,
    pub summary: String,
    /// HTML (sanitised to an allow-list) or plain text (blank lines separate paragraphs).
    pub body: String,
    #[serde(default)]
    pub places: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Links to videos (http or https), at most 5.
    #[serde(default)]
    pub video_links: Vec<String>,
    /// public or press (accredited journalists only).
    pub audience: String,
    /// RFC 3339, or a Vietnam-time "yyyy-mm-ddThh:mm".
    pub embargo_until: Option<String>,
    pub incident_id: Option<String>,
    #[serde(default)]
    pub unit_ids: Vec<String>,
    pub spokesperson_id: Option<String>,
}

pub(super) struct Clean {
    pub(super) kind: String,
    pub(super) category: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) body_html: String,
    pub(super) places: Vec<String>,
    pub(super) tags: Vec<String>,
    pub(super) video_links: Vec<String>,
    pub(super) audience: String,
    pub(super) embargo_until: Option<i64>,
    pub(super) incident_id: Option<String>,
    pub(super) unit_ids: Vec<String>,
    pub(super) spokesperson_id: Option<String>,
}

pub(super) fn clean_list(c: &mut Check, field: &str, items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for it in items.iter().flat_map(|s| s.split([',', '\n'])) {
        if let Some(v) = c.opt_text(field, Some(it), 80) {
            if !out.iter().any(|o| keng_text::same_words(o, &v)) {
                out.push(v);
            }
        }
    }
    if out.len() > 20 {
        c.fail(field, "err.too_many_items");
    }
    out
}

pub(super) async fn check(db: &Db, cfg: &Config, input: &BulletinInput) -> AppResult<Clean> {
    let mut c = Check::default();
    let kind = c.one_of("kind", &input.kind, &KINDS);
    let cats: Vec<&str> = crate::newsroom::settings::of(cfg)
        .categories
        .iter()
        .map(String::as_str)
        .collect();
    let category = c.one_of("category", &input.category, &cats);
    let title = c.text("title", &input.title, 300);
    let summary = c.text("summary", &input.summary, 1000);
    if input.body.len() > 200_000 {
        c.fail("body", "err.too_long");
    }
    let body_html = sanitize::body(&input.body);
    if sanitize::plain(&body_html).is_empty() {
        c.fail("body", "err.required");
    }
    let places = clean_list(&mut c, "places", &input.places);
    let tags = clean_list(&mut c, "tags", &input.tags);
    let mut video_links = Vec::new();
    for l in input
        .video_links
        .iter()
        .flat_map(|s| s.split([',', '\n', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match c.opt_url("video_links", Some(l)) {
            Some(u) if !video_links.contains(&u) => video_links.push(u),
            _ => {}
        }
    }
    if video_links.len() > 5 {
        c.fail("video_links", "err.too_many_items");
    }
    let audience = c.one_of("audience", &input.audience, &AUDIENCES);
    let embargo_until = match input
        .embargo_until
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match clock::parse_local_datetime(s) {
            Some(t) => Some(t),
            None => {
                c.fail("embargo_until", "err.datetime");
                None
            }
        },
    };
    let incident_id = input
        .incident_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(i) = &incident_id {
        if !is_id(i) || get_incident(db, i).await?.is_none() {
            c.fail("incident_id", "err.unknown_incident");
        }
    }
    let mut unit_ids = Vec::new();
    for u in input
        .unit_ids
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        if !is_id(u) || accounts::get_unit(db, u).await?.is_none() {
            c.fail("unit_ids", "err.unknown_unit");
        } else if !unit_ids.iter().any(|x| x == u) {
            unit_ids.push(u.to_string());
        }
    }
    let named = input
        .spokesperson_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    // A bulletin always names whom the press may call: the spokesperson on duty unless
    // another is named.
    let spokesperson_id = match named {
        Some(s) => Some(s),
        None => spokesperson_on_duty(db, cfg).await?.map(|u| u.id),
    };
    if let Some(s) = &spokesperson_id {
        let ok = is_id(s)
            && accounts::get_user(db, s)
                .await?
                .is_some_and(|u| matches!(u.role, Role::Spokesperson | Role::Leader));
        if !ok {
            c.fail("spokesperson_id", "err.not_spokesperson");
        }
    }
    c.finish()?;
    Ok(Clean {
        kind,
        category,
        title,
        summary,
        body_html,
        places,
        tags,
        video_links,
        audience,
        embargo_until,
        incident_id,
        unit_ids,
        spokesperson_id,
    })
}

pub(super) async fn save_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    c: &Clean,
    note: Option<&str>,
    author: &str,
    now: i64,
) -> DbResult<()> {
    tx.execute(
        "INSERT INTO bulletin_versions (bulletin_id, version, title, summary, body_html, category, places, tags, audience, embargo_until, note, author_id, created_at, video_links)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        args![id, version, &c.title, &c.summary, &c.body_html, &c.category, join_list(&c.places), join_list(&c.tags), &c.audience, c.embargo_until, note, author, now, join_list(&c.video_links)],
    )
    .await?;
    tx.execute(
        "DELETE FROM bulletin_units WHERE bulletin_id = $1",
        args![id],
    )
    .await?;
    for u in &c.unit_ids {
        tx.execute(
            "INSERT INTO bulletin_units (bulletin_id, unit_id) VALUES ($1, $2)",
            args![id, u],
        )
        .await?;
    }
    Ok(())
}

/// Creates a draft. A unit officer drafts for their own unit.
pub async fn create(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    author: &User,
    input: &BulletinInput,
) -> AppResult<Bulletin> {
    let mut tx = db.begin().await?;
    let b = draft_in(&mut tx, db, cfg, origin, author, input).await?;
    tx.commit().await?;
    Ok(b)
}

/// Creates a draft inside the caller's transaction (another capability that makes a
/// draft as part of its own change: both commit or neither), if `author` may draft.
pub async fn draft_in(
    tx: &mut Tx,
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    author: &User,
    input: &BulletinInput,
) -> AppResult<Bulletin> {
    let owner_unit = if author.role == Role::UnitOfficer {
        author.unit_id.clone()
    } else {
        None
    };
    if !allowed(
        &author.actor(),
        Action::DraftBulletin,
        &owner_of(db, owner_unit.as_deref()).await?,
    ) {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    let c = check(db, cfg, input).await?;
    let id = new_id();
    let now = now_ms();
    tx.execute(
        "INSERT INTO bulletins (id, kind, category, title, summary, body_html, places, tags, audience, embargo_until, incident_id, unit_id,
           spokesperson_id, state, version, author_id, self_approved, created_at, updated_at, video_links)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', 1, $14, $15, $16, $16, $17)",
        args![&id, &c.kind, &c.category, &c.title, &c.summary, &c.body_html, join_list(&c.places), join_list(&c.tags), &c.audience,
              c.embargo_until, c.incident_id.clone(), owner_unit.clone(), c.spokesperson_id.clone(), &author.id, false, now, join_list(&c.video_links)],
    )
    .await?;
    save_version(tx, &id, 1, &c, None, &author.id, now).await?;
    let b = load_tx(tx, &id).await?;
    record_change(
        tx,
        origin,
        "bulletin.created",
        "bulletin",
        &id,
        None,
        Some(b.json()),
    )
    .await?;
    Ok(b)
}

/// Reads a bulletin with its units, from the database or inside a transaction.
pub(super) async fn read<'a>(conn: impl Into<Conn<'a>>, id: &str) -> AppResult<Option<Bulletin>> {
    let mut c = conn.into();
    let Some(row) = c
        .fetch_optional("SELECT * FROM bulletins WHERE id = $1", args![id])
        .await?
    else {
        return Ok(None);
    };
    let mut b = Bulletin::from_row(&row)?;
    b.unit_ids = c
        .fetch_all(
            "SELECT unit_id FROM bulletin_units WHERE bulletin_id = $1 ORDER BY unit_id",
            args![id],
        )
        .await?
        .iter()
        .map(|r| r.str("unit_id"))
        .collect::<DbResult<_>>()?;
    Ok(Some(b))
}

/// The bulletin a transaction just wrote.
/// Takes the bulletin's row for this transaction (a no-op write: a concurrent step, edit
/// or upload waits until this one commits) and checks that nothing changed it since
/// `seen` was read — the decision taken on `seen` (its state, four eyes) still holds.
pub(super) async fn lock_unchanged(tx: &mut Tx, seen: &Bulletin) -> AppResult<()> {
    let n = tx
        .execute(
            "UPDATE bulletins SET updated_at = updated_at WHERE id = $1",
            args![&seen.id],
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    let now = load_tx(tx, &seen.id).await?;
    if (now.state, now.version, now.updated_at) != (seen.state, seen.version, seen.updated_at) {
        return Err(AppError::Conflict("err.changed_meanwhile"));
    }
    Ok(())
}

pub(super) async fn load_tx(tx: &mut Tx, id: &str) -> AppResult<Bulletin> {
    read(tx, id).await?.ok_or(AppError::NotFound)
}

pub async fn get(db: &Db, id: &str) -> AppResult<Option<Bulletin>> {
    if !is_id(id) {
        return Ok(None);
    }
    read(db, id).await
}

/// Edits the content before publication: a new version. Editing a submitted or approved
/// bulletin sends it back to draft: the approval must be for the text as it now stands,
/// read by someone who did not write it (see `rules`).
pub async fn update(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    id: &str,
    input: &BulletinInput,
) -> AppResult<Bulletin> {
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    if !may_edit(db, user, &before).await? {
        return Err(AppError::Forbidden("err.forbidden"));
    }
    if !matches!(
        before.state,
        State::Draft | State::Submitted | State::Approved
    ) {
        return Err(AppError::Conflict("err.use_correction"));
    }
    let c = check(db, cfg, input).await?;
    let now = now_ms();
    let version = before.version + 1;
    let state = State::Draft;
    let mut tx = db.begin().await?;
    lock_unchanged(&mut tx, &before).await?;
    tx.execute(
        "UPDATE bulletins SET kind = $1, category = $2, title = $3, summary = $4, body_html = $5, places = $6, tags = $7, audience = $8,
           embargo_until = $9, incident_id = $10, spokesperson_id = $11, version = $12, state = $13, approved_by = NULL, submitted_by = NULL,
           self_approved = FALSE, updated_at = $14,
           video_links = $16
         WHERE id = $15",
        args![&c.kind, &c.category, &c.title, &c.summary, &c.body_html, join_list(&c.places), join_list(&c.tags), &c.audience,
              c.embargo_until, c.incident_id.clone(), c.spokesperson_id.clone(), version, state.as_str(), now, id, join_list(&c.video_links)],
    )
    .await?;
    save_version(&mut tx, id, version, &c, None, &user.id, now).await?;
    let after = load_tx(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        "bulletin.updated",
        "bulletin",
        id,
        Some(before.json()),
        Some(after.json()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The spokesperson on duty (`[newsroom] spokesperson_on_duty`, else the first active
/// spokesperson by username), if there is one.
pub async fn spokesperson_on_duty(db: &Db, cfg: &Config) -> AppResult<Option<User>> {
    let configured = &crate::newsroom::settings::of(cfg).spokesperson_on_duty;
    if !configured.is_empty() {
        if let Some(u) = accounts::user_by_username(db, configured).await? {
            if u.status == crate::accounts::model::Status::Active {
                return Ok(Some(u));
            }
        }
    }
    Ok(accounts::list_users(
        db,
        &accounts::UserFilter {
            role: Some(Role::Spokesperson),
            status: Some(crate::accounts::model::Status::Active),
            agency_id: None,
        },
    )
    .await?
    .into_iter()
    .next())
}
