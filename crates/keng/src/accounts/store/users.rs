//! Accounts: staff and journalists, sign-in checks, profiles, status changes (accreditation), passwords and TOTP.

use super::*;
use crate::platform::db::Value;

pub use crate::platform::identity::get_user;

pub async fn user_by_username(db: &Db, username: &str) -> DbResult<Option<User>> {
    db.fetch_optional(
        "SELECT * FROM users WHERE username = $1",
        args![username.trim().to_ascii_lowercase()],
    )
    .await?
    .as_ref()
    .map(User::from_row)
    .transpose()
}

/// The stored password hash and TOTP state of a user, for login.
pub async fn credentials(
    db: &Db,
    user_id: &str,
) -> DbResult<Option<(String, Option<String>, Option<i64>)>> {
    db.fetch_optional(
        "SELECT password_hash, totp_secret, totp_last_step FROM users WHERE id = $1",
        args![user_id],
    )
    .await?
    .map(|r| {
        Ok((
            r.str("password_hash")?,
            r.opt_str("totp_secret")?,
            r.opt_i64("totp_last_step")?,
        ))
    })
    .transpose()
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub status: Option<Status>,
    pub agency_id: Option<String>,
}

/// The WHERE clause and parameters of a user filter (one place for the list and the count).
pub(super) fn user_filter(f: &UserFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut params: Vec<Value> = Vec::new();
    if let Some(r) = f.role {
        params.push(r.as_str().into());
        sql.push_str(&format!(" AND role = ${}", params.len()));
    }
    if let Some(s) = f.status {
        params.push(s.as_str().into());
        sql.push_str(&format!(" AND status = ${}", params.len()));
    }
    if let Some(a) = &f.agency_id {
        params.push(a.into());
        sql.push_str(&format!(" AND agency_id = ${}", params.len()));
    }
    (sql, params)
}

pub async fn list_users(db: &Db, f: &UserFilter) -> DbResult<Vec<User>> {
    let (filter, params) = user_filter(f);
    db.fetch_all(
        &format!("SELECT * FROM users{filter} ORDER BY role, username"),
        &params,
    )
    .await?
    .iter()
    .map(User::from_row)
    .collect()
}

/// How many accounts a filter selects (dashboards count without loading them).
pub async fn count_users(db: &Db, f: &UserFilter) -> DbResult<i64> {
    let (filter, params) = user_filter(f);
    db.fetch_one(&format!("SELECT COUNT(*) AS n FROM users{filter}"), &params)
        .await?
        .i64("n")
}

/// A new account, validated by the caller's flow (admin creation, self-registration,
/// the command line or the demo).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub role: Role,
    pub unit_id: Option<String>,
    pub agency_id: Option<String>,
    #[serde(default)]
    pub is_editor: bool,
    pub press_card_no: Option<String>,
    pub password: String,
}

/// The editable part of an account (everything but username, password and status).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub role: Role,
    pub unit_id: Option<String>,
    pub agency_id: Option<String>,
    #[serde(default)]
    pub is_editor: bool,
    pub press_card_no: Option<String>,
}

impl NewUser {
    fn profile(&self) -> Profile {
        Profile {
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            title: self.title.clone(),
            role: self.role,
            unit_id: self.unit_id.clone(),
            agency_id: self.agency_id.clone(),
            is_editor: self.is_editor,
            press_card_no: self.press_card_no.clone(),
        }
    }
}

/// A checked profile.
pub(super) struct CleanProfile {
    display_name: String,
    email: Option<String>,
    phone: Option<String>,
    title: Option<String>,
    press_card_no: Option<String>,
    unit_id: Option<String>,
    agency_id: Option<String>,
    is_editor: bool,
}

