//! Proof of work in the shape of the ALTCHA protocol: a cost per response that identifies no one.
//!
//! The server issues `{algorithm, challenge, salt, signature, maxnumber}`, where
//! `challenge = hex(SHA-256(salt ‖ number))` for a secret random `number ≤ maxnumber` and
//! `signature = hex(HMAC-SHA-256(key, challenge))`. The client finds `number` by trying them
//! in turn and sends back base64(JSON `{algorithm, challenge, number, salt, signature}`).
//! Issuing keeps no state; the expiry travels in the signed salt (`…?expires=UNIX&`) and the
//! single use is recorded in the `ControlStore` until that expiry.
//!
//! The salt always ends with `&`: without that delimiter, digits could be moved between the
//! salt's `expires` and the number ("salt splicing") to stretch a challenge's life while the
//! hashed text, and so the signature, stayed the same.

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::Secret;
use crate::store::{ControlStore, StoreError};

type HmacSha256 = Hmac<Sha256>;

pub const ALGORITHM: &str = "SHA-256";

/// What `GET /surveys/{id}/challenge` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub algorithm: String,
    pub challenge: String,
    pub maxnumber: u64,
    pub salt: String,
    pub signature: String,
}

/// How hard and how long-lived challenges are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difficulty {
    /// The largest secret number; a client tries `maxnumber / 2` hashes on average.
    pub max_number: u64,
    /// Seconds a challenge stays valid after it is issued.
    pub ttl_secs: i64,
}

impl Default for Difficulty {
    fn default() -> Self {
        // About 50 000 SHA-256 tries on average: well under a second in a phone's worker.
        Difficulty {
            max_number: 100_000,
            ttl_secs: 3600,
        }
    }
}

/// The HMAC key for challenges, derived from the server secret for this purpose only.
#[derive(Clone)]
pub struct PowKey([u8; 32]);

impl std::fmt::Debug for PowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PowKey(..)")
    }
}

impl PowKey {
    pub fn from_secret(secret: &Secret) -> PowKey {
        PowKey(secret.derive("canvass/pow/v1"))
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length")
    }

    fn sign(&self, challenge: &str) -> String {
        let mut mac = self.mac();
        mac.update(challenge.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn sha256_hex(salt: &str, number: u64) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(number.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// A fresh challenge that expires `difficulty.ttl_secs` after `now` (unix seconds).
pub fn issue(key: &PowKey, difficulty: Difficulty, now: i64) -> Challenge {
    let mut rng = rand::rng();
    let nonce: [u8; 12] = rng.random();
    let salt = format!(
        "{}?expires={}&",
        hex::encode(nonce),
        now + difficulty.ttl_secs
    );
    let number = rng.random_range(0..=difficulty.max_number);
    let challenge = sha256_hex(&salt, number);
    Challenge {
        algorithm: ALGORITHM.to_owned(),
        signature: key.sign(&challenge),
        challenge,
        maxnumber: difficulty.max_number,
        salt,
    }
}

/// A solved challenge as the client sends it back (base64 of this JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Solution {
    pub algorithm: String,
    pub challenge: String,
    pub number: u64,
    pub salt: String,
    pub signature: String,
}

impl Solution {
    /// The base64 payload a client submits.
    pub fn to_payload(&self) -> String {
        let json = serde_json::to_vec(self).expect("a solution serializes");
        base64::engine::general_purpose::STANDARD.encode(json)
    }
}

/// Solves a challenge the way the form's worker does; for tests and the seeder.
pub fn solve(challenge: &Challenge) -> Option<Solution> {
    (0..=challenge.maxnumber)
        .find(|n| sha256_hex(&challenge.salt, *n) == challenge.challenge)
        .map(|number| Solution {
            algorithm: challenge.algorithm.clone(),
            challenge: challenge.challenge.clone(),
            number,
            salt: challenge.salt.clone(),
            signature: challenge.signature.clone(),
        })
}

/// Why a proof-of-work payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    #[error("the proof-of-work payload is not base64 of the expected JSON object: {0}")]
    Malformed(String),
    #[error("the proof-of-work algorithm must be SHA-256")]
    UnsupportedAlgorithm,
    #[error("the proof-of-work challenge was not issued by this server (wrong signature)")]
    BadSignature,
    #[error("the proof-of-work number does not solve the challenge")]
    WrongSolution,
    #[error("the proof-of-work challenge has expired; fetch a new one")]
    Expired,
}

impl PowError {
    pub fn code(&self) -> &'static str {
        match self {
            PowError::Malformed(_) => "pow_malformed",
            PowError::UnsupportedAlgorithm => "pow_unsupported_algorithm",
            PowError::BadSignature => "pow_bad_signature",
            PowError::WrongSolution => "pow_wrong_solution",
            PowError::Expired => "pow_expired",
        }
    }
}

/// A payload whose signature, solution and expiry checked out; not yet redeemed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    challenge: String,
    expires_at: i64,
}

/// Checks a submitted payload: shape, algorithm, signature, solution, then expiry.
pub fn verify(key: &PowKey, payload: &str, now: i64) -> Result<Verified, PowError> {
    let json = base64::engine::general_purpose::STANDARD
        .decode(payload.trim())
        .map_err(|e| PowError::Malformed(e.to_string()))?;
    let solution: Solution =
        serde_json::from_slice(&json).map_err(|e| PowError::Malformed(e.to_string()))?;
    if solution.algorithm != ALGORITHM {
        return Err(PowError::UnsupportedAlgorithm);
    }
    let signature = hex::decode(&solution.signature).map_err(|_| PowError::BadSignature)?;
    let mut mac = key.mac();
    mac.update(solution.challenge.as_bytes());
    // Constant-time comparison: the signature is the one secret-derived value here.
    mac.verify_slice(&signature)
        .map_err(|_| PowError::BadSignature)?;
    if sha256_hex(&solution.salt, solution.number) != solution.challenge {
        return Err(PowError::WrongSolution);
    }
    let expires_at = expiry(&solution.salt)?;
    if expires_at <= now {
        return Err(PowError::Expired);
    }
    Ok(Verified {
        challenge: solution.challenge,
        expires_at,
    })
}

