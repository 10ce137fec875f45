//! The privacy model in code: everything Canvass stores about a response, and nothing else.
//!
//! A [`ResponseRecord`] can only be made by [`ResponseRecord::new`] from validated answers,
//! the coarse ISO week and the proof-of-work flag. It has no field that could hold an address,
//! a header, a timestamp or free text, so no code path can store one.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::answers::Answers;
use crate::ids::ResponseId;
use crate::wave::IsoWeek;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseRecord {
    pub response_id: String,
    pub survey_id: String,
    pub survey_version: u32,
    /// The ISO week of submission: never a day or a time of day.
    pub iso_week: IsoWeek,
    #[serde(deserialize_with = "crate::answers::deserialize_stored")]
    pub answers: Answers,
    /// Whether a proof-of-work challenge was solved for this response.
    pub pow_verified: bool,
}

/// The attribute names a stored response may have: the privacy model's whole list.
pub const STORED_FIELDS: [&str; 6] = [
    "response_id",
    "survey_id",
    "survey_version",
    "iso_week",
    "answers",
    "pow_verified",
];

impl ResponseRecord {
    /// Coarsens the submission time to its ISO week; the exact moment is dropped here.
    pub fn new(
        id: ResponseId,
        survey_id: &str,
        survey_version: u32,
        submitted: OffsetDateTime,
        answers: Answers,
        pow_verified: bool,
    ) -> ResponseRecord {
        ResponseRecord {
            response_id: id.into_string(),
            survey_id: survey_id.to_owned(),
            survey_version,
            iso_week: IsoWeek::of(submitted),
            answers,
            pow_verified,
        }
    }

    /// Whether a retry carries the same response as the one stored (the week may differ).
    pub fn same_response_as(&self, other: &ResponseRecord) -> bool {
        self.survey_id == other.survey_id
            && self.survey_version == other.survey_version
            && self.answers == other.answers
    }
}
