"""`tracker send-test-mail`, run as an operator would, against a real SMTP server."""
from __future__ import annotations

from tests.test_cli import run


def _settings_file(instance, smtp, **overrides) -> None:
    lines = [f'{k.lower()} = {v!r}' if isinstance(v, str) else f"{k.lower()} = {v}"
             for k, v in smtp.settings(**overrides).items()]
    toml = instance / "tracker.toml"
    existing = toml.read_text() if toml.exists() else ""
    toml.write_text(existing + "\n".join(lines).replace("'", '"') + "\n")


def test_send_test_mail(instance, smtp_server):
    smtp = smtp_server("starttls", auth=True)
    _settings_file(instance, smtp)
    done = run(instance, "send-test-mail", "ops@example.com")
    assert done.returncode == 0, done.stderr
    [mail] = smtp.messages
    assert mail["To"] == "ops@example.com" and mail["Message-ID"] in done.stdout
    assert smtp.logins == ["tracker-mailer"]
    smtp.refuse(550, "No such user", at="RCPT")
    refused = run(instance, "send-test-mail", "ops@example.com")
    assert refused.returncode == 1 and "550 No such user" in refused.stderr and "fix the settings" in refused.stderr


def test_send_test_mail_without_settings(instance):
    result = run(instance, "send-test-mail", "ops@example.com")
    assert result.returncode == 1 and "not configured" in result.stderr
