//! Rate limits per source without an address log: counters keyed by
//! `HMAC(salt, hour, network)`, where the network is the source's IPv4 /24 or IPv6 /48 and the
//! salt exists only in this process's memory.
//!
//! Whoever seizes the store, the logs and the server secret still cannot turn a counter back
//! into an address: the salt is drawn at random when the process first needs it each UTC day
//! and is never written anywhere, so there is nothing to brute-force the 2^24 IPv4 networks
//! (or any IPv6 space) against. The price is that instances do not share counters: on Lambda
//! each warm instance counts on its own, so a source can reach at most `per_hour` times the
//! function's reserved concurrency (`infra/template.yaml`), still far below what a script
//! needs to skew the numbers, and the proof of work prices each verified response.
//!
//! Networks rather than addresses: one subscriber usually holds a whole IPv6 /48 (or /56) and
//! can rotate inside it, and an IPv4 /24 is as fine as a key needs to be once the limit is
//! sized for many sellers behind one carrier address (docs/form.md).

use std::net::IpAddr;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::store::{ControlStore, StoreError};

type HmacSha256 = Hmac<Sha256>;

const DAY: i64 = 86_400;
const WINDOW: i64 = 3_600;

/// Requests allowed per source network in each clock hour (UTC). Zero turns the limit off.
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
    let window = now.div_euclid(WINDOW);
    let window_end = (window + 1) * WINDOW;
    let key = counter_key(&process_salt(now), window, source);
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

/// Today's salt of this process: random, in memory only, replaced at each UTC day.
fn process_salt(now: i64) -> [u8; 32] {
    static SALT: Mutex<Option<(i64, [u8; 32])>> = Mutex::new(None);
    let day = now.div_euclid(DAY);
    let mut held = SALT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match *held {
        Some((d, salt)) if d == day => salt,
        _ => {
            let mut salt = [0u8; 32];
            rand::rng().fill_bytes(&mut salt);
            *held = Some((day, salt));
            salt
        }
    }
}

/// The network a source is counted under: its IPv4 /24 or IPv6 /48, as 16 bytes.
pub fn network(source: IpAddr) -> [u8; 16] {
    let mut out = [0u8; 16];
    match source.to_canonical() {
        IpAddr::V4(v4) => {
            out[0] = 4;
            out[1..4].copy_from_slice(&v4.octets()[..3]);
        }
        IpAddr::V6(v6) => {
            out[0] = 6;
            out[1..7].copy_from_slice(&v6.octets()[..6]);
        }
    }
    out
}

/// The counter key of a source network in one hour. The hour is inside the HMAC, so the key
/// itself says nothing about when it was made.
pub fn counter_key(salt: &[u8], window: i64, source: IpAddr) -> String {
    let mut mac = HmacSha256::new_from_slice(salt).expect("HMAC takes any key length");
    mac.update(&window.to_be_bytes());
    mac.update(&network(source));
    format!(
        "ratelimit/{}",
        hex::encode(&mac.finalize().into_bytes()[..16])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_group_ipv4_by_24_and_ipv6_by_48_and_depend_on_salt_and_hour() {
        let key = |salt: &[u8], w, ip: &str| counter_key(salt, w, ip.parse().unwrap());
        assert_eq!(key(b"s", 1, "192.0.2.7"), key(b"s", 1, "192.0.2.200"));
        assert_ne!(key(b"s", 1, "192.0.2.7"), key(b"s", 1, "192.0.3.7"));
        assert_eq!(key(b"s", 1, "192.0.2.7"), key(b"s", 1, "::ffff:192.0.2.9"));
        assert_eq!(
            key(b"s", 1, "2001:db8:1:2::1"),
            key(b"s", 1, "2001:db8:1:ffff:aaaa::9")
        );
        assert_ne!(key(b"s", 1, "2001:db8:1::1"), key(b"s", 1, "2001:db8:2::1"));
        assert_ne!(key(b"s", 1, "192.0.2.7"), key(b"t", 1, "192.0.2.7"));
        assert_ne!(key(b"s", 1, "192.0.2.7"), key(b"s", 2, "192.0.2.7"));
        let k = key(b"s", 493_000, "192.0.2.7");
        assert!(!k.contains("192") && !k.contains("493000"), "{k}");
    }

    #[test]
    fn the_salt_stays_for_a_day_and_is_new_the_next() {
        let today = process_salt(20_000 * DAY + 5);
        assert_eq!(today, process_salt(20_000 * DAY + DAY - 1));
        assert_ne!(today, process_salt(20_001 * DAY));
    }
}