/// The rules every account obeys: a unit officer belongs to a unit, a journalist to a
/// press agency with a press card number; nobody has the public role.
pub(super) async fn check_profile(
    db: &Db,
    c: &mut crate::accounts::model::Check,
    input: &Profile,
) -> AppResult<CleanProfile> {
    let display_name = c.text("display_name", &input.display_name, 120);
    let email = c.opt_email("email", input.email.as_deref());
    let phone = c.opt_phone("phone", input.phone.as_deref());
    let title = c.opt_text("title", input.title.as_deref(), 120);
    let press_card_no = c.opt_text("press_card_no", input.press_card_no.as_deref(), 40);
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut unit_id = blank(&input.unit_id);
    let mut agency_id = blank(&input.agency_id);
    match input.role {
        Role::Public => c.fail("role", "err.choice"),
        Role::UnitOfficer => {
            agency_id = None;
            match &unit_id {
                None => c.fail("unit_id", "err.unit_required"),
                Some(u) if get_unit(db, u).await?.is_none() => {
                    c.fail("unit_id", "err.unknown_unit")
                }
                _ => {}
            }
        }
        Role::Journalist => {
            unit_id = None;
            match &agency_id {
                None => c.fail("agency_id", "err.agency_required"),
                Some(a) if get_agency(db, a).await?.is_none() => {
                    c.fail("agency_id", "err.unknown_agency")
                }
                _ => {}
            }
            if press_card_no.is_none() {
                c.fail("press_card_no", "err.required");
            }
        }
        _ => {
            agency_id = None;
            if let Some(u) = &unit_id {
                if get_unit(db, u).await?.is_none() {
                    c.fail("unit_id", "err.unknown_unit");
                }
            }
        }
    }
    Ok(CleanProfile {
        display_name,
        email,
        phone,
        title,
        press_card_no,
        unit_id,
        agency_id,
        is_editor: input.role == Role::Journalist && input.is_editor,
    })
}

/// Edits an account's profile (admin). A role change ends the account's sessions so
/// the new rights apply from the next sign-in, and its tokens, which carried the old role.
pub async fn update_user(db: &Db, origin: &Origin, id: &str, input: &Profile) -> AppResult<User> {
    let before = get_user(db, id).await?.ok_or(AppError::NotFound)?;
    let mut c = crate::accounts::model::Check::default();
    let p = check_profile(db, &mut c, input).await?;
    if (before.role == Role::Journalist) != (input.role == Role::Journalist) {
        // Journalists and staff follow different workflows; make a new account instead.
        c.fail("role", "err.role_change");
    }
    c.finish()?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE users SET display_name = $1, email = $2, phone = $3, title = $4, role = $5, unit_id = $6, agency_id = $7,
           is_editor = $8, press_card_no = $9, updated_at = $10 WHERE id = $11",
        args![&p.display_name, &p.email, &p.phone, &p.title, input.role.as_str(), p.unit_id.clone(), p.agency_id.clone(),
              p.is_editor, &p.press_card_no, now, id],
    )
    .await?;
    if before.role != input.role || before.unit_id != p.unit_id || before.agency_id != p.agency_id {
        tx.execute("DELETE FROM sessions WHERE user_id = $1", args![id])
            .await?;
        tx.execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            args![now, id],
        )
        .await?;
    }
    let mut after = before.clone();
    after.display_name = p.display_name;
    after.email = p.email;
    after.phone = p.phone;
    after.title = p.title;
    after.role = input.role;
    after.unit_id = p.unit_id;
    after.agency_id = p.agency_id;
    after.is_editor = p.is_editor;
    after.press_card_no = p.press_card_no;
    after.updated_at = now;
    record_change(
        &mut tx,
        origin,
        "user.updated",
        "user",
        id,
        Some(before.json()),
        Some(after.json()),
    )
    .await?;
    tx.commit().await?;
    crate::platform::identity::changed();
    Ok(after)
}

