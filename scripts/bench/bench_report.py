#!/usr/bin/env python3
"""End-to-end report benchmark: `canvass report` from process start to the release on disk,
against a DuckDB peer reading the same SQLite file (Python's sqlite3), and the same peer
over a Parquet export of the rows (compute only; the export is not timed). Same machine,
same run, alternating. Before any timing counts, every number the release publishes
(status ok or low_reliability) must equal the peer's.

Usage: bench_report.py CANVASS_BINARY WORK_DIR [ROWS ...]
  RUNS (default 3) runs per size, median reported; peak RSS of each process via wait4.
Prints a Markdown table and writes it to WORK_DIR/report.md.
"""

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PEER = os.path.join(HERE, "duck_report.py")
SURVEY = "platform-treatment"
# Seeded data: 60 weeks ending 2025-W50, reported as of 2026-01-10 (every wave closed),
# as scripts/release-check.sh does.
WEEKS, UNTIL, SEED, AS_OF = 60, "2025-W50", 7, "2026-01-10"
RELEASE = f"{SURVEY}-2025-Q4"
PUBLISHED = {"ok", "low_reliability"}

# table: (key columns, integer columns, {float column: decimals in the release})
SHARES = {"share": 4, "ci_low": 4, "ci_high": 4}
TABLES = {
    "respondents": (["wave", "main_platform"], ["n"], {}),
    "answers": (["wave", "main_platform", "question_id", "option_id"], ["count", "n"], SHARES),
    "indicators": (["wave", "main_platform", "indicator"], ["count", "n"], SHARES),
    "numeric": (["wave", "main_platform", "question_id"], ["n"], {"p25": 2, "median": 2, "p75": 2}),
    "by_category": (["wave", "category", "indicator"], ["count", "n"], SHARES),
    "by_region": (["wave", "region", "indicator"], ["count", "n"], SHARES),
    "trends": (["wave", "main_platform", "indicator"], ["count", "n"], SHARES),
}


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def compare(release_dir, peer_dir):
    """(cells compared, problems): every published number of the release against the peer.

    Counts and n must be equal (a count the peer never saw is 0); shares, interval bounds
    and quartiles must round to the release's text (within half a unit of its last decimal).
    Every key the peer reports must be one the release lists (same waves, groups, options).
    """
    compared, problems = 0, []
    for table, (keys, ints, floats) in TABLES.items():
        peer = {}
        for row in rows_of(os.path.join(peer_dir, f"{table}.csv")):
            peer[tuple(row[k] for k in keys)] = row
        listed = set()
        for row in rows_of(os.path.join(release_dir, f"{table}.csv")):
            key = tuple(row[k] for k in keys)
            listed.add(key)
            if row["status"] not in PUBLISHED:
                continue
            theirs = peer.get(key, {})
            for col in ints:
                if row[col] == "":
                    continue
                compared += 1
                mine = theirs.get(col) or "0"
                if int(row[col]) != int(float(mine)):
                    problems.append(f"{table} {key} {col}: release {row[col]}, DuckDB {theirs.get(col)}")
            for col, decimals in floats.items():
                if row[col] == "":
                    continue
                compared += 1
                mine = theirs.get(col, "")
                if mine == "" or abs(float(row[col]) - float(mine)) > 0.5 * 10**-decimals + 1e-9:
                    problems.append(f"{table} {key} {col}: release {row[col]}, DuckDB {mine or 'nothing'}")
        for key in sorted(set(peer) - listed):
            problems.append(f"{table} {key}: DuckDB reports it, the release does not list it")
    return compared, problems


def measured(cmd, log):
    """Runs cmd with stdout/stderr to `log`; returns (wall seconds, peak RSS MiB, stdout)."""
    with open(log, "w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(log) as f:
        text = f.read()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text}")
    return wall, usage.ru_maxrss / 1024, text


