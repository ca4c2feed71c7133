"""Whole-project rules: settings documented, migrations match models, import directions."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tracker.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented_in_the_readme(name):
    readme = (ROOT / "README.md").read_text()
    assert f"TRACKER_{name}" in readme, f"TRACKER_{name} is not documented in README.md"


def test_readme_documents_no_setting_that_does_not_exist():
    import re

    readme = (ROOT / "README.md").read_text()
    documented = {name for name in re.findall(r"`TRACKER_([A-Z_]+)", readme) if not name.startswith("TEST_")}
    assert documented - set(SETTINGS) - {"INSTANCE"} - set(TEST_ONLY) == set()


# Variables only the test suite reads (not app settings), each with the test file that reads it.
TEST_ONLY = {"FUZZ_EXAMPLES": "tests/web/test_fuzz.py"}


@pytest.mark.parametrize("name", sorted(TEST_ONLY))
def test_test_only_variables_are_documented_and_read(name):
    readme = (ROOT / "README.md").read_text()
    assert f"`TRACKER_{name}" in readme, f"TRACKER_{name} is not documented in README.md"
    assert f'"TRACKER_{name}"' in (ROOT / TEST_ONLY[name]).read_text(), f"{TEST_ONLY[name]} no longer reads it"
    assert name not in SETTINGS


def test_migrations_match_the_models(tmp_path, empty_database_url):
    """Upgrading an empty database to head leaves no autogenerate difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.database import upgrade_database
    from tracker.services.search import include_name

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x"}, instance=tmp_path)
    with app.app_context():
        upgrade_database()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == []


# Which layers may import which (STYLE.md): views, cli -> services -> models, domain, interop.
FORBIDDEN = {
    "tracker/domain": ("tracker.models", "tracker.services", "tracker.views", "tracker.extensions", "flask",
                       "sqlalchemy", "tracker.clock", "tracker.interop"),
    "tracker/interop": ("tracker.models", "tracker.services", "tracker.views", "tracker.extensions", "flask",
                        "sqlalchemy", "tracker.clock", "tracker.domain"),
    "tracker/models": ("tracker.services", "tracker.views", "tracker.cli"),
    "tracker/services": ("tracker.views", "tracker.cli", "flask_wtf", "wtforms"),
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_import_direction(layer):
    offenders = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


# A remote asset: src/href/srcset/url()/@import naming another host, with a scheme or
# protocol-relative ("//cdn.example/x.js" loads over the page's own scheme).
REMOTE_ASSET = re.compile(r"""(?:\b(?:src|href|srcset|action)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
                          r"""(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize("text, remote", [
    ('<script src="https://cdn.example/x.js">', True), ("<script src='//cdn.example/x.js'>", True),
    ('<link href=//cdn.example/a.css rel=stylesheet>', True), ("background: url(//cdn.example/i.png)", True),
    ('@import "//fonts.example/css";', True), ('<img srcset="//img.example/a.png 2x">', True),
    ('<script src="{{ url_for(\'static\', filename=\'app.js\') }}">', False), ('<a href="/contacts/">', False),
    ("// a JavaScript comment", False),
])
def test_the_remote_asset_pattern(text, remote):
    assert bool(REMOTE_ASSET.search(text)) is remote


def test_nothing_loads_from_a_cdn():
    paths = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static").rglob("*.css"), *(ROOT / "static").rglob("*.js"),
             *(ROOT / "static").rglob("*.html")]
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in paths
                 for m in REMOTE_ASSET.finditer(p.read_text(errors="replace"))]
    assert offenders == []


# A timed refresh is an accessibility failure (axe "meta-refresh", WCAG 2.2.1) for everyone who
# has scripts: progress pages poll with JavaScript and refresh themselves only inside <noscript>.
TIMED_REFRESH = re.compile(r"""(<noscript>\s*)?<meta\s+http-equiv=["']?refresh""", re.IGNORECASE)


@pytest.mark.parametrize("text, bare", [
    ('<meta http-equiv="refresh" content="3">', True), ("<META HTTP-EQUIV=refresh content=3>", True),
    ('<noscript><meta http-equiv="refresh" content="3"></noscript>', False), ('<meta charset="utf-8">', False),
])
def test_the_timed_refresh_pattern(text, bare):
    assert any(m.group(1) is None for m in TIMED_REFRESH.finditer(text)) is bare


def test_no_page_refreshes_itself_when_scripts_run():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if any(m.group(1) is None for m in TIMED_REFRESH.finditer(p.read_text()))]
    assert offenders == []
