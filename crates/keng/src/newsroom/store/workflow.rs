//! The publication workflow: submit, approve (four eyes), publish now or later, correct, withdraw — each step one transaction with its audit record and event.

use super::*;

/// A step of the workflow, with what it needs.
#[derive(Debug, Clone, Deserialize, Default, utoipa::ToSchema)]
pub struct ActionInput {
    /// publish: a future time schedules the publication (RFC 3339 or Vietnam time).
    pub publish_at: Option<String>,
    /// correct: what changed (shown as "Đính chính"); withdraw: why.
    pub note: Option<String>,
    /// correct: the corrected content.
    pub content: Option<BulletinInput>,
}

/// The workflow's steps, as the API and the desk name them.
pub const ACTIONS: [&str; 6] = [
    "submit",
    "approve",
    "request_changes",
    "publish",
    "correct",
    "withdraw",
];

/// Runs `action` (one of [`ACTIONS`]) for `user`.
pub async fn act(
    db: &Db,
    cfg: &Config,
    origin: &Origin,
    user: &User,
    id: &str,
    action: &str,
    input: &ActionInput,
) -> AppResult<Bulletin> {
    let before = get(db, id).await?.ok_or(AppError::NotFound)?;
    let actor = user.actor();
    let now = now_ms();
    let note = input
        .note
        .as_deref()
        .map(|n| keng_text::canonical(n.trim()))
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::invalid("note", "err.too_long"));
    }
    let mut tx = db.begin().await?;
    lock_unchanged(&mut tx, &before).await?;
    let event = match action {
        "submit" => {
            if !may_edit(db, user, &before).await? {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Draft)?;
            tx.execute(
                "UPDATE bulletins SET state = 'submitted', submitted_by = $1, updated_at = $2,
                   review_note = NULL, review_note_by = NULL, review_note_at = NULL WHERE id = $3",
                args![&user.id, now, id],
            )
            .await?;
            "bulletin.submitted"
        }
        "approve" => {
            // Four eyes, decided in `rules`.
            let emergency =
                rules::approval(db, cfg, user, &before).await? == rules::Approval::Emergency;
            tx.execute(
                "UPDATE bulletins SET state = 'approved', approved_by = $1, self_approved = $2, updated_at = $3 WHERE id = $4",
                args![&user.id, emergency, now, id],
            )
            .await?;
            if emergency {
                "bulletin.self_approved"
            } else {
                "bulletin.approved"
            }
        }
        "request_changes" => {
            // Who may approve it may send it back, with what to change; not its author.
            if rules::approval(db, cfg, user, &before).await? != rules::Approval::SecondPair {
                return Err(AppError::Forbidden("err.four_eyes"));
            }
            let Some(comment) = note.clone() else {
                return Err(AppError::invalid("note", "err.comment_required"));
            };
            tx.execute(
                "UPDATE bulletins SET state = 'draft', review_note = $1, review_note_by = $2, review_note_at = $3,
                   updated_at = $3 WHERE id = $4",
                args![&comment, &user.id, now, id],
            )
            .await?;
            "bulletin.changes_requested"
        }
        "publish" => {
            if !allowed(&actor, Action::PublishBulletin, &Owner::None) {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Approved)?;
            let publish_at = match input
                .publish_at
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => None,
                Some(s) => Some(
                    clock::parse_local_datetime(s)
                        .ok_or(AppError::invalid("publish_at", "err.datetime"))?,
                ),
            }
            .filter(|t| *t > now);
            tx.execute(
                "UPDATE bulletins SET state = 'published', published_by = $1, published_at = $2, publish_at = $3, updated_at = $2 WHERE id = $4",
                args![&user.id, now, publish_at, id],
            )
            .await?;
            "bulletin.published"
        }
        "correct" => {
            if !rules::may_correct(db, cfg, user, &before).await? {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Published)?;
            let Some(note) = note.clone() else {
                return Err(AppError::invalid("note", "err.correction_note_required"));
            };
            let content = input
                .content
                .as_ref()
                .ok_or(AppError::invalid("content", "err.required"))?;
            let mut c = check(db, cfg, content).await?;
            c.embargo_until =
                rules::correction_keeps_release(&before, &c.audience, c.embargo_until)?;
            let version = before.version + 1;
            tx.execute(
                "UPDATE bulletins SET kind = $1, category = $2, title = $3, summary = $4, body_html = $5, places = $6, tags = $7, audience = $8,
                   embargo_until = $9, version = $10, corrected_at = $11, correction_note = $12, updated_at = $11, video_links = $14 WHERE id = $13",
                args![&c.kind, &c.category, &c.title, &c.summary, &c.body_html, join_list(&c.places), join_list(&c.tags), &c.audience,
                      c.embargo_until, version, now, &note, id, join_list(&c.video_links)],
            )
            .await?;
            save_version(&mut tx, id, version, &c, Some(&note), &user.id, now).await?;
            "bulletin.corrected"
        }
        "withdraw" => {
            if !allowed(&actor, Action::ApproveBulletin, &Owner::None) {
                return Err(AppError::Forbidden("err.forbidden"));
            }
            need(before.state, State::Published)?;
            let Some(reason) = note.clone() else {
                return Err(AppError::invalid("note", "err.reason_required"));
            };
            tx.execute(
                "UPDATE bulletins SET state = 'withdrawn', withdrawn_at = $1, withdrawal_reason = $2, updated_at = $1 WHERE id = $3",
                args![now, &reason, id],
            )
            .await?;
            "bulletin.withdrawn"
        }
        _ => return Err(AppError::NotFound),
    };
    let after = load_tx(&mut tx, id).await?;
    record_change(
        &mut tx,
        origin,
        event,
        "bulletin",
        id,
        Some(before.json()),
        Some(after.json()),
    )
    .await?;
    // Published with nothing to wait for: it is out now. What waits (a schedule, an
    // embargo) will change public pages by itself: the page cache must know when.
    if event == "bulletin.withdrawn" {
        recount_first_information(&mut tx, &after).await?;
    }
    if event == "bulletin.published" {
        if release_in(&mut tx, &after, now).await? {
            // The count reads the release times just written, in this transaction.
            recount_first_information(&mut tx, &after).await?;
        }
        for t in [after.press_time(), after.public_time()]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
        {
            crate::platform::cache::expect_change_at(t);
        }
    }
    tx.commit().await?;
    get(db, id).await?.ok_or(AppError::NotFound)
}

pub(super) fn need(have: State, want: State) -> AppResult<()> {
    if have == want {
        Ok(())
    } else {
        Err(AppError::Conflict("err.bad_state"))
    }
}

/// An incident's 24-hour duty is met by the first initial information that reached the
/// press and still stands: recounted whenever one is released or withdrawn, so that
/// withdrawing the only one opens the duty again (its deadline stays the same).
pub(super) async fn recount_first_information(tx: &mut Tx, b: &Bulletin) -> DbResult<()> {
    if let (Some(incident), "initial_information") = (&b.incident_id, b.kind.as_str()) {
        tx.execute(
            "UPDATE incidents SET updated_at = $1, first_info_at = (
               SELECT MIN(press_released_at) FROM bulletins
                WHERE incident_id = $2 AND kind = 'initial_information' AND state = 'published'
                  AND press_released_at IS NOT NULL)
             WHERE id = $2",
            args![now_ms(), incident],
        )
        .await?;
    }
    Ok(())
}
