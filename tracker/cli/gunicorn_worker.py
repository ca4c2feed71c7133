"""The gunicorn worker and access log `tracker serve` runs.

ThreadWorker (threads > 1): gunicorn's gthread worker, except that a connection ending after
its answer is closed in the request's own thread. gunicorn 27 closes such a connection
gracefully (RFC 9112 section 9.6: half-close, then read until the client closes too, for up to
2 s) on the worker's main loop, the one thread that accepts connections and hands them to the
threads. With keep-alive off (`tracker serve`'s default) that is every request: each answer held
the whole worker for a round trip to its client, and a client that read its answer but kept its
socket open stalled every other request of that worker for 2 s (tests/test_serve_defaults.py).
In the request's thread the same close waits only for its own client.

AccessLogger: gunicorn's logger, writing the same access line for less (see its docstring).
"""
from __future__ import annotations

import re
import select
import threading
from functools import partial
from types import SimpleNamespace

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class ThreadWorker(GunicornThreadWorker):
    def __init__(self, *args, **kwargs):
        self._closed_lock = threading.Lock()
        self._closed_in_threads = 0  # connections closed by their own thread, counted there
        self._seen_closed = 0
        super().__init__(*args, **kwargs)

    # gunicorn's count of open connections, which only the main loop reads and changes (an
    # accept adds one, a finished connection takes one away), less the connections their own
    # thread closed, counted under a lock by those threads. The getter keeps the figure it
    # subtracted, so `nr_conns += 1` on the main loop stays exact however many threads count
    # meanwhile.
    @property
    def nr_conns(self) -> int:
        self._seen_closed = self._closed_in_threads
        return self._opened - self._seen_closed

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._opened = value + self._seen_closed

    def enqueue_req(self, conn):
        fs = self.tpool.submit(self.handle, conn)
        fs.add_done_callback(partial(self._handled, conn))

    def _handled(self, conn, fs) -> None:
        """In the request's thread, when it is done. gunicorn hands every finished connection
        back to the main loop (a byte through a pipe wakes it: a second pass of its loop a
        request, with its heartbeat and checks); a connection closed in its own thread needs
        only to be counted, which is done here. A worker that is stopping or has stopped
        accepting is woken, to notice at once (read after counting: see set_accept_enabled)."""
        if not getattr(conn, "closed_in_thread", False):
            self.method_queue.defer(self.finish_request, conn, fs)
            return
        with self._closed_lock:
            self._closed_in_threads += 1
        if not (self.alive and self._accepting):
            self.method_queue.defer(_nothing)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        # The main loop stops accepting when its count reached worker_connections. A thread
        # that closed a connection after that count but before the line above saw the worker
        # still accepting and woke nobody: the loop would sleep (up to 1 s) with a thread free.
        # Counted again after the flag is down, that close is seen here, or the thread sees the
        # flag down and wakes the loop.
        if not enabled and self.alive and self.nr_conns < self.worker_connections:
            super().set_accept_enabled(True)

    def handle(self, conn):
        if not conn.initialized and not conn.data_ready:
            # gunicorn waits for a new connection's first bytes with a selector made for the
            # connection (epoll_create1, epoll_ctl, epoll_wait and close: four system calls and
            # a Python selector a request); they are almost always there by the time a thread
            # takes the connection, which one poll() that does not wait says. When they are
            # not, gunicorn's own wait (and its deferral of a slow client) runs as before.
            conn.data_ready = _readable(conn.sock)
        keep = super().handle(conn)
        if keep is False:  # not kept alive, not deferred: done with this connection
            conn.close(graceful=True)
            conn.closed_in_thread = True
        return keep


def _nothing() -> None:
    """A callback for the main loop that only wakes it."""


def _readable(sock) -> bool:
    """Whether a read on `sock` would not block now (data, or the peer's close: as
    gunicorn's selector answers it)."""
    try:
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # a closed socket: gunicorn's wait finds out
        return False


# An atom of a request header, a response header or an environ variable: %({name}i), o or e.
_NAMED_ATOM = re.compile(r"%\(\{")


class _Environ:
    """The environ's values without its items: gunicorn's atoms() adds an `{name}e` atom for
    each of them (about 30 a request), which a format without such atoms never reads."""

    __slots__ = ("environ", "get")

    def __init__(self, environ: dict):
        self.environ = environ
        self.get = environ.get

    def __getitem__(self, name):
        return self.environ[name]

    def items(self):
        return ()


class AccessLogger(Logger):
    """gunicorn's logger; its access line is the same text (tests/test_serve_defaults.py
    compares them). gunicorn's atoms() makes an atom of every request header, response
    header and environ variable, and SafeAtoms escapes each, for every request (29 us of
    its 63 us a line); with a format that reads none of them (the default:
    `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"`) only the request's own
    atoms are made. A format with `%({...}i)`, `o` or `e` atoms gets all of them, as before."""

    def setup(self, cfg):
        super().setup(cfg)
        self._named_atoms = bool(_NAMED_ATOM.search(cfg.access_log_format))

    def atoms(self, resp, req, environ, request_time):
        if self._named_atoms:
            return super().atoms(resp, req, environ, request_time)
        bare = SimpleNamespace(status=resp.status, sent=getattr(resp, "sent", None), headers=())
        return super().atoms(bare, (), _Environ(environ), request_time)
