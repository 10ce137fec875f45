//! Extract: every response of a survey from a `ResponseStore`, page by page, straight into
//! typed columns (option indices, numbers, flags): no JSON round trip, no record kept.
//!
//! Each record is checked against its own survey version first; one that does not fit is
//! counted in [`DataQuality`] and left out whole. Answers that fit their version but that
//! the reference version no longer offers are left out one by one, also counted.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use canvass_core::answers::{AnswerValue, is_among, is_shown};
use canvass_core::countries;
use canvass_core::record::ResponseRecord;
use canvass_core::store::{Listed, ResponseStore};
use canvass_core::survey::{Kind, LIKERT_MAX, LIKERT_MIN, Question, Survey};
use canvass_core::wave::Wave;
use futures::StreamExt;
use time::Date;

use crate::PipelineError;
use crate::progress::Progress;
use crate::quality::DataQuality;
use crate::spec::{QuestionKind, Spec};

/// An option index; `NONE` marks "not answered".
pub type Code = u16;
pub const NONE: Code = Code::MAX;

/// One published question's answers, one entry per response.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Option index per response (single choice, yes/no, Likert point - 1, region).
    Codes(Vec<Code>),
    /// Picked option indices per response, `None` when not answered.
    Multi(Vec<Option<Vec<Code>>>),
    Numbers(Vec<Option<i64>>),
}

/// The responses of closed waves as typed columns aligned with [`Spec::questions`].
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// The wave of each response as `year * 100 + index` (see [`wave_key`]).
    pub wave: Vec<i32>,
    pub verified: Vec<bool>,
    pub questions: Vec<Column>,
}

/// A sortable integer for a wave: 2025-Q4 is 202504, 2025-11 is 202511, 2025 is 202501.
pub fn wave_key(wave: Wave) -> i32 {
    wave.year * 100 + i32::from(wave.index)
}

impl Columns {
    pub fn new(spec: &Spec) -> Columns {
        Columns {
            wave: Vec::new(),
            verified: Vec::new(),
            questions: spec
                .questions
                .iter()
                .map(|q| match q.kind {
                    QuestionKind::Single => Column::Codes(Vec::new()),
                    QuestionKind::Multiple { .. } => Column::Multi(Vec::new()),
                    QuestionKind::Number { .. } => Column::Numbers(Vec::new()),
                })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.wave.len()
    }

    pub fn is_empty(&self) -> bool {
        self.wave.is_empty()
    }

    /// Moves `other`'s responses after these.
    pub fn append(&mut self, mut other: Columns) {
        self.wave.append(&mut other.wave);
        self.verified.append(&mut other.verified);
        for (mine, theirs) in self.questions.iter_mut().zip(other.questions) {
            match (mine, theirs) {
                (Column::Codes(a), Column::Codes(mut b)) => a.append(&mut b),
                (Column::Multi(a), Column::Multi(mut b)) => a.append(&mut b),
                (Column::Numbers(a), Column::Numbers(mut b)) => a.append(&mut b),
                _ => unreachable!("columns of one spec have the same kinds"),
            }
        }
    }

    /// Keeps the responses whose entry in `keep` is true.
    pub fn retain(&mut self, keep: &[bool]) {
        fn filter<T>(values: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            values.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        filter(&mut self.wave, keep);
        filter(&mut self.verified, keep);
        for column in &mut self.questions {
            match column {
                Column::Codes(v) => filter(v, keep),
                Column::Multi(v) => filter(v, keep),
                Column::Numbers(v) => filter(v, keep),
            }
        }
    }
}

/// Turns records into column entries; keeps the quality counts as it goes.
pub struct Extractor<'a> {
    spec: &'a Spec,
    as_of: Date,
    /// Reference option index by option id, per published question.
    lookup: Vec<HashMap<&'a str, Code>>,
    /// Reference option index by scale point (options whose id is a number), per question.
    points: Vec<HashMap<i64, Code>>,
    pub columns: Columns,
    pub quality: DataQuality,
    /// Every closed wave seen, so that empty published waves are still known.
    pub waves: BTreeSet<i32>,
    versions: Vec<VersionIndex<'a>>,
}

impl<'a> Extractor<'a> {
    pub fn new(spec: &'a Spec, as_of: Date) -> Extractor<'a> {
        // Per question: option index by id, and by scale point for options whose id is a
        // number's own spelling (`3`, not `03`).
        let (lookup, points) = spec
            .questions
            .iter()
            .map(|q| {
                let by_id = q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o.id.as_str(), i as Code));
                let points = by_id
                    .clone()
                    .filter_map(|(id, code)| {
                        let point = id.parse::<i64>().ok()?;
                        (point.to_string() == id).then_some((point, code))
                    })
                    .collect();
                (by_id.collect(), points)
            })
            .unzip();
        Extractor {
            spec,
            as_of,
            lookup,
            points,
            columns: Columns::new(spec),
            quality: DataQuality::default(),
            waves: BTreeSet::new(),
            versions: spec.versions.iter().map(|v| VersionIndex::new(v)).collect(),
        }
    }

