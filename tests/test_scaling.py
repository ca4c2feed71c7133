"""Two app servers on one PostgreSQL database behave as one app (README, "Scaling").

Two `tracker serve` processes with different instance folders and ports share only
TRACKER_DATABASE_URL and TRACKER_SECRET_KEY. A session signed in on A works on B; a contact
created on A is listed by B; a vCard import uploaded to A is analysed (in A's background
thread) and its progress and preview are read from B; the calendar feed address made on A
is served by B. Nothing of it may live in one process's memory.

Runs only on PostgreSQL (TRACKER_TEST_DATABASE_URL): SQLite is one file on one machine.
"""
from __future__ import annotations

import html
import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.browser.conftest import LiveServer
from tests.conftest import postgres_only

pytestmark = [
    postgres_only,  # several app servers need a shared PostgreSQL
    pytest.mark.slow,
]

SECRET = "shared-between-servers"
CARDS = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Scaling Sam\r\nN:Sam;Scaling;;;\r\nEMAIL:sam@scale.example\r\nEND:VCARD\r\n"
         "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Balanced Bea\r\nN:Bea;Balanced;;;\r\nORG:Load Ltd\r\nEND:VCARD\r\n")


def Server(folder: Path, database_url: str) -> LiveServer:
    """`tracker serve` on its own port and instance folder, sharing the database and the key."""
    folder.mkdir()
    return LiveServer(folder, {"TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": SECRET,
                               "TRACKER_AUTO_MIGRATE": "0"})


class Browser:
    """One cookie jar used against any server, as a browser behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[str, str]:
        with self.opener.open(url) as response:
            return response.geturl(), response.read().decode()

    def post(self, url: str, fields: dict, files: dict | None = None) -> tuple[str, str]:
        if files:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in fields.items()]
            for name, (filename, data) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                             f'\r\nContent-Type: text/vcard\r\n\r\n'.encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            request = urllib.request.Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        else:
            request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode())
        with self.opener.open(request) as response:
            return response.geturl(), response.read().decode()


def form_fields(page: str, action: str | None = None) -> tuple[dict[str, str], list[str]]:
    """The hidden inputs and the file inputs' names of the form posting to `action` (None:
    the first post form without an action, which posts back to the page's own address)."""
    target = rf'action="{re.escape(action)}"[^>]*' if action else r'method="post"(?![^>]*action=)[^>]*'
    form = re.search(rf'<form[^>]*{target}>(.*?)</form>', page, re.S).group(1)
    hidden = {m.group(1): html.unescape(m.group(2)) for m in re.finditer(
        r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    hidden.update({m.group(2): html.unescape(m.group(1)) for m in re.finditer(
        r'<input[^>]*value="([^"]*)"[^>]*type="hidden"[^>]*name="([^"]+)"', form)})
    hidden.update({m.group(1): html.unescape(m.group(2)) for m in re.finditer(
        r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', form)})
    files = re.findall(r'<input[^>]*type="file"[^>]*name="([^"]+)"|<input[^>]*name="([^"]+)"[^>]*type="file"', form)
    return hidden, [a or b for a, b in files]


@pytest.fixture
def two_servers(tmp_path, database_url):
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.accounts import create_user

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET}, instance=tmp_path)
    with app.app_context():
        create_user("jo@example.com", "correct horse battery")
        db.session.commit()
        db.engine.dispose()
    a, b = Server(tmp_path / "a", database_url), Server(tmp_path / "b", database_url)
    yield a, b
    a.stop()
    b.stop()


def test_session_contacts_imports_and_feed_work_across_servers(two_servers):
    a, b = two_servers
    browser = Browser()

    # Sign in on A; the same cookie is a signed-in session on B.
    _, page = browser.get(a.url + "/login")
    hidden, _ = form_fields(page)
    landed, _ = browser.post(a.url + "/login", {**hidden, "email": "jo@example.com",
                                                "password": "correct horse battery"})
    assert not landed.endswith("/login")
    landed, page = browser.get(b.url + "/contacts/")
    assert landed == b.url + "/contacts/" and "Sign in" not in page

    # A contact created on A is listed (and found by search) on B.
    _, page = browser.get(a.url + "/contacts/new")
    hidden, _ = form_fields(page)
    browser.post(a.url + "/contacts/new", {**hidden, "full_name": "Roundrobin Rae", "role": "peer"})
    assert "Roundrobin Rae" in browser.get(b.url + "/contacts/?q=robin")[1]

    # A vCard import uploaded to A: its progress and preview are read from B.
    _, page = browser.get(a.url + "/transfer/")
    hidden, files = form_fields(page, "/transfer/vcard")
    landed, _ = browser.post(a.url + "/transfer/vcard", hidden, {files[0]: ("cards.vcf", CARDS.encode())})
    job = int(re.search(r"/transfer/jobs/(\d+)", landed).group(1))
    deadline = time.monotonic() + 30
    while True:
        status = json.loads(browser.get(f"{b.url}/transfer/jobs/{job}/status.json")[1])
        if status["status"] != "analysing" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status["status"] == "previewing" and status["processed"] == status["total"] == 2, status
    preview = browser.get(f"{b.url}/transfer/jobs/{job}")[1]
    assert "Scaling Sam" in preview and "Balanced Bea" in preview

    # The calendar feed address made on A is served by B (to a client with no session).
    _, page = browser.get(a.url + "/calendar/")
    hidden, _ = form_fields(page, "/calendar/feed/new")
    _, page = browser.post(a.url + "/calendar/feed/new", hidden)
    token = re.search(r"/calendar/([A-Za-z0-9_-]{20,})\.ics", page).group(1)
    with urllib.request.urlopen(f"{b.url}/calendar/{token}.ics") as response:
        assert response.status == 200 and b"BEGIN:VCALENDAR" in response.read()
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(f"{b.url}/calendar/not-the-token.ics")
    assert gone.value.code == 404
