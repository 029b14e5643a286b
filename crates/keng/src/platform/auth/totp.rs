//! TOTP two-factor authentication (RFC 6238: SHA-1, 6 digits, 30-second steps), with a
//! step of clock drift either way and no reuse of a step already accepted.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP: u64 = 30;

fn totp(secret_b32: &str, account: &str, issuer: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP,
        bytes,
        Some(issuer.to_string()),
        account.to_string(),
    )
    .ok()
}

/// A new random secret, base32.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

/// The otpauth:// URL an authenticator app imports.
pub fn otpauth_url(secret_b32: &str, account: &str, issuer: &str) -> Option<String> {
    totp(secret_b32, account, issuer).map(|t| t.get_url())
}

/// The time step `code` is valid for (now, or one step before or after), if any.
pub fn matching_step(secret_b32: &str, code: &str, now_secs: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "x", "Keng")?;
    [now_secs, now_secs.saturating_sub(STEP), now_secs + STEP]
        .into_iter()
        .find(|ts| t.generate(*ts) == code)
        .map(|ts| (ts / STEP) as i64)
}

/// The code for a time (tests and the command line use it).
pub fn code_at(secret_b32: &str, now_secs: u64) -> Option<String> {
    totp(secret_b32, "x", "Keng").map(|t| t.generate(now_secs))
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 → 94287082 (8
        // digits); the 6-digit code is its last six digits.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(code_at(&secret, 1_111_111_109).as_deref(), Some("081804"));
    }

    #[test]
    fn accepts_one_step_of_drift_only() {
        let s = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&s, now).unwrap_or_default();
        assert_eq!(matching_step(&s, &code, now), Some((now / 30) as i64));
        assert!(matching_step(&s, &code, now + 30).is_some());
        assert!(matching_step(&s, &code, now + 120).is_none());
        assert!(matching_step(&s, "12345", now).is_none());
        assert!(matching_step(&s, "abcdef", now).is_none());
    }
}
