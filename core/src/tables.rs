//! The DynamoDB tables, written down once: names, key attributes, the TTL attribute and the
//! settings each table is created with.
//!
//! The DynamoDB adapter, `canvass dynamo-init` and the SAM template all take these from
//! here: the adapter and the CLI by using the constants, the template by being compared
//! with [`TableSpec::cloudformation_properties`] in a test. Plain data, so it needs no
//! feature: the CLI and the template checks read it without linking the AWS SDK.

use serde_json::{Value, json};

/// One table: its name after the deployment's prefix, keys and settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    /// The name without the prefix, e.g. `responses`.
    pub base_name: &'static str,
    /// Partition key attribute (always a string).
    pub partition_key: &'static str,
    /// Sort key attribute (always a string), if the table has one.
    pub sort_key: Option<&'static str>,
    /// Attribute holding the expiry in Unix seconds, for DynamoDB's TTL deletion.
    pub ttl_attribute: Option<&'static str>,
    /// Refuse `DeleteTable` until the flag is switched off on purpose.
    pub deletion_protection: bool,
}

/// Every response, one item each. The partition key is the response id: 128 bits of keyed
/// hash, so writes spread evenly over partitions (no hot key per survey or per week).
pub const RESPONSES: TableSpec = TableSpec {
    base_name: "responses",
    partition_key: "response_id",
    sort_key: None,
    ttl_attribute: None,
    deletion_protection: true,
};

/// Short-lived control state (rate-limit counters, single-use markers); every
/// item expires. Generic `pk`/`sk` so new kinds of control state need no new table.
pub const CONTROL: TableSpec = TableSpec {
    base_name: "control",
    partition_key: "pk",
    sort_key: Some("sk"),
    ttl_attribute: Some("expires_at"),
    deletion_protection: false,
};

pub const ALL: [TableSpec; 2] = [RESPONSES, CONTROL];

/// On-demand capacity: no capacity planning, and a quiet month costs next to nothing.
pub const BILLING_MODE: &str = "PAY_PER_REQUEST";

/// Prefix `canvass dynamo-init` and `canvass serve --store dynamodb://…` use by default.
pub const DEFAULT_PREFIX: &str = "canvass-";

/// Environment variables through which a deployed function learns its table names.
pub const RESPONSES_TABLE_ENV: &str = "RESPONSES_TABLE";
pub const CONTROL_TABLE_ENV: &str = "CONTROL_TABLE";

/// The actual table names of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    pub responses: String,
    pub control: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableNameError {
    #[error(
        "`{0}` cannot be a DynamoDB table name: use 3 to 255 characters from a-z, A-Z, 0-9, `_`, `-` and `.`"
    )]
    Invalid(String),
    #[error("{0} is not set: it names the DynamoDB table to use")]
    Missing(&'static str),
}

/// DynamoDB's own rule for table names, checked here so a typo fails at start-up.
pub fn check_name(name: &str) -> Result<(), TableNameError> {
    let ok = (3..=255).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(TableNameError::Invalid(name.to_owned()))
    }
}

impl TableSpec {
    pub fn name(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.base_name)
    }

    /// The table's `Properties` as the SAM template must declare them (without
    /// `TableName`, which the template derives from the stack).
    pub fn cloudformation_properties(&self) -> Value {
        let mut attributes =
            vec![json!({ "AttributeName": self.partition_key, "AttributeType": "S" })];
        let mut keys = vec![json!({ "AttributeName": self.partition_key, "KeyType": "HASH" })];
        if let Some(sort) = self.sort_key {
            attributes.push(json!({ "AttributeName": sort, "AttributeType": "S" }));
            keys.push(json!({ "AttributeName": sort, "KeyType": "RANGE" }));
        }
        let mut properties = json!({
            "AttributeDefinitions": attributes,
            "KeySchema": keys,
            "BillingMode": BILLING_MODE,
            "SSESpecification": { "SSEEnabled": true },
            "DeletionProtectionEnabled": self.deletion_protection,
        });
        if let Some(ttl) = self.ttl_attribute {
            properties["TimeToLiveSpecification"] =
                json!({ "AttributeName": ttl, "Enabled": true });
        }
        // Never point-in-time recovery: restoring a table to any second of the last 35 days
        // and comparing restores would date every response to the second (docs/privacy.md).
        // The responses table is backed up weekly instead (infra/template.yaml, BackupPlan).
        properties["PointInTimeRecoverySpecification"] =
            json!({ "PointInTimeRecoveryEnabled": false });
        properties
    }
}

