#!/usr/bin/env bash
# `make infra-check` (and part of `make test`): the SAM template passes cfn-lint with no
# error, warning or informational finding, `sam validate --lint`, the SAM transform, and
# checkov with no failed check (each skip is justified in the template). Tools come from PyPI,
# pinned, one venv each under .tools/. Needs no AWS account and no credentials. Also tests
# infra/copy_table.py (the point-in-time restore tool) against DynamoDB Local.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
SAM_VERSION=1.170.0
TEMPLATE=infra/template.yaml

# venv NAME PACKAGE VERSION: installs PACKAGE==VERSION into .tools/NAME unless it is there.
venv() {
  local dir=".tools/$1"
  if ! "$dir/bin/pip" show "$2" 2>/dev/null | grep -qx "Version: $3"; then
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$2==$3"
  fi
}
venv cfn-lint cfn-lint "$CFN_LINT_VERSION"
venv checkov checkov "$CHECKOV_VERSION"
venv sam aws-sam-cli "$SAM_VERSION"

# No telemetry, no calls home: these checks must run offline.
export SAM_CLI_TELEMETRY=0 BC_SKIP_MAPPING=TRUE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== cfn-lint $CFN_LINT_VERSION (errors, warnings and informational findings all fail)"
.tools/cfn-lint/bin/cfn-lint --include-checks I -- "$TEMPLATE"

echo "== sam validate --lint ($SAM_VERSION)"
.tools/sam/bin/sam validate --lint --template-file "$TEMPLATE"

# What CloudFormation will actually create: the SAM transform run locally (region and code
# location are placeholders; nothing is sent anywhere), then linted like the source.
echo "== SAM transform, then cfn-lint on its output"
AWS_DEFAULT_REGION=us-east-1 .tools/sam/bin/python - "$TEMPLATE" "$work/transformed.json" <<'PY'
import json, sys
from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

class NoManagedPolicies:
    # The template attaches no managed policy; a lookup would need AWS credentials.
    def load(self):
        return {}

with open(sys.argv[1]) as f:
    template = yaml_parse(f.read())
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function":
        resource["Properties"]["CodeUri"] = "s3://placeholder/code.zip"
with open(sys.argv[2], "w") as f:
    json.dump(transform(template, {}, NoManagedPolicies()), f, indent=1)
PY
.tools/cfn-lint/bin/cfn-lint --include-checks I -- "$work/transformed.json"

echo "== checkov $CHECKOV_VERSION"
# JSON output so that "nothing was scanned" cannot pass for "nothing failed".
set +e
.tools/checkov/bin/checkov --file "$TEMPLATE" --framework cloudformation --skip-download \
  --output json > "$work/checkov.json"
set -e
.tools/checkov/bin/python - "$work/checkov.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
summary = report["summary"]
print(f"checkov: {summary['passed']} passed, {summary['failed']} failed, "
      f"{summary['skipped']} skipped (justified in the template), "
      f"{summary['parsing_errors']} parsing errors")
for check in report["results"]["failed_checks"]:
    print(f"  FAILED {check['check_id']} {check['check_name']}: {check['resource']}")
if summary["failed"] or summary["parsing_errors"] or not summary["resource_count"] or not summary["passed"]:
    sys.exit(1)
PY
# The restore tool (docs/deploy.md, point-in-time recovery) against DynamoDB Local: the one
# make test started, or one of our own.
echo "== infra/copy_table.py against DynamoDB Local"
if [[ -z "${CANVASS_TEST_DYNAMODB:-}" ]]; then
  scripts/dynamodb-local.sh install
  mkdir -p "$work/dynamodb"
  trap 'scripts/dynamodb-local.sh stop "$work/dynamodb"; rm -rf "$work"' EXIT
  CANVASS_TEST_DYNAMODB="$(scripts/dynamodb-local.sh start "$work/dynamodb" $$)"
  export CANVASS_TEST_DYNAMODB
fi
.tools/sam/bin/python -m unittest infra/test_copy_table.py

echo "infra checks passed"
