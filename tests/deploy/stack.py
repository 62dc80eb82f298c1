"""The production setup on loopback, for the automated checks: nginx (TLS, self-signed) in front of N gunicorn
instances of the app, all sharing one PostgreSQL database. Used by tests/deploy, ``make loadtest`` and
``make faults``. Files (certificate, rendered nginx config, logs) go to a work directory.

Every file it runs comes from deploy/: ``deploy/gunicorn.conf.py`` and ``deploy/nginx/clinic.conf``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.support import BASE_DIR, PYTHON, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
SERVER_NAME = "localhost"
SECRET_KEY = "deploy-check-" + "k" * 50  # the instances must share one signing key (sessions, CSRF)


def nginx_available() -> bool:
    return Path(NGINX).exists()


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={SERVER_NAME}",
         "-addext", f"subjectAltName=DNS:{SERVER_NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Instance:
    """One gunicorn instance (master + workers) of the app."""

    port: int
    process: subprocess.Popen
    log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]


@dataclass
class Stack:
    """nginx + ``instances`` gunicorn instances against ``database_url``; start() and stop()."""

    database_url: str
    workdir: Path
    instances: int = 2
    workers: int = 2
    timeout: int = 30
    extra_env: dict[str, str] = field(default_factory=dict)
    apps: list[Instance] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    http_port: int = 0
    https_port: int = 0

    @property
    def base_url(self) -> str:
        return f"https://{SERVER_NAME}:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://{SERVER_NAME}:{self.http_port}"

    @property
    def static_root(self) -> Path:
        return self.workdir / "staticfiles"

    @property
    def certificate(self) -> Path:
        return self.workdir / "cert.pem"

    @property
    def access_log(self) -> Path:
        return self.workdir / "nginx-access.log"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": SERVER_NAME,
            "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
            "CLINIC_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_STATIC_ROOT": str(self.static_root),  # its own copy: stacks on two test workers never share one
            **self.extra_env,
        }

    def collectstatic(self) -> None:
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=BASE_DIR, env=self.env(),
                       check=True)  # fmt: skip

    def start(self) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.collectstatic()
        for _ in range(self.instances):
            self.start_instance()
        self.start_nginx()
        return self

    def start_instance(self) -> Instance:
        port = free_port(18100 + 10 * len(self.apps))
        log = self.workdir / f"gunicorn-{port}.log"
        env = {**self.env(), "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(self.workers),
               "GUNICORN_TIMEOUT": str(self.timeout), "GUNICORN_PROC_NAME": f"clinic-check-{port}"}  # fmt: skip
        with log.open("ab") as out:
            process = subprocess.Popen([GUNICORN, "-c", "deploy/gunicorn.conf.py", "clinic.wsgi"], cwd=BASE_DIR,
                                       env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        wait_for_port(port)
        instance = Instance(port=port, process=process, log=log)
        self.apps.append(instance)
        return instance

    def start_nginx(self) -> None:
        cert, key = make_certificate(self.workdir)
        self.http_port = free_port(18400)
        self.https_port = free_port(self.http_port + 1)
        servers = "\n    ".join(f"server {app.address} max_fails=1 fail_timeout=5s;" for app in self.apps)
        site = (BASE_DIR / "deploy/nginx/clinic.conf").read_text()
        values = {
            "APP_SERVERS": servers, "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{self.https_port}", "SERVER_NAME": SERVER_NAME,
            "HTTPS_HOST": f"$host:{self.https_port}", "SSL_CERTIFICATE": str(cert), "SSL_CERTIFICATE_KEY": str(key),
            "STATIC_ROOT": str(self.static_root), "ACCESS_LOG": str(self.access_log),
        }  # fmt: skip
        lines = site.splitlines()  # comments mention the placeholders too: leave them as they are
        site = "\n".join(
            line if line.lstrip().startswith("#") else re.sub(r"@([A-Z_0-9]+)@", lambda m: values[m[1]], line)
            for line in lines
        )
        (self.workdir / "clinic.conf").write_text(site)
        temp = self.workdir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = (
            f"{user}worker_processes 1;\npid {self.workdir}/nginx.pid;\nerror_log {self.workdir}/nginx-error.log;\n"
            "daemon off;\nevents { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  sendfile on;\n"
            f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
            f"  include {self.workdir}/clinic.conf;\n}}\n"
        )
        (self.workdir / "nginx.conf").write_text(main)
        subprocess.run([NGINX, "-t", "-q", "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)], check=True)
        self.nginx = subprocess.Popen([NGINX, "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)])
        wait_for_port(self.https_port)

    def stop(self) -> None:
        processes = ([self.nginx] if self.nginx else []) + [app.process for app in self.apps]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                process.kill()

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def upstream_log(self) -> list[tuple[str, str, int, str]]:
        """(method, path, status, upstream address) for each request nginx has logged so far."""
        pattern = re.compile(r'"(\S+) (\S+)" (\d{3}) .* upstream=(\S+)')
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [(m[1], m[2], int(m[3]), m[4]) for m in map(pattern.search, lines) if m]
