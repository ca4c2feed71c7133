"""Settings: documented defaults, nothing secret.

Sources, later ones winning: the defaults below, `<instance>/tracker.toml`, environment
variables `TRACKER_<NAME>`, and (for tests) the mapping passed to create_app(). Every
setting is listed in SETTINGS and documented in the README (a test checks both).
"""
from __future__ import annotations

import json
import os
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    default: Any
    doc: str


SETTINGS: dict[str, Setting] = {
    "SECRET_KEY": Setting(None, "Signs sessions and CSRF tokens. Generated on first run into "
                                "`<instance>/secret_key` and kept; set it to share one key between servers."),
    "ENCRYPTION_KEY": Setting(None, "Encrypts secrets stored in the database (two-factor keys). Generated on first "
                                    "run into `<instance>/encryption_key` (0600) and kept; comma-separated keys rotate."),
    "SESSION_DAYS": Setting(30, "A sign-in lasts at most this many days; then the person signs in again."),
    "DATABASE_URL": Setting(None, "SQLAlchemy database URL. Default: SQLite file `<instance>/tracker.sqlite3`. "
                                  "PostgreSQL: `postgresql+psycopg://user:pass@host/dbname`."),
    "REGISTRATION": Setting("first", "Who may register: `open` (anyone), `first` (only while no account "
                                     "exists; then closed) or `closed` (accounts come from `tracker create-user`)."),
    "BASE_URL": Setting("", "Public address of the app (e.g. `https://tracker.example.org`), used for links in "
                            "calendar feeds and CLI output when there is no request to take it from."),
    "SESSION_COOKIE_SECURE": Setting(False, "Send the session cookie only over HTTPS. Turn on behind TLS."),
    "TRUST_PROXY": Setting(0, "Number of reverse proxies in front of the app whose X-Forwarded-* headers "
                              "to trust (ProxyFix). 0 when tracker faces clients directly."),
    "LOGIN_ATTEMPTS": Setting(10, "Failed logins allowed per account and per client address within "
                                  "LOGIN_WINDOW_MINUTES before further attempts are refused."),
    "LOGIN_WINDOW_MINUTES": Setting(15, "The window, in minutes, for LOGIN_ATTEMPTS."),
    "PER_PAGE": Setting(50, "Rows per page in lists."),
    "MAX_UPLOAD_MB": Setting(50, "Largest file accepted for import, in megabytes."),
    "MAX_ATTACHMENT_BYTES": Setting(5 * 1024 * 1024, "Largest résumé or cover letter file kept with an "
                                                     "opportunity, in bytes (stored in the database)."),
    "PG_PREPARED_STATEMENTS": Setting(True, "PostgreSQL: prepare the statements a connection runs often and keep "
                                            "them between requests (the server plans them less). Off behind a pooler "
                                            "in transaction mode that does not carry prepared statements."),
    "AUTO_MIGRATE": Setting(True, "Apply pending database migrations when the server starts."),
    "SCHEDULER": Setting(True, "Run periodic tasks (digests, mail sync) inside `tracker serve`'s workers; "
                               "off: run them from cron instead (`tracker send-digests`)."),
    "SCHEDULER_TICK_SECONDS": Setting(30, "How often, in seconds, each worker's scheduler looks for a task whose "
                                          "time has come."),
    # Outgoing mail (services/outgoing_mail.py). Mail is on once SMTP_HOST and MAIL_FROM are set.
    "SMTP_HOST": Setting("", "SMTP server that tracker hands its mail to (reminders, password resets). "
                             "Empty: tracker sends no mail."),
    "SMTP_PORT": Setting(0, "Port of the SMTP server. 0: the usual one for SMTP_SECURITY (25, 587 or 465)."),
    "SMTP_SECURITY": Setting("starttls", "`starttls` (upgrade the connection, port 587), `tls` (TLS from the first "
                                         "byte, port 465) or `none` (plain, only for a relay on the same machine)."),
    "SMTP_USER": Setting("", "User name for SMTP AUTH. Empty: no AUTH."),
    "SMTP_PASSWORD": Setting("", "Password for SMTP AUTH."),
    "SMTP_CA_FILE": Setting("", "PEM file of certificate authorities to trust for the SMTP server instead of "
                                "the system's (a relay with its own certificate). The name is always checked."),
    "MAIL_FROM": Setting("", "Sender of tracker's mail, e.g. `tracker <tracker@example.org>`; its domain names "
                             "the Message-IDs."),
    "MAIL_SYNC_MINUTES": Setting(30, "How often `tracker serve` reads the mailboxes set up in Settings → Mail "
                                     "(new headers only); 0 turns the scheduled sync off (`tracker sync-mail` still works)."),
    "IMAP_TIMEOUT_SECONDS": Setting(30, "How long a mailbox sync waits for the IMAP server to answer before it gives up."),
    "IMAP_CA_FILE": Setting("", "A PEM file of extra certificate authorities to trust for IMAP servers (a "
                                "self-hosted server with its own CA); the system's are always trusted."),
    "MAIL_ALLOW_PRIVATE_HOSTS": Setting(False, "Let Settings → Mail connect to IMAP servers on a private or "
                                               "local network (127.0.0.1, 10.x, 192.168.x, link-local, …). Off: a "
                                               "shared instance's users cannot probe the server's own network; "
                                               "turn it on for a mail server next to a single-user tracker."),
}

