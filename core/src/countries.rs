//! ISO 3166-1 alpha-2 countries with their CLDR names and UN M49 world region.
//!
//! The data ships in `core/data/*.csv` (generated from CLDR via Babel) and is compiled in.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::survey::{Choice, Localized};

#[derive(Debug, Clone)]
pub struct Country {
    pub code: String,
    pub region: String,
    pub names: Localized,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub id: String,
    pub names: Localized,
}

fn read_rows(source: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(source.as_bytes())
        .records()
        .map(|r| {
            r.expect("bundled CSV is valid")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

static COUNTRIES: LazyLock<Vec<Country>> = LazyLock::new(|| {
    read_rows(include_str!("../data/countries.csv"))
        .into_iter()
        .map(|row| Country {
            code: row[0].clone(),
            region: row[1].clone(),
            names: Localized(BTreeMap::from([
                ("en".to_owned(), row[2].clone()),
                ("es".to_owned(), row[3].clone()),
                ("fr".to_owned(), row[4].clone()),
            ])),
        })
        .collect()
});

static REGIONS: LazyLock<Vec<Region>> = LazyLock::new(|| {
    read_rows(include_str!("../data/regions.csv"))
        .into_iter()
        .map(|row| Region {
            id: row[0].clone(),
            names: Localized(BTreeMap::from([
                ("en".to_owned(), row[1].clone()),
                ("es".to_owned(), row[2].clone()),
                ("fr".to_owned(), row[3].clone()),
            ])),
        })
        .collect()
});

pub fn all() -> &'static [Country] {
    &COUNTRIES
}

/// The world regions, in reporting order.
pub fn regions() -> &'static [Region] {
    &REGIONS
}

/// The region id of a country code, if the code is known.
pub fn region_of(code: &str) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by(|c| c.code.as_str().cmp(code))
        .ok()
        .map(|i| COUNTRIES[i].region.as_str())
}

/// Every country as a choice, labelled in the given languages.
pub fn choices(languages: &[String]) -> Vec<Choice> {
    COUNTRIES
        .iter()
        .map(|c| Choice {
            id: c.code.clone(),
            label: Localized(
                languages
                    .iter()
                    .map(|l| (l.clone(), c.names.get(l).to_owned()))
                    .collect(),
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_has_a_known_region_and_three_names() {
        assert_eq!(all().len(), 248);
        let regions: Vec<&str> = regions().iter().map(|r| r.id.as_str()).collect();
        for c in all() {
            assert!(regions.contains(&c.region.as_str()), "{}", c.code);
            for lang in ["en", "es", "fr"] {
                assert!(!c.names.0[lang].is_empty(), "{} {lang}", c.code);
            }
        }
        assert!(
            all().windows(2).all(|w| w[0].code < w[1].code),
            "sorted for binary search"
        );
        assert_eq!(region_of("MX"), Some("latin_america_caribbean"));
        assert_eq!(region_of("CA"), Some("northern_america"));
        assert_eq!(region_of("mx"), None);
    }
}
