#!/usr/bin/env python3
"""The end-to-end benchmark's DuckDB peer: the numbers of a Canvass release's seven tables
(respondents, answers, indicators, numeric, by_category, by_region, trends), computed the
way a DuckDB user would, from the same store.

Usage:
  duck_report.py sqlite  DB.sqlite   OUT_DIR [--as-of YYYY-MM-DD] [--surveys DIR] [--survey ID]
  duck_report.py parquet ROWS.parquet OUT_DIR [same options]
  duck_report.py export  DB.sqlite   ROWS.parquet       (the rows as stored, for `parquet`)

`sqlite` reads the `responses` table through Python's built-in sqlite3 (as a DuckDB user
without the sqlite extension would), BATCH rows at a time on a reader thread, each batch
written as one tab-separated file (in /dev/shm where there is one, deleted once loaded)
that DuckDB's CSV reader and JSON functions parse, in parallel, while the next batch is
read. Columns are ENUMs of the survey's options.
`parquet` runs the same SQL over a Parquet export of the same rows (compute only).

What is computed, restated from docs/methodology.md (no code shared with the pipeline):
closed waves only (the quarter of the ISO week's Thursday; closed once the Sunday of its
last week is before --as-of), the country published as its UN M49 region, respondents in no
group counted in `other`; counts, n, share = count / n, the 95 % Wilson interval, and
quartiles with `quantile_cont` (Hyndman-Fan type 7). `answers`, `numeric`, `indicators`,
`by_category` and `by_region` cover the last closed wave, `respondents` and `trends` every
closed wave. No disclosure control: every number is written, and it is the harness's job
to compare only what the release publishes. Records are filtered by survey, published
version and closed wave, and left out when their country is not one of the survey's codes;
the pipeline's other fit checks (follow-ups answered only when shown, numbers in bounds)
are not restated: seeded data always passes them, and an option outside the survey makes
the ENUM cast fail loudly instead of being left out quietly.

Each table is written by DuckDB's CSV writer to OUT_DIR/{table}.csv. Prints one JSON line
with the timings (`read_s`: rows into the typed table, `phase_s`: everything).
"""

import argparse
import datetime
import glob
import itertools
import json
import os
import queue
import sqlite3
import sys
import tempfile
import threading
import time
import tomllib

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
Z = 1.959963984540054
BATCH = 100000
LIKERT = [str(v) for v in range(1, 6)]
YES_NO = ["yes", "no", "prefer_not"]

# The headline indicators (question, counted, among), restated once from docs/methodology.md
# in duck_tables.py, the in-memory comparison's peer.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from duck_tables import INDICATORS  # noqa: E402


def lit(text):
    return "'" + str(text).replace("'", "''") + "'"


def ident(text):
    return '"' + text.replace('"', '""') + '"'


class Survey:
    """What the tables need from the survey files: the newest published version's
    questions (kind and options), the published versions, and the disclosure setting
    that decides whether unverified responses count."""

    def __init__(self, surveys_dir, survey_id):
        versions = []
        for path in glob.glob(os.path.join(surveys_dir, survey_id, "v*.toml")):
            with open(path, "rb") as f:
                versions.append(tomllib.load(f))
        published = [v for v in versions if v.get("status") in ("open", "closed")]
        if not published:
            sys.exit(f"no published version of {survey_id} in {surveys_dir}")
        ref = max(published, key=lambda v: v["version"])
        self.id = survey_id
        self.versions = sorted(v["version"] for v in published)
        self.count_unverified = ref.get("disclosure", {}).get("count_unverified", True)
        self.questions = []  # (id as published, source id, kind, options)
        for q in ref["questions"]:
            kind = q["type"]
            if kind in ("single_choice", "multiple_choice"):
                options = [o["id"] for o in q.get("options", [])]
                if "options_from" in q:
                    source = next(p for p in ref["questions"] if p["id"] == q["options_from"])
                    options = [o["id"] for o in source["options"]]
                self.questions.append((q["id"], q["id"], "multi" if kind == "multiple_choice" else "single", options))
            elif kind == "yes_no":
                self.questions.append((q["id"], q["id"], "single", YES_NO))
            elif kind == "likert":
                self.questions.append((q["id"], q["id"], "likert", LIKERT))
            elif kind == "number":
                self.questions.append((q["id"], q["id"], "number", []))
            elif kind == "country":
                self.questions.append(("region", q["id"], "region", regions()))
            else:
                sys.exit(f"unknown question type {kind}")
        for qid, _, _, options in self.questions:
            if qid in ("main_platform", "category", "region") and "other" not in options:
                options.append("other")  # every grouping has a residual group
        self.kinds = {q[0]: q[2] for q in self.questions}
        self.options = {q[0]: q[3] for q in self.questions}
        # answers.csv: every question with options but the platform; numeric.csv: numbers.
        self.answer_questions = [q[0] for q in self.questions if q[2] != "number" and q[0] != "main_platform"]
        self.number_questions = [q[0] for q in self.questions if q[2] == "number"]


