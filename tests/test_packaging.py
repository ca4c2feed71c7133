"""The app runs from a built wheel in a fresh virtual environment, not only from a checkout."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_wheel_installs_and_serves_the_login_page(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("tracker-*.whl"))
    # The wheel must carry what a checkout has at the top level.
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "tracker/_web/templates/base.html" in names
    assert "tracker/_web/static/css/app.css" in names
    assert any(n.startswith("tracker/migrations/versions/0001") for n in names)
    assert "tracker/migrations/alembic.ini" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The fresh venv borrows the test environment's installed dependencies through a .pth line
    # (no network needed). A plain path line does not run the checkout's editable-install hook,
    # so tracker itself can only come from the wheel.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    Path(site, "borrowed-deps.pth").write_text(deps + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    # Nothing of the test run's own may point at the checkout (a PYTHONPATH would import it).
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_") and k != "PYTHONPATH"}
    where = subprocess.run([str(python), "-c", "import tracker; print(tracker.__file__)"], cwd=tmp_path,
                           env=clean, check=True, capture_output=True, text=True).stdout
    assert str(venv) in where, "tracker was imported from the checkout, not the wheel"

    port = _free_port()
    env = dict(clean)
    env["HOME"] = str(tmp_path / "home")  # the instance then defaults to ~/.local/share/tracker
    server = subprocess.Popen([str(venv / "bin" / "tracker"), "serve", "--port", str(port), "--workers", "1"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read().decode()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert "Sign in" in body, server.stdout.read() if server.poll() is not None else "no answer"
        assert (tmp_path / "home" / ".local" / "share" / "tracker" / "tracker.sqlite3").is_file()
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css", timeout=2).read().decode()
        assert "--accent" in css
    finally:
        server.terminate()
        server.wait(10)
