"""What every signed-in request pays before its page's own work (issue 17, the fixed cost of a
request): the hooks, the user's load and the base template build no SQL statement (they run
statements built once, tracker/services/statements.py) and run one SELECT in all."""
from __future__ import annotations

from sqlalchemy.sql import coercions

from tests.statements import statements_of_get


def test_a_trivial_page_builds_no_statement_and_runs_one(app, user_client, monkeypatch):
    assert user_client.get("/shortcuts").status_code == 200  # compiled and cached once
    built = []
    original = coercions.expect

    def expect(role, element, *args, **kw):
        built.append(role)
        return original(role, element, *args, **kw)

    monkeypatch.setattr(coercions, "expect", expect)
    run = statements_of_get(app, user_client, "/shortcuts")
    assert "Keyboard shortcuts" in run.text
    selects = [s for s in run.texts if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "FROM users JOIN user_sessions" in selects[0]
    # The session's check that it was given a statement (once per execution) at most.
    assert len(built) <= len(selects), built
