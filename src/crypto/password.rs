//! Operator password hashes: argon2id PHC strings (m = 19 MiB, t = 2, p = 1).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password must be at least 8 characters")]
    TooShort,
    #[error("stored password hash is damaged: {0}")]
    Damaged(String),
    #[error(transparent)]
    Crypto(#[from] super::Error),
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("fixed parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password into a PHC string.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < 8 {
        return Err(PasswordError::TooShort);
    }
    let mut salt = [0u8; 16];
    super::random_bytes(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Damaged(e.to_string()))?;
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| PasswordError::Damaged(e.to_string()))?
        .to_string())
}

/// Checks a password against a stored PHC string (the parameters come from the string).
pub fn verify_password(password: &str, phc: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(|e| PasswordError::Damaged(e.to_string()))?;
    Ok(hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_the_parameters() {
        let h = hash_password("Parol-2026").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("Parol-2026", &h).unwrap());
        assert!(!verify_password("parol-2026", &h).unwrap());
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
        assert!(verify_password("x", "not a hash").is_err());
    }
}
