//! Rate limits per source without knowing the source: counters keyed by
//! `HMAC(daily random salt, source address)`.
//!
//! The salt is random per UTC day and lives only in the `ControlStore`, expiring 48 hours
//! after its day began; once it is gone, nobody (the operator included) can recompute which
//! address a counter belonged to. The address itself is used for the one HMAC and dropped.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::store::{ControlStore, StoreError};

type HmacSha256 = Hmac<Sha256>;

const DAY: i64 = 86_400;
const WINDOW: i64 = 3_600;
const SALT_LIFETIME: i64 = 48 * 3_600;

/// Requests allowed per source in each clock hour (UTC). Zero turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_hour: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Over the limit; the window ends in `retry_after_secs`.
    Limited {
        retry_after_secs: u32,
    },
}

/// Counts one request from `source` at `now` (unix seconds) and says whether it may go on.
pub async fn check(
    control: &dyn ControlStore,
    limit: RateLimit,
    source: IpAddr,
    now: i64,
) -> Result<Decision, StoreError> {
    if limit.per_hour == 0 {
        return Ok(Decision::Allowed);
    }
    let salt = daily_salt(control, now).await?;
    let window = now.div_euclid(WINDOW);
    let window_end = (window + 1) * WINDOW;
    let key = format!("ratelimit/{window}/{}", source_key(&salt, source));
    let count = control.increment(&key, window_end).await?;
    if count > u64::from(limit.per_hour) {
        let wait = (window_end - now).clamp(1, WINDOW);
        Ok(Decision::Limited {
            retry_after_secs: u32::try_from(wait).unwrap_or(3_600),
        })
    } else {
        Ok(Decision::Allowed)
    }
}

/// Today's salt: every instance agrees on it through `get_or_insert`.
async fn daily_salt(control: &dyn ControlStore, now: i64) -> Result<Vec<u8>, StoreError> {
    let day = now.div_euclid(DAY);
    let mut candidate = [0u8; 32];
    rand::rng().fill_bytes(&mut candidate);
    let stored = control
        .get_or_insert(
            &format!("ratelimit/salt/{day}"),
            &hex::encode(candidate),
            day * DAY + SALT_LIFETIME,
        )
        .await?;
    hex::decode(stored)
        .map_err(|_| StoreError::Failed("the daily rate-limit salt is not hex".into()))
}

/// The counter key of a source. IPv6 sources are keyed by their /64, the block one
/// subscriber usually gets, so that rotating addresses inside it does not reset the count.
fn source_key(salt: &[u8], source: IpAddr) -> String {
    let mut mac = HmacSha256::new_from_slice(salt).expect("HMAC takes any key length");
    match source.to_canonical() {
        IpAddr::V4(v4) => mac.update(&v4.octets()),
        IpAddr::V6(v6) => mac.update(&v6.octets()[..8]),
    }
    hex::encode(&mac.finalize().into_bytes()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_the_salt_and_group_ipv6_by_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(source_key(b"s1", a), source_key(b"s1", b));
        assert_ne!(source_key(b"s1", a), source_key(b"s1", c));
        assert_ne!(source_key(b"s1", a), source_key(b"s2", a));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(source_key(b"s1", v4), source_key(b"s1", mapped));
        assert!(!source_key(b"s1", v4).contains("192"));
    }
}
