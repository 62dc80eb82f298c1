"""The app served as in production for the measurement: gunicorn with ``deploy/gunicorn.conf.py``, DEBUG off.

Plain HTTP on loopback (as ``make serve``), so the numbers are the app's and not nginx's or TLS's. Benchmark mode
(``CLINIC_BENCHMARK=1``) adds the query-count header and the floor page. Workers: the configuration's default
(2 x cores + 1), or ``BENCH_WORKERS``.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """``with AppServer(...) as server:`` gunicorn runs, answering on ``server.port``, until the block ends."""

    def __init__(self, *, database_url: str, secret_key: str, log: Path) -> None:
        self.database_url, self.secret_key, self.log = database_url, secret_key, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "CLINIC_BENCHMARK": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_PROC_NAME": "clinic-bench",
        }
        if os.environ.get("BENCH_WORKERS"):
            env["WEB_CONCURRENCY"] = os.environ["BENCH_WORKERS"]
        return env

    def start(self) -> AppServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            command = [GUNICORN, "-c", "deploy/gunicorn.conf.py", "clinic.wsgi"]
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env(), stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"gunicorn did not answer /healthz within 60 s; see {self.log}")

    def workers(self) -> int:
        import psutil

        return len(psutil.Process(self.process.pid).children()) if self.process else 0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> AppServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
