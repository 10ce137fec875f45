//! Reading a form post: the answers, and the form's own fields (all named `_…`).

use canvass_core::form_input::{self, FormValues};

/// How the page was being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Without JavaScript: one part at a time, skip logic decided here.
    Pages,
    /// With the script: every part on one page, skip logic in the browser.
    One,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Pages => "pages",
            Mode::One => "one",
        }
    }
}

/// Which button sent the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    /// Continue, or send on the last part.
    Next,
    /// Back to the previous part, answers kept, nothing checked.
    Back,
    /// The language switch: the same part again, answers kept, nothing checked.
    Stay,
}

#[derive(Debug, Default)]
pub struct Posted {
    /// Answers (and any other field not named `_…`), blank values left out.
    pub values: FormValues,
    pub submission: Option<String>,
    pub version: Option<String>,
    pub page: Option<String>,
    pub mode: Option<String>,
    pub lang: Option<String>,
    pub pow: Option<String>,
    pub go: Option<String>,
    /// The honeypot: a field people never see, so never fill in.
    pub honeypot: String,
    /// Names starting with `_` that this form never sends.
    pub unexpected: Vec<String>,
}

impl Posted {
    pub fn mode(&self) -> Mode {
        match self.mode.as_deref() {
            Some("one") => Mode::One,
            _ => Mode::Pages,
        }
    }

    pub fn go(&self) -> Go {
        match self.go.as_deref() {
            Some("back") => Go::Back,
            Some("stay") => Go::Stay,
            _ => Go::Next,
        }
    }
}

pub fn parse(body: &[u8]) -> Posted {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let mut posted = Posted::default();
    for (name, value) in &pairs {
        let slot = match name.as_str() {
            "_submission" => &mut posted.submission,
            "_version" => &mut posted.version,
            "_page" => &mut posted.page,
            "_mode" => &mut posted.mode,
            "_lang" => &mut posted.lang,
            "_pow" => &mut posted.pow,
            "_go" => &mut posted.go,
            "_website" => {
                posted.honeypot.push_str(value);
                continue;
            }
            other if form_input::is_machinery(other) => {
                posted.unexpected.push(other.to_owned());
                continue;
            }
            _ => continue,
        };
        // The first value wins for the form's own fields.
        if slot.is_none() && !value.trim().is_empty() {
            *slot = Some(value.clone());
        }
    }
    posted.values = form_input::group(pairs);
    posted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machinery_and_answers_are_told_apart() {
        let posted = parse(
            b"_submission=abc&platforms=etsy&platforms=ebay&_mode=one&_pow=&_website=&_x=1&note=%3Cb%3E",
        );
        assert_eq!(posted.submission.as_deref(), Some("abc"));
        assert_eq!(posted.mode(), Mode::One);
        assert_eq!(posted.go(), Go::Next);
        assert_eq!(posted.pow, None);
        assert!(posted.honeypot.is_empty());
        assert_eq!(posted.unexpected, ["_x"]);
        assert_eq!(posted.values["platforms"], ["etsy", "ebay"]);
        assert_eq!(posted.values["note"], ["<b>"]);
        assert!(!posted.values.contains_key("_submission"));
    }
}
