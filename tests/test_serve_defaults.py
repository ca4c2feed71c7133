"""`tracker serve`'s measured defaults (issue 17; README, Performance: serving and garbage
collection): a real server closes each connection after its answer (keep-alive off, so both
workers share the load), and each worker runs with the collector tuned (start-up objects
frozen, young collections every GC_THRESHOLD allocations)."""
from __future__ import annotations

import gc
import socket
import threading
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from tests.browser.conftest import LiveServer
from tracker.cli import server


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (or 10 s pass)."""
    sock.settimeout(10)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_real_server_closes_the_connection_after_each_answer(tmp_path):
    live = LiveServer(tmp_path)
    try:
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
            # A client asking to keep the connection, as wrk and browsers do.
            request = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
            sock.sendall(request)
            answer = _answer(sock)  # returns only because the server closed the connection
            head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
            assert head.startswith("http/1.1 200")
            assert "connection: close" in head.splitlines()
            assert answer.count(b"HTTP/1.1 ") == 1
            try:  # the same connection takes no second request
                sock.sendall(request)
                assert _answer(sock) == b""
            except (BrokenPipeError, ConnectionResetError):
                pass
    finally:
        live.stop()


def test_a_server_leaves_no_control_socket_in_its_users_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    live = LiveServer(tmp_path, {"HOME": str(home), "XDG_RUNTIME_DIR": str(home)})
    try:
        assert urllib.request.urlopen(live.url + "/login", timeout=10).status == 200
        assert list(home.rglob("*")) == []
    finally:
        live.stop()
    assert "Control socket" not in (tmp_path / "server.log").read_text()


def test_the_command_defaults_are_the_measured_ones(app):
    settings = server.gunicorn_settings(app)
    assert (settings["workers"], settings["threads"], settings["keepalive"]) == (2, 2, 0)


def test_without_keep_alive_a_worker_accepts_only_what_its_threads_can_serve(app):
    assert server.gunicorn_settings(app)["worker_connections"] == 2
    assert server.gunicorn_settings(app, threads=8)["worker_connections"] == 8
    # With keep-alive gunicorn's own limit stays (it keeps connections alive only below it).
    assert "worker_connections" not in server.gunicorn_settings(app, keepalive=2)


@pytest.fixture
def collector():
    """The collector's state, put back after the test (it tunes this very process)."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_each_worker_tunes_the_collector(app, collector):
    """gunicorn's post_fork hook (what each new worker runs) freezes what start-up left alive
    and raises the young generation's threshold."""
    app.config["SCHEDULER"] = False
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    assert gc.get_freeze_count() == 0
    server.gunicorn_settings(app)["post_fork"](None, None)
    assert gc.get_threshold() == (server.GC_THRESHOLD, 20, 20)
    assert gc.get_freeze_count() > 10_000  # the modules, the app and everything else alive at start


@pytest.mark.parametrize("mode", [("--threads", "1"), ()], ids=["sync workers", "the default"])
def test_no_request_inherits_the_previous_ones_signed_in_user(tmp_path, database_url, mode):
    """`tracker serve` ran gunicorn inside the command's app context, and a sync worker serves
    on that thread: Flask then reused that one app context for every request, so Flask-Login's
    user in `g` passed to the next client (an anonymous request got the last user's dashboard)
    and the CSRF token in `g` too (the next visitor's sign-in failed with 400)."""
    from tests.test_scaling import Browser, form_fields
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.accounts import create_user

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"}, instance=tmp_path)
    with app.app_context():
        for who in ("ada", "bob"):
            create_user(f"{who}@example.com", "correct horse battery")
        db.session.commit()
        db.engine.dispose()
    folder = tmp_path / "server"
    folder.mkdir()
    live = LiveServer(folder, {"TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": "shared",
                               "TRACKER_AUTO_MIGRATE": "0"}, workers=1, args=mode)
    try:
        for who in ("ada", "bob"):  # one after the other, on the same worker
            browser = Browser()
            _, page = browser.get(live.url + "/login")
            hidden, _ = form_fields(page)
            landed, _ = browser.post(live.url + "/login", {**hidden, "email": f"{who}@example.com",
                                                           "password": "correct horse battery"})
            assert not landed.endswith("/login")
            _, page = browser.get(live.url + "/settings/")
            assert f"{who}@example.com" in page

            # A client without a cookie, right after: not signed in.
            no_redirects = urllib.request.build_opener(_NoRedirect)
            try:
                answer = no_redirects.open(live.url + "/").status
                location = None
            except urllib.error.HTTPError as e:
                answer, location = e.code, e.headers.get("Location")
            assert (answer, location) == (302, "/login?next=%2F")
    finally:
        live.stop()


