//! The SAM template as plain JSON: CloudFormation's short tags turned into their long form
//! (`!Ref X` → `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`), so assertions
//! compare like with like, and the values `canvass_core::tables` builds can be compared as is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use serde_norway::value::TaggedValue;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

#[derive(Clone)]
pub struct Template {
    pub path: PathBuf,
    pub root: Value,
}

impl Template {
    pub fn load() -> Template {
        let path = workspace_root().join("infra/template.yaml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let yaml: serde_norway::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        Template {
            path,
            root: to_json(yaml),
        }
    }

    pub fn resources(&self) -> &Map<String, Value> {
        self.root["Resources"]
            .as_object()
            .expect("the template has Resources")
    }

    pub fn resource(&self, id: &str) -> &Value {
        self.resources()
            .get(id)
            .unwrap_or_else(|| panic!("{} has no resource {id}", self.path.display()))
    }

    pub fn properties(&self, id: &str) -> &Value {
        &self.resource(id)["Properties"]
    }

    /// Logical ids of every resource of `kind`.
    pub fn ids_of_type(&self, kind: &str) -> BTreeSet<String> {
        self.resources()
            .iter()
            .filter(|(_, r)| r["Type"] == kind)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// A function's property, or the `Globals.Function` default SAM would apply.
    pub fn function_property(&self, id: &str, key: &str) -> Value {
        let own = &self.properties(id)[key];
        if own.is_null() {
            self.root["Globals"]["Function"][key].clone()
        } else {
            own.clone()
        }
    }
}

/// `{"Ref": id}`.
pub fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// `{"Fn::GetAtt": [id, attribute]}`.
pub fn get_att(id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attribute] })
}

fn to_json(yaml: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(n).expect("a YAML number is a JSON number"),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_norway::to_string(&other)
                            .expect("a scalar key")
                            .trim()
                            .to_owned(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => intrinsic(*tagged),
    }
}

/// CloudFormation's short form: `!Ref` and `!Condition` keep their name, `!GetAtt A.B` is
/// split at the first dot, every other `!X` is `Fn::X`.
fn intrinsic(tagged: TaggedValue) -> Value {
    let name = tagged.tag.to_string();
    let name = name.trim_start_matches('!');
    let value = to_json(tagged.value);
    match (name, value) {
        ("Ref" | "Condition", v) => json!({ name: v }),
        ("GetAtt", Value::String(s)) => {
            let (resource, attribute) = s
                .split_once('.')
                .unwrap_or_else(|| panic!("!GetAtt {s} names no attribute"));
            json!({ "Fn::GetAtt": [resource, attribute] })
        }
        (other, v) => json!({ format!("Fn::{other}"): v }),
    }
}
