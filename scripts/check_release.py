#!/usr/bin/env python3
"""Independent check of a Canvass release against the SQLite store it was built from.

Recounts every table from the raw rows with nothing but the standard library (no code
shared with the Rust pipeline), then checks:
  - every published count and n equals the recount, every share equals count / n;
  - no published count or n is between 1 and k-1, and no share has a complement 1..k-1;
  - suppressed rows are empty and say so;
  - every option of every question and every group is listed;
  - SHA256SUMS matches the files.

Usage: check_release.py DB RELEASE_DIR [--k 10] [--count-unverified yes|no]
Exits non-zero with one line per problem.
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import sqlite3
import sys
from collections import Counter

# Indicator rules, restated from the methodology (not imported from the pipeline).
INDICATORS = {
    "suspended_12m": ("suspended_12m", {"yes"}, {"yes", "no"}),
    "no_clear_reason": ("suspension_reason_clear", {"no"}, None),
    "payout_held_12m": ("payout_held_12m", {"yes"}, {"yes", "no"}),
    "fee_impact_high": ("fee_impact", {"4", "5"}, None),
    "support_poor": ("support_rating", {"1", "2"}, None),
    "arbitration_unaware": ("arbitration_aware", {"no", "unsure"}, None),
    "pace_pressure_high": ("pace_pressure", {"4", "5"}, None),
    "collective_action_yes": ("collective_action", {"yes"}, None),
}


def wave_of(iso_week):
    """Quarter of the week's Thursday, as the survey's waves are defined."""
    year, week = iso_week.split("-W")
    thursday = datetime.date.fromisocalendar(int(year), int(week), 4)
    return f"{thursday.year:04d}-Q{(thursday.month - 1) // 3 + 1}"


def load_regions():
    path = os.path.join(os.path.dirname(__file__), "..", "core", "data", "countries.csv")
    with open(path, newline="", encoding="utf-8") as f:
        return {row["code"]: row["region"] for row in csv.DictReader(f)}


def answer_values(question, answers, regions):
    if question == "region":
        code = answers.get("country")
        return [regions[code]] if code in regions else []
    value = answers.get(question)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("release")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--count-unverified", default="yes")
    args = ap.parse_args()
    k = args.k
    problems = []
    regions = load_regions()

    def read(name):
        with open(os.path.join(args.release, name), newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    published_waves = {r["wave"] for r in read("respondents.csv")}
    counts = Counter()
    conn = sqlite3.connect(args.db)
    for survey_version, iso_week, answers_text, verified in conn.execute(
        "SELECT survey_version, iso_week, answers, pow_verified FROM responses WHERE survey_id = 'platform-treatment'"
    ):
        try:
            answers = json.loads(answers_text)
        except ValueError:
            continue
        if survey_version != 1:
            continue
        wave = wave_of(iso_week)
        if wave not in published_waves:
            continue
        if args.count_unverified == "no" and not verified:
            continue
        platform = answers.get("main_platform")
        category = answers.get("category")
        region = regions.get(answers.get("country"))
        for group in ("all", platform):
            counts[("respondents", wave, group)] += 1
            for question in list(answers) + ["region"]:
                values = answer_values(question, answers, regions)
                if not values:
                    continue
                counts[("n", wave, group, question)] += 1
                for v in values:
                    counts[("count", wave, group, question, v)] += 1
        for ind, (question, num, among) in INDICATORS.items():
            values = answer_values(question, answers, regions)
            if not values:
                continue
            v = values[0]
            for dim, group in (("platform", "all"), ("platform", platform), ("category", category), ("region", region)):
                if among is None or v in among:
                    counts[("ind_n", wave, dim, group, ind)] += 1
                if v in num:
                    counts[("ind_c", wave, dim, group, ind)] += 1

    def small(x):
        return 0 < x < k

    def check_share_row(where, row, count, n):
        status = row["status"]
        if status == "suppressed":
            if row.get("count", "") != "" or row["share"] != "":
                problems.append(f"{where}: suppressed but not empty: {row}")
            if row["n"] != "" and int(row["n"]) != n:
                problems.append(f"{where}: n {row['n']} != recount {n}")
            return
        if row["count"] == "" or row["n"] == "":
            problems.append(f"{where}: {status} row with an empty number: {row}")
            return
        x, m = int(row["count"]), int(row["n"])
        if (x, m) != (count, n):
            problems.append(f"{where}: published {x}/{m}, recount {count}/{n}")
        if small(x) or small(m) or small(m - x):
            problems.append(f"{where}: published {x}/{m} exposes a group under k={k}")
        if m > 0 and abs(float(row["share"]) - x / m) > 0.00005 + 1e-12:
            problems.append(f"{where}: share {row['share']} != {x}/{m}")
        if status not in ("ok", "low_reliability"):
            problems.append(f"{where}: unknown status {status}")

    for row in read("respondents.csv"):
        where = f"respondents.csv {row['wave']} {row['main_platform']}"
        want = counts[("respondents", row["wave"], row["main_platform"])]
        if row["status"] == "suppressed":
            if row["n"] != "":
                problems.append(f"{where}: suppressed but n shown")
        elif int(row["n"]) != want or small(want):
            problems.append(f"{where}: n {row['n']} vs recount {want}")

    for row in read("answers.csv"):
        where = f"answers.csv {row['wave']} {row['main_platform']} {row['question_id']}={row['option_id']}"
        key = (row["wave"], row["main_platform"], row["question_id"])
        check_share_row(where, row, counts[("count",) + key + (row["option_id"],)], counts[("n",) + key])
        if small(counts[("count",) + key + (row["option_id"],)]) and row["status"] != "suppressed":
            problems.append(f"{where}: small count not suppressed")

    for name, dim, col in (
        ("indicators.csv", "platform", "main_platform"),
        ("trends.csv", "platform", "main_platform"),
        ("by_category.csv", "category", "category"),
        ("by_region.csv", "region", "region"),
    ):
        for row in read(name):
            key = (row["wave"], dim, row[col], row["indicator"])
            check_share_row(f"{name} {key}", row, counts[("ind_c",) + key], counts[("ind_n",) + key])

    for row in read("numeric.csv"):
        where = f"numeric.csv {row['wave']} {row['main_platform']} {row['question_id']}"
        want = counts[("n", row["wave"], row["main_platform"], row["question_id"])]
        if row["status"] == "suppressed":
            if any(row[c] for c in ("n", "p25", "median", "p75")):
                problems.append(f"{where}: suppressed but not empty")
        elif int(row["n"]) != want or small(want):
            problems.append(f"{where}: n {row['n']} vs recount {want}")

    # Completeness: every platform x option pair is listed.
    with open(os.path.join(args.release, "datapackage.json"), encoding="utf-8") as f:
        package = json.load(f)
    answers_schema = next(r for r in package["resources"] if r["name"] == "answers")["schema"]
    platforms = next(fl for fl in answers_schema["fields"] if fl["name"] == "main_platform")["constraints"]["enum"]
    rows = read("answers.csv")
    per_platform = Counter(r["main_platform"] for r in rows)
    if set(per_platform) != set(platforms) or len(set(per_platform.values())) != 1:
        problems.append(f"answers.csv does not list every option for every platform: {per_platform}")

    with open(os.path.join(args.release, "SHA256SUMS"), encoding="utf-8") as f:
        for line in f:
            digest, path = line.rstrip("\n").split("  ", 1)
            with open(os.path.join(args.release, path), "rb") as g:
                if hashlib.sha256(g.read()).hexdigest() != digest:
                    problems.append(f"SHA256SUMS: {path} does not match")

    for p in problems[:50]:
        print(p)
    checked = sum(1 for _ in rows)
    if problems:
        print(f"check_release: {len(problems)} problem(s)")
        sys.exit(1)
    print(f"check_release: ok ({checked} answer rows and every other table match an independent recount)")


if __name__ == "__main__":
    main()
