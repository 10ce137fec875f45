#!/usr/bin/env python3
"""Pipeline benchmark: the Rust pipeline (tables + disclosure control + audit + writing the
release) against DuckDB computing the same tables in SQL, on the same Parquet file, in the
same run, alternating. Outputs are compared for equality before any timing counts.

Usage: bench_pipeline.py BENCH_BINARY WORK_DIR [ROWS ...]
Prints a Markdown table (medians, ratios, peak memory) and writes it to WORK_DIR/pipeline.md.
"""

import csv
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPEATS = {1_000_000: 5, 5_000_000: 3}
QUANTILES = {"p25", "median", "p75"}


def measured(cmd):
    """Runs cmd, returns (parsed JSON stdout, peak RSS in MiB) via wait4's rusage."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    # communicate() already reaped the child; ru_maxrss of our children is cumulative,
    # so each run is measured in its own subprocess wrapper instead (see `wrap`).
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{err}")
    return json.loads(out.strip().splitlines()[-1])


def wrap(cmd):
    """Runs cmd in a fresh Python child that reports the grandchild's peak RSS."""
    code = (
        "import json,os,resource,subprocess,sys\n"
        "p=subprocess.run(sys.argv[1:],capture_output=True,text=True)\n"
        "sys.stderr.write(p.stderr)\n"
        "r=json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode==0 else None\n"
        "rss=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024\n"
        "print(json.dumps({'result':r,'rss_mib':rss,'code':p.returncode}))\n"
    )
    res = measured([sys.executable, "-c", code] + cmd)
    if res["code"] != 0:
        sys.exit(f"{cmd} failed")
    return res["result"], res["rss_mib"]


def load(path):
    cells = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["kind"], int(row["wave"]), row["grp"], row["item"], row["option"])
            cells[key] = float(row["value"])
    return cells


def compare(rust_path, duck_path):
    rust, duck = load(rust_path), load(duck_path)
    problems = []
    for key in sorted(set(rust) | set(duck)):
        a, b = rust.get(key, 0.0), duck.get(key, 0.0)
        if key[0] in QUANTILES:
            if key not in rust or key not in duck or abs(a - b) > 1e-6:
                problems.append((key, a, b))
        elif a != b:
            problems.append((key, a, b))
    return len(set(rust) | set(duck)), problems


def main():
    binary, work = sys.argv[1], sys.argv[2]
    sizes = [int(s) for s in sys.argv[3:]] or [1_000_000, 5_000_000]
    os.makedirs(work, exist_ok=True)
    lines = [
        "| rows | Rust pipeline: tables + disclosure + audit + write (median s) | of which tables | of which disclosure + audit | DuckDB: same tables + write (median s) | time ratio Rust/DuckDB | tables-only ratio | Rust peak RSS (MiB) | DuckDB peak RSS (MiB) | memory ratio | cells compared |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in sizes:
        parquet = os.path.join(work, f"responses-{rows}.parquet")
        if not os.path.exists(parquet):
            subprocess.run([binary, "generate", str(rows), parquet], check=True)
        rust_times, duck_times, rust_rss, duck_rss = [], [], [], []
        rust_tables, rust_protect = [], []
        compared = None
        for i in range(REPEATS.get(rows, 3)):
            out = os.path.join(work, f"out-{rows}")
            subprocess.run(["rm", "-rf", out], check=True)
            os.makedirs(out)
            r, r_rss = wrap([binary, "run", parquet, out])
            d, d_rss = wrap([sys.executable, os.path.join(HERE, "duck_tables.py"), parquet, out])
            if i == 0:
                compared, problems = compare(os.path.join(out, "rust_cells.csv"), os.path.join(out, "duck_cells.csv"))
                if problems:
                    for p in problems[:20]:
                        print("differs:", p)
                    sys.exit(f"{len(problems)} numbers differ between Rust and DuckDB: no timings reported")
                print(f"{rows} rows: {compared} numbers identical in Rust and DuckDB", flush=True)
            rust_times.append(r["phase_s"])
            rust_tables.append(r["tables_s"])
            rust_protect.append(r["protect_s"])
            duck_times.append(d["phase_s"])
            rust_rss.append(r_rss)
            duck_rss.append(d_rss)
            print(f"  run {i + 1}: rust {r['phase_s']:.3f}s (tables {r['tables_s']:.3f}s, protection {r['protect_s']:.3f}s) {r_rss:.0f} MiB (read {r['read_s']:.3f}s, {r['suppressed_cells']} cells suppressed, {r['audited']} audited); duckdb {d['phase_s']:.3f}s {d_rss:.0f} MiB (read {d['read_s']:.3f}s)", flush=True)
        rt, dt = statistics.median(rust_times), statistics.median(duck_times)
        rm, dm = max(rust_rss), max(duck_rss)
        tt, pt = statistics.median(rust_tables), statistics.median(rust_protect)
        lines.append(
            f"| {rows:,} | {rt:.3f} | {tt:.3f} | {pt:.3f} | {dt:.3f} | {rt / dt:.2f} | {tt / dt:.2f} | {rm:.0f} | {dm:.0f} | {rm / dm:.2f} | {compared:,} |"
        )
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(work, "pipeline.md"), "w") as f:
        f.write(table + "\n")


if __name__ == "__main__":
    main()