    pub fn push(&mut self, item: Listed) {
        self.quality.items += 1;
        let record = match item {
            Listed::Response(record) => record,
            Listed::Malformed { problem, .. } => {
                let kind = problem.split(':').next().unwrap_or("unreadable").to_owned();
                DataQuality::note(&mut self.quality.malformed, kind);
                return;
            }
        };
        if record.survey_id != self.spec.survey_id {
            DataQuality::note(
                &mut self.quality.malformed,
                "filed under another survey".to_owned(),
            );
            return;
        }
        let Some(version) = self
            .versions
            .iter()
            .find(|v| v.survey.version == record.survey_version)
        else {
            *self
                .quality
                .unknown_version
                .entry(record.survey_version)
                .or_default() += 1;
            return;
        };
        if let Err(problem) = version.fits(&record) {
            DataQuality::note(&mut self.quality.invalid, problem);
            return;
        }
        let wave = Wave::of_week(self.spec.wave_length, record.iso_week);
        if !wave.is_closed_on(self.as_of) {
            self.quality.open_wave += 1;
            return;
        }
        let key = wave_key(wave);
        self.waves.insert(key);
        self.columns.wave.push(key);
        self.columns.verified.push(record.pow_verified);
        for (qi, q) in self.spec.questions.iter().enumerate() {
            let mut answer = record.answers.get(&q.source);
            let contradicts = version.question(&q.source).is_some_and(|own| {
                own.options_from.as_ref().is_some_and(|from| {
                    answer.is_some_and(|a| !is_among(a, record.answers.get(from)))
                })
            });
            let lookup = &self.lookup[qi];
            let mut drop = |why: String| {
                DataQuality::note(
                    &mut self.quality.unpublished_answers,
                    format!("`{}`: {why}", q.source),
                );
            };
            if contradicts {
                // Stored before intake refused it: "main platform" not among "platforms".
                drop(
                    "not one of the answers given to the question it takes its options from".into(),
                );
                answer = None;
            }
            match &mut self.columns.questions[qi] {
                Column::Codes(codes) => {
                    let code = match answer {
                        None => NONE,
                        Some(AnswerValue::Choice(id)) if qi == self.spec.region => {
                            match countries::region_of(id).and_then(|r| lookup.get(r)) {
                                Some(&c) => c,
                                None => {
                                    drop("country code without a known world region".into());
                                    NONE
                                }
                            }
                        }
                        Some(AnswerValue::Choice(id)) => match lookup.get(id.as_str()) {
                            Some(&c) => c,
                            None => {
                                drop(format!(
                                    "option `{id}` is not offered by the current version"
                                ));
                                NONE
                            }
                        },
                        Some(AnswerValue::Number(v)) => match self.points[qi].get(v) {
                            Some(&c) => c,
                            None => {
                                drop(format!("{v} is not a point of the current scale"));
                                NONE
                            }
                        },
                        Some(AnswerValue::Choices(_)) => {
                            drop("a list where the current version takes one answer".into());
                            NONE
                        }
                    };
                    codes.push(code);
                }
                Column::Multi(lists) => {
                    let picked = match answer {
                        None => None,
                        Some(AnswerValue::Choices(ids)) => {
                            // An option the current version no longer offers is left out on
                            // its own; the rest of the answer stands.
                            let codes: Vec<Code> = ids
                                .iter()
                                .filter_map(|id| {
                                    let code = lookup.get(id.as_str()).copied();
                                    if code.is_none() {
                                        drop(format!(
                                            "option `{id}` is not offered by the current version"
                                        ));
                                    }
                                    code
                                })
                                .collect();
                            (!codes.is_empty()).then_some(codes)
                        }
                        Some(_) => {
                            drop("one answer where the current version takes a list".into());
                            None
                        }
                    };
                    lists.push(picked);
                }
                Column::Numbers(numbers) => {
                    let QuestionKind::Number { min, max } = q.kind else {
                        unreachable!("number columns belong to number questions")
                    };
                    let value = match answer {
                        None => None,
                        Some(AnswerValue::Number(v)) if (min..=max).contains(v) => Some(*v),
                        Some(AnswerValue::Number(v)) => {
                            drop(format!("{v} is outside the current bounds {min}..={max}"));
                            None
                        }
                        Some(_) => {
                            drop("not a number".into());
                            None
                        }
                    };
                    numbers.push(value);
                }
            }
        }
    }
}

