#!/usr/bin/env python3
"""A loopback TCP proxy in front of the AWS emulator that can play an outage, for the demo.

Usage: outage-proxy.py UPSTREAM_PORT

Listens on a free 127.0.0.1 port, prints that port alone on the first line of stdout, and forwards every
connection to 127.0.0.1:UPSTREAM_PORT (never anything else). SIGUSR1 takes it down: the open connections
are cut and the port is closed, so a client's next call is refused at once, as when AWS cannot be reached
from an instance. SIGUSR2 brings it back on the same port. Runs until SIGTERM/SIGINT.
"""

import signal
import socket
import sys
import threading


class Proxy:
    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.lock = threading.Lock()
        self.open = set()
        self.listener = None
        self.port = 0
        self.up()

    def up(self):
        """Listens again on the same port; retried in the background while the port is not free yet."""
        with self.lock:
            if self.listener is not None:
                return
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.1", self.port))
            except OSError as e:
                listener.close()
                sys.stderr.write("outage-proxy.py: cannot listen on %d yet (%s), retrying\n" % (self.port, e))
                threading.Timer(0.5, self.up).start()
                return
            listener.listen(64)
            self.port = listener.getsockname()[1]
            self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def forget(self, s):
        with self.lock:
            self.open.discard(s)

    def down(self):
        with self.lock:
            listener, self.listener = self.listener, None
            cut, self.open = self.open, set()
        if listener is not None:
            close(listener)
        for s in cut:
            close(s)

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # taken down
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                close(client)
                continue
            with self.lock:
                if self.listener is not listener:
                    close(client)
                    close(server)
                    return
                self.open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=pipe, args=(a, b, self.forget), daemon=True).start()


def close(s):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def pipe(source, sink, forget):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            close(s)
            forget(s)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: outage-proxy.py UPSTREAM_PORT")
    proxy = Proxy(int(sys.argv[1]))
    signal.signal(signal.SIGUSR1, lambda *_: proxy.down())
    signal.signal(signal.SIGUSR2, lambda *_: proxy.up())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(proxy.port, flush=True)
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
