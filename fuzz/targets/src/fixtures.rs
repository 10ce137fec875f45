//! The surveys that response bodies and form posts are checked against, built once.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use canvass_core::catalog::Catalog;
use canvass_core::check;
use canvass_core::ids::Secret;
use canvass_core::survey::{Status, Survey};
use time::OffsetDateTime;
use uuid::Uuid;

/// The survey the service ships, compiled in so the fuzz binaries run from any folder.
const SHIPPED: &str = include_str!("../../../surveys/platform-treatment/v1.toml");
/// A small survey with what the shipped one does not use (see the file).
const EXERCISE: &str = include_str!("exercise.toml");

/// One survey, in a catalog of its own as the service would hold it.
pub struct Fixture {
    pub catalog: Catalog,
    pub survey: Arc<Survey>,
}

fn fixture(name: &str, source: &str) -> Fixture {
    let path = Path::new(name);
    let file = check::parse(path, source).unwrap_or_else(|p| panic!("{p}"));
    let mut survey = check::build(path, &file)
        .unwrap_or_else(|problems| panic!("{name} does not pass check: {problems:?}"));
    // Answers are what is fuzzed here, not the lifecycle: take responses even after the
    // shipped version is closed.
    survey.status = Status::Open;
    let catalog = Catalog::new([survey]);
    let survey = Arc::clone(
        catalog
            .open_surveys()
            .next()
            .expect("the fixture survey is open"),
    );
    Fixture { catalog, survey }
}

static FIXTURES: LazyLock<Vec<Fixture>> = LazyLock::new(|| {
    vec![
        fixture("surveys/platform-treatment/v1.toml", SHIPPED),
        fixture("fuzz/targets/src/exercise.toml", EXERCISE),
    ]
});

pub fn surveys() -> &'static [Fixture] {
    &FIXTURES
}

static SECRET: LazyLock<Secret> =
    LazyLock::new(|| Secret::new(vec![42; 32]).expect("32 bytes is a valid secret"));

pub fn secret() -> &'static Secret {
    &SECRET
}

/// A pinned submission time: Wednesday of ISO week 2026-W10.
pub fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-03-04 15:47:13 UTC)
}

/// The submission id used when the body's own is not a UUID v4 (the handler refuses those
/// before validation; the validator is still run on their answers).
pub const STAND_IN_ID: Uuid = Uuid::from_u128(0x3f1c_9a2e_8b4d_4c1e_9f6a_2d7e_5b8c_0a14);
