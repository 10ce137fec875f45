//! `GET /reports/feed.xml`: every release of every survey as an Atom 1.0 feed (RFC 4287),
//! newest first, so that readers hear of a new release without watching the page. Its bytes
//! depend only on the releases, the language and the site's origin: the feed's date is the newest release's,
//! never the clock, and each entry's id is a name-based UUID of the release and its checksums.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use canvass_core::releases::citation::{LICENSE, LICENSE_TITLE, LICENSE_URL, PUBLISHER};
use uuid::Uuid;

use crate::base::public_base;
use crate::catalogue::{self, FeedRelease};
use crate::files::conditional;
use crate::page::{LangQuery, language};
use crate::strings;
use crate::{PublishError, PublishState};

pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

/// Generated once for Canvass's feed ids. Never change it: every entry would look new to
/// every reader.
const NAMESPACE: Uuid = Uuid::from_u128(0xf39b_09e4_b4f3_49ee_86ce_8440_4880_ebab);

/// The date of a feed with no release yet: fixed, so an empty feed's bytes are stable too.
const NEVER: &str = "1970-01-01T00:00:00Z";

struct Entry {
    id: String,
    title: String,
    updated: String,
    survey_id: String,
    readme: String,
    datapackage: String,
    package_zip: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "feed.xml")]
struct Feed<'a> {
    lang: &'a str,
    /// The site's origin: feed readers resolve relative links poorly.
    base: String,
    id: String,
    title: String,
    updated: String,
    publisher: &'static str,
    rights: String,
    license_url: &'static str,
    entries: Vec<Entry>,
}

/// A stable, absolute IRI for one release: the same for the same release and checksums in
/// every language and on every request, different for any other release.
pub fn entry_id(release_id: &str, sha256sums: &str) -> String {
    // A space cannot occur in a release id (`check_path`), so the name is unambiguous.
    let name = format!("{release_id} {sha256sums}");
    format!("urn:uuid:{}", Uuid::new_v5(&NAMESPACE, name.as_bytes()))
}

/// Text without the characters XML 1.0 cannot carry at all, even escaped (C0 controls
/// other than tab and line ends, U+FFFE, U+FFFF); the template escapes the rest.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r') || (*c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect()
}

fn timestamp(day: time::Date) -> String {
    format!("{day}T00:00:00Z")
}

fn entry(release: FeedRelease) -> Entry {
    Entry {
        id: entry_id(&release.release_id, &release.sha256sums),
        title: xml_text(&release.title),
        updated: timestamp(release.released),
        survey_id: xml_text(&release.survey_id),
        readme: release.readme,
        datapackage: release.datapackage,
        package_zip: release.package_zip,
        summary: xml_text(&release.citation),
    }
}

pub async fn feed(
    State(state): State<PublishState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PublishError> {
    let lang = language(&q, &headers);
    let t = strings::for_language(lang);
    let releases = catalogue::every_release(&state.releases, lang).await?;
    let updated = releases
        .first()
        .map_or_else(|| NEVER.to_owned(), |r| timestamp(r.released));
    let feed = Feed {
        lang,
        base: public_base(state.public_url.as_deref(), &headers),
        id: format!(
            "urn:uuid:{}",
            Uuid::new_v5(&NAMESPACE, b"/reports/feed.xml")
        ),
        title: t.feed_title.to_owned(),
        updated,
        publisher: PUBLISHER,
        rights: format!("{LICENSE}: {LICENSE_TITLE}, {LICENSE_URL}"),
        license_url: LICENSE_URL,
        entries: releases.into_iter().map(entry).collect(),
    };
    let xml = feed.render().map_err(|_| PublishError::Internal)?;
    let mut content = HeaderMap::new();
    content.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    let mut response = conditional(&headers, xml.into_bytes(), "public, max-age=300", content);
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    h.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(t.lang));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_are_name_based_uuids_of_release_and_checksums() {
        let id = entry_id("platform-treatment-2026-Q3", "00ff");
        assert_eq!(id, entry_id("platform-treatment-2026-Q3", "00ff"));
        assert_ne!(id, entry_id("platform-treatment-2026-Q2", "00ff"));
        assert_ne!(id, entry_id("platform-treatment-2026-Q3", "00fe"));
        let uuid = Uuid::parse_str(id.strip_prefix("urn:uuid:").unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
    }

    #[test]
    fn text_loses_only_what_xml_cannot_carry() {
        assert_eq!(xml_text("a\u{1}b\tc\u{FFFF}<é>"), "ab\tc<é>");
    }
}
