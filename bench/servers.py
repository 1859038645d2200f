"""Start and stop gunicorn the way the production docs say; read worker memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import BENCH_DIR, TMP_DIR

ROOT = BENCH_DIR.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def forum_env(database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    """Production settings, as the README's production section gives them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORUM_")}
    env.update(
        {
            "FORUM_ENV": "production",
            "FORUM_SECRET_KEY": secret_key,
            "FORUM_DATABASE_URL": database_url,
            "FORUM_NOINDEX_SITE": "true",
            "FORUM_MAIL_BACKEND": "file",
        }
    )
    env.update(extra)
    return env


def new_secret() -> str:
    return secrets.token_urlsafe(48)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The master's child processes (its workers), from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_cpu_ticks(self) -> dict[int, int]:
        """User + system CPU time of each worker so far, in clock ticks (from /proc)."""
        ticks = {}
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks[pid] = int(fields[11]) + int(fields[12])
        return ticks

    def worker_rss_mb(self, field: str = "VmRSS") -> list[float]:
        """Resident memory of each worker process, in MiB: all of it (VmRSS), or only its
        own (RssAnon), without the database file SQLite maps into memory (RssFile)."""
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def gunicorn_settings(workers: int, threads: int) -> list[str]:
    return ["--workers", str(workers)] + (["--threads", str(threads)] if threads > 1 else [])


def gunicorn_args(workers: int, threads: int, port: int) -> list[str]:
    return [*gunicorn_settings(workers, threads), "--bind", f"127.0.0.1:{port}"]


def start(
    name: str, app: str, env: dict[str, str], workers: int, threads: int, port: int | None = None
) -> Server:
    """gunicorn serving `app` ("module:variable"); returns once it answers."""
    port = port or free_port()
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    log = TMP_DIR / f"gunicorn-{name}.log"
    log.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        *gunicorn_args(workers, threads, port),
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {name} exited: {server.log_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError:
            time.sleep(0.1)
            continue
        if len(server.worker_pids()) >= workers:
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn {name} did not start: {server.log_text()[-2000:]}")
