#!/usr/bin/env python3
"""The DynamoDB extraction benchmark's peer: a boto3 parallel Scan (one thread per segment),
with the same filter as the Rust store, every item deserialised (TypeDeserializer), as the
Rust side decodes every item with serde_dynamo.

Usage: scan_boto3.py ENDPOINT TABLE SURVEY SEGMENTS
Prints {"items": N, "seconds": S} (client built before the clock starts).
"""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config


def main():
    endpoint, table, survey, segments = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(max_pool_connections=max(10, segments)),
    )
    deserialise = TypeDeserializer().deserialize

    def segment(i):
        items = []
        pages = client.get_paginator("scan").paginate(
            TableName=table,
            Segment=i,
            TotalSegments=segments,
            ConsistentRead=False,
            FilterExpression="#survey = :survey OR NOT attribute_type(#survey, :string)",
            ExpressionAttributeNames={"#survey": "survey_id"},
            ExpressionAttributeValues={":survey": {"S": survey}, ":string": {"S": "S"}},
        )
        for page in pages:
            for item in page["Items"]:
                items.append({k: deserialise(v) for k, v in item.items()})
        return len(items)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=segments) as pool:
        items = sum(pool.map(segment, range(segments)))
    seconds = time.perf_counter() - started
    print(json.dumps({"items": items, "seconds": round(seconds, 4)}))


if __name__ == "__main__":
    main()
