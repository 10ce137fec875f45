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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Stored now.
    New,
    /// Stored by an earlier attempt with the same submission id and answers.
    Repeat,
}

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
    /// The submission id was used before for different answers.
    Conflict,
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
        PutOutcome::Stored => Ok(Accepted::New),
        PutOutcome::AlreadyStored(existing) if existing.same_response_as(&record) => {
            Ok(Accepted::Repeat)
        }
        PutOutcome::AlreadyStored(_) => Err(Refused::Conflict),
    }
}
