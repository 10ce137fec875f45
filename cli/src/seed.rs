//! `canvass seed`: plausible synthetic responses, the same for the same seed, stored through
//! the same validation as real ones. For demos, tests and benchmarks, never mixed with real
//! data (use a separate `--data` folder).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use canvass_core::answers::{AnswerValue, Answers, is_shown};
use canvass_core::intake::{Refused, Submission, prepare};
use canvass_core::store::ResponseStore;
use canvass_core::store::sqlite::SqliteStore;
use canvass_core::survey::{Choice, Kind, LIKERT_MAX, LIKERT_MIN, Question, Survey};
use canvass_core::wave::IsoWeek;
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

#[derive(clap::Args)]
pub struct Args {
    /// Survey to answer (its open version).
    #[arg(long, default_value = "platform-treatment")]
    survey: String,
    /// How many responses to store.
    #[arg(long, default_value_t = 1000)]
    responses: u64,
    #[arg(long, env = "CANVASS_DATA", default_value = "data")]
    data: PathBuf,
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    surveys: PathBuf,
    /// Random seed: the same seed gives the same responses (re-seeding stores nothing twice).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Spread submissions over this many ISO weeks...
    #[arg(long, default_value_t = 78)]
    weeks: u32,
    /// ...ending with this one (default: the current week).
    #[arg(long)]
    until: Option<IsoWeek>,
    /// How main platforms are spread: `generator` (every platform drawn by the same
    /// skewed weights) or `realistic` (the first platform 40 %, the rest a long tail).
    #[arg(long, value_enum, default_value_t = Skew::Generator)]
    skew: Skew,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Skew {
    Generator,
    Realistic,
}

const BATCH: usize = 5_000;

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = crate::config::catalog(&args.surveys)?;
    let survey = catalog
        .open(&args.survey)
        .map_err(|_| anyhow::anyhow!("survey `{}` has no open version to seed", args.survey))?
        .clone();
    anyhow::ensure!(args.weeks >= 1, "--weeks must be at least 1");
    let secret = crate::config::secret(&args.data)?;
    let db = args.data.join("canvass.db");
    let store = SqliteStore::open(&db).with_context(|| format!("opening {}", db.display()))?;
    let until = args
        .until
        .unwrap_or_else(|| IsoWeek::of(OffsetDateTime::now_utc()));
    let last_monday = until.monday().midnight().assume_utc();
    let mut generator = Generator::new(&survey, args.seed, args.skew);
    let bar = ProgressBar::new(args.responses).with_style(
        ProgressStyle::with_template(
            "{spinner} seeding {pos}/{len} responses [{bar:30}] {per_sec} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let mut stored = 0;
    let mut batch = Vec::with_capacity(BATCH);
    for _ in 0..args.responses {
        let week_back = generator.rng.random_range(0..args.weeks);
        let when = last_monday - Duration::weeks(i64::from(week_back)) + Duration::hours(12);
        let submission = generator.submission();
        let record = match prepare(&catalog, &secret, &survey.id, &submission, when) {
            Ok(record) => record,
            Err(Refused::InvalidAnswers { errors, .. }) => {
                anyhow::bail!("the generator made invalid answers: {errors:?}")
            }
            Err(other) => anyhow::bail!("cannot seed: {other:?}"),
        };
        batch.push(record);
        if batch.len() == BATCH {
            stored += store.put_many(&batch).await?;
            bar.inc(batch.len() as u64);
            batch.clear();
        }
    }
    stored += store.put_many(&batch).await?;
    bar.inc(batch.len() as u64);
    bar.finish_and_clear();
    println!(
        "seeded {stored} new response(s) ({} already there) for {} v{} into {}",
        args.responses - stored,
        survey.id,
        survey.version,
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Draws answers question by question, honouring skip logic, with option weights that
/// differ by the respondent's first single-choice answer (the main platform), so that
/// groups differ the way real ones would.
struct Generator<'a> {
    survey: &'a Survey,
    rng: ChaCha8Rng,
    /// Weights per (question, group) drawn once from the seed.
    weights: BTreeMap<(String, usize), Vec<f64>>,
    skew: Skew,
    /// With `Skew::Realistic`: the option index this respondent's main platform will be.
    main: Option<usize>,
}

/// `Skew::Realistic`: the first of `n` options has 40 %, the others share the rest as
/// 1/rank (a long tail).
fn realistic_weights(n: usize) -> Vec<f64> {
    let tail: f64 = (1..n).map(|r| 1.0 / r as f64).sum();
    (0..n)
        .map(|i| if i == 0 { 0.4 } else { 0.6 / (i as f64 * tail) })
        .collect()
}

impl<'a> Generator<'a> {
    fn new(survey: &'a Survey, seed: u64, skew: Skew) -> Generator<'a> {
        Generator {
            survey,
            rng: ChaCha8Rng::seed_from_u64(seed),
            weights: BTreeMap::new(),
            skew,
            main: None,
        }
    }

    fn submission(&mut self) -> Submission {
        let mut bytes = [0u8; 16];
        self.rng.fill(&mut bytes);
        let submission_id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        let mut answers = Answers::new();
        let mut group = 0;
        self.main = None;
        for question in &self.survey.questions {
            if !is_shown(question, &answers) || (!question.required && self.rng.random_bool(0.08)) {
                continue;
            }
            let answer = self.answer(question, group, &answers);
            if let (0, Kind::SingleChoice { options }, AnswerValue::Choice(c)) =
                (group, &question.kind, &answer)
            {
                group = 1 + options.iter().position(|o| &o.id == c).unwrap_or(0);
            }
            answers.insert(question.id.clone(), answer);
        }
        let raw = answers.into_iter().map(|(k, v)| (k, to_json(v))).collect();
        Submission {
            submission_id,
            survey_version: self.survey.version,
            answers: raw,
            pow_verified: self.rng.random_bool(0.85),
        }
    }

    fn weights(&mut self, question: &str, group: usize, n: usize) -> Vec<f64> {
        let rng = &mut self.rng;
        self.weights
            .entry((question.to_owned(), group))
            .or_insert_with(|| {
                (0..n)
                    .map(|i| rng.random_range(0.2..1.0) / (1.0 + i as f64 * 0.35))
                    .collect()
            })
            .clone()
    }

    fn pick(&mut self, question: &str, group: usize, n: usize) -> usize {
        let weights = self.weights(question, group, n);
        let total: f64 = weights.iter().sum();
        let mut x = self.rng.random_range(0.0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        n - 1
    }

    fn answer(&mut self, q: &Question, group: usize, so_far: &Answers) -> AnswerValue {
        match &q.kind {
            Kind::SingleChoice { options } | Kind::YesNo { options } => {
                // A main platform is one of the platforms picked earlier (same option list).
                if let Some(picked) = self.earlier_picks(options, so_far) {
                    if let Some(main) = self.main.map(|m| &options[m].id)
                        && picked.contains(main)
                    {
                        return AnswerValue::Choice(main.clone());
                    }
                    let i = self.rng.random_range(0..picked.len());
                    return AnswerValue::Choice(picked[i].clone());
                }
                AnswerValue::Choice(options[self.pick(&q.id, group, options.len())].id.clone())
            }
            Kind::Country { options } => {
                const COMMON: [&str; 12] = [
                    "US", "GB", "CA", "AU", "DE", "FR", "ES", "MX", "IT", "NL", "IE", "BR",
                ];
                let code = if self.rng.random_bool(0.85) {
                    COMMON[self.pick(&q.id, 0, COMMON.len())].to_owned()
                } else {
                    options[self.rng.random_range(0..options.len())].id.clone()
                };
                AnswerValue::Choice(code)
            }
            Kind::MultipleChoice {
                options,
                max_choices,
            } => {
                let max = max_choices.map_or(options.len(), |m| m as usize).min(4);
                let count = self.rng.random_range(1..=max);
                let mut picked: Vec<String> = Vec::new();
                // The list a later question takes its options from holds the main platform.
                if self.skew == Skew::Realistic
                    && self.main.is_none()
                    && self.feeds_a_later_question(options)
                {
                    let weights = realistic_weights(options.len());
                    let mut x = self.rng.random_range(0.0..1.0);
                    let main = weights
                        .iter()
                        .position(|w| {
                            x -= w;
                            x < 0.0
                        })
                        .unwrap_or(options.len() - 1);
                    self.main = Some(main);
                    picked.push(options[main].id.clone());
                }
                while picked.len() < count {
                    let id = &options[self.pick(&q.id, group, options.len())].id;
                    if !picked.contains(id) {
                        picked.push(id.clone());
                    }
                }
                picked.sort_by_key(|id| options.iter().position(|o| &o.id == id));
                AnswerValue::Choices(picked)
            }
            Kind::Likert { .. } => {
                let span = (LIKERT_MAX - LIKERT_MIN + 1) as usize;
                AnswerValue::Number(LIKERT_MIN + self.pick(&q.id, group, span) as i64)
            }
            Kind::Number { min, max, .. } => {
                // Skewed towards the low end, as holds in days and income shares are.
                let u: f64 = self.rng.random_range(0.0..1.0);
                let value = *min as f64 + (*max - *min) as f64 * u * u;
                AnswerValue::Number((value.round() as i64).clamp(*min, *max))
            }
        }
    }

    fn feeds_a_later_question(&self, options: &[Choice]) -> bool {
        self.survey
            .questions
            .iter()
            .any(|q| matches!(&q.kind, Kind::SingleChoice { options: theirs } if theirs == options))
    }

    fn earlier_picks(&self, options: &[Choice], so_far: &Answers) -> Option<Vec<String>> {
        self.survey.questions.iter().find_map(|earlier| {
            match (&earlier.kind, so_far.get(&earlier.id)) {
                (
                    Kind::MultipleChoice {
                        options: theirs, ..
                    },
                    Some(AnswerValue::Choices(picked)),
                ) if theirs == options => Some(picked.clone()),
                _ => None,
            }
        })
    }
}

fn to_json(answer: AnswerValue) -> Value {
    match answer {
        AnswerValue::Number(n) => Value::from(n),
        AnswerValue::Choice(c) => Value::from(c),
        AnswerValue::Choices(cs) => Value::from(cs),
    }
}