def regions():
    with open(os.path.join(ROOT, "core", "data", "regions.csv"), encoding="utf-8") as f:
        return [line.split(",", 1)[0] for line in f.read().splitlines()[1:] if line]


def last_submission_day(year, quarter):
    """The Sunday of the last ISO week whose Thursday falls inside the quarter."""
    end = (datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)) - datetime.timedelta(days=1)
    thursday = end - datetime.timedelta(days=(end.isoweekday() - 4) % 7)
    return thursday + datetime.timedelta(days=3)


def closed_weeks(as_of):
    """Every ISO week (as stored, 'YYYY-Www') of a closed wave, with its wave label."""
    rows = []
    for year in range(1990, as_of.year + 1):
        weeks = datetime.date(year, 12, 28).isocalendar()[1]
        for week in range(1, weeks + 1):
            thursday = datetime.date.fromisocalendar(year, week, 4)
            quarter = (thursday.month - 1) // 3 + 1
            if as_of > last_submission_day(thursday.year, quarter):
                rows.append((f"{year:04d}-W{week:02d}", f"{thursday.year:04d}-Q{quarter}"))
    return rows


def setup(con, survey, as_of):
    """The lookup tables (closed weeks, countries) and an ENUM type per question, from the
    survey's option lists (compact to store, cheap to compare)."""
    weeks = closed_weeks(as_of)
    con.execute(
        "CREATE TABLE weeks AS SELECT unnest(?::VARCHAR[]) AS iso_week, unnest(?::VARCHAR[]) AS wave",
        [[w for w, _ in weeks], [v for _, v in weeks]],
    )
    con.execute("CREATE TYPE wave_t AS ENUM (SELECT DISTINCT wave FROM weeks ORDER BY wave)")
    countries = os.path.join(ROOT, "core", "data", "countries.csv")
    con.execute(f"CREATE TABLE countries AS SELECT code, region FROM read_csv({lit(countries)}, header = true, all_varchar = true)")
    for qid, _, kind, options in survey.questions:
        if kind in ("single", "multi", "region"):
            con.execute(f"CREATE TYPE {ident(qid + '_t')} AS ENUM ({', '.join(map(lit, options))})")


