//! The pipeline benchmark's Rust side (driven by scripts/bench_pipeline.py).
//!
//! `bench generate ROWS OUT.parquet`: synthetic responses of the platform-treatment survey
//! as a typed frame, written as Parquet (not timed).
//! `bench run IN.parquet OUT_DIR`: reads the Parquet, then times tables + disclosure
//! control + audit + writing the release, prints the timings as JSON, and (untimed) dumps
//! every unsuppressed number in a long format for comparison with DuckDB.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use canvass_core::catalog::Catalog;
use canvass_pipeline::disclosure::Prior;
use canvass_pipeline::disclosure::model::{CellKind, Group};
use canvass_pipeline::disclosure::recode::Recoding;
use canvass_pipeline::extract::{Column, Columns, NONE};
use canvass_pipeline::quality::DataQuality;
use canvass_pipeline::release::{files, protect_waves};
use canvass_pipeline::spec::QuestionKind;
use canvass_pipeline::{Progress, Silent, Spec, frame};
use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn spec() -> Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys");
    let catalog = Catalog::load(&dir).expect("shipped surveys pass check");
    Spec::from_catalog(&catalog, "platform-treatment").expect("survey")
}

/// Eight quarterly waves, 2024-Q1 to 2025-Q4.
const WAVES: [i32; 8] = [
    202401, 202402, 202403, 202404, 202501, 202502, 202503, 202504,
];

fn skewed(rng: &mut ChaCha8Rng, n: usize) -> u16 {
    (rng.random_range(0.0f64..1.0).powf(1.7) * n as f64).min(n as f64 - 1.0) as u16
}

fn generate(rows: usize, out: &Path) {
    let spec = spec();
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let mut columns = Columns::new(&spec);
    for _ in 0..rows {
        columns.wave.push(WAVES[rng.random_range(0..WAVES.len())]);
        columns.verified.push(rng.random_bool(0.9));
        let mut answers: Vec<Option<u16>> = vec![None; spec.questions.len()];
        for (qi, question) in spec.questions.iter().enumerate() {
            let shown = match &question.show_if {
                None => true,
                Some(c) => answers[c.parent].is_some_and(|a| c.any_of.contains(&usize::from(a))),
            };
            match &mut columns.questions[qi] {
                Column::Codes(codes) if qi == spec.platform => {
                    // A long tail: two platforms with a handful of sellers per wave, so that
                    // suppression and the audit have work to do.
                    let u: f64 = rng.random_range(0.0..1.0);
                    let n = question.options.len();
                    let code = if u < 0.000_04 {
                        n as u16 - 1
                    } else if u < 0.000_12 {
                        n as u16 - 2
                    } else {
                        skewed(&mut rng, n - 2)
                    };
                    answers[qi] = Some(code);
                    codes.push(code);
                }
                Column::Codes(codes) => {
                    let code = shown.then(|| skewed(&mut rng, question.options.len()));
                    answers[qi] = code;
                    codes.push(code.unwrap_or(NONE));
                }
                Column::Multi(lists) => {
                    let mut picked: Vec<u16> = (0..rng.random_range(1..=3))
                        .map(|_| skewed(&mut rng, question.options.len()))
                        .collect();
                    picked.sort_unstable();
                    picked.dedup();
                    lists.push(Some(picked));
                }
                Column::Numbers(values) => {
                    let QuestionKind::Number { min, max } = question.kind else {
                        unreachable!()
                    };
                    let u: f64 = rng.random_range(0.0..1.0);
                    values.push(shown.then(|| min + ((max - min) as f64 * u * u) as i64));
                }
            }
        }
    }
    let mut df = frame::build(&spec, &columns).expect("frame");
    let file = std::fs::File::create(out).expect("create parquet");
    ParquetWriter::new(file)
        .finish(&mut df)
        .expect("write parquet");
    eprintln!("wrote {rows} rows to {}", out.display());
}

/// How long each stage took, so the result shows where the time goes.
#[derive(Default)]
struct Timed(std::sync::Mutex<Stages>);

#[derive(Default)]
struct Stages {
    done: Vec<(String, f64)>,
    current: Option<(String, Instant)>,
}

impl Progress for Timed {
    fn stage(&self, name: &str) {
        let mut stages = self.0.lock().unwrap();
        if let Some((previous, since)) = stages.current.take() {
            stages.done.push((previous, since.elapsed().as_secs_f64()));
        }
        stages.current = Some((name.to_owned(), Instant::now()));
    }
}

