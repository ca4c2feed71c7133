"""Issue 13: the IMAP host a user types is a way into the server's own network on a shared
instance (SSRF). Local and private addresses are refused unless TRACKER_MAIL_ALLOW_PRIVATE_HOSTS
allows them; the name is resolved once and the connection goes to the checked address,
while TLS checks the certificate against the name. Against the real dovecot on 127.0.0.1."""
from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from tests.services.import_helpers import user
from tracker.extensions import db
from tracker.interop import imap
from tracker.interop.imap import ImapError
from tracker.models import MailAccount, MailFolderState, Touchpoint
from tracker.services import hosts, imap_sync


@pytest.fixture
def app_settings(dovecot):
    return {**dovecot.app_settings(), "MAIL_ALLOW_PRIVATE_HOSTS": False}  # the default


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.251", False),
    ("::1", False), ("fd00::1", False), ("fe80::1%2", False), ("::ffff:10.0.0.1", False),
    ("93.184.215.14", True), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
])
def test_which_addresses_are_public(address, public):
    assert hosts.is_public(address) is public


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "::1"])
def test_local_hosts_are_refused_by_default_with_the_reason_on_the_host_field(ctx, dovecot, host):
    box = dovecot.mailbox()
    server = imap_sync.server_for(host, dovecot.tls_port, "ssl", box.user, box.password)
    with pytest.raises(ImapError) as caught:
        imap_sync.test_connection(server, [])
    assert caught.value.field == "host"
    assert "private or local network" in caught.value.message
    assert "TRACKER_MAIL_ALLOW_PRIVATE_HOSTS" in caught.value.message


def test_a_refused_sync_records_the_reason_and_writes_nothing(ctx, dovecot):
    box = dovecot.mailbox()
    owner = user()
    settings = box.settings()
    acc = imap_sync.save_settings(owner, host=settings["host"], port=int(settings["port"]), security="ssl",
                                  username=box.user, password=box.password, folders=[], scheduled=True)
    account_id = acc.id
    db.session.commit()
    with pytest.raises(ImapError):
        imap_sync.sync(account_id)
    acc = db.session.get(MailAccount, account_id)
    assert acc.sync_status == "failed" and "private or local network" in acc.last_error
    assert db.session.query(Touchpoint).count() == 0 and db.session.query(MailFolderState).count() == 0


def test_allowed_local_hosts_connect_by_name_with_the_certificate_checked_against_the_name(ctx, app, dovecot):
    """With the setting on (the test suite's dovecot), "localhost" resolves, passes, and the
    certificate (issued to localhost and 127.0.0.1) is checked against it."""
    app.config["MAIL_ALLOW_PRIVATE_HOSTS"] = True
    box = dovecot.mailbox()
    for security, port in (("ssl", dovecot.tls_port), ("starttls", dovecot.port)):
        server = imap_sync.server_for("localhost", port, security, box.user, box.password)
        assert imap_sync.test_connection(server, []) == ["INBOX", "Sent"]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_connection_goes_to_the_checked_address_and_tls_checks_the_name(ctx, app, dovecot, security):
    """What closes the DNS-rebinding gap: the client connects to the addresses it is given,
    never resolving the name again, and still checks the certificate against the name."""
    box = dovecot.mailbox()
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    base = imap_sync.server_for("localhost", port, security, box.user, box.password)
    # The name is never resolved: it does not exist, yet the server is reached at the address...
    with pytest.raises(ImapError) as caught:
        imap.connect(replace(base, host="mail.example.invalid", addresses=("127.0.0.1",)))
    # ...and refused because its certificate is not for that name.
    assert "certificate cannot be trusted" in caught.value.message
    assert "Hostname mismatch" in caught.value.message or "hostname" in caught.value.message.lower()
    # The right name at the same address signs in.
    imap.close(imap.connect(replace(base, addresses=("127.0.0.1",))))
    # A dead first address is skipped for the next, as socket.create_connection does with a
    # name's addresses (dovecot listens on 127.0.0.1 only).
    assert _dead("127.0.0.2", port)
    imap.close(imap.connect(replace(base, addresses=("127.0.0.2", "127.0.0.1"))))


def _dead(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=1).close()
    except OSError:
        return True
    return False


def test_a_name_that_does_not_resolve_says_so(ctx):
    with pytest.raises(ImapError) as caught:
        imap_sync.test_connection(imap_sync.server_for("mail.example.invalid", 993, "ssl", "u", "p"), [])
    assert caught.value.field == "host" and "cannot be found" in caught.value.message