/// One survey version, indexed for checking records against it: question by id, and each
/// choice question's options as a set (the country list has some 250).
struct VersionIndex<'a> {
    survey: &'a Survey,
    questions: HashMap<&'a str, &'a Question>,
    options: HashMap<&'a str, HashSet<&'a str>>,
}

impl<'a> VersionIndex<'a> {
    fn new(survey: &'a Survey) -> VersionIndex<'a> {
        let options = survey
            .questions
            .iter()
            .filter_map(|q| {
                let options = match &q.kind {
                    Kind::SingleChoice { options }
                    | Kind::YesNo { options }
                    | Kind::Country { options }
                    | Kind::MultipleChoice { options, .. } => options,
                    _ => return None,
                };
                Some((
                    q.id.as_str(),
                    options.iter().map(|o| o.id.as_str()).collect(),
                ))
            })
            .collect();
        VersionIndex {
            survey,
            questions: survey
                .questions
                .iter()
                .map(|q| (q.id.as_str(), q))
                .collect(),
            options,
        }
    }

    fn question(&self, id: &str) -> Option<&'a Question> {
        self.questions.get(id).copied()
    }

    fn offers(&self, question: &Question, id: &str) -> bool {
        self.options
            .get(question.id.as_str())
            .is_some_and(|ids| ids.contains(id))
    }

    /// Whether a stored record fits this version: declared questions, declared options,
    /// numbers in bounds, shown questions only. Returns the first problem.
    fn fits(&self, record: &ResponseRecord) -> Result<(), String> {
        let version = self.survey.version;
        for (qid, value) in &record.answers {
            let Some(question) = self.question(qid) else {
                return Err(format!("question `{qid}` is not in version {version}"));
            };
            let ok = match (&question.kind, value) {
                // Country: one of the survey's ISO 3166-1 alpha-2 codes (each has a region).
                (
                    Kind::SingleChoice { .. } | Kind::YesNo { .. } | Kind::Country { .. },
                    AnswerValue::Choice(id),
                ) => self.offers(question, id),
                (Kind::MultipleChoice { max_choices, .. }, AnswerValue::Choices(ids)) => {
                    let distinct: BTreeSet<&String> = ids.iter().collect();
                    !ids.is_empty()
                        && distinct.len() == ids.len()
                        && max_choices.is_none_or(|m| ids.len() <= m as usize)
                        && ids.iter().all(|id| self.offers(question, id))
                }
                (Kind::Likert { .. }, AnswerValue::Number(v)) => {
                    (LIKERT_MIN..=LIKERT_MAX).contains(v)
                }
                (Kind::Number { min, max, .. }, AnswerValue::Number(v)) => {
                    (*min..=*max).contains(v)
                }
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "an answer to `{qid}` is not valid in version {version}"
                ));
            }
            if !is_shown(question, &record.answers) {
                return Err(format!(
                    "`{qid}` is answered although it was not shown in version {version}"
                ));
            }
        }
        Ok(())
    }
}