/// Checks a new account and creates it with `status` (staff creating accounts: a taken
/// username is reported).
pub async fn create_user(
    db: &Db,
    origin: &Origin,
    input: &NewUser,
    status: Status,
) -> AppResult<User> {
    match insert_user(db, origin, input, status, true).await? {
        Some(u) => Ok(u),
        None => Err(AppError::invalid("username", "err.username_taken")),
    }
}

/// A journalist's self-registration. Answers the same whether the username is free or
/// taken, so a stranger cannot learn which accounts exist: a taken name is recorded in
/// the audit log as a refused registration (the account that holds it is untouched) and
/// `None` comes back, which callers answer exactly like a registration.
pub async fn register_journalist(
    db: &Db,
    origin: &Origin,
    input: &NewUser,
) -> AppResult<Option<User>> {
    insert_user(db, origin, input, Status::Pending, false).await
}

/// Creates the account, or answers `None` for a taken username when `reveal_taken` is
/// false (after the same work as a creation, password hash included, so the time taken
/// does not tell either).
pub(super) async fn insert_user(
    db: &Db,
    origin: &Origin,
    input: &NewUser,
    status: Status,
    reveal_taken: bool,
) -> AppResult<Option<User>> {
    let mut c = crate::accounts::model::Check::default();
    let username = c.username("username", &input.username);
    c.password("password", &input.password);
    let p = check_profile(db, &mut c, &input.profile()).await?;
    let (display_name, email, phone, title, press_card_no, unit_id, agency_id) = (
        p.display_name,
        p.email,
        p.phone,
        p.title,
        p.press_card_no,
        p.unit_id,
        p.agency_id,
    );
    let holder = if username.is_empty() {
        None
    } else {
        user_by_username(db, &username).await?
    };
    if holder.is_some() && reveal_taken {
        c.fail("username", "err.username_taken");
    }
    c.finish()?;
    let hash = crate::platform::auth::password::hash(&input.password).await?;
    if let Some(holder) = holder {
        refuse_registration(db, origin, &holder.id, &username, agency_id.as_deref()).await?;
        return Ok(None);
    }
    let id = new_id();
    let now = now_ms();
    let is_editor = p.is_editor;
    let mut tx = db.begin().await?;
    let inserted = tx
        .execute(
            "INSERT INTO users (id, username, display_name, email, phone, title, role, unit_id, agency_id, is_editor, press_card_no,
               status, password_hash, totp_enabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
            args![&id, &username, &display_name, &email, &phone, &title, input.role.as_str(), unit_id.clone(), agency_id.clone(),
                  is_editor, &press_card_no, status.as_str(), hash, false, now],
        )
        .await;
    match inserted {
        Ok(_) => {}
        // Taken in the meantime by a concurrent request.
        Err(e) if e.is_unique_violation() => {
            drop(tx);
            if reveal_taken {
                return Err(AppError::invalid("username", "err.username_taken"));
            }
            let holder = user_by_username(db, &username).await?.map(|u| u.id);
            refuse_registration(
                db,
                origin,
                holder.as_deref().unwrap_or(""),
                &username,
                agency_id.as_deref(),
            )
            .await?;
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    }
    let user = User {
        id: id.clone(),
        username,
        display_name,
        email,
        phone,
        title,
        role: input.role,
        unit_id,
        agency_id,
        is_editor,
        press_card_no,
        status,
        status_reason: None,
        totp_enabled: false,
        created_at: now,
        updated_at: now,
    };
    let action = if status == Status::Pending {
        "user.registered"
    } else {
        "user.created"
    };
    record_change(
        &mut tx,
        origin,
        action,
        "user",
        &id,
        None,
        Some(user.json()),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user))
}