impl Timed {
    /// Seconds per stage, the current one ended now.
    fn finish(&self) -> Vec<(String, f64)> {
        self.stage("");
        self.0.lock().unwrap().done.clone()
    }
}

fn run(input: &Path, out: &Path) {
    // Per-wave protection costs (rounds, LP solves) on stderr: `BENCH_LOG=info`.
    if std::env::var_os("BENCH_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing::Level::INFO)
            .init();
    }
    let spec = spec();
    let started = Instant::now();
    let df = ParquetReader::new(std::fs::File::open(input).expect("open parquet"))
        .finish()
        .expect("read parquet");
    // Parquet keeps polars' Enum types; cast anyway so that any reader's frame is typed alike.
    let schema = frame::schema(&spec).expect("schema");
    let df = df
        .lazy()
        .select(
            schema
                .iter()
                .map(|(name, dtype)| col(name.clone()).strict_cast(dtype.clone()))
                .collect::<Vec<_>>(),
        )
        .collect()
        .expect("typed frame");
    let read = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let timed = Timed::default();
    // The frame comes from Parquet, not from extracted columns: no recoding (every group
    // of the benchmark data is large).
    let protected = protect_waves(
        &spec,
        &df,
        &WAVES,
        &Recoding::new(),
        &Prior::new(),
        None,
        &timed,
    )
    .expect("protect");
    let stages = timed.finish();
    let stage = |name: &str| stages.iter().find(|(n, _)| n == name).map_or(0.0, |s| s.1);
    let release = files(&spec, &protected, None, &DataQuality::default(), &Silent).expect("files");
    let results = &protected.results;
    let dir = out.join(&release.id);
    for (path, bytes) in &release.files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    let phase = started.elapsed().as_secs_f64();
    let suppressed: usize = results
        .values()
        .map(|r| r.protection.primary_cells + r.protection.secondary_cells)
        .sum();
    let audited: usize = results.values().map(|r| r.protection.audit.checked).sum();
    println!(
        "{{\"rows\": {}, \"read_s\": {read:.4}, \"phase_s\": {phase:.4}, \"tables_s\": {:.4}, \"protect_s\": {:.4}, \"suppressed_cells\": {suppressed}, \"audited\": {audited}}}",
        df.height(),
        stage("tables"),
        stage("disclosure control and audit"),
    );

    // Untimed: every number before suppression, in the long format DuckDB writes too.
    let mut dump =
        std::io::BufWriter::new(std::fs::File::create(out.join("rust_cells.csv")).unwrap());
    writeln!(dump, "kind,wave,grp,item,option,value").unwrap();
    for result in results.values() {
        for cell in &result.model.cells {
            let kind = match cell.key.kind {
                CellKind::Respondents => "respondents",
                CellKind::AnswerCount => "answer_count",
                CellKind::AnswerN => "answer_n",
                CellKind::IndicatorCount => "ind_count",
                CellKind::IndicatorN => "ind_n",
                CellKind::NumericN => "numeric_n",
            };
            let group = match &cell.key.group {
                Group::All => "all".to_owned(),
                Group::Platform(p) => p.clone(),
                Group::Category(c) => format!("category:{c}"),
                Group::Region(r) => format!("region:{r}"),
            };
            writeln!(
                dump,
                "{kind},{},{group},{},{},{}",
                cell.key.wave, cell.key.item, cell.key.option, cell.value
            )
            .unwrap();
        }
        for (&q, list) in &result.counts.quartiles {
            let platforms = spec.platforms();
            for (i, quartiles) in list.iter().enumerate() {
                let Some(qs) = quartiles else { continue };
                if qs.n == 0 {
                    continue;
                }
                let group = platforms.get(i).map_or("all", |p| p.id.as_str());
                for (name, v) in [("p25", qs.p25), ("median", qs.median), ("p75", qs.p75)] {
                    writeln!(
                        dump,
                        "{name},{},{group},{},,{v:.6}",
                        result.model.wave, spec.questions[q].id
                    )
                    .unwrap();
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") => generate(args[2].parse().expect("rows"), &PathBuf::from(&args[3])),
        Some("run") => run(&PathBuf::from(&args[2]), &PathBuf::from(&args[3])),
        _ => {
            eprintln!("usage: bench generate ROWS OUT.parquet | bench run IN.parquet OUT_DIR");
            std::process::exit(2);
        }
    }
}
