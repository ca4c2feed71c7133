"""Several server processes writing at once never show a user "database is locked"."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request

from tests.browser.conftest import LiveServer
from tests.test_cli import count_rows

WORKERS, THREADS, POSTS_EACH = 3, 8, 12


class Browser:
    """Just enough of a browser: cookies and the form's CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def post(self, path: str, data: dict, token: str) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)


def test_concurrent_writers_across_processes(tmp_path, databases):
    from tests.conftest import ON_POSTGRES

    url = databases.empty() if ON_POSTGRES else None
    if url:
        (tmp_path / "tracker.toml").write_text(f'database_url = "{url}"\n')
    server = LiveServer(tmp_path, workers=WORKERS)
    try:
        browser = Browser(server.url)
        token = browser.token("/register")
        status, _ = browser.post("/register", {"email": "jo@example.com", "password": "correct horse battery",
                                               "confirm": "correct horse battery", "timezone": "UTC"}, token)
        assert status == 200  # followed the redirect to the dashboard
        token = browser.token("/contacts/new")
        failures: list[str] = []

        def write(n: int) -> None:
            for i in range(POSTS_EACH):
                status, body = browser.post("/contacts/new", {"full_name": f"Person {n}-{i}", "role": "peer",
                                                              "company": f"Race {i}", "tags": f"load, tag {i}"}, token)
                # One cookie shared by parallel threads loses flash messages; the page is the proof.
                if status != 200 or f"<title>Person {n}-{i} · tracker</title>" not in body:
                    failures.append(f"{status}: {body[:200]}")

        threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert failures == [], "\n".join(line for line in log.splitlines() if "WARNING" in line or "Error" in line)[-4000:]
    assert "database is locked" not in log
    assert count_rows(tmp_path, "contacts") == THREADS * POSTS_EACH
    assert count_rows(tmp_path, "companies") == POSTS_EACH  # every thread raced to create "Race i": one each
    if url:
        databases.drop(url)
