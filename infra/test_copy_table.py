"""infra/copy_table.py against Amazon's DynamoDB Local (endpoint in CANVASS_TEST_DYNAMODB).

Run by scripts/infra-check.sh: python -m unittest infra/test_copy_table.py
"""

import os
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

import boto3

ENDPOINT = os.environ["CANVASS_TEST_DYNAMODB"]
SCRIPT = Path(__file__).with_name("copy_table.py")
# Placeholders, always: a test never uses real credentials. DynamoDB Local accepts any key
# made of letters and digits; the SDK insists on having one.
os.environ.update(
    AWS_ACCESS_KEY_ID="canvasslocal",
    AWS_SECRET_ACCESS_KEY="canvasslocal",
    AWS_DEFAULT_REGION="us-east-1",
)
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(name, None)


def client():
    return boto3.client("dynamodb", endpoint_url=ENDPOINT)


def create(keys):
    """A fresh on-demand table keyed by `keys` (partition key first), string attributes."""
    name = f"copy-test-{uuid.uuid4().hex[:12]}"
    client().create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
        KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ["HASH", "RANGE"])],
        BillingMode="PAY_PER_REQUEST",
    )
    client().get_waiter("table_exists").wait(TableName=name)
    return name


def put(table, items):
    for item in items:
        client().put_item(TableName=table, Item={k: {"S": v} for k, v in item.items()})


def everything(table):
    pages = client().get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    rows = [{k: v["S"] for k, v in item.items()} for page in pages for item in page["Items"]]
    return sorted(rows, key=lambda r: sorted(r.items()))


def copy(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--endpoint-url", ENDPOINT],
        capture_output=True,
        text=True,
    )


class CopyTable(unittest.TestCase):
    def test_restores_lost_and_damaged_items_and_keeps_newer_ones(self):
        source, target = create(["response_id"]), create(["response_id"])
        restored = [{"response_id": f"r{i:03}", "answers": f"a{i}"} for i in range(130)]
        put(source, restored)
        # The live table lost most items, has one damaged, and one written after the backup.
        put(target, [{"response_id": "r000", "answers": "damaged"}, {"response_id": "new", "answers": "n"}])

        run = copy(source, target, "--segments", "3")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("copied 130 items", run.stdout)
        self.assertEqual(everything(target), sorted(restored + [{"response_id": "new", "answers": "n"}],
                                                     key=lambda r: sorted(r.items())))

        # Again: nothing changes (safe to re-run).
        self.assertEqual(copy(source, target).returncode, 0)
        self.assertEqual(len(everything(target)), 131)

    def test_mirror_also_removes_what_the_backup_does_not_hold(self):
        source, target = create(["pk", "sk"]), create(["pk", "sk"])
        kept = [{"pk": f"p{i % 7}", "sk": f"s{i}", "v": str(i)} for i in range(60)]
        put(source, kept)
        put(target, [{"pk": "p1", "sk": "junk", "v": "x"}, {"pk": "junk", "sk": "s1", "v": "y"}])

        run = copy(source, target, "--mirror")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("deleted 2 items", run.stdout)
        self.assertEqual(everything(target), everything(source))

    def test_refuses_tables_with_different_keys(self):
        source, target = create(["response_id"]), create(["pk", "sk"])
        put(source, [{"response_id": "r1"}])
        run = copy(source, target)
        self.assertEqual(run.returncode, 2)
        self.assertIn("different keys", run.stderr)
        self.assertEqual(everything(target), [])


if __name__ == "__main__":
    unittest.main()
