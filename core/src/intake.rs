//! Taking in one response: the domain rules between a request and the store.
//!
//! Shared by the JSON API, the HTML form and the seeder, so that every path validates,
//! strips and coarsens in exactly the same way.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::answers::{self, FieldErrors};
use crate::catalog::{Catalog, Unavailable};
use crate::ids::Secret;
use crate::record::ResponseRecord;
use crate::store::{PutOutcome, ResponseStore, StoreError};
use crate::survey::Survey;

/// A response as the respondent's client sent it, after parsing.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Chosen by the client (UUID v4); retries carry the same one.
    pub submission_id: Uuid,
    pub survey_version: u32,
    pub answers: BTreeMap<String, Value>,
    pub pow_verified: bool,
}

/// The one answer to a send that was taken in: stored now, or by an earlier send under the
/// same submission id. Deliberately one value, not two: if the reply told a first send from a
/// repeat (or matching answers from different ones), anyone holding a seller's submission id
/// could learn whether, and what, the seller answered (docs/privacy.md, "No answer oracle").
/// The first stored answers stay; a later send under the same id changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted;

#[derive(Debug)]
pub enum Refused {
    UnknownSurvey,
    VersionNotOpen {
        open: Option<u32>,
    },
    InvalidAnswers {
        survey: Arc<Survey>,
        errors: FieldErrors,
    },
    Store(StoreError),
}

impl From<Unavailable> for Refused {
    fn from(u: Unavailable) -> Refused {
        match u {
            Unavailable::Unknown => Refused::UnknownSurvey,
            Unavailable::VersionNotOpen { open } => Refused::VersionNotOpen { open },
        }
    }
}

/// Validates a submission and builds the record to store; touches no store.
pub fn prepare(
    catalog: &Catalog,
    secret: &Secret,
    survey_id: &str,
    submission: &Submission,
    now: OffsetDateTime,
) -> Result<ResponseRecord, Refused> {
    let survey = catalog.accepting(survey_id, submission.survey_version)?;
    let answers = answers::validate(survey, &submission.answers).map_err(|errors| {
        Refused::InvalidAnswers {
            survey: Arc::clone(survey),
            errors,
        }
    })?;
    Ok(ResponseRecord::new(
        secret.response_id(survey_id, submission.submission_id),
        survey_id,
        survey.version,
        now,
        answers,
        submission.pow_verified,
    ))
}

/// Validates and durably stores a submission, once however often it is retried.
pub async fn submit(
    catalog: &Catalog,
    store: &dyn ResponseStore,
    secret: &Secret,
    survey_id: &str,
    submission: &Submission,
    now: OffsetDateTime,
) -> Result<Accepted, Refused> {
    let record = prepare(catalog, secret, survey_id, submission, now)?;
    match store.put_if_absent(&record).await.map_err(Refused::Store)? {
        PutOutcome::Stored | PutOutcome::AlreadyStored => Ok(Accepted),
    }
}
