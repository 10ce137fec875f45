//! Response ids: derived from the client's submission id with a keyed hash.
//!
//! Deriving (rather than drawing) the id makes every retry of a submission land on the same
//! key, so one conditional write is the whole idempotency mechanism. Keying the hash means
//! a submission id found on a seller's device cannot be matched to a stored row without the
//! server's secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// A 128-bit response id as 32 hex digits; also the DynamoDB partition key, spread evenly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseId(String);

impl ResponseId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The server secret, from which every keyed value is derived by purpose.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "the secret must be at least 32 bytes (64 hex digits); generate one with `openssl rand -hex 32`"
)]
pub struct WeakSecret;

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Result<Secret, WeakSecret> {
        if bytes.len() < 32 {
            return Err(WeakSecret);
        }
        Ok(Secret(bytes))
    }

    /// Reads a secret written as hex (what `openssl rand -hex 32` prints).
    pub fn from_hex(text: &str) -> Result<Secret, WeakSecret> {
        Secret::new(hex::decode(text.trim()).map_err(|_| WeakSecret)?)
    }

    pub fn random() -> Secret {
        let mut bytes = vec![0; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        Secret(bytes)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// A sub-key for one purpose, so that keys for ids and for challenges never coincide.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    pub fn response_id(&self, survey_id: &str, submission_id: Uuid) -> ResponseId {
        let key = self.derive("canvass/response-id/v1");
        let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(survey_id.as_bytes());
        mac.update(b"\0");
        mac.update(submission_id.as_bytes());
        ResponseId(hex::encode(&mac.finalize().into_bytes()[..16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_per_submission_and_differ_by_survey_and_secret() {
        let secret = Secret::new(vec![7; 32]).unwrap();
        let sub = Uuid::new_v4();
        let a = secret.response_id("s", sub);
        assert_eq!(a, secret.response_id("s", sub));
        assert_eq!(a.as_str().len(), 32);
        assert_ne!(a, secret.response_id("t", sub));
        assert_ne!(a, Secret::new(vec![8; 32]).unwrap().response_id("s", sub));
        assert!(Secret::new(vec![1; 31]).is_err());
        assert!(Secret::from_hex("zz").is_err());
    }
}