/// What extraction found: the columns, what could not be used, and every closed wave seen.
#[derive(Debug)]
pub struct Extracted {
    pub columns: Columns,
    pub quality: DataQuality,
    pub waves: BTreeSet<i32>,
}

impl Extracted {
    /// Adds another part's responses after these. No table depends on row order.
    fn append(&mut self, other: Extracted) {
        let Extracted {
            columns,
            quality,
            waves,
        } = other;
        self.columns.append(columns);
        self.quality.merge(quality);
        self.waves.extend(waves);
    }
}

impl Extractor<'_> {
    pub fn finish(self) -> Extracted {
        Extracted {
            columns: self.columns,
            quality: self.quality,
            waves: self.waves,
        }
    }
}

/// Reads every response of the survey on every core: the store lists it in as many parts as
/// there are cores, read at once; each part's pages go to its own extractor thread, and the
/// parts' columns are joined at the end.
pub async fn extract<S: ResponseStore + ?Sized>(
    store: &S,
    spec: &Spec,
    as_of: Date,
    progress: &dyn Progress,
) -> Result<Extracted, PipelineError> {
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    extract_in_parts(store, spec, as_of, progress, parts).await
}

/// [`extract`] with a chosen number of parts (at least one).
pub async fn extract_in_parts<S: ResponseStore + ?Sized>(
    store: &S,
    spec: &Spec,
    as_of: Date,
    progress: &dyn Progress,
    parts: usize,
) -> Result<Extracted, PipelineError> {
    let listings = store.list_parts(&spec.survey_id, parts.max(1));
    let shared = Arc::new(spec.clone());
    let mut workers = Vec::with_capacity(listings.len());
    for _ in 0..listings.len() {
        // A few pages in flight per worker: reading stays ahead without holding the store.
        let (pages, mut incoming) = tokio::sync::mpsc::channel::<Vec<Listed>>(4);
        let (done, result) = tokio::sync::oneshot::channel();
        let spec = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("canvass-extract".into())
            .spawn(move || {
                let mut extractor = Extractor::new(&spec, as_of);
                while let Some(page) = incoming.blocking_recv() {
                    for item in page {
                        extractor.push(item);
                    }
                }
                drop(done.send(extractor.finish()));
            })?;
        workers.push((pages, result));
    }
    let lost = || PipelineError::Inconsistent("an extractor thread stopped early".into());
    let mut pages = futures::stream::select_all(
        listings
            .into_iter()
            .enumerate()
            .map(|(part, pages)| pages.map(move |page| (part, page))),
    );
    while let Some((part, page)) = pages.next().await {
        let page = page.map_err(PipelineError::Store)?;
        let n = page.len() as u64;
        workers[part].0.send(page).await.map_err(|_| lost())?;
        progress.read(n);
    }
    let mut extracted: Option<Extracted> = None;
    for (pages, result) in workers {
        drop(pages);
        let part = result.await.map_err(|_| lost())?;
        match &mut extracted {
            Some(all) => all.append(part),
            None => extracted = Some(part),
        }
    }
    Ok(extracted.unwrap_or_else(|| Extractor::new(spec, as_of).finish()))
}