impl TableNames {
    /// `{prefix}responses` and `{prefix}control`.
    pub fn with_prefix(prefix: &str) -> Result<TableNames, TableNameError> {
        let names = TableNames {
            responses: RESPONSES.name(prefix),
            control: CONTROL.name(prefix),
        };
        check_name(&names.responses)?;
        check_name(&names.control)?;
        Ok(names)
    }

    /// Names from `RESPONSES_TABLE` and `CONTROL_TABLE`, looked up through `var` so callers
    /// decide where the environment comes from.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<TableNames, TableNameError> {
        let get = |key: &'static str| {
            let name = var(key)
                .filter(|v| !v.is_empty())
                .ok_or(TableNameError::Missing(key))?;
            check_name(&name)?;
            Ok(name)
        };
        Ok(TableNames {
            responses: get(RESPONSES_TABLE_ENV)?,
            control: get(CONTROL_TABLE_ENV)?,
        })
    }

    /// Each spec with its actual name.
    pub fn specs(&self) -> [(TableSpec, &str); 2] {
        [(RESPONSES, &self.responses), (CONTROL, &self.control)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_names_follow_dynamodb_rules() {
        let names = TableNames::with_prefix("canvass-").unwrap();
        assert_eq!(names.responses, "canvass-responses");
        assert_eq!(names.control, "canvass-control");
        assert_eq!(
            TableNames::with_prefix("bad prefix ").unwrap_err(),
            TableNameError::Invalid("bad prefix responses".into())
        );
        assert!(check_name("ab").is_err());
        assert!(check_name(&"a".repeat(256)).is_err());
    }

    #[test]
    fn names_from_the_environment_are_required_and_checked() {
        let env = |k: &str| match k {
            "RESPONSES_TABLE" => Some("prod-responses".to_owned()),
            "CONTROL_TABLE" => Some("prod-control".to_owned()),
            _ => None,
        };
        assert_eq!(
            TableNames::from_env(env).unwrap(),
            TableNames {
                responses: "prod-responses".into(),
                control: "prod-control".into()
            }
        );
        assert_eq!(
            TableNames::from_env(|_| None).unwrap_err(),
            TableNameError::Missing("RESPONSES_TABLE")
        );
        let bad = |k: &str| (k == "RESPONSES_TABLE").then(|| "no/slash".to_owned());
        assert!(matches!(
            TableNames::from_env(bad),
            Err(TableNameError::Invalid(_))
        ));
    }

    #[test]
    fn the_template_properties_carry_keys_ttl_and_settings() {
        let control = CONTROL.cloudformation_properties();
        assert_eq!(control["KeySchema"][1]["AttributeName"], "sk");
        assert_eq!(
            control["TimeToLiveSpecification"]["AttributeName"],
            "expires_at"
        );
        assert_eq!(
            control["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
            false
        );
        let responses = RESPONSES.cloudformation_properties();
        assert_eq!(responses["KeySchema"].as_array().unwrap().len(), 1);
        assert_eq!(responses["BillingMode"], "PAY_PER_REQUEST");
        assert_eq!(responses["DeletionProtectionEnabled"], true);
        assert_eq!(
            responses["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], false,
            "restores to any second would date responses"
        );
    }
}
