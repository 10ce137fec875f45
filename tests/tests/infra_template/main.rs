//! The SAM template (`infra/template.yaml`) against the code it deploys, so the two cannot
//! drift apart: table keys and settings come from `canvass_core::tables`; environment
//! variables, routes and AWS SDK calls are read from the function crates' sources; each
//! role must grant exactly the actions that code needs, on exactly its resources.
//!
//! Each check returns the problems it finds; one test per check asserts there are none, and
//! `each_check_catches_its_kind_of_drift` breaks a copy of the template in memory and asserts
//! that the check notices. A function whose crate (or binary) does not exist yet is checked
//! for what it declares, with a note on stderr; the checks against its code start when the
//! code lands.

mod cfn;
mod code;

use std::collections::BTreeSet;

use canvass_core::tables::{self, TableSpec};
use serde_json::{Value, json};

use cfn::{Template, get_att, reference, workspace_root};

/// One deployed function and what the checks need to know about it.
struct Function {
    id: &'static str,
    crate_dir: &'static str,
    role: &'static str,
    log_group: &'static str,
    /// DynamoDB store methods the function calls, per table: the adapter file that
    /// implements them decides which DynamoDB actions that takes.
    store_methods: &'static [StoreUse],
    /// Grants outside DynamoDB and logs.
    other_grants: fn(&str) -> Vec<Grant>,
}

struct StoreUse {
    table: &'static str,
    adapter: &'static str,
    methods: &'static [&'static str],
}

const RESPONSES_ADAPTER: &str = "core/src/store/dynamodb/responses.rs";
const CONTROL_ADAPTER: &str = "core/src/store/dynamodb/control.rs";
const PROGRESS_ADAPTER: &str = "core/src/store/dynamodb/progress.rs";

const FUNCTIONS: [Function; 3] = [
    Function {
        id: "IngestFunction",
        crate_dir: "functions/ingest",
        role: "IngestRole",
        log_group: "IngestLogGroup",
        store_methods: &[
            // Intake stores each response once (canvass_core::intake), in one transaction
            // with its count (`count_update`, below).
            StoreUse {
                table: "ResponsesTable",
                adapter: RESPONSES_ADAPTER,
                methods: &["put_if_absent"],
            },
            // The progress counters: the update in that transaction, and the hourly public
            // count (canvass_core::progress) read on the form page and `/progress`.
            StoreUse {
                table: "ControlTable",
                adapter: PROGRESS_ADAPTER,
                methods: &["count_update", "week_counts", "snapshot", "offer_snapshot"],
            },
            // Rate-limit counters and single-use challenge markers (ratelimit.rs, pow.rs).
            StoreUse {
                table: "ControlTable",
                adapter: CONTROL_ADAPTER,
                methods: &["increment", "claim"],
            },
        ],
        // Nothing for the secret: CloudFormation resolves it at deploy time.
        other_grants: |_| vec![],
    },
    Function {
        id: "PublishFunction",
        crate_dir: "functions/publish",
        role: "PublishRole",
        log_group: "PublishLogGroup",
        store_methods: &[],
        other_grants: |prefix| vec![read_releases(prefix), list_releases(prefix)],
    },
    Function {
        id: "ReportFunction",
        crate_dir: "functions/report",
        role: "ReportRole",
        log_group: "ReportLogGroup",
        // The extract: a parallel Scan over every response (canvass_pipeline::extract).
        store_methods: &[StoreUse {
            table: "ResponsesTable",
            adapter: RESPONSES_ADAPTER,
            methods: &["list"],
        }],
        other_grants: |prefix| {
            vec![
                read_releases(prefix),
                grant("s3:PutObject", &format!("ReleasesBucket/{prefix}*"), None),
                list_releases(prefix),
                grant("sqs:SendMessage", "ReportDeadLetterQueue", None),
            ]
        },
    },
];

/// Which table resource is which spec of `canvass_core::tables`.
const TABLES: [(&str, TableSpec); 2] = [
    ("ResponsesTable", tables::RESPONSES),
    ("ControlTable", tables::CONTROL),
];

/// Set by Lambda itself, or the AWS SDK's own settings (such as `AWS_ENDPOINT_URL_DYNAMODB`,
/// which points a local run at DynamoDB Local): the template sets none of them.
fn lambda_or_sdk(name: &str) -> bool {
    name.starts_with("AWS_") || name.starts_with("LAMBDA_") || name == "_HANDLER" || name == "TZ"
}

/// Read by the code for local runs only (an S3-API server on loopback); unset in AWS.
const LOCAL_ONLY: [&str; 1] = ["S3_ENDPOINT"];

/// The problems a check found; empty when the template and the code agree.
type Problems = Vec<String>;

macro_rules! require {
    ($problems:expr, $cond:expr, $($msg:tt)+) => {
        if !$cond {
            $problems.push(format!($($msg)+));
        }
    };
}

fn assert_clean(check: &str, problems: Problems) {
    assert!(
        problems.is_empty(),
        "{check}: the template and the code disagree:\n  - {}",
        problems.join("\n  - ")
    );
}

// ------------------------------------------------------------------ grants

