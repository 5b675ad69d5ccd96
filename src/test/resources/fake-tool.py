#!/usr/bin/env python3
"""A stand-in for the nholuongut, scope and systemd-notify tools in tests.

Appends its argv (as one JSON array, tool name first) to calls.jsonl beside it and exits with the code
in the file exit-<tool>-<subcommand> if there is one, after printing stdout-<tool>-<subcommand> if there is one. `nholuongut status` exits 0 once `launch` has
succeeded (marker file net-running), as the real tool would. `sleep-<tool>-<subcommand>` makes it hang.
"""
import json
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
tool = os.path.basename(sys.argv[0])
sub = sys.argv[1] if len(sys.argv) > 1 else ""
with open(os.path.join(here, "calls.jsonl"), "a", encoding="utf-8") as log:
    log.write(json.dumps([tool] + sys.argv[1:]) + "\n")


def setting(kind):
    path = os.path.join(here, "%s-%s-%s" % (kind, tool, sub))
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return None


out = os.path.join(here, "stdout-%s-%s" % (tool, sub))
if os.path.exists(out):
    with open(out, encoding="utf-8") as f:
        sys.stdout.write(f.read())
if setting("sleep"):
    time.sleep(float(setting("sleep")))
code = setting("exit")
if code is None:
    code = "0"
    if tool == "nholuongut" and sub == "status":
        code = "0" if os.path.exists(os.path.join(here, "net-running")) else "1"
code = int(code)
if code == 0 and tool == "nholuongut" and sub == "launch":
    open(os.path.join(here, "net-running"), "w").close()
if code != 0:
    sys.stderr.write("%s %s failed on purpose\n" % (tool, sub))
sys.exit(code)