def test_a_client_that_keeps_its_socket_open_after_its_answer_stalls_no_other(tmp_path):
    """gunicorn's gthread worker closed each answered connection on its main loop, waiting up
    to 2 s for the client to close its side: one such client held up every other request of
    the worker (the second answer came after 1.7 s)."""
    import time

    live = LiveServer(tmp_path, workers=1)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as first:
            first.sendall(request)
            assert first.recv(65536).startswith(b"HTTP/1.1 200")  # read, and the socket left open
            time.sleep(0.2)
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", live.port), timeout=10) as second:
                second.sendall(request)
                assert second.recv(65536).startswith(b"HTTP/1.1 200")
            assert time.monotonic() - started < 1.0
    finally:
        live.stop()


def test_threaded_workers_are_trackers_and_one_thread_is_gunicorns_sync_worker(app):
    assert server.gunicorn_settings(app)["worker_class"] == "tracker.cli.gunicorn_worker.ThreadWorker"
    assert "worker_class" not in server.gunicorn_settings(app, threads=1)


@pytest.mark.parametrize("args", [(), ("--no-access-log",)], ids=["the default", "--no-access-log"])
def test_the_access_log_is_on_unless_turned_off(tmp_path, args):
    live = LiveServer(tmp_path, args=args)
    try:
        urllib.request.urlopen(f"{live.url}/healthz?probe=access-log", timeout=10).read()
        time.sleep(0.5)  # the worker writes its line after the answer
    finally:
        live.stop()
    logged = "GET /healthz?probe=access-log" in (tmp_path / "server.log").read_text()
    assert logged == (args == ())


def test_the_server_logs_with_trackers_access_logger(app):
    assert server.gunicorn_settings(app)["logger_class"] == "tracker.cli.gunicorn_worker.AccessLogger"


class _Request:
    headers = [("HOST", "127.0.0.1:5000"), ("USER-AGENT", 'curl/8 "quoted"'), ("X-Trace", "abc")]


class _Response:
    def __init__(self, status, sent):
        self.status, self.sent = status, sent
        self.headers = [("Content-Type", "text/html; charset=utf-8"), ("X-Frame-Options", "DENY")]


_ENVIRON = {"REQUEST_METHOD": "GET", "RAW_URI": "/contacts/?q=%22x%22", "SERVER_PROTOCOL": "HTTP/1.0",
            "PATH_INFO": "/contacts/", "QUERY_STRING": "q=%22x%22", "REMOTE_ADDR": "10.0.0.7",
            "HTTP_USER_AGENT": 'curl/8 "quoted"', "HTTP_REFERER": 'http://example.test/"x"',
            "HTTP_AUTHORIZATION": "Basic YWxpY2U6c2VjcmV0", "wsgi.url_scheme": "http", "SERVER_NAME": "tracker"}


@pytest.mark.parametrize("log_format", [
    None,  # gunicorn's default, what `tracker serve` writes
    '%(h)s %(u)s "%(r)s" %(s)s %(b)s %(B)s %(m)s %(U)s %(q)s %(H)s %(L)s %(p)s %(z)s',
    '%(h)s "%({x-trace}i)s" "%({User-Agent}i)s" %({content-type}o)s %({server_name}e)s %({missing}i)s',
], ids=["default format", "every request atom", "header and environ atoms"])
@pytest.mark.parametrize("status, sent", [("200 OK", 5120), ("404 NOT FOUND", None)], ids=["200", "404 unsent"])
def test_the_access_line_is_gunicorns(tmp_path, monkeypatch, log_format, status, sent):
    from datetime import timedelta

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from tracker.cli.gunicorn_worker import AccessLogger

    monkeypatch.setattr(time, "strftime", lambda fmt, *args: "[02/Dec/2026:14:00:00 +0000]")  # one %(t)s for both
    lines = {}
    for logger_class in (Logger, AccessLogger):
        config = Config()
        config.set("accesslog", str(tmp_path / logger_class.__name__))
        if log_format:
            config.set("access_log_format", log_format)
        logger = logger_class(config)
        logger.access(_Response(status, sent), _Request(), dict(_ENVIRON), timedelta(seconds=1, microseconds=2345))
        logger.close_on_exec()
        for handler in logger.access_log.handlers:
            handler.flush()
        lines[logger_class] = (tmp_path / logger_class.__name__).read_text()
    assert lines[Logger].count("\n") == 1
    assert lines[AccessLogger] == lines[Logger]


