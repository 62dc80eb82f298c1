"""The systemd units of docs/deploy.md are valid (systemd-analyze verify), with the paths pointed at this checkout.

No systemd runs the units here (the check machine has no init system to spare); their gunicorn command line is the
one tests/deploy/stack.py runs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.support import BASE_DIR, PYTHON

UNITS = BASE_DIR / "deploy" / "systemd"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_verify_cleanly(tmp_path):
    venv = str(Path(PYTHON).parents[1])  # the virtualenv running the tests
    for unit in UNITS.iterdir():
        text = unit.read_text().replace("/srv/clinic/app/.venv", venv).replace("/srv/clinic/app", str(BASE_DIR))
        name = unit.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(text)
    units = sorted(str(path) for path in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    gunicorn_line = next(line for line in (tmp_path / "clinic@8001.service").read_text().splitlines()
                         if line.startswith("ExecStart="))  # fmt: skip
    assert "gunicorn -c deploy/gunicorn.conf.py clinic.wsgi" in gunicorn_line
