"""Drive load with wrk and read its summary as JSON (through a Lua `done` hook)."""

from __future__ import annotations

import json
import shutil
import subprocess

from bench.dataset import TMP_DIR

REPORT_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
"""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit(
            "wrk is not installed: sudo apt-get install wrk (Debian/Ubuntu), "
            "brew install wrk (macOS)"
        )
    return path


RANDOM_PATHS_LUA = r"""
paths = {%s}
request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
"""


def run(
    port: int,
    path: str | list[str],
    *,
    seconds: float,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
) -> dict:
    """One wrk run against 127.0.0.1:port; requests/s, latency percentiles (ms), errors.

    With a list of paths, each request asks for one of them at random.
    """
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    script = TMP_DIR / f"report-{port}.lua"
    lua = REPORT_LUA
    if isinstance(path, list):
        lua += RANDOM_PATHS_LUA % ", ".join(json.dumps(p) for p in path)
        path = path[0]
    script.write_text(lua)
    cmd = [
        require_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCHJSON "))
    raw = json.loads(line.removeprefix("BENCHJSON "))
    seconds_run = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "kb_per_response": round(raw["bytes"] / max(raw["requests"], 1) / 1024, 1),
        "errors": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
    }