/// One allowed (action, resource, condition), with the resource written short: a resource's
/// ARN as its logical id, `${X.Arn}/suffix` as `X/suffix`, anything else as given.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    action: String,
    resource: String,
    condition: String,
}

fn grant(action: &str, resource: &str, condition: Option<Value>) -> Grant {
    Grant {
        action: action.to_owned(),
        resource: resource.to_owned(),
        condition: condition.map(|c| c.to_string()).unwrap_or_default(),
    }
}

fn read_releases(prefix: &str) -> Grant {
    grant("s3:GetObject", &format!("ReleasesBucket/{prefix}*"), None)
}

/// ListBucket goes with every GetObject: without it S3 answers a missing key with 403, and
/// "not published yet" could not be told from "access denied".
fn list_releases(prefix: &str) -> Grant {
    grant(
        "s3:ListBucket",
        "ReleasesBucket",
        Some(json!({ "StringLike": { "s3:prefix": [prefix, format!("{prefix}*")] } })),
    )
}

fn short_resource(resource: &Value) -> String {
    if let Some([id, attribute]) = resource["Fn::GetAtt"].as_array().map(Vec::as_slice) {
        let (id, attribute) = (
            id.as_str().unwrap_or("?"),
            attribute.as_str().unwrap_or("?"),
        );
        return if attribute == "Arn" {
            id.to_owned()
        } else {
            format!("{id}.{attribute}")
        };
    }
    if let Some(sub) = resource["Fn::Sub"].as_str() {
        if let Some((id, suffix)) = sub.strip_prefix("${").and_then(|r| r.split_once(".Arn}")) {
            return format!("{id}{suffix}");
        }
        return sub.to_owned();
    }
    match resource.as_str() {
        Some(s) => s.to_owned(),
        None => resource.to_string(),
    }
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    }
}

/// Every grant of a role's inline policies, and anything broader than a plain Allow.
fn grants_of(t: &Template, role: &str) -> (BTreeSet<Grant>, Problems) {
    let mut problems = Problems::new();
    let props = t.properties(role);
    for key in ["ManagedPolicyArns", "PermissionsBoundary"] {
        require!(
            problems,
            props[key].is_null(),
            "{role}: {key} grants what this test cannot see; use an inline policy"
        );
    }
    let mut grants = BTreeSet::new();
    for policy in as_list(&props["Policies"]) {
        for statement in as_list(&policy["PolicyDocument"]["Statement"]) {
            require!(
                problems,
                statement["Effect"] == "Allow",
                "{role}: not an Allow: {statement}"
            );
            for key in ["NotAction", "NotResource", "Principal"] {
                require!(
                    problems,
                    statement[key].is_null(),
                    "{role}: {key} in {statement}"
                );
            }
            let condition = match &statement["Condition"] {
                Value::Null => String::new(),
                c => c.to_string(),
            };
            for action in as_list(&statement["Action"]) {
                let action = action.as_str().unwrap_or("?").to_owned();
                require!(
                    problems,
                    !action.contains('*'),
                    "{role}: wildcard action {action}"
                );
                for resource in as_list(&statement["Resource"]) {
                    let resource = short_resource(&resource);
                    require!(
                        problems,
                        resource != "*",
                        "{role}: {action} on every resource"
                    );
                    grants.insert(Grant {
                        action: action.clone(),
                        resource,
                        condition: condition.clone(),
                    });
                }
            }
        }
    }
    (grants, problems)
}

/// What `function`'s role must grant, from its code and declared uses.
fn expected_grants(function: &Function, prefix: &str) -> BTreeSet<Grant> {
    let root = workspace_root();
    let mut expected: BTreeSet<Grant> = ["logs:CreateLogStream", "logs:PutLogEvents"]
        .into_iter()
        .map(|a| grant(a, function.log_group, None))
        .collect();
    for use_ in function.store_methods {
        let by_fn = code::sdk_calls_by_fn(&root.join(use_.adapter));
        for method in use_.methods {
            let ops = by_fn
                .get(*method)
                .unwrap_or_else(|| panic!("{} has no method {method}", use_.adapter));
            assert!(
                !ops.is_empty(),
                "{}::{method} calls no DynamoDB operation this test knows: add it to code::SDK_ACTIONS",
                use_.adapter
            );
            for action in code::iam_actions(ops) {
                expected.insert(grant(&action, use_.table, None));
            }
        }
    }
    expected.extend((function.other_grants)(prefix));
    expected
}

/// The releases key prefix, as the publish and report functions are configured.
fn releases_prefix(t: &Template) -> Result<String, String> {
    let mut prefixes = BTreeSet::new();
    for id in ["PublishFunction", "ReportFunction"] {
        let prefix = &t.properties(id)["Environment"]["Variables"]["RELEASES_PREFIX"];
        prefixes.insert(
            prefix
                .as_str()
                .ok_or(format!("{id}: RELEASES_PREFIX is not a literal"))?
                .to_owned(),
        );
    }
    match prefixes.into_iter().collect::<Vec<_>>().as_slice() {
        [one] if one.ends_with('/') && !one.starts_with('/') => Ok(one.clone()),
        other => Err(format!(
            "RELEASES_PREFIX must be one `dir/` shared by publish and report, not {other:?}"
        )),
    }
}