# Flask's own names for a few settings.
_FLASK_NAMES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def instance_path() -> Path:
    """The instance folder: $TRACKER_INSTANCE, else ./instance in a checkout, else ~/.local/share/tracker."""
    if env := os.environ.get("TRACKER_INSTANCE"):
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "instance").is_dir():
        return checkout / "instance"
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "tracker"


def load(instance: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting to a value; returns Flask config keys."""
    values: dict[str, Any] = {name: s.default for name, s in SETTINGS.items()}
    toml_file = instance / "tracker.toml"
    if toml_file.is_file():
        with toml_file.open("rb") as f:
            values.update({k.upper(): v for k, v in tomllib.load(f).items()})
    for name in SETTINGS:
        raw = os.environ.get(f"TRACKER_{name}")
        if raw is not None:
            values[name] = _parse_env(raw, SETTINGS[name].default)
    values.update(overrides or {})
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _stored_secret(instance, "secret_key", lambda: secrets.token_hex(32))
    if not values["ENCRYPTION_KEY"]:
        from tracker.encryption import new_key

        values["ENCRYPTION_KEY"] = _stored_secret(instance, "encryption_key", new_key)
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance / 'tracker.sqlite3'}"
    if values["REGISTRATION"] not in {"open", "first", "closed"}:
        raise ValueError(f"REGISTRATION must be open, first or closed, not {values['REGISTRATION']!r}")
    if values["SMTP_SECURITY"] not in {"none", "starttls", "tls"}:
        raise ValueError(f"SMTP_SECURITY must be none, starttls or tls, not {values['SMTP_SECURITY']!r}")
    flask = {_FLASK_NAMES.get(k, k): v for k, v in values.items()}
    flask["MAX_CONTENT_LENGTH"] = int(values["MAX_UPLOAD_MB"]) * 1024 * 1024
    flask["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(values["DATABASE_URL"], bool(values["PG_PREPARED_STATEMENTS"]))
    flask["SESSION_COOKIE_HTTPONLY"] = True
    flask["SESSION_COOKIE_SAMESITE"] = "Lax"
    flask["REMEMBER_COOKIE_SECURE"] = bool(values["SESSION_COOKIE_SECURE"])
    flask["REMEMBER_COOKIE_HTTPONLY"] = True
    flask["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session (which ends server-side)
    flask["PERMANENT_SESSION_LIFETIME"] = timedelta(days=int(values["SESSION_DAYS"]))
    return flask


def _parse_env(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if default is None or isinstance(default, str):
        return raw
    return json.loads(raw)


def _stored_secret(instance: Path, name: str, generate: Callable[[], str]) -> str:
    """Read the key file `<instance>/<name>`, creating it (0600) on first run."""
    path = instance / name
    if path.is_file():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _engine_options(url: str, pg_prepared: bool = True) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # The busy timeout lets concurrent writers wait instead of failing with "locked".
        return {"connect_args": {"timeout": 15}}
    # No pool_pre_ping: it costs a round trip on every request; tracker/wiring.py pings only
    # a connection that sat idle (_ping_idle_connection).
    if url.startswith("postgresql+psycopg") and not pg_prepared:
        # psycopg's own switch: never prepare (tracker.postgres keeps what it prepares).
        return {"connect_args": {"prepare_threshold": None}}
    return {}
