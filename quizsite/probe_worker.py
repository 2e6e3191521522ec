"""gunicorn's threaded worker, with a thread of its own for /livez and /healthz.

gthread hands every connection to a pool of GUNICORN_THREADS threads. While the database is
away, all of them can be waiting for it (up to DATABASE_POOL_TIMEOUT each, one request after
another), and requests queue behind them, probes included: a liveness check would then
restart a healthy server in the middle of a database outage, losing the requests it holds.

So this worker waits for a request's first bytes in its event loop (where gthread waits
for the next request on a kept-alive connection anyway), peeks at its first line, and gives
probes to one extra thread that nothing else uses. Everything else goes to the usual pool,
and both are then served by gthread's own code. A WSGI wrapper or a middleware in front of
Django could not do this: it runs in one of the pool's threads, after the wait.
"""

import errno
import selectors
import socket
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import DEFAULT_WORKER_DATA_TIMEOUT, TConn, ThreadWorker

PROBES = (b"GET /livez", b"GET /healthz", b"HEAD /livez", b"HEAD /healthz")
PEEK = max(len(probe) for probe in PROBES) + 1  # the path must end there: "/livez2" isn't one


def is_probe(first_bytes: bytes) -> bool:
    return any(
        first_bytes.startswith(probe) and first_bytes[len(probe) : len(probe) + 1] in b" ?"
        for probe in PROBES
    )


class ProbeThreadWorker(ThreadWorker):
    def init_process(self):
        self.probe_pool = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="probe")
        super().init_process()

    def accept(self, listener):
        """As gthread's, but the new connection waits for its request in the event loop."""
        try:
            client_sock, client_addr = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())
        # As long as gthread would wait for it: in a thread, then on the poller.
        conn.timeout = time.monotonic() + DEFAULT_WORKER_DATA_TIMEOUT + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    def enqueue_req(self, conn):
        pool = self.probe_pool if self.asks_for_probe(conn) else self.tpool
        done = pool.submit(self.handle, conn)
        done.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def asks_for_probe(self, conn) -> bool:
        if self.cfg.is_ssl:
            return False  # TLS ends at the proxy in front; the bytes here would be encrypted
        if conn.parser is not None and conn.parser.unreader.buf.getvalue():
            return False  # a pipelined request already read: the usual pool
        try:
            first = conn.sock.recv(PEEK, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:
            return False
        return is_probe(first)

    def run(self):
        try:
            super().run()
        finally:
            self.probe_pool.shutdown(wait=False)

    def handle_quit(self, sig, frame):
        self.probe_pool.shutdown(wait=False)
        super().handle_quit(sig, frame)
