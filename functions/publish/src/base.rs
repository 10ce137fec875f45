//! The site's own origin, for the few links that leave it: the embed snippet pasted into
//! someone else's page, and the Atom feed read by a feed reader. A relative `src` in a
//! pasted `<iframe>` would point at the other site.

use axum::http::{HeaderMap, header};

/// `https://stats.example.org` from the operator's setting where there is one (a custom
/// domain in front of the API), else from the request's `Host` (API Gateway only routes
/// its own hosts; locally it is the address `canvass serve` listens on). Empty, so links
/// stay relative, when neither is usable.
pub fn public_base(configured: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = configured {
        return url.trim_end_matches('/').to_owned();
    }
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_host(h))
    else {
        return String::new();
    };
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        Some("http") => "http",
        _ if is_loopback(host) => "http",
        _ => "https",
    };
    format!("{scheme}://{host}")
}

/// A host name or address with an optional port, and nothing that could break out of an
/// attribute or a URL (`Host` is the client's to choose).
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

fn is_loopback(host: &str) -> bool {
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    name == "localhost" || name.starts_with("127.") || name == "[::1]"
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn the_setting_wins_then_the_host_then_nothing() {
        let h = headers(&[("host", "abc.execute-api.eu-west-1.amazonaws.com")]);
        assert_eq!(
            public_base(Some("https://stats.example.org/"), &h),
            "https://stats.example.org"
        );
        assert_eq!(
            public_base(None, &h),
            "https://abc.execute-api.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            public_base(None, &headers(&[("host", "127.0.0.1:8080")])),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            public_base(None, &headers(&[("host", "localhost:3000")])),
            "http://localhost:3000"
        );
        assert_eq!(
            public_base(
                None,
                &headers(&[("host", "stats.example.org"), ("x-forwarded-proto", "http")])
            ),
            "http://stats.example.org"
        );
        assert_eq!(public_base(None, &HeaderMap::new()), "");
    }

    #[test]
    fn a_host_that_could_break_out_of_a_link_is_not_used() {
        for bad in [
            "evil.example\"><script>",
            "a/b",
            "a b",
            "user@host",
            "host?x",
            "host#x",
        ] {
            assert_eq!(public_base(None, &headers(&[("host", bad)])), "", "{bad}");
        }
    }
}
