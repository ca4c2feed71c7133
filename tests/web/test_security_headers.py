import pytest


@pytest.mark.parametrize("path", ["/login", "/contacts/", "/static/css/app.css", "/nope"])
def test_security_headers_on_every_response(user_client, path):
    headers = user_client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client, make_user):
    make_user()
    response = client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_in_pages(user_client):
    import re

    for path in ("/", "/contacts/", "/contacts/new", "/companies/", "/account/"):
        page = user_client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert not re.search(r"\son[a-z]+=", page), path
        assert "style=" not in page, path


@pytest.mark.parametrize("path", ["/account/export", "/transfer/export.vcf", "/calendar/followups.ics", "/contacts/",
                                  "/account/"])
def test_personal_data_downloads_are_never_cached(user_client, path):
    response = user_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_static_files_may_be_cached(user_client):
    assert "no-store" not in user_client.get("/static/css/app.css").headers.get("Cache-Control", "")