/// The `expires` parameter of a salt `nonce?…expires=UNIX…&`.
fn expiry(salt: &str) -> Result<i64, PowError> {
    let malformed = || PowError::Malformed("the salt carries no `expires=…&` parameter".into());
    let params = salt
        .strip_suffix('&')
        .and_then(|s| s.split_once('?'))
        .map(|(_, params)| params)
        .ok_or_else(malformed)?;
    params
        .split('&')
        .find_map(|p| p.strip_prefix("expires="))
        .and_then(|v| v.parse().ok())
        .ok_or_else(malformed)
}

/// Marks a verified challenge as used; `true` the first time, `false` ever after.
///
/// The marker names no submission and carries no exact time, so that whoever holds the
/// control store and the secret cannot link it to a response or date one: its key is a hash
/// of the random challenge (stored nowhere else), and it expires at the first full hour after
/// the challenge does (still long enough to keep the challenge single-use). A challenge that
/// was already used verifies nothing: the caller stores the response as unverified, so that a
/// retry of the same submission (whose first attempt claimed the marker) is answered exactly
/// like a first send, and a replayed challenge buys nothing.
pub async fn redeem(control: &dyn ControlStore, verified: &Verified) -> Result<bool, StoreError> {
    control
        .claim(
            &marker_key(&verified.challenge),
            marker_expiry(verified.expires_at),
        )
        .await
}

/// The control-store key of a challenge's single-use marker.
pub fn marker_key(challenge: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"canvass/pow-marker/v2\0");
    hasher.update(challenge.as_bytes());
    format!("pow/{}", hex::encode(&hasher.finalize()[..16]))
}

/// A challenge's expiry rounded up to the next full hour.
pub fn marker_expiry(expires_at: i64) -> i64 {
    (expires_at.div_euclid(3_600) + 1) * 3_600
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PowKey {
        PowKey::from_secret(&Secret::new(vec![9; 32]).unwrap())
    }

    fn easy() -> Difficulty {
        Difficulty {
            max_number: 2_000,
            ttl_secs: 600,
        }
    }

    #[test]
    fn an_honest_solution_verifies_until_it_expires() {
        let now = 1_800_000_000;
        let challenge = issue(&key(), easy(), now);
        assert_eq!(challenge.algorithm, "SHA-256");
        assert!(
            challenge
                .salt
                .ends_with(&format!("?expires={}&", now + 600))
        );
        let payload = solve(&challenge).unwrap().to_payload();
        assert!(verify(&key(), &payload, now).is_ok());
        assert!(verify(&key(), &payload, now + 599).is_ok());
        assert_eq!(verify(&key(), &payload, now + 600), Err(PowError::Expired));
    }

    #[test]
    fn forgeries_are_named() {
        let now = 1_800_000_000;
        let challenge = issue(&key(), easy(), now);
        let good = solve(&challenge).unwrap();
        let other_key = PowKey::from_secret(&Secret::new(vec![1; 32]).unwrap());
        assert_eq!(
            verify(&other_key, &good.to_payload(), now),
            Err(PowError::BadSignature)
        );
        let wrong = Solution {
            number: good.number + 1,
            ..good.clone()
        };
        assert_eq!(
            verify(&key(), &wrong.to_payload(), now),
            Err(PowError::WrongSolution)
        );
        // A self-made challenge with a later expiry has no valid signature.
        let mut own = good.clone();
        own.salt = format!("00?expires={}&", now + 99_999);
        own.number = 1;
        own.challenge = sha256_hex(&own.salt, 1);
        assert_eq!(
            verify(&key(), &own.to_payload(), now),
            Err(PowError::BadSignature)
        );
        let md5 = Solution {
            algorithm: "MD5".into(),
            ..good.clone()
        };
        assert_eq!(
            verify(&key(), &md5.to_payload(), now),
            Err(PowError::UnsupportedAlgorithm)
        );
        assert!(matches!(
            verify(&key(), "not base64!", now),
            Err(PowError::Malformed(_))
        ));
        assert!(matches!(
            verify(&key(), "e30=", now),
            Err(PowError::Malformed(_))
        ));
    }

    #[test]
    fn markers_name_no_submission_and_carry_only_the_hour() {
        let now = 1_800_000_123;
        let challenge = issue(&key(), easy(), now);
        let marker = marker_key(&challenge.challenge);
        assert!(!marker.contains(&challenge.challenge));
        assert_eq!(marker, marker_key(&challenge.challenge));
        assert_ne!(marker, marker_key(&issue(&key(), easy(), now).challenge));
        let expiry = marker_expiry(now + 600);
        assert_eq!(expiry % 3_600, 0);
        assert!(expiry > now + 600 && expiry <= now + 600 + 3_600);
    }

    #[test]
    fn digits_cannot_be_spliced_between_salt_and_number() {
        // Signed text "…expires=1800000600&" + "42": moving "4" into the salt breaks the `&`.
        let now = 1_800_000_000;
        let key = key();
        let salt = format!("ab?expires={}&", now + 600);
        let challenge = sha256_hex(&salt, 42);
        let spliced = Solution {
            algorithm: ALGORITHM.into(),
            signature: key.sign(&challenge),
            challenge,
            number: 2,
            salt: format!("ab?expires={}&4", now + 600),
        };
        assert!(verify(&key, &spliced.to_payload(), now).is_err());
    }
}
