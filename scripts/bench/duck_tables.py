#!/usr/bin/env python3
"""The pipeline benchmark's DuckDB side: the same tables as the Rust pipeline, in SQL.

Usage: duck_tables.py IN.parquet OUT_DIR
Loads the Parquet into a DuckDB table (timed as `read_s`), then computes every count, n and
quartile the release is built from, by platform, for all platforms, by category and by
region (timed as `phase_s`, including writing the result as CSV). Prints timings as JSON.
"""

import json
import os
import sys
import time

import duckdb

# The headline indicators, restated from docs/methodology.md.
INDICATORS = {
    "suspended_12m": ("suspended_12m", ["yes"], ["yes", "no"]),
    "no_clear_reason": ("suspension_reason_clear", ["no"], None),
    "payout_held_12m": ("payout_held_12m", ["yes"], ["yes", "no"]),
    "fee_impact_high": ("fee_impact", ["4", "5"], None),
    "support_poor": ("support_rating", ["1", "2"], None),
    "arbitration_unaware": ("arbitration_aware", ["no", "unsure"], None),
    "pace_pressure_high": ("pace_pressure", ["4", "5"], None),
    "collective_action_yes": ("collective_action", ["yes"], None),
}


def sql_list(values):
    return ", ".join("'" + v + "'" for v in values)


def main():
    source, out = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"CREATE TABLE r AS SELECT * FROM read_parquet('{source}')")
    read_s = time.perf_counter() - started

    columns = con.execute("DESCRIBE r").fetchall()
    kinds = {name: dtype for name, dtype, *_ in columns}
    parts = []
    by = "GROUP BY GROUPING SETS ((wave, main_platform, {q}), (wave, {q}))"
    grp = "coalesce(CAST(main_platform AS VARCHAR), 'all')"
    parts.append(
        f"SELECT 'respondents' AS kind, wave, {grp} AS grp, '' AS item, '' AS option, count(*) AS value "
        "FROM r GROUP BY GROUPING SETS ((wave, main_platform), (wave))"
    )
    for q, dtype in kinds.items():
        if q in ("wave", "verified", "main_platform"):
            continue
        if dtype.endswith("[]"):
            parts.append(
                f"SELECT 'answer_count', wave, {grp}, '{q}', CAST(o AS VARCHAR), count(*) "
                f"FROM (SELECT wave, main_platform, unnest({q}) AS o FROM r WHERE {q} IS NOT NULL) "
                "GROUP BY GROUPING SETS ((wave, main_platform, o), (wave, o))"
            )
            parts.append(
                f"SELECT 'answer_n', wave, {grp}, '{q}', '', count({q}) FROM r "
                "GROUP BY GROUPING SETS ((wave, main_platform), (wave))"
            )
        elif dtype in ("BIGINT", "INTEGER"):
            parts.append(
                f"SELECT 'numeric_n', wave, {grp}, '{q}', '', count({q}) FROM r "
                "GROUP BY GROUPING SETS ((wave, main_platform), (wave))"
            )
            for name, p in (("p25", 0.25), ("median", 0.5), ("p75", 0.75)):
                parts.append(
                    f"SELECT '{name}', wave, {grp}, '{q}', '', quantile_cont({q}, {p}) FROM r "
                    f"WHERE {q} IS NOT NULL GROUP BY GROUPING SETS ((wave, main_platform), (wave))"
                )
        else:
            parts.append(
                f"SELECT 'answer_count', wave, {grp}, '{q}', CAST({q} AS VARCHAR), count(*) FROM r "
                f"WHERE {q} IS NOT NULL " + by.format(q=q)
            )
            parts.append(
                f"SELECT 'answer_n', wave, {grp}, '{q}', '', count({q}) FROM r "
                "GROUP BY GROUPING SETS ((wave, main_platform), (wave))"
            )
    for ind, (q, counts, among) in INDICATORS.items():
        c = f"count(*) FILTER (WHERE CAST({q} AS VARCHAR) IN ({sql_list(counts)}))"
        n = (
            f"count(*) FILTER (WHERE CAST({q} AS VARCHAR) IN ({sql_list(among)}))"
            if among
            else f"count({q})"
        )
        for dim, key in (("main_platform", grp), ("category", "'category:' || category"), ("region", "'region:' || region")):
            sets = "GROUPING SETS ((wave, main_platform), (wave))" if dim == "main_platform" else f"wave, {dim}"
            where = "" if dim == "main_platform" else f"WHERE {dim} IS NOT NULL"
            parts.append(f"SELECT 'ind_count', wave, {key}, '{ind}', '', {c} FROM r {where} GROUP BY {sets}")
            parts.append(f"SELECT 'ind_n', wave, {key}, '{ind}', '', {n} FROM r {where} GROUP BY {sets}")

    query = "\nUNION ALL\n".join(parts)
    started = time.perf_counter()
    target = os.path.join(out, "duck_cells.csv")
    con.execute(f"COPY ({query}) TO '{target}' (HEADER, DELIMITER ',')")
    phase_s = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM r").fetchone()[0]
    print(json.dumps({"rows": rows, "read_s": round(read_s, 4), "phase_s": round(phase_s, 4)}))


if __name__ == "__main__":
    main()