@pytest.mark.parametrize("delay", [0.0, 0.3], ids=["request sent at once", "request sent late"])
def test_a_threaded_worker_answers_a_request_whether_its_bytes_are_there_or_late(tmp_path, delay):
    """A thread takes a new connection with one poll() that does not wait
    (tracker.cli.gunicorn_worker); a request whose bytes are not there yet still gets gunicorn's
    own wait, and its answer."""
    live = LiveServer(tmp_path)
    try:
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
            time.sleep(delay)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = _answer(sock)
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b'{"status":"ok"}\n')
    finally:
        live.stop()


def test_idle_connections_that_send_nothing_hold_no_thread(tmp_path):
    """Connections opened and left silent (a browser's pre-opened ones) are handed back to the
    worker's poller after gunicorn's wait, not read on a thread: with as many of them as a worker
    has threads, another client is still answered."""
    live = LiveServer(tmp_path)
    idle = [socket.create_connection(("127.0.0.1", live.port), timeout=10) for _ in range(server.THREADS)]
    try:
        time.sleep(6.0)  # past gunicorn's 5 s wait for a new connection's first bytes
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert _answer(sock).startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 2.0
    finally:
        for sock in idle:
            sock.close()
        live.stop()


def test_a_worker_counts_its_finished_connections_and_stops_at_once(tmp_path):
    """Connections a request's thread closed are counted there, not handed back to the worker's
    main loop (tracker.cli.gunicorn_worker): after many requests at once the worker still knows
    none is open, so it keeps accepting and a stop does not wait out gunicorn's graceful timeout
    (30 s) for connections it wrongly believes open."""
    from concurrent.futures import ThreadPoolExecutor

    live = LiveServer(tmp_path)
    try:
        def get(_):
            return urllib.request.urlopen(f"{live.url}/healthz", timeout=10).status

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(get, range(200))) == {200}
    finally:
        started = time.monotonic()
        live.process.terminate()
        live.process.wait(40)
        stopped_in = time.monotonic() - started
        live.stop()
    assert stopped_in < 5


def test_a_worker_that_stops_accepting_as_a_thread_frees_itself_accepts_again():
    """worker_connections = threads: the main loop counts its connections, finds the worker
    full and stops accepting. A request's thread that closed its connection in between counted
    it while the worker still looked open, and woke nobody: the loop would sleep up to 1 s with
    a thread free. The close is counted again once accepting stops (and a thread that finds the
    worker not accepting wakes the loop)."""
    from tracker.cli.gunicorn_worker import ThreadWorker

    woken = []
    worker = ThreadWorker.__new__(ThreadWorker)  # the counting only: no sockets, no threads
    worker.__dict__.update(_closed_lock=threading.Lock(), _closed_in_threads=0, _seen_closed=0, alive=True,
                           _accepting=True, sockets=[], worker_connections=2,
                           method_queue=SimpleNamespace(defer=lambda *a: woken.append(a)))
    worker.nr_conns = 2
    assert not worker.nr_conns < worker.worker_connections  # the main loop: full
    finished = SimpleNamespace(closed_in_thread=True)
    worker._handled(finished, None)  # a thread, before the loop lowers the flag
    assert woken == [] and worker.nr_conns == 1
    worker.set_accept_enabled(False)  # the main loop, acting on its count
    assert worker._accepting is True

    worker.nr_conns = 2
    worker.set_accept_enabled(False)  # full: stays closed
    assert worker._accepting is False
    worker._handled(finished, None)  # a thread frees one while the worker is closed: it wakes the loop
    assert len(woken) == 1 and worker.nr_conns == 1
