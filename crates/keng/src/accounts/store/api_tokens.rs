//! API tokens: created with a secret shown once, listed, revoked.

use super::*;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn list_tokens(db: &Db, user_id: &str) -> DbResult<Vec<ApiToken>> {
    db.fetch_all(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC",
        args![user_id],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ApiToken {
            id: r.str("id")?,
            name: r.str("name")?,
            created_at: r.i64("created_at")?,
            last_used_at: r.opt_i64("last_used_at")?,
            revoked_at: r.opt_i64("revoked_at")?,
        })
    })
    .collect()
}

/// Creates a token and returns its secret (shown once; only the hash is stored).
pub async fn create_token(
    db: &Db,
    origin: &Origin,
    user_id: &str,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    let mut c = crate::accounts::model::Check::default();
    let name = c.text("name", name, 80);
    c.finish()?;
    let secret = format!("keng_{}", random_secret());
    let id = new_id();
    let now = now_ms();
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![&id, user_id, &name, hash_secret(&secret), now],
    )
    .await?;
    let token = ApiToken {
        id: id.clone(),
        name,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    record_change(
        &mut tx,
        origin,
        "token.created",
        "api_token",
        &id,
        None,
        Some(serde_json::json!({"user_id": user_id, "name": token.name})),
    )
    .await?;
    tx.commit().await?;
    Ok((token, secret))
}

pub async fn revoke_token(
    db: &Db,
    origin: &Origin,
    user_id: &str,
    token_id: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            args![now_ms(), token_id, user_id],
        )
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    record_change(
        &mut tx,
        origin,
        "token.revoked",
        "api_token",
        token_id,
        Some(serde_json::json!({"revoked": false})),
        Some(serde_json::json!({"revoked": true})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