def seeded(canvass, work, rows):
    """The data folder for `rows` responses, seeded once and cached, with its Parquet export."""
    data = os.path.join(work, f"report-{rows}")
    marker = os.path.join(data, "seeded.json")
    spec = {"responses": rows, "weeks": WEEKS, "until": UNTIL, "seed": SEED}
    try:
        with open(marker) as f:
            ok = json.load(f) == spec
    except (OSError, ValueError):
        ok = False
    if not ok:
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        print(f"seeding {rows:,} responses into {data} (once)", flush=True)
        subprocess.run(
            [canvass, "seed", "--data", data, "--surveys", os.path.join(ROOT, "surveys"),
             "--responses", str(rows), "--weeks", str(WEEKS), "--until", UNTIL, "--seed", str(SEED)],
            check=True, stdout=subprocess.DEVNULL,
        )
        subprocess.run([sys.executable, PEER, "export", os.path.join(data, "canvass.db"), os.path.join(data, "rows.parquet")], check=True)
        with open(marker, "w") as f:
            json.dump(spec, f)
    return data


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    canvass, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    sizes = [int(s) for s in sys.argv[3:]] or [1_000_000, 5_000_000, 10_000_000]
    runs = int(os.environ.get("RUNS", "3"))
    cores = os.cpu_count()
    os.makedirs(work, exist_ok=True)
    lines = [
        f"| rows | cores | `canvass report` end to end (median s) | DuckDB from SQLite (s) | DuckDB from Parquet (s) | ratio Rust / DuckDB-SQLite | ratio Rust / DuckDB-Parquet | Rust peak RSS (MiB) | DuckDB-SQLite peak RSS (MiB) | DuckDB-Parquet peak RSS (MiB) | memory ratio Rust / DuckDB-SQLite | memory ratio Rust / DuckDB-Parquet | cells compared |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary = []
    for rows in sizes:
        data = seeded(canvass, work, rows)
        db, parquet = os.path.join(data, "canvass.db"), os.path.join(data, "rows.parquet")
        scratch = os.path.join(work, f"runs-{rows}")
        release = os.path.join(scratch, "rust", RELEASE)
        commands = {
            "rust": [canvass, "report", "--data", data, "--out", os.path.join(scratch, "rust"),
                     "--surveys", os.path.join(ROOT, "surveys"), "--as-of", AS_OF],
            "sqlite": [sys.executable, PEER, "sqlite", db, os.path.join(scratch, "sqlite"), "--as-of", AS_OF],
            "parquet": [sys.executable, PEER, "parquet", parquet, os.path.join(scratch, "parquet"), "--as-of", AS_OF],
        }
        wall = {name: [] for name in commands}
        rss = {name: [] for name in commands}
        compared = None
        order = list(commands)
        for i in range(runs):
            shutil.rmtree(scratch, ignore_errors=True)
            os.makedirs(scratch)
            # Alternate, and rotate who goes first, so that no side always gets a warm cache.
            for name in order[i % 3:] + order[: i % 3]:
                w, m, _ = measured(commands[name], os.path.join(scratch, f"{name}.log"))
                wall[name].append(w)
                rss[name].append(m)
            if not os.path.isdir(release):
                sys.exit(f"canvass report wrote no {release}")
            for peer in ("sqlite", "parquet"):
                n, problems = compare(release, os.path.join(scratch, peer))
                if problems:
                    for p in problems[:30]:
                        print("differs:", p)
                    sys.exit(f"{rows:,} rows: {len(problems)} of {n} published numbers differ between the release and DuckDB ({peer}): no timings reported")
                if compared is not None and n != compared:
                    sys.exit(f"{rows:,} rows: {n} numbers compared in one run, {compared} in another")
                compared = n
            if i == 0:
                print(f"{rows:,} rows: {compared:,} published numbers identical in the release, DuckDB from SQLite and DuckDB from Parquet", flush=True)
            print(f"  run {i + 1}: " + "; ".join(f"{name} {wall[name][-1]:.2f}s {rss[name][-1]:.0f} MiB" for name in commands), flush=True)
        t = {name: statistics.median(v) for name, v in wall.items()}
        m = {name: max(v) for name, v in rss.items()}
        summary.append((rows, t, m))
        lines.append(
            f"| {rows:,} | {cores} | {t['rust']:.2f} | {t['sqlite']:.2f} | {t['parquet']:.2f} | {t['rust'] / t['sqlite']:.2f} | {t['rust'] / t['parquet']:.2f} "
            f"| {m['rust']:.0f} | {m['sqlite']:.0f} | {m['parquet']:.0f} | {m['rust'] / m['sqlite']:.2f} | {m['rust'] / m['parquet']:.2f} | {compared:,} |"
        )
    table = "\n".join(lines)
    if len(summary) > 1:
        base_rows, base_t, base_m = summary[0]
        table += "\n\nGrowth against the smallest size (time and peak memory, × the first row):\n\n"
        table += "| rows | × rows | Rust time | DuckDB-SQLite time | DuckDB-Parquet time | Rust memory | DuckDB-SQLite memory | DuckDB-Parquet memory |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for rows, t, m in summary[1:]:
            table += (
                f"| {rows:,} | {rows / base_rows:.1f} | {t['rust'] / base_t['rust']:.2f} | {t['sqlite'] / base_t['sqlite']:.2f} | {t['parquet'] / base_t['parquet']:.2f} "
                f"| {m['rust'] / base_m['rust']:.2f} | {m['sqlite'] / base_m['sqlite']:.2f} | {m['parquet'] / base_m['parquet']:.2f} |\n"
            )
    table += f"\nMedian of {runs} run(s) per size, peak RSS the largest of the runs; machine: {cores} cores.\n"
    print(table)
    with open(os.path.join(work, "report.md"), "w") as f:
        f.write(table)


if __name__ == "__main__":
    main()
