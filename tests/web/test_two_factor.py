"""Optional TOTP sign-in: set up, required at login, each code once, recovery codes, throttled, turned off."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from tracker import clock
from tracker.extensions import db
from tracker.models import RecoveryCode, User

T0 = datetime(2026, 12, 1, 9, 0, 0, tzinfo=timezone.utc)
PASSWORD = {"email": "jo@example.com", "password": "correct horse battery"}


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def turn_on(client, at: datetime | None = None) -> tuple[str, list[str]]:
    """Turn two-factor on through the pages; returns (secret, recovery codes shown)."""
    clock.pin(at or T0)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    sealed = re.search(r'name="setup" type="hidden" value="([^"]+)"', page).group(1)
    assert 'src="data:image/svg+xml' in page
    wrong = client.post_form("/account/two-factor", {"setup": sealed, "code": "000000"})
    assert "not right" in wrong.get_data(as_text=True)
    response = client.post_form("/account/two-factor", {"setup": sealed, "code": code_at(secret, clock.now())})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def password_step(client, ip="10.0.0.1"):
    client.forget_token()
    client.post_form("/logout")
    client.forget_token()
    response = client.post_form("/login", PASSWORD, environ_base={"REMOTE_ADDR": ip})
    assert response.headers["Location"].endswith("/login/code"), response.get_data(as_text=True)[:500]
    client.forget_token()  # the password step starts a new cookie session (new CSRF secret)
    return response


def code_step(client, code: str, ip="10.0.0.1"):
    return client.post_form("/login/code", {"code": code}, environ_base={"REMOTE_ADDR": ip})


def test_setup_then_login_needs_the_code(user_client, in_db):
    secret, _ = turn_on(user_client)
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) == secret
    clock.pin(T0 + timedelta(minutes=5))
    password_step(user_client)
    assert user_client.get("/contacts/").status_code == 302  # not signed in yet
    bad = code_step(user_client, "123456")
    assert "not right" in bad.get_data(as_text=True)
    good = code_step(user_client, code_at(secret, clock.now()))
    assert good.status_code == 302
    assert user_client.get("/contacts/").status_code == 200


def test_the_setup_secret_is_sealed_to_the_user_and_expires(app, user_client, make_user, login, in_db):
    from tests.conftest import FormClient

    clock.pin(T0)
    page = user_client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    sealed = re.search(r'name="setup" type="hidden" value="([^"]+)"', page).group(1)
    assert secret not in sealed
    make_user("eve@example.com")
    eve = FormClient(app.test_client())
    login(eve, "eve@example.com")
    stolen = eve.post_form("/account/two-factor", {"setup": sealed, "code": code_at(secret, T0)})
    assert "too old" in stolen.get_data(as_text=True)  # sealed for jo, not for eve
    forged = user_client.post_form("/account/two-factor", {"setup": "gAAAA" + "x" * 100, "code": code_at(secret, T0)})
    assert "too old" in forged.get_data(as_text=True)
    assert in_db(lambda: db.session.scalars(select(User.totp_secret)).all()) == [None, None]


def test_the_secret_is_encrypted_at_rest(user_client, in_db):
    secret, _ = turn_on(user_client)

    def raw():
        with db.engine.connect() as c:
            return c.execute(text("select totp_secret from users")).scalar()

    stored = in_db(raw)
    assert stored and secret not in stored and stored.startswith("gAAAA")  # a Fernet token


def test_a_code_works_once(user_client):
    secret, _ = turn_on(user_client)
    clock.pin(T0 + timedelta(minutes=5))
    password_step(user_client)
    code = code_at(secret, clock.now())
    assert code_step(user_client, code).status_code == 302
    password_step(user_client)
    replay = code_step(user_client, code)
    assert replay.status_code == 200 and "each works once" in replay.get_data(as_text=True)
    # Neither the previous step's code (still inside the drift window) works.
    assert code_step(user_client, code_at(secret, clock.now() - timedelta(seconds=30))).status_code == 200
    clock.pin(T0 + timedelta(minutes=5, seconds=30))
    assert code_step(user_client, code_at(secret, clock.now())).status_code == 302


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(offset=st.integers(min_value=0, max_value=10 ** 6), drift=st.sampled_from([-30, 0, 30]))
def test_a_used_code_never_works_again(app, offset, drift):
    """For any moment and clock drift, a code accepted once is refused the second time."""
    from tracker.services import two_factor

    secret = pyotp.random_base32()
    now = T0 + timedelta(seconds=offset)
    with app.app_context():
        code = code_at(secret, now + timedelta(seconds=drift))
        step = two_factor.matching_step(secret, code, now)
        assert step is not None
        assert two_factor.matching_step(secret, code, now, after=step) is None
        assert two_factor.matching_step(secret, code, now + timedelta(seconds=30), after=step) is None


def test_recovery_codes_shown_once_stored_hashed_single_use(user_client, in_db):
    secret, codes = turn_on(user_client)
    digests = in_db(lambda: db.session.scalars(select(RecoveryCode.code_digest)).all())
    assert len(digests) == 10 and not any(c.replace("-", "") in d for c in codes for d in digests)
    assert codes[0] not in user_client.get("/account/").get_data(as_text=True)
    clock.pin(T0 + timedelta(minutes=5))
    password_step(user_client)
    assert code_step(user_client, codes[0].upper().replace("-", " ")).status_code == 302  # forgiving spelling
    assert "Recovery codes left: <strong>9</strong>" in user_client.get("/account/").get_data(as_text=True)
    password_step(user_client)
    assert code_step(user_client, codes[0]).status_code == 200  # spent
    assert code_step(user_client, codes[1]).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(user_client):
    _, old = turn_on(user_client)
    wrong = user_client.post_form("/account/two-factor/recovery-codes", {"recovery-current_password": "nope"})
    assert wrong.status_code == 400
    response = user_client.post_form("/account/two-factor/recovery-codes",
                                     {"recovery-current_password": "correct horse battery"})
    new = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    password_step(user_client)
    assert code_step(user_client, old[2]).status_code == 200
    assert code_step(user_client, new[2]).status_code == 302


def test_code_failures_survive_a_right_password(app, user_client):
    """The brute force of issue 12: a right password used to reset the count of wrong codes.

    The attacker knows the password and comes from new addresses, in a browser the account
    has never seen; the owner's own browser (a known device) still gets in.
    """
    from tests.conftest import FormClient

    secret, _ = turn_on(user_client)
    app.config["LOGIN_ATTEMPTS"] = 3
    clock.pin(T0 + timedelta(minutes=1))
    attacker = FormClient(app.test_client())
    for round_ in range(3):
        password_step(attacker, ip=f"10.1.0.{round_}")
        assert code_step(attacker, "000000", ip=f"10.1.0.{round_}").status_code == 200
    password_step(attacker, ip="10.1.0.9")  # the right password again, from a new address
    throttled = code_step(attacker, "000000", ip="10.1.0.9")
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    password_step(user_client, ip="10.1.0.9")
    assert code_step(user_client, code_at(secret, clock.now()), ip="10.1.0.9").status_code == 302


def test_turning_off_needs_password_and_code(user_client, in_db):
    secret, _ = turn_on(user_client)
    clock.pin(T0 + timedelta(minutes=2))
    bad = user_client.post_form("/account/two-factor/disable", {"disable-current_password": "wrong",
                                                                "disable-code": code_at(secret, clock.now())})
    assert bad.status_code == 400
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) == secret
    ok = user_client.post_form("/account/two-factor/disable", {"disable-current_password": "correct horse battery",
                                                                "disable-code": code_at(secret, clock.now())})
    assert ok.status_code == 302
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) is None
    assert in_db(lambda: db.session.scalar(select(RecoveryCode.id))) is None


def test_code_page_without_password_step_goes_back_to_login(client):
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_the_code_step_expires(user_client):
    turn_on(user_client)
    clock.pin(T0 + timedelta(minutes=1))
    password_step(user_client)
    clock.pin(T0 + timedelta(minutes=30))
    assert user_client.get("/login/code").headers["Location"].endswith("/login")


@pytest.mark.parametrize("command", ["reset-2fa", "reset-password"])
def test_operator_commands(app, user_client, in_db, command):
    from tests.conftest import FormClient

    turn_on(user_client)
    runner = app.test_cli_runner()
    args = [command, "jo@example.com"] + (["--password-stdin"] if command == "reset-password" else [])
    result = runner.invoke(args=args, input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert user_client.get("/contacts/").status_code == 302  # every session ended
    browser = FormClient(app.test_client())
    if command == "reset-2fa":
        assert in_db(lambda: db.session.scalar(select(User.totp_secret))) is None
        response = browser.post_form("/login", PASSWORD)
        assert response.headers["Location"] == "/"  # straight in: no code asked
    else:
        assert browser.post_form("/login", PASSWORD).status_code == 200
        new = {"email": "jo@example.com", "password": "a brand new passphrase"}
        assert browser.post_form("/login", new).headers["Location"].endswith("/login/code")