def parse_sql(survey, source):
    """SELECT turning `source` (iso_week, verified, answers JSON text) into typed rows of
    closed waves: one column per published question, groups coalesced to `other`."""
    struct = {}
    for qid, src, kind, _ in survey.questions:
        struct[src] = {"multi": "VARCHAR[]", "likert": "BIGINT", "number": "BIGINT"}.get(kind, "VARCHAR")
    cols = ["w.wave::wave_t AS wave", "s.verified"]
    for qid, src, kind, _ in survey.questions:
        j = f"s.j.{ident(src)}"
        t = ident(qid + "_t")
        if kind == "multi":
            cols.append(f"CASE WHEN len({j}) > 0 THEN {j}::{t}[] END AS {ident(qid)}")
        elif kind == "region":
            cols.append(f"coalesce(c.region, 'other')::{t} AS region")
        elif qid == "main_platform":
            # A main platform must be one of the platforms picked; else it counts in `other`.
            cols.append(f"(CASE WHEN list_contains(s.j.platforms, {j}) THEN {j} ELSE 'other' END)::{t} AS main_platform")
        elif qid == "category":
            cols.append(f"coalesce({j}, 'other')::{t} AS category")
        elif kind == "single":
            cols.append(f"{j}::{t} AS {ident(qid)}")
        elif kind == "likert":
            cols.append(f"{j}::UTINYINT AS {ident(qid)}")
        else:
            cols.append(f"{j}::INTEGER AS {ident(qid)}")
    country = next(src for qid, src, kind, _ in survey.questions if kind == "region")
    verified = "" if survey.count_unverified else "AND s.verified"
    return f"""
        SELECT {', '.join(cols)}
        FROM (SELECT iso_week, verified, from_json(answers, {lit(json.dumps(struct))}) AS j FROM {source}) s
        JOIN weeks w USING (iso_week)
        LEFT JOIN countries c ON c.code = s.j.{ident(country)}
        WHERE (s.j.{ident(country)} IS NULL OR c.region IS NOT NULL) {verified}
    """


def versions_sql(survey):
    return f"survey_id = {lit(survey.id)} AND survey_version IN ({', '.join(map(str, survey.versions))})"


def sqlite_batches(db, survey, folder):
    """Reads the survey's rows with sqlite3, BATCH at a time, and writes each batch as a
    tab-separated file (iso_week, verified, answers: JSON text has no raw tab or newline)
    in `folder`; yields the file names."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cur = src.execute(
        "SELECT iso_week || char(9) || pow_verified || char(9) || answers FROM responses WHERE " + versions_sql(survey)
    )
    for i in itertools.count():
        rows = cur.fetchmany(BATCH)
        if not rows:
            break
        path = os.path.join(folder, f"batch-{i}.tsv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join([r[0] for r in rows]))
        yield path
    src.close()


def threaded(gen, depth=1):
    """Runs `gen` on a reader thread, up to `depth` items ahead of the consumer."""
    q = queue.Queue(maxsize=depth)
    done = object()
    failure = []

    def work():
        try:
            for item in gen:
                q.put(item)
        except BaseException as e:  # re-raised in the consumer
            failure.append(e)
        q.put(done)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    while (item := q.get()) is not done:
        yield item
    t.join()
    if failure:
        raise failure[0]


def tsv(path):
    return f"""(SELECT iso_week, verified = 1 AS verified, answers FROM read_csv({lit(path)}, delim = '\t',
               quote = '', escape = '', header = false,
               columns = {{'iso_week': 'VARCHAR', 'verified': 'INTEGER', 'answers': 'VARCHAR'}}))"""


def load_sqlite(con, survey, db):
    """sqlite3 reads and writes batch k+1 while DuckDB parses batch k (in parallel, with
    its CSV reader and JSON functions) into `r`; each batch file is deleted once loaded.
    The batch files go to a memory-backed folder where there is one (/dev/shm)."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    # The reader thread keeps one core busy: DuckDB gets the others while loading.
    con.execute(f"SET threads = {max(1, (os.cpu_count() or 1) - 1)}")
    with tempfile.TemporaryDirectory(prefix="duck-report-", dir=base) as folder:
        first = True
        for path in threaded(sqlite_batches(db, survey, folder)):
            select = parse_sql(survey, tsv(path))
            con.execute(f"CREATE TABLE r AS {select}" if first else f"INSERT INTO r {select}")
            first = False
            os.remove(path)
        if first:
            empty = "(SELECT NULL::VARCHAR AS iso_week, NULL::BOOLEAN AS verified, NULL::VARCHAR AS answers LIMIT 0)"
            con.execute(f"CREATE TABLE r AS {parse_sql(survey, empty)}")
    con.execute("RESET threads")