// ------------------------------------------------------------------ checks

fn check_tables(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let known: BTreeSet<String> = TABLES.iter().map(|(id, _)| (*id).to_owned()).collect();
    require!(
        problems,
        t.ids_of_type("AWS::DynamoDB::Table") == known,
        "the template's tables are not exactly those of canvass_core::tables"
    );
    for (id, spec) in TABLES {
        let resource = t.resource(id);
        let mut props = resource["Properties"].clone();
        let name = props.as_object_mut().and_then(|p| p.remove("TableName"));
        let expected_name = json!({ "Fn::Sub": format!("{}${{Stage}}-{}", tables::DEFAULT_PREFIX, spec.base_name) });
        require!(
            problems,
            name.as_ref() == Some(&expected_name),
            "{id}: TableName {name:?} is not `canvass dynamo-init`'s prefix, the stage and `{}`",
            spec.base_name
        );
        let expected = spec.cloudformation_properties();
        require!(
            problems,
            props == expected,
            "{id} drifted from core/src/tables.rs:\n    template {props}\n    code     {expected}"
        );
        let policy = if spec.deletion_protection {
            "Retain"
        } else {
            "Delete"
        };
        for key in ["DeletionPolicy", "UpdateReplacePolicy"] {
            require!(
                problems,
                resource[key] == policy,
                "{id}: {key} must be {policy}"
            );
        }
    }
    // Weekly backups at the ISO week boundary instead of point-in-time recovery, which would
    // let a restore date responses to the second.
    let rule = &t.properties("ResponsesBackupPlan")["BackupPlan"]["BackupPlanRule"];
    require!(
        problems,
        rule.as_array().map(Vec::len) == Some(1)
            && rule[0]["ScheduleExpression"] == "cron(30 0 ? * MON *)",
        "ResponsesBackupPlan: one weekly rule at the start of the ISO week, got {rule}"
    );
    require!(
        problems,
        t.properties("ResponsesBackupSelection")["BackupSelection"]["Resources"]
            == json!([get_att("ResponsesTable", "Arn")]),
        "ResponsesBackupSelection: the responses table and nothing else"
    );
    problems
}

fn check_environment(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let root = workspace_root();
    for f in &FUNCTIONS {
        let set: BTreeSet<String> = t.properties(f.id)["Environment"]["Variables"]
            .as_object()
            .map(|vars| vars.keys().cloned().collect())
            .unwrap_or_default();
        for name in &set {
            require!(
                problems,
                !lambda_or_sdk(name),
                "{}: {name} is Lambda's or the SDK's to set",
                f.id
            );
            require!(
                problems,
                !LOCAL_ONLY.contains(&name.as_str()),
                "{}: {name} is for local runs only",
                f.id
            );
        }
        let crate_dir = root.join(f.crate_dir);
        if code::binary_name(&crate_dir).is_none() {
            eprintln!(
                "note: {} has no binary yet; its environment {set:?} is checked once it does",
                f.crate_dir
            );
            continue;
        }
        // What the libraries' functions and constants stand for, and the crate's own.
        let index = code::EnvIndex::build(&[
            root.join("core/src"),
            root.join("pipeline/src"),
            crate_dir.join("src"),
        ]);
        let read: BTreeSet<String> = index
            .reads_under(&crate_dir.join("src"))
            .into_iter()
            .filter(|n| !lambda_or_sdk(n) && !LOCAL_ONLY.contains(&n.as_str()))
            .collect();
        let missing: Vec<_> = read.difference(&set).collect();
        let stale: Vec<_> = set.difference(&read).collect();
        require!(
            problems,
            missing.is_empty(),
            "{}: the code reads {missing:?}, which the template does not set",
            f.id
        );
        require!(
            problems,
            stale.is_empty(),
            "{}: the template sets {stale:?}, which the code never reads",
            f.id
        );
    }
    problems
}

