//! The source address of a request, for the rate limit's keyed hash and nothing else: it is
//! never stored, logged or passed on.
//!
//! Locally it is the TCP peer (`ConnectInfo`). Behind a proxy that appends the client address
//! to `X-Forwarded-For` (API Gateway, CloudFront, a load balancer), set
//! `trust_forwarded_for` and the rightmost entry, the one that proxy wrote, is used; entries
//! to its left come from the client and could be anything.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| forwarded_for(parts))
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientIp(forwarded.or(peer)))
    }
}

fn forwarded_for(parts: &Parts) -> Option<IpAddr> {
    let last_header = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?;
    let last_entry = last_header.to_str().ok()?.rsplit(',').next()?;
    last_entry.trim().parse().ok()
}
