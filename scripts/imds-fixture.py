#!/usr/bin/env python3
"""A loopback stand-in for the EC2 instance metadata service, IMDSv2 only.

Usage: imds-fixture.py INSTANCE_ID REGION PRIVATE_IP [PORT]

Binds 127.0.0.1 (never anything else) on PORT, or on a free port when PORT is 0 or absent, and prints
the chosen port alone on the first line of stdout, so a script can read it and point
AWS_EC2_METADATA_SERVICE_ENDPOINT at http://127.0.0.1:PORT. It serves one identity:

  PUT /latest/api/token                         needs X-aws-ec2-metadata-token-ttl-seconds (else 400),
                                                echoes that header back (the AWS SDK insists) and
                                                returns the token
  GET /latest/dynamic/instance-identity/document  the identity document (JSON)
  GET /latest/meta-data/instance-id               the instance id
  GET /latest/meta-data/placement/region          the region
  GET /latest/meta-data/local-ipv4                the private address
  GET /latest/meta-data/autoscaling/target-lifecycle-state
                                                  the text of the file IMDS_TARGET_STATE_FILE names, read at
                                                  each request (Auto Scaling's InService, Terminated, ...);
                                                  404 while it is unset or absent (no Auto Scaling group)

Every read needs the token in X-aws-ec2-metadata-token (401 without or with a wrong one), like an
instance whose metadata options say HttpTokens=required. Runs until SIGTERM/SIGINT.
"""

import json
import os
import signal
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TARGET_STATE_PATH = "/latest/meta-data/autoscaling/target-lifecycle-state"


def target_state():
    """The target lifecycle state a script set in IMDS_TARGET_STATE_FILE, or None (404)."""
    name = os.environ.get("IMDS_TARGET_STATE_FILE")
    if not name or not os.path.exists(name):
        return None
    with open(name, encoding="utf-8") as f:
        return (f.read().strip(), "text/plain")


def make_handler(instance_id, region, address, token):
    document = json.dumps({
        "accountId": "123456789012",
        "architecture": "x86_64",
        "availabilityZone": region + "a",
        "imageId": "ami-12c6146b",
        "instanceId": instance_id,
        "instanceType": "t3.micro",
        "pendingTime": "2024-01-01T00:00:00Z",
        "privateIp": address,
        "region": region,
        "version": "2017-09-30",
    }, indent=2)
    reads = {
        "/latest/dynamic/instance-identity/document": (document, "application/json"),
        "/latest/meta-data/instance-id": (instance_id, "text/plain"),
        "/latest/meta-data/placement/region": (region, "text/plain"),
        "/latest/meta-data/local-ipv4": (address, "text/plain"),
    }

    class Handler(BaseHTTPRequestHandler):
        server_version = "EC2ws"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        # One write per answer, as a server that buffers its response sends it. Unbuffered (http.server's
        # default), the headers and the body leave in two writes, and Nagle's algorithm holds the second
        # until the client acknowledges the first, which a client with nothing to send delays by 40 ms on
        # Linux: curl's fresh connections escape it, the JDK's kept-alive ones (the SDK's) do not, so the
        # agent waited ~40 ms per answer on this stand-in, not on the service. Flushed after each request.
        wbufsize = -1

        def log_message(self, fmt, *args):  # quiet: the scripts' output is the agent's
            pass

        def _reply(self, status, body="", content_type="text/plain", headers=None):
            data = body.encode("utf-8")
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data and self.command != "HEAD":
                self.wfile.write(data)

        def _drain(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > 0:
                self.rfile.read(length)

        def do_PUT(self):
            self._drain()
            if self.path.split("?", 1)[0] != "/latest/api/token":
                self._reply(403)
                return
            ttl = self.headers.get(TTL_HEADER)
            if ttl is None or not ttl.strip().isdigit() or not 1 <= int(ttl) <= 21600:
                self._reply(400)
                return
            self._reply(200, token, headers={TTL_HEADER: ttl.strip()})

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/latest/api/token":
                self._reply(405)  # the token is PUT only, as on EC2
                return
            if self.headers.get(TOKEN_HEADER) != token:
                self._reply(401)
                return
            found = reads.get(path)
            if path == TARGET_STATE_PATH:
                found = target_state()
            if found is None:
                self._reply(404)
            else:
                self._reply(200, found[0], found[1])

        def do_POST(self):
            self._drain()
            self._reply(405)

    return Handler


def main(argv):
    if len(argv) not in (4, 5) or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: imds-fixture.py INSTANCE_ID REGION PRIVATE_IP [PORT]\n")
        return 2
    instance_id, region, address = argv[1], argv[2], argv[3]
    port = int(argv[4]) if len(argv) == 5 else 0
    handler = make_handler(instance_id, region, address, uuid.uuid4().hex)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