fn check_grants(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let prefix = match releases_prefix(t) {
        Ok(p) => p,
        Err(e) => return vec![e],
    };
    for f in &FUNCTIONS {
        let (granted, broad) = grants_of(t, f.role);
        problems.extend(broad);
        let expected = expected_grants(f, &prefix);
        let extra: Vec<_> = granted.difference(&expected).collect();
        let missing: Vec<_> = expected.difference(&granted).collect();
        require!(
            problems,
            extra.is_empty(),
            "{}: more than the code needs: {extra:?}",
            f.role
        );
        require!(
            problems,
            missing.is_empty(),
            "{}: less than the code needs: {missing:?}",
            f.role
        );
    }
    let scheduler: BTreeSet<Grant> = [
        grant("lambda:InvokeFunction", "ReportFunction", None),
        grant("sqs:SendMessage", "ReportDeadLetterQueue", None),
    ]
    .into();
    let (granted, broad) = grants_of(t, "SchedulerRole");
    problems.extend(broad);
    require!(
        problems,
        granted == scheduler,
        "SchedulerRole grants {granted:?}, not {scheduler:?}"
    );

    let mut roles: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.role.to_owned()).collect();
    roles.insert("SchedulerRole".into());
    roles.insert("BackupRole".into());
    require!(
        problems,
        t.properties("BackupRole")["ManagedPolicyArns"]
            == json!([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup" }])
            && t.properties("BackupRole")["Policies"].is_null(),
        "BackupRole may take backups and nothing else (restores are an operator's act)"
    );
    require!(
        problems,
        t.ids_of_type("AWS::IAM::Role") == roles,
        "roles {:?}: one per function, the scheduler's and the backup's, no other",
        t.ids_of_type("AWS::IAM::Role")
    );
    problems
}

fn check_aws_calls(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let root = workspace_root();
    let mut dirs = vec![root.join("core/src"), root.join("pipeline/src")];
    dirs.extend(FUNCTIONS.iter().map(|f| root.join(f.crate_dir).join("src")));
    let called = code::iam_actions(&code::sdk_calls_under(&dirs));
    let granted: BTreeSet<String> = FUNCTIONS
        .iter()
        .flat_map(|f| grants_of(t, f.role).0)
        .map(|g| g.action)
        .collect();

    // S3: the release store's calls; ListBucket always goes with GetObject.
    let s3 = |set: &BTreeSet<String>| -> BTreeSet<String> {
        set.iter()
            .filter(|a| a.starts_with("s3:"))
            .cloned()
            .collect()
    };
    let mut s3_called = s3(&called);
    if s3_called.is_empty() {
        eprintln!(
            "note: no S3 calls in the code yet; S3 grants are checked once the release store uses S3"
        );
    } else {
        if s3_called.contains("s3:GetObject") {
            s3_called.insert("s3:ListBucket".into());
        }
        let s3_granted = s3(&granted);
        require!(
            problems,
            s3_granted == s3_called,
            "S3 actions granted {s3_granted:?}, needed by the code {s3_called:?}"
        );
    }
    // Anything else (SSM, Secrets Manager, ...) must be granted to be called; the template
    // grants none today, since the secret is resolved at deploy time.
    for other in called
        .iter()
        .filter(|a| !a.starts_with("s3:") && !a.starts_with("dynamodb:"))
    {
        require!(
            problems,
            granted.contains(other),
            "the code calls {other}, which no role grants"
        );
    }
    problems
}

/// `(METHOD, path)` of every HttpApi event of a function.
fn declared_routes(t: &Template, id: &str) -> BTreeSet<(String, String)> {
    t.properties(id)["Events"]
        .as_object()
        .map(|events| {
            events
                .values()
                .filter(|e| e["Type"] == "HttpApi")
                .map(|e| {
                    let p = &e["Properties"];
                    (
                        p["Method"].as_str().unwrap_or("?").to_uppercase(),
                        p["Path"].as_str().unwrap_or("?").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn check_routes(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let root = workspace_root();
    for f in &FUNCTIONS {
        let declared = declared_routes(t, f.id);
        if let Some(events) = t.properties(f.id)["Events"].as_object() {
            for (name, e) in events {
                require!(
                    problems,
                    e["Properties"]["ApiId"] == reference("HttpApi"),
                    "{}: {name} is not on HttpApi",
                    f.id
                );
            }
        }
        // API Gateway routes `/x/` to the route `/x` (a route may not end with a slash).
        let routed: BTreeSet<(String, String)> =
            code::routes_under(&root.join(f.crate_dir).join("src"))
                .into_iter()
                .map(|(method, path)| match path.strip_suffix('/') {
                    Some(trimmed) if !trimmed.is_empty() => (method, trimmed.to_owned()),
                    _ => (method, path),
                })
                .collect();
        if routed.is_empty() && !declared.is_empty() {
            eprintln!(
                "note: {} has no Router yet; declared routes {declared:?}",
                f.crate_dir
            );
            continue;
        }
        require!(
            problems,
            declared == routed,
            "{}: template routes {declared:?}, Router routes {routed:?}",
            f.id
        );
    }
    // The per-route throttle names a route that exists.
    let served: BTreeSet<String> = FUNCTIONS
        .iter()
        .flat_map(|f| declared_routes(t, f.id))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    if let Some(settings) = t.properties("HttpApi")["RouteSettings"].as_object() {
        for key in settings.keys() {
            require!(
                problems,
                served.contains(key),
                "RouteSettings names {key}, which no function serves"
            );
        }
    }
    problems
}

fn check_functions(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let root = workspace_root();
    let ids: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.id.to_owned()).collect();
    require!(
        problems,
        t.ids_of_type("AWS::Serverless::Function") == ids,
        "functions are exactly {ids:?}"
    );
    for f in &FUNCTIONS {
        let id = f.id;
        let resource = t.resource(id);
        let props = &resource["Properties"];
        require!(
            problems,
            t.function_property(id, "Runtime") == "provided.al2023",
            "{id}: runtime"
        );
        require!(
            problems,
            t.function_property(id, "Architectures") == json!(["arm64"]),
            "{id}: arm64"
        );
        require!(
            problems,
            t.function_property(id, "Handler") == "bootstrap",
            "{id}: handler"
        );
        require!(
            problems,
            resource["Metadata"]["BuildMethod"] == "rust-cargolambda",
            "{id}: BuildMethod"
        );
        require!(
            problems,
            props["CodeUri"] == format!("../{}", f.crate_dir),
            "{id}: CodeUri"
        );
        let binary = &resource["Metadata"]["BuildProperties"]["Binary"];
        let crate_dir = root.join(f.crate_dir);
        match code::binary_name(&crate_dir) {
            Some(name) => {
                require!(
                    problems,
                    binary == &json!(name),
                    "{id}: Binary {binary} is not the crate's binary {name}"
                );
                // infra/deploy.sh builds every function with `--features lambda`.
                require!(
                    problems,
                    code::has_feature(&crate_dir, "lambda"),
                    "{id}: {} has no `lambda` feature, which infra/deploy.sh builds with",
                    f.crate_dir
                );
            }
            None => eprintln!(
                "note: {} has no binary yet (declared {binary})",
                f.crate_dir
            ),
        }
        require!(
            problems,
            props["Role"] == get_att(f.role, "Arn"),
            "{id}: Role is not {}",
            f.role
        );
        require!(
            problems,
            props["Policies"].is_null(),
            "{id}: grants belong in {}",
            f.role
        );
        require!(
            problems,
            !props["ReservedConcurrentExecutions"].is_null(),
            "{id}: reserved concurrency caps what a flood can cost"
        );
        require!(
            problems,
            props["Timeout"].as_u64().is_some_and(|s| s <= 900),
            "{id}: Timeout"
        );
        require!(
            problems,
            props["LoggingConfig"]["LogGroup"] == reference(f.log_group),
            "{id}: log group"
        );
        // Lambda's START/END/REPORT lines date every invocation, so every response sent.
        require!(
            problems,
            props["LoggingConfig"]["SystemLogLevel"] == "WARN"
                && props["LoggingConfig"]["LogFormat"] == "JSON",
            "{id}: LoggingConfig must be JSON with SystemLogLevel WARN (no per-invocation platform lines)"
        );
        require!(
            problems,
            t.properties(f.log_group)["RetentionInDays"] == reference("LogRetentionDays"),
            "{}: retention",
            f.log_group
        );
    }
    problems
}

fn check_api(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let api = t.properties("HttpApi");
    for key in ["ThrottlingRateLimit", "ThrottlingBurstLimit"] {
        require!(
            problems,
            !api["DefaultRouteSettings"][key].is_null(),
            "HttpApi: no {key}"
        );
    }
    require!(
        problems,
        api["CorsConfiguration"].is_null(),
        "HttpApi: no CORS on the API (it would cover every route; see the template)"
    );
    // One timestamped line per request would be a record of when each seller answered.
    require!(
        problems,
        api["AccessLogSettings"].is_null(),
        "HttpApi: no access log (a line per response sent dates it; metrics give counts)"
    );
    problems
}

/// The server secret comes from Secrets Manager by a dynamic reference with a pinned
/// version, resolved by CloudFormation: never a parameter value, never in the template.
fn check_secret(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let reference_text =
        "{{resolve:secretsmanager:${SecretArn}:SecretString:::${SecretVersionId}}}";
    let resolves = t.root.to_string().matches("{{resolve:").count();
    require!(
        problems,
        resolves == 1,
        "{resolves} dynamic references; only the secret's is expected"
    );
    for (name, param) in t.root["Parameters"].as_object().into_iter().flatten() {
        require!(
            problems,
            param["NoEcho"].is_null(),
            "{name}: no secret is ever a parameter value"
        );
    }
    for name in ["SecretArn", "SecretVersionId"] {
        require!(
            problems,
            t.root["Parameters"][name]["Default"].is_null(),
            "{name} is the operator's to give"
        );
    }
    let mut found = false;
    for f in &FUNCTIONS {
        for (name, value) in t.properties(f.id)["Environment"]["Variables"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if name.contains("SECRET") {
                require!(
                    problems,
                    (f.id, name.as_str()) == ("IngestFunction", "CANVASS_SECRET"),
                    "{}: {name}",
                    f.id
                );
                require!(
                    problems,
                    value == &json!({ "Fn::Sub": reference_text }),
                    "{}: {name} must be the pinned Secrets Manager reference, not {value}",
                    f.id
                );
                found = true;
            }
        }
    }
    require!(
        problems,
        found,
        "the ingest function gets no CANVASS_SECRET"
    );
    problems
}

fn check_bucket(t: &Template) -> Problems {
    let mut problems = Problems::new();
    require!(
        problems,
        t.ids_of_type("AWS::S3::Bucket") == ["ReleasesBucket".to_owned()].into(),
        "one bucket, ReleasesBucket"
    );
    let bucket = t.resource("ReleasesBucket");
    require!(
        problems,
        bucket["DeletionPolicy"] == "Retain",
        "ReleasesBucket: published releases are kept"
    );
    let props = &bucket["Properties"];
    require!(
        problems,
        props["VersioningConfiguration"]["Status"] == "Enabled",
        "ReleasesBucket: versioning"
    );
    for key in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        require!(
            problems,
            props["PublicAccessBlockConfiguration"][key] == true,
            "ReleasesBucket: {key}"
        );
    }
    require!(
        problems,
        !props["BucketEncryption"].is_null(),
        "ReleasesBucket: encryption"
    );
    let policy = t.properties("ReleasesBucketPolicy");
    require!(
        problems,
        policy["Bucket"] == reference("ReleasesBucket"),
        "the bucket policy is ReleasesBucket's"
    );
    let statements = as_list(&policy["PolicyDocument"]["Statement"]);
    require!(
        problems,
        statements.iter().any(|s| s["Effect"] == "Deny"
            && s["Action"] == "s3:*"
            && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
            && as_list(&s["Resource"]).len() == 2),
        "the bucket policy denies every request without TLS, on the bucket and its objects"
    );
    require!(
        problems,
        statements.iter().all(|s| s["Effect"] == "Deny"),
        "the bucket policy only denies"
    );
    problems
}

fn check_schedule(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let default = t.root["Parameters"]["ReportSchedule"]["Default"]
        .as_str()
        .unwrap_or("");
    let fields: Vec<&str> = default
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
        .map(|s| s.split(' ').collect())
        .unwrap_or_default();
    require!(
        problems,
        fields.len() == 6
            && fields[2] == "?"
            && fields[3] == "*"
            && !fields[4].contains([',', '-', '*']),
        "ReportSchedule: weekly by default (one day of the week), not {default}"
    );
    let schedule = t.properties("ReportRunSchedule");
    require!(
        problems,
        schedule["ScheduleExpression"] == reference("ReportSchedule"),
        "schedule expression"
    );
    let target = &schedule["Target"];
    require!(
        problems,
        target["Arn"] == get_att("ReportFunction", "Arn"),
        "the schedule runs ReportFunction"
    );
    require!(
        problems,
        target["RoleArn"] == get_att("SchedulerRole", "Arn"),
        "the schedule uses SchedulerRole"
    );
    require!(
        problems,
        target["DeadLetterConfig"]["Arn"] == get_att("ReportDeadLetterQueue", "Arn"),
        "the schedule has a dead-letter queue"
    );
    require!(
        problems,
        target["RetryPolicy"]["MaximumRetryAttempts"]
            .as_u64()
            .is_some_and(|n| n >= 1),
        "the schedule retries"
    );
    let report = t.properties("ReportFunction");
    require!(
        problems,
        report["DeadLetterQueue"]["TargetArn"] == get_att("ReportDeadLetterQueue", "Arn"),
        "failed report runs go to the dead-letter queue"
    );
    require!(
        problems,
        report["ReservedConcurrentExecutions"] == 1,
        "one report run at a time"
    );
    problems
}

fn check_alarms(t: &Template) -> Problems {
    let mut problems = Problems::new();
    let alarms: Vec<Value> = t
        .ids_of_type("AWS::CloudWatch::Alarm")
        .iter()
        .map(|id| t.properties(id).clone())
        .collect();
    for alarm in &alarms {
        require!(
            problems,
            alarm["AlarmActions"] == json!([reference("AlarmTopicArn")]),
            "alarm {} does not notify AlarmTopicArn",
            alarm["AlarmDescription"]
        );
    }
    for f in &FUNCTIONS {
        for metric in ["Errors", "Throttles"] {
            require!(
                problems,
                alarms.iter().any(|a| a["Namespace"] == "AWS/Lambda"
                    && a["MetricName"] == metric
                    && a["Dimensions"]
                        == json!([{ "Name": "FunctionName", "Value": reference(f.id) }])),
                "{}: no {metric} alarm",
                f.id
            );
        }
    }
    // One SystemErrors alarm per table, over exactly the API operations the functions call
    // on it (a transaction is its own operation in the metrics, whatever its items need).
    for (table, _) in TABLES {
        let operations = table_operations(table);
        let on_table = json!({ "Name": "TableName", "Value": reference(table) });
        let watched: Vec<BTreeSet<String>> = alarms
            .iter()
            .map(|a| {
                as_list(&a["Metrics"])
                    .iter()
                    .map(|m| &m["MetricStat"]["Metric"])
                    .filter(|m| {
                        m["Namespace"] == "AWS/DynamoDB" && m["MetricName"] == "SystemErrors"
                    })
                    .filter(|m| as_list(&m["Dimensions"]).contains(&on_table))
                    .flat_map(|m| as_list(&m["Dimensions"]))
                    .filter(|d| d["Name"] == "Operation")
                    .filter_map(|d| d["Value"].as_str().map(str::to_owned))
                    .collect::<BTreeSet<String>>()
            })
            .filter(|ops| !ops.is_empty())
            .collect();
        require!(
            problems,
            watched == vec![operations.clone()],
            "{table}: SystemErrors alarms watch {watched:?}; the roles may call {operations:?}"
        );
    }
    problems
}

/// The DynamoDB API operations the functions' code calls on `table`.
fn table_operations(table: &str) -> BTreeSet<String> {
    let root = workspace_root();
    let mut operations = BTreeSet::new();
    for use_ in FUNCTIONS.iter().flat_map(|f| f.store_methods) {
        if use_.table != table {
            continue;
        }
        let by_fn = code::sdk_calls_by_fn(&root.join(use_.adapter));
        for method in use_.methods {
            operations.extend(code::api_operations(&by_fn[*method]));
        }
    }
    operations
}

fn check_skips(t: &Template) -> Problems {
    let mut problems = Problems::new();
    for (id, resource) in t.resources() {
        require!(
            problems,
            resource["Metadata"]["cfn-lint"].is_null(),
            "{id}: cfn-lint rules are not switched off; fix the template instead"
        );
        for skip in as_list(&resource["Metadata"]["checkov"]["skip"]) {
            let comment = skip["comment"].as_str().unwrap_or("");
            require!(
                problems,
                comment.split_whitespace().count() >= 10,
                "{id}: skipping {} needs a reason in `comment`",
                skip["id"]
            );
        }
    }
    problems
}

// ------------------------------------------------------------------ tests

#[test]
fn tables_are_declared_exactly_as_canvass_core_tables_says() {
    assert_clean("tables", check_tables(&Template::load()));
}

#[test]
fn every_environment_variable_the_code_reads_is_set_and_no_other() {
    assert_clean("environment", check_environment(&Template::load()));
}

#[test]
fn each_role_grants_exactly_what_its_function_needs() {
    assert_clean("grants", check_grants(&Template::load()));
}

#[test]
fn aws_calls_in_the_code_are_granted() {
    assert_clean("aws calls", check_aws_calls(&Template::load()));
}

#[test]
fn routes_are_exactly_the_routers_routes() {
    assert_clean("routes", check_routes(&Template::load()));
}

#[test]
fn functions_are_arm64_rust_builds_with_their_own_role_and_log_group() {
    assert_clean("functions", check_functions(&Template::load()));
}

#[test]
fn the_api_is_throttled_has_no_cors_and_logs_no_addresses() {
    assert_clean("api", check_api(&Template::load()));
}

#[test]
fn the_secret_comes_from_secrets_manager_and_nowhere_else() {
    assert_clean("secret", check_secret(&Template::load()));
}

#[test]
fn the_bucket_is_private_versioned_encrypted_and_tls_only() {
    assert_clean("bucket", check_bucket(&Template::load()));
}

#[test]
fn the_report_runs_weekly_with_retries_and_a_dead_letter_queue() {
    assert_clean("schedule", check_schedule(&Template::load()));
}

#[test]
fn alarms_cover_errors_throttles_and_dynamodb_system_errors() {
    assert_clean("alarms", check_alarms(&Template::load()));
}

#[test]
fn every_skipped_check_says_why() {
    assert_clean("skips", check_skips(&Template::load()));
}

/// Guards the guards: each check, given a template broken in its own way, says so.
#[test]
fn each_check_catches_its_kind_of_drift() {
    type Check = fn(&Template) -> Problems;
    type Break = fn(&mut Value);
    let cases: Vec<(&str, Check, Break)> = vec![
        ("a key attribute renamed", check_tables, |v| {
            v["Resources"]["ControlTable"]["Properties"]["KeySchema"][1]["AttributeName"] =
                json!("sort");
        }),
        ("TTL switched off", check_tables, |v| {
            v["Resources"]["ControlTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] =
                json!(false);
        }),
        ("point-in-time recovery switched on", check_tables, |v| {
            v["Resources"]["ResponsesTable"]["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] =
                json!(true);
        }),
        ("daily backups", check_tables, |v| {
            v["Resources"]["ResponsesBackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"]
                [0]["ScheduleExpression"] = json!("cron(30 0 * * ? *)");
        }),
        ("a backup role that may restore", check_grants, |v| {
            v["Resources"]["BackupRole"]["Properties"]["ManagedPolicyArns"]
                .as_array_mut()
                .unwrap()
                .push(json!(
                    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
                ));
        }),
        ("Lambda's per-invocation lines", check_functions, |v| {
            v["Resources"]["IngestFunction"]["Properties"]["LoggingConfig"]["SystemLogLevel"] =
                json!("INFO");
        }),
        (
            "responses may be deleted with the stack",
            check_tables,
            |v| {
                v["Resources"]["ResponsesTable"]["DeletionPolicy"] = json!("Delete");
            },
        ),
        (
            "a variable the code reads is not set",
            check_environment,
            |v| {
                v["Resources"]["IngestFunction"]["Properties"]["Environment"]["Variables"]
                    .as_object_mut()
                    .unwrap()
                    .remove("CONTROL_TABLE");
            },
        ),
        ("a variable no code reads is set", check_environment, |v| {
            v["Resources"]["PublishFunction"]["Properties"]["Environment"]["Variables"]["UNUSED_SETTING"] =
                json!("1");
        }),
        ("an action the code never calls", check_grants, |v| {
            let statements = &mut v["Resources"]["IngestRole"]["Properties"]["Policies"][0]["PolicyDocument"]
                ["Statement"];
            statements.as_array_mut().unwrap().push(json!({
                "Effect": "Allow", "Action": "dynamodb:DeleteItem", "Resource": get_att("ResponsesTable", "Arn")
            }));
        }),
        ("an action on every resource", check_grants, |v| {
            v["Resources"]["PublishRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                [1]["Resource"] = json!("*");
        }),
        ("an action the code needs is missing", check_grants, |v| {
            v["Resources"]["ReportRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                [1]["Action"] = json!("dynamodb:Query");
        }),
        ("a managed policy", check_grants, |v| {
            v["Resources"]["IngestRole"]["Properties"]["ManagedPolicyArns"] =
                json!(["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"]);
        }),
        ("a route the Router does not serve", check_routes, |v| {
            v["Resources"]["IngestFunction"]["Properties"]["Events"]["Extra"] = json!({
                "Type": "HttpApi", "Properties": { "ApiId": reference("HttpApi"), "Method": "DELETE", "Path": "/surveys" }
            });
        }),
        ("a route the Router serves is missing", check_routes, |v| {
            v["Resources"]["IngestFunction"]["Properties"]["Events"]
                .as_object_mut()
                .unwrap()
                .remove("SubmitResponse");
        }),
        ("an x86 build", check_functions, |v| {
            v["Resources"]["PublishFunction"]["Properties"]["Architectures"] = json!(["x86_64"]);
        }),
        (
            "a function without reserved concurrency",
            check_functions,
            |v| {
                v["Resources"]["IngestFunction"]["Properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("ReservedConcurrentExecutions");
            },
        ),
        ("an access log, a line per request", check_api, |v| {
            v["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"] = json!({
                "DestinationArn": "arn:aws:logs:eu-west-1:1:log-group:x",
                "Format": r#"{"status":"$context.status"}"#,
            });
        }),
        ("CORS on every route", check_api, |v| {
            v["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"] =
                json!({ "AllowOrigins": ["*"] });
        }),
        ("the secret as a parameter value", check_secret, |v| {
            v["Parameters"]["Secret"] = json!({ "Type": "String", "NoEcho": true });
            v["Resources"]["IngestFunction"]["Properties"]["Environment"]["Variables"]["CANVASS_SECRET"] =
                reference("Secret");
        }),
        ("the secret unpinned", check_secret, |v| {
            v["Resources"]["IngestFunction"]["Properties"]["Environment"]["Variables"]["CANVASS_SECRET"] =
                json!({ "Fn::Sub": "{{resolve:secretsmanager:${SecretArn}}}" });
        }),
        ("a public bucket", check_bucket, |v| {
            v["Resources"]["ReleasesBucket"]["Properties"]["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] =
                json!(false);
        }),
        ("TLS no longer required", check_bucket, |v| {
            v["Resources"]["ReleasesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                [0]["Condition"] = json!({});
        }),
        ("a daily schedule", check_schedule, |v| {
            v["Parameters"]["ReportSchedule"]["Default"] = json!("cron(0 6 * * ? *)");
        }),
        ("no dead-letter queue", check_schedule, |v| {
            v["Resources"]["ReportRunSchedule"]["Properties"]["Target"]
                .as_object_mut()
                .unwrap()
                .remove("DeadLetterConfig");
        }),
        (
            "an operation left out of the SystemErrors alarm",
            check_alarms,
            |v| {
                v["Resources"]["ControlSystemErrorsAlarm"]["Properties"]["Metrics"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
        ),
        ("no throttle alarm", check_alarms, |v| {
            v["Resources"]
                .as_object_mut()
                .unwrap()
                .remove("PublishThrottlesAlarm");
        }),
        ("a skip without a reason", check_skips, |v| {
            v["Resources"]["ReleasesBucket"]["Metadata"]["checkov"]["skip"][0]["comment"] =
                json!("not needed");
        }),
    ];
    let pristine = Template::load();
    for (what, check, break_it) in cases {
        let mut broken = pristine.clone();
        break_it(&mut broken.root);
        assert!(
            !check(&broken).is_empty(),
            "the check did not notice: {what}"
        );
    }
}

/// Guards the scanners: they find what is known to be in the sources.
#[test]
fn the_source_scans_see_known_facts() {
    let root = workspace_root();
    let index = code::EnvIndex::build(&[root.join("core/src"), root.join("cli/src")]);
    let read = index.reads_under(&root.join("cli/src"));
    for name in [
        "CANVASS_SECRET",
        "CANVASS_DATA",
        "CANVASS_SURVEYS",
        "CANVASS_LOG",
        "CANVASS_LOG_FORMAT",
    ] {
        assert!(
            read.contains(name),
            "the cli reads {name}; the scan found {read:?}"
        );
    }
    let responses = code::sdk_calls_by_fn(&root.join(RESPONSES_ADAPTER));
    assert!(responses["put_if_absent"].contains("transact_write_items"));
    assert!(responses["put_if_absent"].contains("Put::builder"));
    let progress = code::sdk_calls_by_fn(&root.join(PROGRESS_ADAPTER));
    assert!(progress["count_update"].contains("Update::builder"));
    assert!(
        progress["offer_snapshot"].contains("get_item"),
        "offer_snapshot → snapshot → get_item"
    );
    assert!(
        responses["list"].contains("scan"),
        "list → scan_segment → scan"
    );
    let routes = code::routes_under(&root.join("functions/ingest/src"));
    assert!(routes.contains(&("POST".into(), "/surveys/{survey_id}/responses".into())));
}
