//! The same strict headers as the survey form: only this origin's files, no inline code, no
//! framing, no sniffing, no referrer, no cookies. The published data alone is readable from
//! any origin ([`open_data_cors`]), and the embeddable chart page alone may be framed by any
//! site ([`framable_headers`]).

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `Access-Control-Allow-Origin: *` for release files, `index.json` and the feed: GET and
/// HEAD only, no credentials (there are none: no cookies, no login), and the headers a script
/// needs to cache and verify a download.
pub fn open_data_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([
            header::RANGE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
        ])
        .expose_headers([
            header::ETAG,
            header::CONTENT_LENGTH,
            header::CONTENT_DISPOSITION,
            header::LAST_MODIFIED,
        ])
        .max_age(std::time::Duration::from_secs(86_400))
}

/// One policy with only `frame-ancestors` varying, so the framable page cannot drift from
/// the strict one in anything else.
macro_rules! content_security_policy {
    ($frame_ancestors:literal) => {
        concat!(
            "default-src 'self'; img-src 'self'; style-src 'self'; frame-ancestors ",
            $frame_ancestors,
            "; base-uri 'none'; object-src 'none'; form-action 'self'"
        )
    };
}

const CONTENT_SECURITY_POLICY: &str = content_security_policy!("'none'");
/// The embed page's: any site may frame it, and it still loads nothing from elsewhere.
const FRAMABLE_CONTENT_SECURITY_POLICY: &str = content_security_policy!("*");

fn common(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
}

/// Every route but the embed page: never framed (CSP and, for older browsers, XFO).
pub async fn headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    common(headers);
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The embed page (`/reports/{release_id}/embed/{indicator}`): `frame-ancestors *` and no
/// `X-Frame-Options`, which has no value meaning "anyone".
pub async fn framable_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    common(headers);
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(FRAMABLE_CONTENT_SECURITY_POLICY),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framable_policy_differs_from_the_strict_one_in_frame_ancestors_only() {
        assert_eq!(
            FRAMABLE_CONTENT_SECURITY_POLICY.replace("frame-ancestors *", "frame-ancestors 'none'"),
            CONTENT_SECURITY_POLICY
        );
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none';"));
    }
}
