"""The results table (Markdown), printed and saved with the JSON under bench/results/."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from statistics import mean

from bench.dataset import BENCH_DIR

RESULTS_DIR = BENCH_DIR / "results"
GUEST_TARGET, SIGNED_IN_TARGET, MAX_QUERIES = 0.25, 0.10, 8
TARGET_PAGES = ("home", "category", "thread")
SEARCH_TARGET, SEARCH_P50_MS = 0.10, 50


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=BENCH_DIR.parent,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "commit": commit,
        "load_average_start": list(os.getloadavg()),
    }


def summarise(page: dict, ceiling: list[dict], all_ceilings: list[dict]) -> dict:
    """Mean over rounds. Two ratios, because the ceiling of a shared VM can swing
    threefold between two 5-second runs: page/ceiling for each run, then averaged; and
    the page's mean over the mean of every ceiling run of the benchmark. Targets are
    judged on the lower of the two."""
    rounds = page["rounds"]
    alone = page.get("unloaded_rounds")
    return {
        "rps": [r["rps"] for r in rounds],
        "p50_ms": round(mean(r["p50_ms"] for r in rounds), 2),
        # One request at a time (wrk -c1 -t1): the median a visitor sees on an idle server.
        "p50_c1_ms": round(mean(r["p50_ms"] for r in alone), 2) if alone else None,
        "p99_ms": round(mean(r["p99_ms"] for r in rounds), 2),
        "ratio": mean(r["rps"] / c["rps"] for r, c in zip(rounds, ceiling, strict=True)),
        "ratio_overall": mean(r["rps"] for r in rounds) / mean(c["rps"] for c in all_ceilings),
        "errors": sum(sum(r["errors"].values()) for r in rounds),
    }


def judged_ratio(summary: dict) -> float:
    return min(summary["ratio"], summary.get("ratio_overall", summary["ratio"]))


# Issue 17: while 2 replies a second are posted (the mixed rows), and with every cache off.
MIXED_GUEST_TARGET = 0.30
MIXED_SIGNED_IN_TARGET = {"sqlite": 0.20, "postgresql": 0.15}
UNCACHED_THREAD_TARGET = {"sqlite": 0.12}
UNCACHED_SEARCH_P50_MS = {"sqlite": 20, "postgresql": 40}


def target_for(page: dict, database: str = "sqlite") -> str:
    """Issue 9's and issue 17's targets: ratios for list and thread pages, a median for
    search, and at most MAX_QUERIES statements for every page."""
    name, summary = page["name"], page["summary"]
    queries_ok = (page.get("queries") or 0) <= MAX_QUERIES
    ratio, p50 = judged_ratio(summary), summary["p50_ms"]
    if page.get("floor"):
        return "reference (bench/floor_app.py: no assembly)"
    if page.get("mixed"):
        goal = MIXED_SIGNED_IN_TARGET[database] if page["signed_in"] else MIXED_GUEST_TARGET
        ok, wanted = ratio >= goal, f">= {goal:.0%} while posting, "
    elif name.endswith(", uncached"):
        if name.startswith("search"):
            goal_ms = UNCACHED_SEARCH_P50_MS.get(database, 40)
            if summary.get("p50_c1_ms") is not None:  # the median at one connection
                ok, wanted = summary["p50_c1_ms"] < goal_ms, f"p50 at 1 conn. < {goal_ms} ms, "
            else:
                ok, wanted = p50 < goal_ms, f"p50 < {goal_ms} ms, "
        elif name.startswith("thread") and database in UNCACHED_THREAD_TARGET:
            goal = UNCACHED_THREAD_TARGET[database]
            ok, wanted = ratio >= goal, f">= {goal:.0%}, "
        else:
            ok, wanted = True, ""
    elif any(name.startswith(t) for t in TARGET_PAGES):
        goal = SIGNED_IN_TARGET if page["signed_in"] else GUEST_TARGET
        ok, wanted = ratio >= goal, f">= {goal:.0%}, "
    elif name.startswith("search"):
        ok = ratio >= SEARCH_TARGET and p50 < SEARCH_P50_MS
        wanted = f">= {SEARCH_TARGET:.0%}, p50 < {SEARCH_P50_MS} ms, "
    else:
        ok, wanted = True, ""
    verdict = "met" if ok and queries_ok else "MISSED"
    return f"{verdict} ({wanted}<= {MAX_QUERIES} queries)"


def table(result: dict) -> str:
    head = (
        "| page | req/s (each run) | p50 ms | p99 ms | vs ceiling (per run / overall) "
        "| SQL/request | KiB | target |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    rows = []
    ceiling = result["ceiling"]["rounds"]
    rates = [r["rps"] for r in ceiling]
    rows.append(
        f"| hello (ceiling), {len(rates)} runs | {min(rates):,.0f} to {max(rates):,.0f}, "
        f"mean {mean(rates):,.0f} | {mean(r['p50_ms'] for r in ceiling):.2f} "
        f"| {mean(r['p99_ms'] for r in ceiling):.2f} | 100% | 0 "
        f"| {ceiling[0]['kb_per_response']} | |"
    )
    for page in result["pages"]:
        if page.get("skipped"):
            rows.append(f"| {page['name']} | {page['skipped']} | | | | | | |")
            continue
        s = page["summary"]
        errors = f" ({s['errors']} errors)" if s["errors"] else ""
        rps = " / ".join(f"{x:,.0f}" for x in s["rps"])
        p50 = f"{s['p50_ms']}" + (
            f" (1 conn.: {s['p50_c1_ms']})" if s.get("p50_c1_ms") is not None else ""
        )
        rows.append(
            f"| {page['name']} | {rps}{errors} | {p50} "
            f"| {s['p99_ms']} | {s['ratio']:.1%} / {s.get('ratio_overall', s['ratio']):.1%} "
            f"| {page['queries']} "
            f"| {page['rounds'][0]['kb_per_response']} "
            f"| {target_for(page, result.get('database', 'sqlite'))} |"
        )
    return "\n".join([head, *rows])


def markdown(result: dict) -> str:
    s = result["settings"]
    m = result["machine"]
    memory = result.get("memory_mb", {})
    lines = [
        f"# Read benchmark, {result['started']} ({result['database']})",
        "",
        f"Dataset: {s['dataset']['members']:,} members, {s['dataset']['threads']:,} threads, "
        f"{s['dataset']['posts']:,} posts. gunicorn `{s['gunicorn']}` for both apps; "
        f"wrk `{s['wrk']}`, {s['rounds']} rounds; the ceiling is measured for "
        f"{s.get('ceiling_seconds', 5):g} s right before each page.",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, commit {m['commit']}, "
        f"load average {m['load_average_start'][0]:.1f} at start, "
        f"{result.get('load_average_end', [0])[0]:.1f} at end"
        + (
            " (shared with other work: compare ratios, not absolute numbers)."
            if s.get("shared")
            else "."
        ),
        "",
        table(result),
        "",
        "Ratio per run: page req/s divided by the req/s of the ceiling measured just before "
        "it, averaged over the rounds. Overall: the page's mean req/s divided by the mean of "
        "every ceiling run. Targets are judged on the lower of the two.",
        "p50: the median under wrk's connections; \"1 conn.\": the median with one "
        "request at a time (wrk -c1 -t1, "
        f"{s.get('wrk_unloaded', '-t1 -c1')}), what a visitor sees on an idle server; "
        "the uncached search target is judged on it when it was measured.",
        "SQL/request: statements counted by X-Query-Count (FORUM_BENCH_COUNT_QUERIES=1) "
        "on a separate probe server; the measured server runs without it.",
    ]
    if memory:
        lines += [
            "",
            "Resident memory per worker after the run (VmRSS, MiB): "
            + "; ".join(f"{name}: {', '.join(map(str, sizes))}" for name, sizes in memory.items()),
        ]
    if anon := result.get("memory_anon_mb"):
        lines += [
            "Of which the process's own (RssAnon, MiB; the rest is mostly the database file "
            "SQLite maps into memory, shared with the other workers and the page cache): "
            + "; ".join(f"{name}: {', '.join(map(str, sizes))}" for name, sizes in anon.items()),
        ]
    if result.get("notes"):
        lines += ["", *[f"- {n}" for n in result["notes"]]]
    return "\n".join(lines) + "\n"


def save(result: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M")
    base = RESULTS_DIR / f"{stamp}-read-{result['database']}"
    base.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    base.with_suffix(".md").write_text(markdown(result))
    return base.with_suffix(".md")
