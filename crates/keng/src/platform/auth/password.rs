//! Argon2id password hashes (PHC strings), computed off the async threads.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::platform::errors::{AppError, AppResult};

/// A fixed hash to verify against when the account does not exist, so a login for an
/// unknown name takes as long as one for a known name.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jv6o5C6cZ3e1rYgkqg8d0mXh8mY3oQnYb3x1gM3m0pQ";

pub async fn hash(password: &str) -> AppResult<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies `password` against a stored hash (or the dummy when `hash` is None).
pub async fn verify(password: &str, hash: Option<&str>) -> bool {
    let pw = password.to_string();
    let known = hash.is_some();
    let h = hash.unwrap_or(DUMMY).to_string();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&h)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(pw.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
        && known
}
