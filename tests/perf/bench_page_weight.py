"""Each main page's own JavaScript + CSS, gzip-compressed (issue 15's budget: under 150 KB).

    PYTHONPATH=$PWD python tests/perf/bench_page_weight.py

Signs in to a fresh demo account in a temporary instance, requests every main page and
adds up the gzip -9 size of each stylesheet and script the page loads from static/.
tests/web/test_look_and_feel.py asserts the budget; this prints the figures.
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.web.test_look_and_feel import MAIN_PAGES, page_weight  # noqa: E402


def main() -> None:
    from tracker import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "REGISTRATION": "open"}, instance=Path(tmp))
        from tracker.services.database import upgrade_database

        with app.app_context():
            upgrade_database()
        client = app.test_client()
        form = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        client.post("/demo", data={"timezone": "UTC", "csrf_token": token})
        board = client.get("/opportunities/").get_data(as_text=True)
        contacts = client.get("/contacts/").get_data(as_text=True)
        extra = [re.search(r'href="(/contacts/\d+)"', contacts).group(1),
                 re.search(r'href="(/opportunities/\d+)"', board).group(1)]
        print(f"{'page':32} {'JS+CSS gzip':>12}  files")
        for url in MAIN_PAGES + extra + ["/register"]:
            if url == "/register":
                client = app.test_client()
            weight, paths = page_weight(client.get(url).get_data(as_text=True))
            print(f"{url:32} {weight / 1024:9.1f} KB  {', '.join(p.rsplit('/', 1)[-1] for p in paths)}")


if __name__ == "__main__":
    main()
