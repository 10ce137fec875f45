#!/usr/bin/env python3
"""Copy every item of one DynamoDB table into another with the same key schema.

The second half of restoring `responses` from point-in-time recovery (docs/deploy.md): the
backup is restored into a new table, then copied back into the live one, which keeps its
name and every setting the stack manages. Only items move.

    copy_table.py SOURCE TARGET [--mirror] [--segments N] [--endpoint-url URL]

Each SOURCE item is put into TARGET as it is (replacing an item with the same key). With
--mirror, TARGET items whose key is not in SOURCE are then deleted, so TARGET ends up holding
exactly SOURCE's items. Safe to run again after an interruption. Credentials and region come
from the usual AWS settings (AWS_PROFILE, AWS_REGION, ...).
"""

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3

BATCH_WRITE = 25  # DynamoDB's limit per BatchWriteItem
BATCH_GET = 100  # and per BatchGetItem


def key_names(client, table):
    schema = client.describe_table(TableName=table)["Table"]["KeySchema"]
    return [k["AttributeName"] for k in sorted(schema, key=lambda k: k["KeyType"])]


def scan(client, table, segment, segments):
    """Pages of items of one parallel-scan segment."""
    start = None
    while True:
        args = {"TableName": table, "Segment": segment, "TotalSegments": segments}
        if start:
            args["ExclusiveStartKey"] = start
        page = client.scan(**args)
        yield page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def write(client, table, requests):
    """BatchWriteItem until DynamoDB has taken every request, backing off when throttled."""
    pending = {table: requests}
    delay = 0.05
    while pending:
        left = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        pending = left
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 5)


def missing_from(client, table, keys):
    """The keys of `keys` that `table` does not hold."""
    found = []
    pending = {table: {"Keys": keys, "ConsistentRead": True}}
    delay = 0.05
    while pending:
        answer = client.batch_get_item(RequestItems=pending)
        found.extend(answer["Responses"].get(table, []))
        pending = answer.get("UnprocessedKeys") or {}
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 5)
    # Compare keys only: BatchGetItem answers with whole items.
    names = list(keys[0]) if keys else []
    present = {repr([item[n] for n in names]) for item in found}
    return [k for k in keys if repr([k[n] for n in names]) not in present]


def copy_segment(client, source, target, segment, segments):
    copied = 0
    for items in scan(client, source, segment, segments):
        for i in range(0, len(items), BATCH_WRITE):
            chunk = items[i : i + BATCH_WRITE]
            write(client, target, [{"PutRequest": {"Item": item}} for item in chunk])
            copied += len(chunk)
    return copied


def prune_segment(client, source, target, keys, segment, segments):
    deleted = 0
    for items in scan(client, target, segment, segments):
        for i in range(0, len(items), BATCH_GET):
            chunk = [{k: item[k] for k in keys} for item in items[i : i + BATCH_GET]]
            gone = missing_from(client, source, chunk)
            for j in range(0, len(gone), BATCH_WRITE):
                write(client, target, [{"DeleteRequest": {"Key": k}} for k in gone[j : j + BATCH_WRITE]])
            deleted += len(gone)
    return deleted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--mirror", action="store_true", help="also delete TARGET items that SOURCE lacks")
    parser.add_argument("--segments", type=int, default=4, help="parallel scan segments (default 4)")
    parser.add_argument("--endpoint-url", help="another DynamoDB endpoint, e.g. DynamoDB Local")
    args = parser.parse_args(argv)
    if args.source == args.target:
        parser.error("SOURCE and TARGET are the same table")
    if not 1 <= args.segments <= 64:
        parser.error("--segments must be from 1 to 64")

    client = boto3.client("dynamodb", endpoint_url=args.endpoint_url)
    keys = key_names(client, args.source)
    if key_names(client, args.target) != keys:
        print(f"error: {args.source} and {args.target} have different keys; nothing copied", file=sys.stderr)
        return 2

    segments = range(args.segments)
    with ThreadPoolExecutor(max_workers=args.segments) as pool:
        copied = sum(pool.map(lambda s: copy_segment(client, args.source, args.target, s, args.segments), segments))
    print(f"copied {copied} items from {args.source} into {args.target}")
    if args.mirror:
        with ThreadPoolExecutor(max_workers=args.segments) as pool:
            deleted = sum(
                pool.map(lambda s: prune_segment(client, args.source, args.target, keys, s, args.segments), segments)
            )
        print(f"deleted {deleted} items of {args.target} that {args.source} does not hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
