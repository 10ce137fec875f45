//! Parsing the JSON body of `POST /surveys/{id}/responses`, strictly: unknown fields,
//! duplicate keys and wrong types are refused with a message that names them.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub submission_id: String,
    pub survey_version: u32,
    pub answers: Answers,
}

/// Answers by question id; a question id given twice is an error, not "last one wins".
#[derive(Debug)]
pub struct Answers(pub BTreeMap<String, Value>);

impl<'de> Deserialize<'de> for Answers {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AnswersVisitor;
        impl<'de> Visitor<'de> for AnswersVisitor {
            type Value = Answers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of answers by question id")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answers, A::Error> {
                let mut answers = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    if answers.contains_key(&key) {
                        return Err(de::Error::custom(format_args!(
                            "answer `{key}` is given twice"
                        )));
                    }
                    answers.insert(key, value);
                }
                Ok(Answers(answers))
            }
        }
        d.deserialize_map(AnswersVisitor)
    }
}

pub fn parse(bytes: &[u8]) -> Result<Body, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}
