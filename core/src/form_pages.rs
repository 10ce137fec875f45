//! Skip logic without JavaScript, cookies or server sessions: the survey split into pages.
//!
//! A new page starts before any question whose `show_if` or `options_from` refers to a
//! question on the page being built, so every condition on a page is decided by answers
//! already given on earlier pages, and a question that offers only earlier answers ("your
//! main platform", of the platforms you sell on) lists just those. The server validates what has been answered so far, then shows the next page that
//! has a question to ask; answers from earlier pages travel in the form as hidden fields.
//! Validation itself stays in `answers::validate`, run on the survey's first pages.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;

use crate::answers::{self, Answers, FieldErrors};
use crate::survey::Survey;

/// Question index ranges, one per page, covering the survey in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pages(Vec<Range<usize>>);

impl Pages {
    pub fn of(survey: &Survey) -> Pages {
        let mut pages = Vec::new();
        let mut start = 0;
        for (index, question) in survey.questions.iter().enumerate() {
            let sources = question
                .show_if
                .as_ref()
                .map(|c| c.question.as_str())
                .into_iter()
                .chain(question.options_from.as_deref());
            let depends_on_this_page = sources.into_iter().any(|source| {
                survey.questions[start..index]
                    .iter()
                    .any(|q| q.id == source)
            });
            if depends_on_this_page {
                pages.push(start..index);
                start = index;
            }
        }
        pages.push(start..survey.questions.len());
        Pages(pages)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The question indices on `page`; empty past the last page.
    pub fn range(&self, page: usize) -> Range<usize> {
        self.0.get(page).cloned().unwrap_or(0..0)
    }

    /// The page a question is on.
    pub fn page_of(&self, survey: &Survey, question_id: &str) -> Option<usize> {
        let index = survey.questions.iter().position(|q| q.id == question_id)?;
        self.0.iter().position(|r| r.contains(&index))
    }

    /// Whether `page` asks anything, given the answers to the pages before it.
    pub fn asks_anything(&self, survey: &Survey, page: usize, answers: &Answers) -> bool {
        survey.questions[self.range(page)]
            .iter()
            .any(|q| answers::is_shown(q, answers))
    }

    /// The first page after `page` that asks anything, given the answers through `page`.
    pub fn next(&self, survey: &Survey, page: usize, answers: &Answers) -> Option<usize> {
        (page + 1..self.len()).find(|p| self.asks_anything(survey, *p, answers))
    }

    /// The last page before `page` that asks anything, given the answers through it.
    pub fn previous(&self, survey: &Survey, page: usize, answers: &Answers) -> Option<usize> {
        (0..page.min(self.len()))
            .rev()
            .find(|p| self.asks_anything(survey, *p, answers))
    }

    /// Validates the answers to pages `0..=page` with `answers::validate` on the survey cut
    /// after that page. Answers to later questions are left for later; names that are no
    /// question at all are refused when the whole response is validated.
    pub fn validate_through(
        &self,
        survey: &Survey,
        page: usize,
        raw: &BTreeMap<String, Value>,
    ) -> Result<Answers, FieldErrors> {
        let end = self.range(page.min(self.len().saturating_sub(1))).end;
        // Borrowed, not cloned: the survey holds every country's name in three languages.
        let first_pages = &survey.questions[..end];
        let asked: BTreeMap<String, Value> = raw
            .iter()
            .filter(|(id, _)| first_pages.iter().any(|q| &q.id == *id))
            .map(|(id, v)| (id.clone(), v.clone()))
            .collect();
        answers::validate_questions(first_pages, &asked)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::answers::Invalid;
    use crate::check;

    fn survey() -> Survey {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../surveys");
        check::check_dir(&dir, false)
            .surveys
            .into_iter()
            .find(|s| s.id == "platform-treatment")
            .unwrap()
    }

    fn ids(s: &Survey, pages: &Pages, page: usize) -> Vec<String> {
        s.questions[pages.range(page)]
            .iter()
            .map(|q| q.id.clone())
            .collect()
    }

    #[test]
    fn pages_break_before_questions_that_depend_on_the_page() {
        let s = survey();
        let pages = Pages::of(&s);
        assert_eq!(pages.len(), 4);
        // The main platform is chosen among the platforms given, so on the next part.
        assert_eq!(ids(&s, &pages, 0), ["platforms"]);
        assert_eq!(ids(&s, &pages, 1)[0], "main_platform");
        assert_eq!(ids(&s, &pages, 1).last().unwrap(), "suspended_12m");
        assert_eq!(
            ids(&s, &pages, 2),
            [
                "suspension_reason_clear",
                "suspension_outcome",
                "payout_held_12m"
            ]
        );
        assert_eq!(ids(&s, &pages, 3)[0], "payout_held_days");
        assert_eq!(pages.page_of(&s, "payout_held_amount"), Some(3));
        // Every condition and every list of earlier answers refers to an earlier page.
        for (p, range) in pages.0.iter().enumerate() {
            for q in &s.questions[range.clone()] {
                for source in q.show_if.iter().map(|c| &c.question).chain(&q.options_from) {
                    assert!(pages.page_of(&s, source).unwrap() < p, "{}", q.id);
                }
            }
        }
    }

    #[test]
    fn the_first_pages_are_validated_alone_and_skip_logic_picks_the_next() {
        let s = survey();
        let pages = Pages::of(&s);
        let mut raw: BTreeMap<String, Value> = serde_json::from_value(json!({
            "platforms": ["etsy"], "main_platform": "etsy", "years_selling": "y1_2",
            "category": "vintage", "country": "ES", "income_share": 10,
            "suspended_12m": "no", "fee_impact": 9
        }))
        .unwrap();
        let answers = pages.validate_through(&s, 1, &raw).unwrap();
        assert_eq!(pages.next(&s, 1, &answers), Some(2));
        raw.insert("payout_held_12m".into(), json!("no"));
        let answers = pages.validate_through(&s, 2, &raw).unwrap();
        assert_eq!(pages.next(&s, 2, &answers), Some(3));
        assert_eq!(pages.previous(&s, 3, &answers), Some(2));
        let errors = pages.validate_through(&s, 3, &raw).unwrap_err();
        assert_eq!(errors["fee_impact"], Invalid::OutOfRange { min: 1, max: 5 });
        assert_eq!(errors["support_rating"], Invalid::Required);
        assert!(!errors.contains_key("payout_held_days"));
        raw.insert("income_share".into(), json!("lots"));
        let errors = pages.validate_through(&s, 1, &raw).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["income_share"]);
        raw.insert("main_platform".into(), json!("ebay"));
        let errors = pages.validate_through(&s, 1, &raw).unwrap_err();
        assert_eq!(errors["main_platform"], Invalid::NotAmongEarlier);
        // Part 1 alone: only the platforms are checked.
        assert!(pages.validate_through(&s, 0, &raw).is_ok());
    }
}
