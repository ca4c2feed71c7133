"""The gunicorn worker `tracker serve` runs (threads > 1): gunicorn's gthread worker, except
that a connection ending after its answer is closed in the request's own thread.

gunicorn 27 closes such a connection gracefully (RFC 9112 section 9.6: half-close, then read
until the client closes too, for up to 2 s) on the worker's main loop, the one thread that
accepts connections and hands them to the threads. With keep-alive off (`tracker serve`'s
default) that is every request: each answer held the whole worker for a round trip to its
client, and a client that read its answer but kept its socket open stalled every other
request of that worker for 2 s (tests/test_serve_defaults.py). In the request's thread the
same close waits only for its own client.
"""
from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class ThreadWorker(GunicornThreadWorker):
    def handle(self, conn):
        keep = super().handle(conn)
        if keep is False:  # not kept alive, not deferred: done with this connection
            conn.close(graceful=True)
            conn.closed_in_thread = True
        return keep

    def finish_request(self, conn, fs):
        if getattr(conn, "closed_in_thread", False):
            self.nr_conns -= 1  # what gunicorn's finish_request does, without closing again
            return
        super().finish_request(conn, fs)
