#!/usr/bin/env python3
"""A loopback stand-in for IMDSv2 and EC2 that answers with recorded responses: the class-data training run.

Usage:
  training-aws.py serve DIR [MEMBERS]  serve the responses recorded in DIR; with MEMBERS, a group of that many
                                       (bench/daemon.sh's heap check), built from the recorded instance
  training-aws.py record ENDPOINT DIR  record them from an AWS emulator (moto_server) at ENDPOINT

The image's class-data archive (make-cds-archive.sh) is made from a training run of the agent. For the archive
to hold what a real boot runs (the IMDSv2 token and identity document, the EC2 query protocol, the answer's
XML parsed into instances, paging, then the tool calls), that run must discover a group; but the image build
must not call AWS. So the training run talks to this stand-in, which answers on 127.0.0.1 only, on a free
port that it prints alone on the first line of stdout. It serves:

  PUT /latest/api/token                           IMDSv2 token (needs X-aws-ec2-metadata-token-ttl-seconds)
  GET /latest/dynamic/instance-identity/document  the recorded member's identity (needs the token)
  GET /latest/meta-data/autoscaling/target-lifecycle-state, /latest/meta-data/spot/instance-action
                                                  404, as for an instance in no Auto Scaling group and
                                                  with no Spot interruption scheduled (needs the token)
  POST / Action=DescribeTags                      the recorded answer for that member's own tags
  POST / Action=DescribeInstances                 the recorded group, page 1; with the NextToken of page 1,
                                                  page 2 (any other token is EC2's InvalidParameterValue)

Anything else is answered with an EC2 error (or 404 for metadata), and the request is written to stderr, so
an agent that starts asking for something new shows up in the build log instead of training on an error.

With MEMBERS, DescribeInstances answers a group of MEMBERS instances instead (this one and MEMBERS - 1 others,
each the recorded page 2's reservation with its own instance id and address), in pages of MaxResults (at most
1000, as EC2), NextToken "page-N". Not for the image: for measuring a large group without an emulator that
takes minutes to answer it.

DIR holds identity.json, describe-tags.xml, describe-instances-1.xml and describe-instances-2.xml. `record`
makes them with moto: a group of 6 instances tagged nholuongut:peerGroupName=training (one RunInstances call
each, so that moto pages them 5 + 1), the first of which is "this" instance. Only the standard library is
used, so the stand-in runs with the image's python3.
"""

import json
import re
import signal
import sys
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TAG_KEY = "nholuongut:peerGroupName"
GROUP = "training"
GROUP_SIZE = 6
PAGE = 5
EC2_VERSION = "2016-11-15"
# The agent reads these at boot and at SIGTERM; the recorded member is in no Auto Scaling group.
LIFECYCLE_PATHS = ("/latest/meta-data/autoscaling/target-lifecycle-state", "/latest/meta-data/spot/instance-action")


def ec2_error(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
            '</Error></Errors><RequestID>%s</RequestID></Response>' % (code, message, uuid.uuid4()))


