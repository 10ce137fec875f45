//! `labels.csv`: the label of every id the tables use, in every language of the survey.
//! The CSVs stay one set keyed by ids; a spreadsheet user filters this table on `lang`, a
//! script joins it on (`scope`, `value`).

use crate::locale;
use crate::release::release_id;
use crate::spec::Spec;
use crate::table::{Field, Table};
use crate::tables::{ALL, table_title, wave_label};

/// `scope` of a question's own text: the values of the `question_id` column.
pub const QUESTION_SCOPE: &str = "question_id";
/// `scope` of a headline indicator's label: the values of the `indicator` column.
pub const INDICATOR_SCOPE: &str = "indicator";
/// `scope` of a table's title: the `name` of each resource in `datapackage.json`.
pub const TABLE_SCOPE: &str = "table";
/// `scope` of the release's own title: its id.
pub const RELEASE_SCOPE: &str = "release";
/// Every table of a release, by name.
pub const TABLES: [&str; 8] = [
    "respondents",
    "answers",
    "indicators",
    "numeric",
    "by_category",
    "by_region",
    "trends",
    "labels",
];

/// The release's title in `lang`.
pub fn release_title(spec: &Spec, wave: i32, lang: &str) -> String {
    locale::text_with(
        lang,
        "release-title",
        &[
            ("survey", spec.reference.title.get(lang).to_owned().into()),
            ("wave", wave_label(spec, wave).into()),
        ],
    )
}

pub fn labels(spec: &Spec, wave: i32) -> Table {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for lang in &spec.languages {
        let mut row = |scope: &str, value: &str, label: &str| {
            rows.push(vec![
                scope.to_owned(),
                value.to_owned(),
                lang.clone(),
                label.to_owned(),
            ]);
        };
        row(
            RELEASE_SCOPE,
            &release_id(spec, wave),
            &release_title(spec, wave, lang),
        );
        for name in TABLES {
            row(
                TABLE_SCOPE,
                name,
                &locale::text(lang, &format!("table-{name}")),
            );
        }
        for q in &spec.questions {
            row(QUESTION_SCOPE, &q.id, q.label.get(lang));
        }
        // Options under their question's id: the `option_id` values of answers.csv and, for
        // the groupings, the values of the `main_platform`, `category` and `region` columns.
        row(
            &spec.questions[spec.platform].id,
            ALL,
            &locale::text(lang, "group-all"),
        );
        for q in &spec.questions {
            for o in &q.options {
                row(&q.id, &o.id, o.label.get(lang));
            }
        }
        for ind in &spec.indicators {
            row(INDICATOR_SCOPE, &ind.id, ind.label.get(lang));
        }
    }
    rows.sort();
    Table {
        name: "labels",
        title: table_title(spec, "labels"),
        description: format!(
            "One row per id and language ({}). `scope` says where the id appears: `question_id` for a question's text, `indicator` for a headline indicator, `table` for a table's title, `release` for the release's title, and a question id (such as `main_platform`, `category`, `region` or `platforms`) for that question's options, which are the values of the grouping columns and of `option_id`.",
            spec.languages.join(", ")
        ),
        fields: vec![
            Field::text(
                "scope",
                "Where `value` appears: a column name or, for an option, its question id",
            ),
            Field::text("value", "The id as it appears in the tables"),
            Field::key(
                "lang",
                "Language of the label (BCP 47)",
                spec.languages.clone(),
            ),
            Field::text("label", "The label in that language"),
        ],
        primary_key: vec!["scope", "value", "lang"],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_question_and_indicator_has_a_label_in_every_language() {
        let catalog = canvass_core::catalog::Catalog::load(std::path::Path::new("../surveys"))
            .expect("the shipped surveys load");
        let spec = Spec::from_catalog(&catalog, "platform-treatment").unwrap();
        let table = labels(&spec, 202_503);
        let find = |scope: &str, value: &str, lang: &str| {
            table
                .rows
                .iter()
                .find(|r| r[0] == scope && r[1] == value && r[2] == lang)
                .map(|r| r[3].clone())
        };
        assert_eq!(
            find("main_platform", "all", "fr").as_deref(),
            Some("Toutes les plateformes")
        );
        assert_eq!(
            find("table", "answers", "fr").as_deref(),
            Some("Réponses à chaque question, par plateforme principale")
        );
        assert!(
            find("release", "platform-treatment-2025-Q3", "es")
                .unwrap()
                .ends_with(": estadísticas de 2025-Q3")
        );
        assert_eq!(
            find("indicator", "suspended_12m", "es").as_deref(),
            Some("Tienda suspendida o cerrada en los últimos 12 meses")
        );
        let per_language = table.rows.len() / spec.languages.len();
        for lang in &spec.languages {
            let rows: Vec<_> = table.rows.iter().filter(|r| &r[2] == lang).collect();
            assert_eq!(rows.len(), per_language, "{lang}");
            assert!(rows.iter().all(|r| !r[3].is_empty()), "{lang}");
        }
        // The Spanish labels are Spanish, not the English fallback.
        let en: Vec<_> = table.rows.iter().filter(|r| r[2] == "en").collect();
        let es: Vec<_> = table.rows.iter().filter(|r| r[2] == "es").collect();
        let same = en.iter().zip(&es).filter(|(a, b)| a[3] == b[3]).count();
        assert!(same * 3 < en.len(), "{same} of {} identical", en.len());
    }
}
