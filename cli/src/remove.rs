//! `canvass remove`: deletes the responses of ISO weeks the operator declares spoiled (a bot
//! attack), optionally only the unverified ones. A dry run unless `--yes`: it counts first.
//!
//! The store holds nothing finer than the ISO week, so a week is the smallest unit that can
//! be removed, and nothing about removed responses is kept anywhere.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use canvass_core::store::sqlite::DEFAULT_MAINTENANCE_EVERY;
use canvass_core::wave::{IsoWeek, Wave};
use time::OffsetDateTime;

use crate::store::StoreChoice;

#[derive(clap::Args)]
pub struct Args {
    /// Survey whose responses are removed.
    #[arg(long, default_value = "platform-treatment")]
    survey: String,
    /// ISO week to remove, like 2026-W10; repeat it for several weeks.
    #[arg(long = "week", value_name = "YYYY-Www", required = true)]
    weeks: Vec<IsoWeek>,
    /// Remove only responses without a solved proof of work (`pow_verified = false`).
    #[arg(long)]
    unverified_only: bool,
    /// Delete for real. Without it, only count what would be deleted (a dry run).
    #[arg(long)]
    yes: bool,
    /// Folder of the embedded store (DATA/canvass.db).
    #[arg(long, env = "CANVASS_DATA", default_value = "data")]
    data: PathBuf,
    /// Where the responses are: `sqlite` (DATA/canvass.db) or `dynamodb://HOST:PORT?prefix=P`
    /// (`dynamodb://aws?prefix=P` for AWS itself).
    #[arg(long, env = "CANVASS_STORE", default_value = "sqlite")]
    store: StoreChoice,
    /// Folder of survey definitions.
    #[arg(long, env = "CANVASS_SURVEYS", default_value = "surveys")]
    surveys: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = crate::config::catalog(&args.surveys)?;
    // The newest published version decides the waves, as in the pipeline.
    let reference = catalog
        .all()
        .filter(|s| s.id == args.survey && s.status.is_published())
        .max_by_key(|s| s.version)
        .ok_or_else(|| {
            let known: BTreeSet<&str> = catalog
                .all()
                .filter(|s| s.status.is_published())
                .map(|s| s.id.as_str())
                .collect();
            anyhow::anyhow!(
                "survey `{}` is not a published survey in {} (published: {})",
                args.survey,
                args.surveys.display(),
                known.into_iter().collect::<Vec<_>>().join(", ")
            )
        })?;
    let this_week = IsoWeek::of(OffsetDateTime::now_utc());
    let weeks: BTreeSet<IsoWeek> = args.weeks.iter().copied().collect();
    if let Some(future) = weeks.iter().find(|w| **w > this_week) {
        anyhow::bail!(
            "week {future} has not begun yet (this is {this_week}): no response can have been submitted in it"
        );
    }
    let store = args
        .store
        .open_existing(&args.data, DEFAULT_MAINTENANCE_EVERY)
        .await?;
    let which = if args.unverified_only {
        "unverified responses"
    } else {
        "responses"
    };

    if !args.yes {
        let mut counts = Vec::new();
        for &week in &weeks {
            let n = store
                .responses
                .count_week(&args.survey, week, args.unverified_only)
                .await
                .with_context(|| format!("counting {week} in {}", store.description))?;
            counts.push((week, n));
        }
        let total: u64 = counts.iter().map(|(_, n)| n).sum();
        println!(
            "Dry run, nothing removed: {which} of survey {} in {}",
            args.survey, store.description
        );
        for (week, n) in &counts {
            println!("  {week}: {n} would be removed");
        }
        println!("  total: {total}");
        if total == 0 {
            println!("Nothing to remove.");
        } else {
            println!("To remove them, run the same command with --yes:");
            println!("  {}", rerun_with_yes());
        }
        return Ok(ExitCode::SUCCESS);
    }

    let mut removed: Vec<(IsoWeek, u64)> = Vec::new();
    for &week in &weeks {
        match store
            .responses
            .remove_week(&args.survey, week, args.unverified_only)
            .await
        {
            Ok(n) => removed.push((week, n)),
            Err(e) => {
                let done: Vec<String> = removed.iter().map(|(w, n)| format!("{w}: {n}")).collect();
                anyhow::bail!(
                    "removing {week} from {} failed: {e}\nremoved before the failure: {}\n\
                     Running the same command again finishes the job (a removal run twice deletes nothing more).",
                    store.description,
                    if done.is_empty() {
                        "nothing".to_owned()
                    } else {
                        done.join(", ")
                    }
                );
            }
        }
    }
    let total: u64 = removed.iter().map(|(_, n)| n).sum();
    println!(
        "Removed {total} {which} of survey {} from {}:",
        args.survey, store.description
    );
    for (week, n) in &removed {
        println!("  {week}: {n} removed");
    }
    if total == 0 {
        println!("Nothing was removed: no stored response matched.");
        return Ok(ExitCode::SUCCESS);
    }
    let waves: BTreeSet<Wave> = removed
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(week, _)| Wave::of_week(reference.wave, *week))
        .collect();
    let waves: Vec<String> = waves.iter().map(ToString::to_string).collect();
    println!(
        "Nothing about the removed responses is kept in the store. The next `canvass report` \
         revises the wave(s) containing these weeks ({}) if both versions together still pin \
         nobody down, or else keeps the numbers published, and says which and why in the \
         release README's \"Revisions\" section.",
        waves.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// This very invocation with `--yes` appended, quoted for a POSIX shell.
fn rerun_with_yes() -> String {
    let mut words = vec!["canvass".to_owned()];
    words.extend(std::env::args().skip(1).map(|a| shell_quote(&a)));
    words.push("--yes".to_owned());
    words.join(" ")
}

fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(shell_quote("--week"), "--week");
        assert_eq!(shell_quote("2026-W10"), "2026-W10");
        assert_eq!(
            shell_quote("dynamodb://127.0.0.1:8000?prefix=x-"),
            "'dynamodb://127.0.0.1:8000?prefix=x-'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
