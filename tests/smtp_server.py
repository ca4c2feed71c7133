"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd in a thread of the test process).

Use the `smtp` fixture (a plain server, as a relay on the same machine), or the factory
`smtp_server(security=..., auth=...)` for the other modes; both are in tests/conftest.py.

    def test_x(smtp, app_settings): ...        # see below for wiring it into `app`

    server.settings()       -> the SMTP_* / MAIL_FROM config for create_app (a dict)
    server.environment()    -> the same as TRACKER_* environment variables (for subprocesses)
    server.messages         -> every accepted message, parsed (email.message.EmailMessage,
                               policy=email.policy.default,
                               line ends "\n"), oldest first
    server.envelopes        -> (mail_from, [rcpt_to, ...]) per accepted message
    server.logins           -> the user names that authenticated, in order
    server.refuse(code, text="...", times=None, at="DATA")
                            -> answer the next `times` transactions (None: until accept())
                               with this reply, at "RCPT" or "DATA": 451 is temporary, 550 final
    server.accept()         -> stop refusing
    server.wait_for(n, timeout=10) -> the messages once at least n arrived (for servers in
                               other processes), else AssertionError
    server.links(message=-1) -> the http(s) URLs in a message's text part

Security modes (`security`): "none" (plain), "starttls" (the server offers and requires
STARTTLS before MAIL) and "tls" (TLS from the first byte). The certificate is made by
`trustme` for 127.0.0.1 and localhost, signed by a throw-away CA whose PEM file is passed as
SMTP_CA_FILE, so tracker checks the certificate for real. `auth=True` requires SMTP AUTH
(PLAIN/LOGIN) with USER / PASSWORD below; on "none" AUTH is allowed without TLS (aiosmtpd's
default would refuse it), so the login path is tested on every mode.

To make the test app send to it, override the `app_settings` fixture in the test module:

    @pytest.fixture
    def app_settings(smtp):
        return smtp.settings()
"""
from __future__ import annotations

import re
import socket
import ssl
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "tracker-mailer", "smtp secret 123"
MAIL_FROM = "tracker <tracker@tracker.test>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    def _refusal(self, stage: str) -> str | None:
        with self.server._lock:
            refusal = self.server._refusal
            if refusal is None or refusal[2] != stage:
                return None
            code, text, _, times = refusal
            if times is not None:
                times -= 1
                self.server._refusal = (code, text, stage, times) if times > 0 else None
            self.server.refused += 1
            return f"{code} {text}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if reply := self._refusal("RCPT"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if reply := self._refusal("DATA"):
            return reply
        # Line ends as a mail reader shows them (the wire's CRLF becomes "\n").
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")
        parsed = message_from_bytes(raw, policy=policy.default)
        with self.server._lock:
            self.server.messages.append(parsed)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, folder: Path, *, security: str = "none", auth: bool = False):
        assert security in {"none", "starttls", "tls"}
        self.security, self.auth = security, auth
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []
        self.refused = 0
        self._refusal: tuple[int, str, str, int | None] | None = None
        self._lock = threading.Lock()
        self.ca_file: Path | None = None
        kwargs: dict = {}
        if security != "none":
            import trustme

            ca = trustme.CA()
            self.ca_file = folder / "smtp-ca.pem"
            ca.cert_pem.write_to_path(str(self.ca_file))
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
            if security == "tls":
                kwargs["ssl_context"] = server_context
            else:
                kwargs["tls_context"] = server_context
                kwargs["require_starttls"] = True
        if auth:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_required"] = True
            # aiosmtpd counts only STARTTLS as TLS: on "tls" the whole connection is, and on
            # "none" the plain login path is what is under test.
            kwargs["auth_require_tls"] = security == "starttls"
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
            and auth_data.password.decode() == PASSWORD
        if ok:
            with self._lock:
                self.logins.append(USER)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (a test may do it early to see tracker's "server down" path)."""
        if self.controller.loop.is_running():
            self.controller.stop()

    def settings(self, **overrides) -> dict:
        values = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_SECURITY": self.security,
                  "SMTP_USER": USER if self.auth else "", "SMTP_PASSWORD": PASSWORD if self.auth else "",
                  "SMTP_CA_FILE": str(self.ca_file or ""), "MAIL_FROM": MAIL_FROM}
        values.update(overrides)
        return values

    def environment(self) -> dict[str, str]:
        return {f"TRACKER_{k}": str(v) for k, v in self.settings().items()}

    def refuse(self, code: int, text: str = "Try again later", *, times: int | None = None, at: str = "DATA") -> None:
        assert at in {"RCPT", "DATA"}
        with self._lock:
            self._refusal = (code, text, at, times)

    def accept(self) -> None:
        with self._lock:
            self._refusal = None

    def wait_for(self, n: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= n:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {n} messages, the SMTP server has {len(self.messages)}")

    def links(self, message: int | EmailMessage = -1) -> list[str]:
        msg = self.messages[message] if isinstance(message, int) else message
        text = msg.get_body(("plain",)).get_content()
        return re.findall(r"https?://\S+", text)
