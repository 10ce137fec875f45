//! What the Rust sources do, read as syntax (syn) rather than guessed from text: which
//! environment variables they read, which routes their Routers serve, and which AWS SDK
//! operations they call. `#[cfg(test)]` code is left out: it never runs in a function.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Every `.rs` file under `dir` (none if it does not exist), sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("listing a source folder").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn parse(path: &Path) -> syn::File {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().split_whitespace().any(|t| t == "test"))
    })
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn last_segments(path: &syn::Path, n: usize) -> String {
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segs[segs.len().saturating_sub(n)..].join("::")
}

// ------------------------------------------------------------------ environment variables

/// How the sources name environment variables besides a literal in `std::env::var("NAME")`:
/// constants `const X_ENV: &str = "NAME"`; functions that read variables
/// (`TableNames::from_env`, `telemetry::init`), keyed by `Type::function` or
/// `module::function`; and helpers that read the variable named by their argument
/// (`fn required(name: &str)`), keyed by their name.
#[derive(Debug, Default)]
pub struct EnvIndex {
    consts: BTreeMap<String, String>,
    readers: BTreeMap<String, BTreeSet<String>>,
    forwarders: BTreeSet<String>,
}

impl EnvIndex {
    pub fn build(source_dirs: &[PathBuf]) -> EnvIndex {
        let files: Vec<(PathBuf, syn::File)> = source_dirs
            .iter()
            .flat_map(|d| rust_files(d))
            .map(|p| {
                let f = parse(&p);
                (p, f)
            })
            .collect();
        let mut index = EnvIndex::default();
        for (_, file) in &files {
            for item in &file.items {
                if let syn::Item::Const(c) = item
                    && c.ident.to_string().ends_with("_ENV")
                    && let syn::Expr::Lit(lit) = &*c.expr
                    && let syn::Lit::Str(s) = &lit.lit
                {
                    index.consts.insert(c.ident.to_string(), s.value());
                }
            }
        }
        let mut readers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut forwarders = BTreeSet::new();
        for (path, file) in &files {
            let module = module_name(path);
            let mut collect = |key: String, reads: BTreeSet<String>| {
                if !reads.is_empty() {
                    readers.entry(key).or_default().extend(reads);
                }
            };
            for item in &file.items {
                match item {
                    syn::Item::Fn(f) if !is_cfg_test(&f.attrs) => {
                        let reads = index.reads_in(|v| v.visit_block(&f.block));
                        collect(format!("{module}::{}", f.sig.ident), reads);
                        if forwards_argument(&f.sig, &f.block) {
                            forwarders.insert(f.sig.ident.to_string());
                        }
                    }
                    syn::Item::Impl(imp) if !is_cfg_test(&imp.attrs) => {
                        let syn::Type::Path(ty) = &*imp.self_ty else {
                            continue;
                        };
                        let ty = last_segments(&ty.path, 1);
                        for item in &imp.items {
                            if let syn::ImplItem::Fn(f) = item {
                                let reads = index.reads_in(|v| v.visit_block(&f.block));
                                collect(format!("{ty}::{}", f.sig.ident), reads);
                                if forwards_argument(&f.sig, &f.block) {
                                    forwarders.insert(f.sig.ident.to_string());
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        index.readers = readers;
        index.forwarders = forwarders;
        index
    }

    fn reads_in(&self, walk: impl FnOnce(&mut EnvReads<'_>)) -> BTreeSet<String> {
        let mut visitor = EnvReads {
            index: self,
            found: BTreeSet::new(),
        };
        walk(&mut visitor);
        visitor.found
    }

    /// Every variable the sources under `dir` read, directly or through the index.
    pub fn reads_under(&self, dir: &Path) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for path in rust_files(dir) {
            let file = parse(&path);
            found.extend(self.reads_in(|v| v.visit_file(&file)));
        }
        found
    }
}

/// Whether `std::env::var(param)` (or `var_os`) is called on one of the function's parameters.
fn forwards_argument(sig: &syn::Signature, block: &syn::Block) -> bool {
    let params: BTreeSet<String> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(id) => Some(id.ident.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    struct Finder<'p> {
        params: &'p BTreeSet<String>,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let (syn::Expr::Path(func), Some(syn::Expr::Path(arg))) =
                (&*call.func, call.args.first())
            {
                let name = last_segments(&func.path, 1);
                if (name == "var" || name == "var_os")
                    && arg
                        .path
                        .get_ident()
                        .is_some_and(|i| self.params.contains(&i.to_string()))
                {
                    self.found = true;
                }
            }
            syn::visit::visit_expr_call(self, call);
        }
    }
    let mut finder = Finder {
        params: &params,
        found: false,
    };
    finder.visit_block(block);
    finder.found
}

fn module_name(path: &Path) -> String {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    if stem == "mod" || stem == "lib" || stem == "main" {
        path.parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(stem)
    } else {
        stem
    }
}

struct EnvReads<'a> {
    index: &'a EnvIndex,
    found: BTreeSet<String>,
}

impl EnvReads<'_> {
    /// `#[arg(env = "NAME")]`, or a bare `#[arg(env)]`, which clap names after the field.
    fn clap_env(&mut self, attrs: &[syn::Attribute], field: Option<&syn::Ident>) {
        for attr in attrs {
            if !(attr.path().is_ident("arg") || attr.path().is_ident("clap")) {
                continue;
            }
            let Ok(list) = attr.meta.require_list() else {
                continue;
            };
            // Tokens as text: `long , env = "CANVASS_DATA" , default_value = "data"`.
            let text = list.tokens.to_string();
            let tokens: Vec<&str> = text.split_whitespace().collect();
            for (i, token) in tokens.iter().enumerate() {
                if *token != "env" {
                    continue;
                }
                match (tokens.get(i + 1), tokens.get(i + 2)) {
                    (Some(&"="), Some(name)) => {
                        self.found.insert(name.trim_matches('"').to_owned());
                    }
                    _ => {
                        if let Some(field) = field {
                            self.found.insert(field.to_string().to_uppercase());
                        }
                    }
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for EnvReads<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        self.clap_env(&field.attrs, field.ident.as_ref());
        syn::visit::visit_field(self, field);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(func) = &*call.func {
            let name = last_segments(&func.path, 1);
            // std::env::var("X"), var_os("X"), EnvFilter::try_from_env("X"), required("X")...
            let reads_env = name == "var"
                || name == "var_os"
                || name.ends_with("_env")
                || self.index.forwarders.contains(&name);
            if reads_env
                && let Some(syn::Expr::Lit(lit)) = call.args.first()
                && let syn::Lit::Str(s) = &lit.lit
                && is_env_name(&s.value())
            {
                self.found.insert(s.value());
            }
            if let Some(reads) = self.index.readers.get(&last_segments(&func.path, 2)) {
                self.found.extend(reads.iter().cloned());
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(name) = path.segments.last()
            && let Some(value) = self.index.consts.get(&name.ident.to_string())
        {
            self.found.insert(value.clone());
        }
        syn::visit::visit_path(self, path);
    }
}

// ------------------------------------------------------------------ routes

/// `(METHOD, path)` of every `.route(path, get(..).post(..))` under `dir`, with axum's
/// catch-all `{*rest}` written the API Gateway way, `{rest+}`.
pub fn routes_under(dir: &Path) -> BTreeSet<(String, String)> {
    let mut visitor = Routes::default();
    for path in rust_files(dir) {
        visitor.visit_file(&parse(&path));
    }
    visitor.found
}

#[derive(Default)]
struct Routes {
    found: BTreeSet<(String, String)>,
}

const HTTP_METHODS: [&str; 7] = ["get", "post", "put", "delete", "patch", "head", "options"];

#[derive(Default)]
struct Methods(BTreeSet<String>);

impl<'ast> Visit<'ast> for Methods {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(func) = &*call.func {
            let name = last_segments(&func.path, 1);
            if HTTP_METHODS.contains(&name.as_str()) {
                self.0.insert(name.to_uppercase());
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if HTTP_METHODS.contains(&name.as_str()) {
            self.0.insert(name.to_uppercase());
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

impl<'ast> Visit<'ast> for Routes {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method == "route"
            && call.args.len() == 2
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(path),
                ..
            }) = &call.args[0]
        {
            let mut methods = Methods::default();
            methods.visit_expr(&call.args[1]);
            let path = api_gateway_path(&path.value());
            for method in methods.0 {
                self.found.insert((method, path.clone()));
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

fn api_gateway_path(axum: &str) -> String {
    axum.split('/')
        .map(
            |seg| match seg.strip_prefix("{*").and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!("{{{name}+}}"),
                None => seg.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

// ------------------------------------------------------------------ AWS SDK calls

/// SDK operations (snake case, as the Rust SDK spells them), the IAM actions each needs and
/// the API operation it is (the `Operation` of DynamoDB's CloudWatch metrics).
///
/// A transaction needs no action of its own: each of its items needs the action of the
/// single-item call it stands for, on the item's table. So the item builders count as
/// operations too (`Put::builder()` needs `PutItem`), while their API operation is the
/// transaction's.
pub const SDK_ACTIONS: &[(&str, &[&str], &str)] = &[
    ("get_item", &["dynamodb:GetItem"], "GetItem"),
    ("put_item", &["dynamodb:PutItem"], "PutItem"),
    ("update_item", &["dynamodb:UpdateItem"], "UpdateItem"),
    ("delete_item", &["dynamodb:DeleteItem"], "DeleteItem"),
    ("query", &["dynamodb:Query"], "Query"),
    ("scan", &["dynamodb:Scan"], "Scan"),
    ("batch_get_item", &["dynamodb:BatchGetItem"], "BatchGetItem"),
    (
        "batch_write_item",
        &["dynamodb:BatchWriteItem"],
        "BatchWriteItem",
    ),
    (
        "transact_get_items",
        &["dynamodb:GetItem"],
        "TransactGetItems",
    ),
    ("transact_write_items", &[], "TransactWriteItems"),
    ("Put::builder", &["dynamodb:PutItem"], "TransactWriteItems"),
    (
        "Update::builder",
        &["dynamodb:UpdateItem"],
        "TransactWriteItems",
    ),
    (
        "Delete::builder",
        &["dynamodb:DeleteItem"],
        "TransactWriteItems",
    ),
    (
        "ConditionCheck::builder",
        &["dynamodb:ConditionCheckItem"],
        "TransactWriteItems",
    ),
    ("get_object", &["s3:GetObject"], "GetObject"),
    ("head_object", &["s3:GetObject"], "HeadObject"),
    ("put_object", &["s3:PutObject"], "PutObject"),
    (
        "copy_object",
        &["s3:GetObject", "s3:PutObject"],
        "CopyObject",
    ),
    ("delete_object", &["s3:DeleteObject"], "DeleteObject"),
    ("list_objects_v2", &["s3:ListBucket"], "ListObjectsV2"),
    ("list_objects", &["s3:ListBucket"], "ListObjects"),
    (
        "create_multipart_upload",
        &["s3:PutObject"],
        "CreateMultipartUpload",
    ),
    ("get_parameter", &["ssm:GetParameter"], "GetParameter"),
    ("get_parameters", &["ssm:GetParameters"], "GetParameters"),
    (
        "get_secret_value",
        &["secretsmanager:GetSecretValue"],
        "GetSecretValue",
    ),
];

fn sdk_op(name: &str) -> Option<&'static str> {
    SDK_ACTIONS
        .iter()
        .find(|(op, ..)| *op == name)
        .map(|(op, ..)| *op)
}

/// The API operations (as CloudWatch names them) the SDK operations `ops` are.
pub fn api_operations<'a>(ops: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    ops.into_iter()
        .filter_map(|op| SDK_ACTIONS.iter().find(|(o, ..)| o == op))
        .map(|(.., api)| (*api).to_owned())
        .collect()
}

/// The IAM actions the SDK operations `ops` need.
pub fn iam_actions<'a>(ops: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    ops.into_iter()
        .flat_map(|op| {
            SDK_ACTIONS
                .iter()
                .find(|(o, ..)| o == op)
                .map(|(_, actions, _)| actions.to_vec())
                .unwrap_or_default()
        })
        .map(str::to_owned)
        .collect()
}

/// For each function and method in `file`: the SDK operations it calls, directly or through
/// other functions of the same file. An SDK operation is a call like `.put_item()` with no
/// arguments (the fluent builder), which tells `.scan()` from `Iterator::scan(init, f)`.
pub fn sdk_calls_by_fn(file: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let ast = parse(file);
    let mut direct: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut record = |name: String, block: &syn::Block| {
        let mut v = Calls::default();
        v.visit_block(block);
        let entry = direct.entry(name).or_default();
        entry.0.extend(v.ops);
        entry.1.extend(v.calls);
    };
    for item in &ast.items {
        match item {
            syn::Item::Fn(f) if !is_cfg_test(&f.attrs) => record(f.sig.ident.to_string(), &f.block),
            syn::Item::Impl(imp) if !is_cfg_test(&imp.attrs) => {
                for item in &imp.items {
                    if let syn::ImplItem::Fn(f) = item {
                        record(f.sig.ident.to_string(), &f.block);
                    }
                }
            }
            _ => {}
        }
    }
    let mut closed = BTreeMap::new();
    for name in direct.keys() {
        let mut ops = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut todo = vec![name.clone()];
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some((o, calls)) = direct.get(&n) {
                ops.extend(o.iter().cloned());
                todo.extend(calls.iter().filter(|c| direct.contains_key(*c)).cloned());
            }
        }
        closed.insert(name.clone(), ops);
    }
    closed
}

/// Every SDK operation called anywhere under `dirs` (outside `#[cfg(test)]`).
pub fn sdk_calls_under(dirs: &[PathBuf]) -> BTreeSet<String> {
    let mut v = Calls::default();
    for dir in dirs {
        for path in rust_files(dir) {
            v.visit_file(&parse(&path));
        }
    }
    v.ops
}

#[derive(Default)]
struct Calls {
    ops: BTreeSet<String>,
    calls: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for Calls {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if call.args.is_empty()
            && let Some(op) = sdk_op(&name)
        {
            self.ops.insert(op.to_owned());
        }
        self.calls.insert(name);
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(func) = &*call.func {
            self.calls.insert(last_segments(&func.path, 1));
            // A transaction item's builder, such as `Put::builder()`.
            if let Some(op) = sdk_op(&last_segments(&func.path, 2)) {
                self.ops.insert(op.to_owned());
            }
        }
        syn::visit::visit_expr_call(self, call);
    }
}

// ------------------------------------------------------------------ binaries

/// The binary a crate builds (`[[bin]] name`, or the package name for `src/main.rs`), if any.
pub fn binary_name(crate_dir: &Path) -> Option<String> {
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&manifest).expect("Cargo.toml parses");
    if let Some(bins) = manifest.get("bin").and_then(|b| b.as_array()) {
        return bins
            .first()
            .and_then(|b| b.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_owned);
    }
    crate_dir
        .join("src/main.rs")
        .exists()
        .then(|| manifest["package"]["name"].as_str().unwrap().to_owned())
}

/// Whether the crate declares cargo feature `name`.
pub fn has_feature(crate_dir: &Path, name: &str) -> bool {
    std::fs::read_to_string(crate_dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .is_some_and(|manifest| {
            manifest
                .get("features")
                .and_then(|f| f.as_table())
                .is_some_and(|f| f.contains_key(name))
        })
}