def synthetic_pages(recorded, members):
    """The reservations of a group of MEMBERS, built from page 2's one reservation: (instance id, address)."""
    page_2 = recorded["describe-instances-2"]
    block = re.search(r"<reservationSet>(.*)</reservationSet>", page_2, re.S).group(1)
    template_id = re.search(r"<instanceId>([^<]+)</instanceId>", block).group(1)
    template_ip = re.search(r"<privateIpAddress>([^<]+)</privateIpAddress>", block).group(1)
    template_reservation = re.search(r"<reservationId>([^<]+)</reservationId>", block).group(1)
    identity = recorded["identity"]
    reservations = []
    for n in range(members):
        if n == 0:
            instance_id, address = identity["instanceId"], identity["privateIp"]
        else:
            instance_id = "i-%017x" % (0x5000000 + n)
            address = "10.%d.%d.%d" % (1 + n // 65536, (n // 256) % 256, n % 256)
        reservations.append(block.replace(template_id, instance_id).replace(template_ip, address)
                            .replace(template_reservation, "r-%017x" % (0x5000000 + n)))
    head = page_2[:page_2.index("<reservationSet>")]
    tail = page_2[page_2.index("</reservationSet>") + len("</reservationSet>"):]
    return head, reservations, tail


def make_handler(recorded, token, members=None):
    identity = recorded["identity"]
    document = json.dumps({
        "accountId": "123456789012",
        "availabilityZone": identity["region"] + "a",
        "instanceId": identity["instanceId"],
        "privateIp": identity["privateIp"],
        "region": identity["region"],
        "version": "2017-09-30",
    })
    page_2_token = recorded["nextToken"]
    large = synthetic_pages(recorded, members) if members else None

    def large_page(params):
        head, reservations, tail = large
        size = min(int(params.get("MaxResults", ["1000"])[0]), 1000)
        token = params.get("NextToken", ["page-0"])[0]
        start = int(token[len("page-"):]) * size if re.fullmatch(r"page-[0-9]+", token) else -1
        if start < 0 or start >= len(reservations) and start > 0:
            return None
        end = start + size
        more = "<nextToken>page-%d</nextToken>" % (end // size) if end < len(reservations) else ""
        return "%s<reservationSet>%s</reservationSet>%s%s" % (head, "".join(reservations[start:end]), more, tail)

    class Handler(BaseHTTPRequestHandler):
        server_version = "AmazonEC2"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        # One write per answer, as a server that buffers its response sends it. Unbuffered (http.server's
        # default), the headers and the body leave in two writes, and Nagle's algorithm holds the second
        # until the client acknowledges the first, which a client with nothing to send delays by 40 ms on
        # Linux: curl's fresh connections escape it, the JDK's kept-alive ones (the SDK's) do not, so the
        # agent waited ~40 ms per answer on this stand-in, not on the service. Flushed after each request.
        wbufsize = -1

        def log_message(self, fmt, *args):
            pass

        def _reply(self, status, body="", content_type="text/plain", headers=None):
            data = body.encode("utf-8")
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length).decode("utf-8") if length > 0 else ""

        def _unexpected(self, what):
            sys.stderr.write("training-aws: unexpected request: %s\n" % what)

        def do_PUT(self):
            self._body()
            ttl = self.headers.get(TTL_HEADER, "")
            if self.path != "/latest/api/token" or not ttl.strip().isdigit():
                self._unexpected("PUT " + self.path)
                self._reply(400)
                return
            self._reply(200, token, headers={TTL_HEADER: ttl.strip()})

        def do_GET(self):
            if self.headers.get(TOKEN_HEADER) != token:
                self._unexpected("GET %s without the token" % self.path)
                self._reply(401)
            elif self.path == "/latest/dynamic/instance-identity/document":
                self._reply(200, document, "application/json")
            elif self.path in LIFECYCLE_PATHS:
                self._reply(404)
            else:
                self._unexpected("GET " + self.path)
                self._reply(404)

        def do_POST(self):
            params = urllib.parse.parse_qs(self._body())
            action = params.get("Action", [""])[0]
            next_token = params.get("NextToken", [None])[0]
            if action == "DescribeTags":
                body = recorded["describe-tags"]
            elif action == "DescribeInstances" and large:
                body = large_page(params)
                if body is None:
                    self._unexpected("DescribeInstances NextToken=%s" % next_token)
                    self._reply(400, ec2_error("InvalidParameterValue", "Invalid value for NextToken"), "text/xml")
                    return
            elif action == "DescribeInstances" and next_token is None:
                body = recorded["describe-instances-1"]
            elif action == "DescribeInstances" and next_token == page_2_token:
                body = recorded["describe-instances-2"]
            elif action == "DescribeInstances":
                self._unexpected("DescribeInstances NextToken=%s" % next_token)
                self._reply(400, ec2_error("InvalidParameterValue", "Invalid value for NextToken"), "text/xml")
                return
            else:
                self._unexpected("POST Action=%s" % action)
                self._reply(400, ec2_error("InvalidAction", "not recorded: %s" % action), "text/xml")
                return
            self._reply(200, body, "text/xml;charset=UTF-8")

    return Handler


def load(directory):
    d = Path(directory)
    recorded = {name: (d / (name + ".xml")).read_text("utf-8")
                for name in ("describe-tags", "describe-instances-1", "describe-instances-2")}
    recorded["identity"] = json.loads((d / "identity.json").read_text("utf-8"))
    found = re.search(r"<nextToken>([^<]+)</nextToken>", recorded["describe-instances-1"])
    if found is None:
        raise SystemExit("training-aws: %s/describe-instances-1.xml has no nextToken: page 2 is never asked for" % d)
    recorded["nextToken"] = found.group(1)
    return recorded


def serve(directory, members=None):
    recorded = load(directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(recorded, uuid.uuid4().hex, members))
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


def record(endpoint, directory):
    def call(action, **params):
        form = {"Action": action, "Version": EC2_VERSION}
        form.update(params)
        request = urllib.request.Request(endpoint.rstrip("/") + "/", data=urllib.parse.urlencode(form).encode(),
                                         headers={"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/"
                                                  "us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode("utf-8")

    ids = []
    for n in range(GROUP_SIZE):
        answer = call("RunInstances", ImageId="ami-12c6146b", MinCount="1", MaxCount="1", InstanceType="t3.micro",
                      PrivateIpAddress="10.0.0.%d" % (10 + n), **{
                          "TagSpecification.1.ResourceType": "instance",
                          "TagSpecification.1.Tag.1.Key": TAG_KEY,
                          "TagSpecification.1.Tag.1.Value": GROUP})
        ids.append(re.search(r"<instanceId>([^<]+)</instanceId>", answer).group(1))
    self_id = ids[0]
    filters = {"Filter.1.Name": "tag:" + TAG_KEY, "Filter.1.Value.1": GROUP,
               "Filter.2.Name": "instance-state-name", "Filter.2.Value.1": "pending", "Filter.2.Value.2": "running"}
    page_1 = call("DescribeInstances", MaxResults=str(PAGE), **filters)
    next_token = re.search(r"<nextToken>([^<]+)</nextToken>", page_1).group(1)
    page_2 = call("DescribeInstances", MaxResults=str(PAGE), NextToken=next_token, **filters)
    tags = call("DescribeTags", **{"Filter.1.Name": "resource-id", "Filter.1.Value.1": self_id,
                                   "Filter.2.Name": "key", "Filter.2.Value.1": TAG_KEY})
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / "describe-tags.xml").write_text(tags, "utf-8")
    (d / "describe-instances-1.xml").write_text(page_1, "utf-8")
    (d / "describe-instances-2.xml").write_text(page_2, "utf-8")
    (d / "identity.json").write_text(json.dumps({"instanceId": self_id, "region": "us-east-1",
                                                 "privateIp": "10.0.0.10"}, indent=2) + "\n", "utf-8")
    return 0


def main(argv):
    if len(argv) in (3, 4) and argv[1] == "serve":
        return serve(argv[2], int(argv[3]) if len(argv) == 4 else None)
    if len(argv) == 4 and argv[1] == "record":
        return record(argv[2], argv[3])
    sys.stderr.write("usage: training-aws.py serve DIR [MEMBERS] | training-aws.py record ENDPOINT DIR\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
