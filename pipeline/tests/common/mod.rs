//! Shared test fixtures: the shipped survey, random valid responses, and a helper that runs
//! the pipeline from records to a release in memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use canvass_core::answers::{AnswerValue, Answers};
use canvass_core::catalog::Catalog;
use canvass_core::record::ResponseRecord;
use canvass_core::store::Listed;
use canvass_core::wave::IsoWeek;
use canvass_pipeline::disclosure::Prior;
use canvass_pipeline::disclosure::recode;
use canvass_pipeline::extract::Extractor;
use canvass_pipeline::release::{files, protect_waves};
use canvass_pipeline::tables::WaveResult;
use canvass_pipeline::{Release, Silent, Spec, frame};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::Date;
use time::macros::date;

pub const SURVEY: &str = "platform-treatment";

pub fn catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys");
    Catalog::load(&dir).expect("shipped surveys pass check")
}

pub fn spec() -> Spec {
    Spec::from_catalog(&catalog(), SURVEY).unwrap()
}

/// A day after which 2025-Q1..Q3 are closed and 2025-Q4 is open.
pub const AS_OF: Date = date!(2025 - 10 - 15);

pub fn week(text: &str) -> IsoWeek {
    text.parse().unwrap()
}

pub const PLATFORMS: [&str; 14] = [
    "etsy",
    "ebay",
    "amazon_handmade",
    "shopify",
    "depop",
    "vinted",
    "poshmark",
    "tiktok_shop",
    "meta_shops",
    "print_on_demand",
    "kofi_patreon",
    "big_cartel",
    "own_website",
    "other",
];

pub const COUNTRIES: [&str; 9] = ["US", "GB", "DE", "FR", "BR", "JP", "NG", "AU", "MX"];

/// Draws answers to the platform-treatment survey that pass its validation.
pub struct Draw {
    pub rng: ChaCha8Rng,
    next_id: u64,
}

impl Draw {
    pub fn new(seed: u64) -> Draw {
        Draw {
            rng: ChaCha8Rng::seed_from_u64(seed),
            next_id: 0,
        }
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.rng.random_range(0..options.len())]
    }

    /// A valid response on `platform` in `week`; `tweak` may overwrite answers.
    pub fn record(&mut self, platform: &str, week: IsoWeek) -> ResponseRecord {
        let mut a = Answers::new();
        let choice = |s: &str| AnswerValue::Choice(s.to_owned());
        let mut platforms = vec![platform.to_owned()];
        if self.rng.random_bool(0.5) {
            let extra = self.pick(&PLATFORMS).to_owned();
            if !platforms.contains(&extra) {
                platforms.push(extra);
            }
        }
        let order: Vec<&str> = PLATFORMS.to_vec();
        platforms.sort_by_key(|p| order.iter().position(|o| o == p));
        a.insert("platforms".into(), AnswerValue::Choices(platforms));
        a.insert("main_platform".into(), choice(platform));
        let years = self.pick(&["under_1", "y1_2", "y3_5", "y6_10", "over_10"]);
        a.insert("years_selling".into(), choice(years));
        let category = self.pick(&[
            "jewellery",
            "art_prints",
            "clothing",
            "vintage",
            "craft_supplies",
            "home_decor",
            "digital",
            "toys",
            "beauty",
            "other",
        ]);
        a.insert("category".into(), choice(category));
        let country = self.pick(&COUNTRIES);
        a.insert("country".into(), choice(country));
        a.insert(
            "income_share".into(),
            AnswerValue::Number(self.rng.random_range(0..=100)),
        );
        let suspended = self.pick(&["yes", "no", "no", "prefer_not"]);
        a.insert("suspended_12m".into(), choice(suspended));
        if suspended == "yes" {
            let clear = self.pick(&["yes", "partly", "no"]);
            a.insert("suspension_reason_clear".into(), choice(clear));
            let outcome = self.pick(&["not_appealed", "reinstated", "appeal_denied", "waiting"]);
            a.insert("suspension_outcome".into(), choice(outcome));
        }
        let held = self.pick(&["yes", "no", "prefer_not"]);
        a.insert("payout_held_12m".into(), choice(held));
        if held == "yes" {
            a.insert(
                "payout_held_days".into(),
                AnswerValue::Number(self.rng.random_range(0..=365)),
            );
            let amount = self.pick(&[
                "under_100",
                "usd_100_499",
                "usd_500_1999",
                "usd_2000_9999",
                "usd_10000_plus",
            ]);
            a.insert("payout_held_amount".into(), choice(amount));
        }
        for q in ["fee_impact", "support_rating", "pace_pressure"] {
            a.insert(q.into(), AnswerValue::Number(self.rng.random_range(1..=5)));
        }
        let aware = self.pick(&["yes", "no", "unsure"]);
        a.insert("arbitration_aware".into(), choice(aware));
        let collective = self.pick(&["yes", "maybe", "no"]);
        a.insert("collective_action".into(), choice(collective));
        self.next_id += 1;
        ResponseRecord {
            response_id: format!("{:032x}", self.next_id),
            survey_id: SURVEY.into(),
            survey_version: 1,
            iso_week: week,
            answers: a,
            pow_verified: self.rng.random_bool(0.9),
        }
    }

    /// `n` responses spread over the three closed quarters of 2025 and platforms by weight.
    pub fn many(&mut self, n: usize) -> Vec<ResponseRecord> {
        let weeks = [
            "2025-W03", "2025-W10", "2025-W15", "2025-W22", "2025-W30", "2025-W36",
        ];
        (0..n)
            .map(|_| {
                let w = week(self.pick(&weeks));
                // Skewed: the first platforms are common, the last rare.
                let i = (self.rng.random_range(0.0f64..1.0).powi(2) * 14.0) as usize;
                self.record(PLATFORMS[i], w)
            })
            .collect()
    }
}