/// Records a self-registration refused because the username is taken: for the audit
/// log's readers, against the account holding the name, which is not changed.
pub(super) async fn refuse_registration(
    db: &Db,
    origin: &Origin,
    holder_id: &str,
    username: &str,
    agency_id: Option<&str>,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    record_change(
        &mut tx,
        origin,
        "user.registration_refused",
        "user",
        holder_id,
        None,
        Some(serde_json::json!({
            "username": username,
            "agency_id": agency_id,
            "reason": "username_taken",
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves an account to `to` with a reason, checking the move is one the workflow allows.
/// Leaving `active` ends every open session and revokes every API token of the account
/// in the same transaction.
pub async fn set_status(
    db: &Db,
    origin: &Origin,
    user_id: &str,
    to: Status,
    reason: Option<&str>,
) -> AppResult<User> {
    let before = get_user(db, user_id).await?.ok_or(AppError::NotFound)?;
    let from = before.status;
    use Status::*;
    if !from.can_move(before.role, to) {
        return Err(AppError::Conflict("err.bad_transition"));
    }
    let reason = reason
        .map(|r| keng_text::canonical(r.trim()))
        .filter(|r| !r.is_empty());
    if matches!(to, Rejected | Suspended | Revoked | Disabled) && reason.is_none() {
        return Err(AppError::invalid("reason", "err.reason_required"));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::invalid("reason", "err.too_long"));
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE users SET status = $1, status_reason = $2, status_changed_by = $3, status_changed_at = $4, updated_at = $4 WHERE id = $5",
        args![to.as_str(), reason.clone(), origin.actor_id.clone(), now, user_id],
    )
    .await?;
    if to != Active {
        tx.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])
            .await?;
        tx.execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            args![now, user_id],
        )
        .await?;
    }
    let mut after = before.clone();
    after.status = to;
    after.status_reason = reason;
    after.updated_at = now;
    let action = match (from, to) {
        (Pending, Active) => "user.accredited",
        (_, Active) => "user.reinstated",
        (_, Rejected) => "user.rejected",
        (_, Suspended) => "user.suspended",
        (_, Revoked) => "user.revoked",
        (_, Disabled) => "user.disabled",
        _ => "user.status_changed",
    };
    record_change(
        &mut tx,
        origin,
        action,
        "user",
        user_id,
        Some(before.json()),
        Some(after.json()),
    )
    .await?;
    tx.commit().await?;
    crate::platform::identity::changed();
    Ok(after)
}

/// Changes a password (the caller has checked the old one or the right to reset).
/// Other sessions of the user end.
pub async fn set_password(
    db: &Db,
    origin: &Origin,
    user_id: &str,
    new_password: &str,
    keep_session: Option<&str>,
) -> AppResult<()> {
    let mut c = crate::accounts::model::Check::default();
    c.password("new_password", new_password);
    c.finish()?;
    let hash = crate::platform::auth::password::hash(new_password).await?;
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
            args![hash, now_ms(), user_id],
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2",
        args![user_id, keep_session.unwrap_or("")],
    )
    .await?;
    record_change(
        &mut tx,
        origin,
        "user.password_changed",
        "user",
        user_id,
        None,
        // Every other session ended: live streams opened with them end on this event.
        Some(serde_json::json!({"password": "changed", "kept_session": keep_session.map(crate::platform::auth::session_ref)})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stores a TOTP secret (enabled) or clears it.
pub async fn set_totp(
    db: &Db,
    origin: &Origin,
    user_id: &str,
    secret: Option<&str>,
    step: Option<i64>,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3, updated_at = $4 WHERE id = $5",
        args![secret, secret.is_some(), step, now_ms(), user_id],
    )
    .await?;
    let action = if secret.is_some() {
        "user.totp_enabled"
    } else {
        "user.totp_disabled"
    };
    record_change(
        &mut tx,
        origin,
        action,
        "user",
        user_id,
        Some(serde_json::json!({"totp_enabled": secret.is_none()})),
        Some(serde_json::json!({"totp_enabled": secret.is_some()})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the TOTP time step just used, refusing a replay of the same or an older step.
pub async fn use_totp_step(db: &Db, user_id: &str, step: i64) -> DbResult<bool> {
    let n = db
        .execute(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            args![step, user_id],
        )
        .await?;
    Ok(n == 1)
}