def load_parquet(con, survey, path):
    source = f"(SELECT iso_week, pow_verified = 1 AS verified, answers FROM read_parquet({lit(path)}) WHERE {versions_sql(survey)})"
    con.execute(f"CREATE TABLE r AS {parse_sql(survey, source)}")


def export(db, out):
    """The rows as stored, to Parquet (not timed by the benchmark)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE raw (response_id VARCHAR, survey_id VARCHAR, survey_version BIGINT, iso_week VARCHAR, answers VARCHAR, pow_verified BIGINT)")
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cur = src.execute("SELECT response_id, survey_id, survey_version, iso_week, answers, pow_verified FROM responses")
    while rows := cur.fetchmany(BATCH):
        # One string per batch, as in `sqlite` mode; fields joined by a byte JSON text escapes.
        text = "\n".join("\x1f".join(map(str, r)) for r in rows)
        con.execute(
            "INSERT INTO raw SELECT f[1], f[2], f[3]::BIGINT, f[4], f[5], f[6]::BIGINT FROM "
            "(SELECT string_split(l, chr(31)) AS f FROM (SELECT unnest(string_split($1, chr(10))) AS l))",
            [text],
        )
    con.execute(f"COPY raw TO {lit(out)} (FORMAT parquet)")


def count_filter(cond):
    return f"count_if({cond})"


def matches(survey, qid, options):
    """SQL condition: the answer to `qid` is one of `options`."""
    if survey.kinds[qid] == "multi":
        return " OR ".join(f"list_contains({ident(qid)}, {lit(o)})" for o in options)
    if survey.kinds[qid] == "likert":
        return f"{ident(qid)} IN ({', '.join(options)})"
    return f"{ident(qid)} IN ({', '.join(map(lit, options))})"


def indicator_aggregates(survey):
    aggs = []
    for ind, (q, counts, among) in INDICATORS.items():
        aggs.append(f"{count_filter(matches(survey, q, counts))} AS {ident('ic:' + ind)}")
        n = count_filter(matches(survey, q, among)) if among else f"count({ident(q)})"
        aggs.append(f"{n} AS {ident('in:' + ind)}")
    return aggs


def compute(con, survey, out):
    """The seven tables from `r`, in three aggregations (one scan each), written as CSV."""
    last = con.execute("SELECT max(wave::VARCHAR) FROM r").fetchone()[0]
    if last is None:
        sys.exit("no closed wave with responses")
    grp = "CASE WHEN grouping(main_platform) = 1 THEN 'all' ELSE main_platform::VARCHAR END"
    # Every closed wave, by platform and for all: respondents and indicators (trends).
    con.execute(f"""
        CREATE TABLE by_wave AS
        SELECT wave::VARCHAR AS wave, {grp} AS main_platform, count(*) AS respondents, {', '.join(indicator_aggregates(survey))}
        FROM r GROUP BY GROUPING SETS ((wave, main_platform), (wave))
    """)
    # The last wave, by platform and for all: every answer count and n, the quartiles.
    aggs = []
    for q in survey.answer_questions:
        aggs.append(f"count({ident(q)}) AS {ident('n:' + q)}")
        for o in survey.options[q]:
            aggs.append(f"{count_filter(matches(survey, q, [o]))} AS {ident('c:' + q + ':' + o)}")
    for q in survey.number_questions:
        aggs.append(f"count({ident(q)}) AS {ident('n:' + q)}")
        aggs.append(f"quantile_cont({ident(q)}, [0.25, 0.5, 0.75]) AS {ident('q:' + q)}")
    con.execute(f"""
        CREATE TABLE last_wave AS
        SELECT {grp} AS main_platform, {', '.join(aggs)}
        FROM r WHERE wave = {lit(last)} GROUP BY GROUPING SETS ((main_platform), ())
    """)
    # The last wave, all platforms, by category and by region: the indicators.
    con.execute(f"""
        CREATE TABLE by_dim AS
        SELECT CASE WHEN grouping(category) = 0 THEN 'category' ELSE 'region' END AS dim,
               coalesce(category::VARCHAR, region::VARCHAR) AS grp, {', '.join(indicator_aggregates(survey))}
        FROM r WHERE wave = {lit(last)} GROUP BY GROUPING SETS ((category), (region))
    """)

    share = "count / n AS share, wilson_low(count, n) AS ci_low, wilson_high(count, n) AS ci_high"
    con.execute(f"""
        CREATE MACRO wilson_centre(x, n) AS (x / n + {Z}^2 / (2 * n)) / (1 + {Z}^2 / n);
        CREATE MACRO wilson_half(x, n) AS {Z} * sqrt((x / n) * (1 - x / n) / n + {Z}^2 / (4 * n * n)) / (1 + {Z}^2 / n);
        CREATE MACRO wilson_low(x, n) AS CASE WHEN n > 0 THEN greatest(wilson_centre(x::DOUBLE, n::DOUBLE) - wilson_half(x::DOUBLE, n::DOUBLE), 0) END;
        CREATE MACRO wilson_high(x, n) AS CASE WHEN n > 0 THEN least(wilson_centre(x::DOUBLE, n::DOUBLE) + wilson_half(x::DOUBLE, n::DOUBLE), 1) END;
    """)

    def copy(name, query):
        con.execute(f"COPY ({query}) TO {lit(os.path.join(out, name + '.csv'))} (HEADER, DELIMITER ',')")

    def indicators_long(keys, source):
        parts = " UNION ALL ".join(
            f"SELECT {keys}, {lit(ind)} AS indicator, {ident('ic:' + ind)} AS count, {ident('in:' + ind)} AS n FROM {source}"
            for ind in INDICATORS
        )
        return f"SELECT *, {share} FROM ({parts})"

    copy("respondents", "SELECT wave, main_platform, respondents AS n FROM by_wave")
    copy("trends", indicators_long("wave, main_platform", "by_wave"))
    copy("indicators", indicators_long("wave, main_platform", f"by_wave WHERE wave = {lit(last)}"))
    copy("by_category", indicators_long(f"{lit(last)} AS wave, grp AS category", "by_dim WHERE dim = 'category'"))
    copy("by_region", indicators_long(f"{lit(last)} AS wave, grp AS region", "by_dim WHERE dim = 'region'"))
    counts = " UNION ALL ".join(
        f"SELECT main_platform, {lit(q)} AS question_id, {lit(o)} AS option_id, {ident('c:' + q + ':' + o)} AS count, {ident('n:' + q)} AS n FROM last_wave"
        for q in survey.answer_questions
        for o in survey.options[q]
    )
    copy("answers", f"SELECT {lit(last)} AS wave, main_platform, question_id, option_id, count, n, {share} FROM ({counts})")
    numbers = " UNION ALL ".join(
        f"SELECT main_platform, {lit(q)} AS question_id, {ident('n:' + q)} AS n, {ident('q:' + q)} AS qs FROM last_wave"
        for q in survey.number_questions
    )
    copy("numeric", f"SELECT {lit(last)} AS wave, main_platform, question_id, n, qs[1] AS p25, qs[2] AS median, qs[3] AS p75 FROM ({numbers})")
    return last


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "export":
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        export(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("mode", choices=["sqlite", "parquet"])
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--as-of", type=datetime.date.fromisoformat, default=datetime.date.today())
    ap.add_argument("--surveys", default=os.path.join(ROOT, "surveys"))
    ap.add_argument("--survey", default="platform-treatment")
    args = ap.parse_args()
    started = time.perf_counter()
    survey = Survey(args.surveys, args.survey)
    os.makedirs(args.out, exist_ok=True)
    con = duckdb.connect()
    setup(con, survey, args.as_of)
    if args.mode == "sqlite":
        load_sqlite(con, survey, args.source)
    else:
        load_parquet(con, survey, args.source)
    read_s = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM r").fetchone()[0]
    last = compute(con, survey, args.out)
    phase_s = time.perf_counter() - started
    print(json.dumps({"rows": rows, "last_wave": last, "read_s": round(read_s, 4), "phase_s": round(phase_s, 4)}))


if __name__ == "__main__":
    main()