/// Everything a test may want to look at after a run.
pub struct Run {
    pub spec: Spec,
    pub results: BTreeMap<i32, WaveResult>,
    pub history: BTreeMap<i32, canvass_pipeline::disclosure::history::WaveHistory>,
    pub release: Release,
}

impl Run {
    pub fn file(&self, path: &str) -> String {
        String::from_utf8(self.release.files[path].clone()).unwrap()
    }

    /// Rows of a CSV as maps from column name to cell.
    pub fn rows(&self, path: &str) -> Vec<BTreeMap<String, String>> {
        let bytes = &self.release.files[path];
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().unwrap().clone();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_owned(), v.to_owned()))
                    .collect()
            })
            .collect()
    }
}

pub fn run_records(
    records: &[ResponseRecord],
    prior: &Prior,
) -> Result<Run, canvass_pipeline::PipelineError> {
    run_items(records.iter().cloned().map(Listed::Response), prior)
}

pub fn run_items(
    items: impl IntoIterator<Item = Listed>,
    prior: &Prior,
) -> Result<Run, canvass_pipeline::PipelineError> {
    run_items_with(spec(), items, prior)
}

/// [`run_items`] for a given publication spec (e.g. with a later survey version).
pub fn run_items_with(
    spec: Spec,
    items: impl IntoIterator<Item = Listed>,
    prior: &Prior,
) -> Result<Run, canvass_pipeline::PipelineError> {
    let mut extractor = Extractor::new(&spec, AS_OF);
    for item in items {
        extractor.push(item);
    }
    let waves: Vec<i32> = extractor.waves.iter().copied().collect();
    let recoding = recode::recode(&spec, &mut extractor.columns);
    let frame = frame::build(&spec, &extractor.columns)?;
    let protected = protect_waves(&spec, &frame, &waves, &recoding, prior, None, &Silent)?;
    let release = files(&spec, &protected, None, &extractor.quality, &Silent)?;
    Ok(Run {
        spec,
        results: protected.results,
        history: protected.history,
        release,
    })
}
