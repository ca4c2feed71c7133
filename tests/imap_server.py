"""A real IMAP server on 127.0.0.1 for tests: Debian's dovecot-imapd, started by a fixture.

The `dovecot` fixture (tests/conftest.py, one server per test session) runs `dovecot -F`
with a configuration of its own in a temporary folder: no system folder is read or
written (base_dir, state_dir, the log and the maildirs are all in it). It listens on two
free ports of 127.0.0.1: plain IMAP with STARTTLS, and IMAP over TLS. The certificate is
made by `trustme` for 127.0.0.1, signed by a throw-away CA whose PEM file is passed as
IMAP_CA_FILE, so tracker checks the certificate for real.

    box = dovecot.mailbox()         -> a new, empty mailbox (its own user and password)
    box.append("INBOX", raw_bytes)  -> the new message's UID
    box.settings(security="ssl")    -> what to type into Settings → Mail (a dict)
    box.recreate("Sent")            -> delete and create the folder again, with its
                                       messages: a new UIDVALIDITY, UIDs from 1 again
    box.uidvalidity("INBOX")
    dovecot.app_settings()          -> IMAP_CA_FILE and a short timeout for create_app

Dovecot refuses to run its login processes as root and to read mail as uid 0; when the
tests run as root, the login and internal processes use Debian's `dovenull` and `dovecot`
users and the mail is read as `nobody`, under a folder in /var/tmp they can reach.
"""
from __future__ import annotations

import grp
import itertools
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap app password 123"
MAILBOXES = 500  # users in the passwd-file, one per mailbox() call in a test session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    server: "Dovecot"
    user: str
    password: str = PASSWORD

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.tls_port, ssl=True, ssl_context=self.server.context(),
                            timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, folder: str, raw: bytes) -> int:
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            answer = client.append(folder, raw)
            return int(answer.split(b"]")[0].split()[-1])  # [APPENDUID <validity> <uid>] (RFC 4315)
        finally:
            client.logout()

    def uidvalidity(self, folder: str) -> int:
        client = self.client()
        try:
            return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
        finally:
            client.logout()

    def recreate(self, folder: str) -> None:
        """The folder deleted and created again with the same messages (a rebuilt server)."""
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            messages = [data[b"RFC822"] for _, data in sorted(client.fetch(uids, ["RFC822"]).items())] if uids else []
            client.unselect_folder()
            client.delete_folder(folder)
            client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def settings(self, security: str = "ssl", **overrides) -> dict:
        port = self.server.tls_port if security == "ssl" else self.server.port
        return {"host": "127.0.0.1", "port": str(port), "security": security, "username": self.user,
                "password": self.password, **overrides}


class Dovecot:
    def __init__(self) -> None:
        self.root_mode = os.geteuid() == 0
        # /tmp may be 0700 (root's own): the unprivileged mail user must reach its maildirs.
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-dovecot-", dir="/var/tmp" if self.root_mode else None))
        self.folder.chmod(0o755)
        self.port, self.tls_port = free_port(), free_port()
        self.users = itertools.count(1)
        self.process: subprocess.Popen | None = None

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.folder / "ca.pem"))

    def app_settings(self) -> dict:
        # The server is on 127.0.0.1, which the host check refuses unless allowed.
        return {"IMAP_CA_FILE": str(self.folder / "ca.pem"), "IMAP_TIMEOUT_SECONDS": 10,
                "MAIL_ALLOW_PRIVATE_HOSTS": True}

    def environment(self) -> dict[str, str]:
        return {f"TRACKER_{k}": str(v) for k, v in self.app_settings().items()}

    def _certificate(self) -> None:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(str(self.folder / "ca.pem"))
        cert.private_key_pem.write_to_path(str(self.folder / "key.pem"))
        cert.cert_chain_pems[0].write_to_path(str(self.folder / "cert.pem"))

    def _config(self) -> str:
        me = pwd.getpwuid(os.geteuid())
        if self.root_mode:
            login_user, internal_user = "dovenull", "dovecot"
            mail = pwd.getpwnam("nobody")
        else:
            login_user = internal_user = me.pw_name
            mail = me
        (self.folder / "mail").mkdir()
        os.chown(self.folder / "mail", mail.pw_uid, mail.pw_gid)
        # Every mailbox the session may hand out, written before the start: dovecot notices a
        # changed passwd-file by its mtime, which a second write in the same second keeps.
        (self.folder / "passwd").write_text("".join(f"user{i}@tracker.test:{{PLAIN}}{PASSWORD}::::::\n"
                                                    for i in range(1, MAILBOXES + 1)))
        f = self.folder
        return f"""
base_dir = {f}/run
state_dir = {f}/state
instance_name = tracker-test-{self.port}
protocols = imap
listen = 127.0.0.1
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
log_path = {f}/dovecot.log
ssl = yes
ssl_cert = <{f}/cert.pem
ssl_key = <{f}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{f}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {f}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={f}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {'root' if self.root_mode else me.pw_name}
}}
service auth-worker {{
  user = {'root' if self.root_mode else me.pw_name}
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal_user}
  }}
  unix_listener stats-writer {{
    user = {internal_user}
  }}
}}
"""

    def start(self) -> Dovecot:
        if not Path(DOVECOT).exists():
            raise RuntimeError("dovecot is not installed: tests/run.sh installs dovecot-imapd")
        self._certificate()
        (self.folder / "dovecot.conf").write_text(self._config())
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.folder / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.process.stderr.read().decode()} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def mailbox(self) -> Mailbox:
        number = next(self.users)
        assert number <= MAILBOXES, "raise tests/imap_server.py's MAILBOXES"
        return Mailbox(self, f"user{number}@tracker.test")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)
