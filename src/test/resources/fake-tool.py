#!/usr/bin/env python3
"""A stand-in for the nholuongut, scope and systemd-notify tools in tests, faithful to the real scripts' rules.

Every call appends its argv (one JSON array, tool name first) to calls.jsonl beside it: once its change of
state is saved, or as it fails, or before it hangs (a sleep knob), so that a test that sees the call also sees
its effect. It behaves as the real command line does (read in the upstream scripts: weaveworks/weave `weave`, which the nholuongut
script is, and the `scope` script), on a modelled state kept in state.json beside it:

nholuongut (router state: running, targets, consensus, password set or not):
  - no command, or an unknown one: usage on stderr, exit 1
  - `status [sub]`: exit 0 while running; otherwise "nholuongut container is not present. Have you launched
    it?", exit 1
  - `launch [OPTIONS] PEER...`: fails while running ("nholuongut is already running; you can stop it with
    'nholuongut stop'.", exit 3); an option that takes a value without one is a usage error (exit 1); the
    router stops reading flags at the first peer (mflag), so a flag after it is taken for a peer whose name
    does not resolve: the router dies ("lookup --flag: no such host") and the script says "The nholuongut
    container has died." (exit 1), but for the options the script itself takes out wherever they stand
    (--password, --port, --ipalloc-range/--iprange, --no-restart, -H, --tls*, --no-detect-tls); otherwise
    running, targets = the peers (none is fine), consensus from --ipalloc-init, the password from
    --password or the environment variable nholuongut_PASSWORD (the script is Weave Net's `weave`
    renamed case-insensitively, weave -> nholuongut, as its WEAVE_NO_PLUGIN became nholuongut_NO_PLUGIN;
    upstream, `--password X` sets WEAVE_PASSWORD and passes it to the router's container with -e)
  - `connect [--replace] PEER...`: no argument at all is a usage error (exit 1); `--replace` with no peer
    makes the script call the router's HTTP API with no `peer=` and curl fails (exit 2); Net not running:
    exit 1; otherwise targets = peers (replace) or targets + peers
  - `forget PEER...`: no peer is a usage error (exit 1); not running: exit 1; otherwise targets - peers
  - `rmpeer PEER_ID...`: no name is a usage error (exit 1); not running: exit 1; otherwise always exit 0 with
    "N IPs taken over from NAME" for each (0 for an unknown peer, for this router's own name, or for one that
    owns nothing); a live peer is not refused (Net does not check: its space then belongs to two routers)
  - `reset [--force]`: other arguments are a usage error (exit 1); running: this router's address space goes
    to a surviving peer (in a mesh: the first other router that runs, else any other), then Net is stopped
    and its state removed; not running: nothing to hand over, exit 0
  - `prime`: not running: exit 1; otherwise the ring is initialised (IPAM.Entries is no longer null)
  - `report`: not running: exit 1; otherwise the router's JSON (Router.Name, NickName, Targets: null when
    empty, as Go encodes a nil slice; Peers; IPAM.Entries: null until the ring is initialised by `prime`, a
    list once it is; IPAM.Paxos while a consensus launch waits for its first allocation), or the text of
    stdout-nholuongut-report when a test set one
  - `stop`: arguments are a usage error; otherwise not running
scope (state: running, its launch arguments):
  - `launch ...`: fails while Scope runs ("nholuongutscope is already running.", exit 1); otherwise running
  - `stop`: arguments are a usage error (exit 1); otherwise not running (fine when it was not)
systemd-notify: records only.

A mesh of routers (the demo's; off unless the knob file `mesh` names a directory shared by several agents'
tools, with `router` holding this router's "PEER_NAME NICKNAME"): each router keeps MESH/PEER_NAME.json (running,
the address space it owns). `launch` puts it there, running, owning 65536 addresses; `stop` leaves it not
running, still owning them (as a router that vanished with its host does, until someone runs rmpeer); `report`
lists every running router as a peer and every router that owns space in IPAM.Entries, with IsKnownPeer
false for the ones not running; `rmpeer PEER_NAME` moves a router's space to the caller ("65536 IPs taken
over from ...", "0 IPs ..." when there was none), so a second rmpeer of it takes nothing, and refuses the
caller's own name with 0, as Net does; `reset` moves a router's space to the first other running router.
Simpler than Net: a mesh router owns its share from its launch where a real ring owns nothing until the first
allocation, every entry here has one token, and `report` lists running routers whether or not they are connected.

Test knobs, per tool and subcommand: exit-<tool>-<sub> (exit with that code instead, state untouched, after
a "failed on purpose" line on stderr), stdout-<tool>-<sub> (print it), sleep-<tool>-<sub> (hang first).
"""
import json
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
tool = os.path.basename(sys.argv[0])
args = sys.argv[1:]
sub = args[0] if args else ""
recorded = False


def record():
    """Appends this call to calls.jsonl, once."""
    global recorded
    if not recorded:
        recorded = True
        with open(os.path.join(here, "calls.jsonl"), "a", encoding="utf-8") as log:
            log.write(json.dumps([tool] + args) + "\n")

# nholuongut launch's options that take a value (the script's own and the router's), as `--opt value`.
NET_VALUE_OPTIONS = {
    "--password", "-password", "--port", "-port", "--iprange", "-iprange", "--ipalloc-range",
    "--ipalloc-init", "--ipalloc-default-subnet", "--nickname", "--name", "--host", "--trusted-subnets",
    "--dns-listen-address", "--hostname-from-label", "--hostname-match", "--hostname-replacement",
    "--token", "-H", "--log-level", "--conn-limit", "--mtu", "--datapath",
}


def script_option(word):
    """Whether the nholuongut script itself takes WORD out of launch's arguments, wherever it stands."""
    name = word.partition("=")[0]
    return name in ("--password", "-password", "--port", "-port", "--ipalloc-range", "--iprange", "-iprange",
                    "--no-restart", "-H", "--no-detect-tls") or name.startswith("--tls")


def beside(name):
    """The text of the file NAME beside the tool, or None."""
    path = os.path.join(here, name)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return f.read()
    return None


def knob(kind):
    return beside("%s-%s-%s" % (kind, tool, sub))


def load():
    path = os.path.join(here, "state.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    return {}


def write_json(path, value):
    """Replaces PATH with VALUE as JSON at once, so a reader never sees half a file."""
    tmp = path + ".%d.tmp" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def save(state):
    write_json(os.path.join(here, "state.json"), state)


def mesh_dir():
    """The shared mesh directory and this router's (name, nickname), or (None, None) outside a mesh."""
    where, me = beside("mesh"), beside("router")
    if where is None or me is None:
        return None, None
    name, nickname = me.split()[:2]
    return where.strip(), (name, nickname)


def mesh_routers(where):
    routers = []
    for entry in sorted(os.listdir(where)):
        if entry.endswith(".json"):
            with open(os.path.join(where, entry), encoding="utf-8") as f:
                routers.append(json.load(f))
    return routers


def mesh_save(where, router):
    write_json(os.path.join(where, router["name"] + ".json"), router)


def mesh_report(where, me, targets):
    routers = mesh_routers(where)
    peers = [{"Name": r["name"], "NickName": r["nickname"], "Connections": []} for r in routers if r["running"]]
    entries = [{"Token": "10.32.0.0", "Size": r["owns"], "Peer": r["name"], "Nickname": r["nickname"],
                "IsKnownPeer": r["running"]} for r in routers if r["owns"] > 0]
    return {"Router": {"Name": me[0], "NickName": me[1], "Peers": peers, "Targets": targets or None},
            "IPAM": {"Paxos": None, "Entries": entries or None}}


def ipam(router, name, nickname):
    """IPAM as Net reports it: Entries null until the ring is initialised, Paxos while a consensus waits."""
    if router.get("ring"):
        return {"Paxos": None, "Entries": [{"Token": "10.32.0.0", "Size": 1048576, "Peer": name,
                                            "Nickname": nickname, "IsKnownPeer": True, "Version": 0}]}
    init = router.get("ipallocInit", "")
    paxos = None
    if init.startswith("consensus="):
        paxos = {"Elector": True, "KnownNodes": 1, "Quorum": int(init.split("=", 1)[1]) // 2 + 1}
    return {"Paxos": paxos, "Entries": None}


def mesh_rmpeer(where, me, name):
    routers = {r["name"]: r for r in mesh_routers(where)}
    gone = routers.get(name)
    if gone is None or gone["owns"] == 0:
        return 0
    taken, gone["owns"] = gone["owns"], 0
    mesh_save(where, gone)
    if me[0] in routers:
        routers[me[0]]["owns"] += taken
        mesh_save(where, routers[me[0]])
    return taken


def mesh_reset(where, me):
    """DELETE /peer: this router's space goes to an heir (the first other running router, else any other)."""
    routers = {r["name"]: r for r in mesh_routers(where)}
    mine = routers.get(me[0])
    if mine is None:
        return
    others = [r for name, r in sorted(routers.items()) if name != me[0]]
    heirs = [r for r in others if r["running"]] or others
    if heirs and mine["owns"] > 0:
        heirs[0]["owns"] += mine["owns"]
        mesh_save(where, heirs[0])
    mine["owns"], mine["running"] = 0, False
    mesh_save(where, mine)


def fail(code, message):
    sys.stderr.write(message + "\n")
    record()
    sys.exit(code)


def usage():
    fail(1, "Usage:\n\n%s --help | help\n      launch ... <peer> ...\n      connect [--replace] [<peer> ...]\n"
            "      forget <peer> ...\n      rmpeer <peer_id> ..." % tool)


def net_router(state):
    router = state.get("net") or {}
    if not router.get("running"):
        fail(1, "nholuongut container is not present. Have you launched it?")
    return router


def add_unique(targets, peers):
    for p in peers:
        if p not in targets:
            targets.append(p)
    return targets


def nholuongut(state, words):
    if not words:
        usage()
    command, rest = words[0], words[1:]
    router = state.setdefault("net", {})
    if command == "status":
        net_router(state)
        print("\n        Version: fake\n        Targets: %d\n" % len(router.get("targets", [])))
        return
    if command == "launch":
        if router.get("running"):
            fail(3, "nholuongut is already running; you can stop it with 'nholuongut stop'.")
        peers, options, i = [], {}, 0
        password = os.environ.get("nholuongut_PASSWORD")
        while i < len(rest):
            word = rest[i]
            if word.startswith("-") and peers and not script_option(word):
                # The router took it for a peer (mflag stops at the first non-flag) and died resolving it.
                fail(1, "lookup %s: no such host\nThe nholuongut container has died. Consult the container logs"
                        " for further details." % word)
            if word.startswith("-"):
                name, eq, value = word.partition("=")
                if not eq and name in NET_VALUE_OPTIONS:
                    if i + 1 >= len(rest):
                        usage()
                    i += 1
                    value = rest[i]
                options[name] = value
                if name in ("--password", "-password"):
                    password = value
            else:
                peers.append(word)
            i += 1
        init = options.get("--ipalloc-init", "consensus")
        if not (init == "observer" or init.startswith("consensus") or init.startswith("seed=")):
            fail(1, "invalid --ipalloc-init mode: %s" % init)
        router.clear()
        router.update({"running": True, "targets": add_unique([], peers), "ipallocInit": init,
                       "encrypted": bool(password), "launches": state.get("launches", 0) + 1})
        if password:
            # Kept so a test can check that the password reached Net, never on its command line.
            router["password"] = password
        state["launches"] = router["launches"]
        where, me = mesh_dir()
        if where:
            mesh_save(where, {"name": me[0], "nickname": me[1], "running": True, "owns": 65536})
        print("fakecontainerid")
        return
    if command == "connect":
        if not rest:
            usage()
        replace = rest[0] == "--replace"
        peers = rest[1:] if replace else rest
        if not peers:
            # The script then runs `curl ... -d replace=true -d http://...`: no URL, curl exits 2.
            fail(2, "curl: (2) no URL specified")
        net_router(state)
        router["targets"] = add_unique([], peers) if replace else add_unique(router.get("targets", []), peers)
        return
    if command == "forget":
        if not rest:
            usage()
        net_router(state)
        router["targets"] = [t for t in router.get("targets", []) if t not in rest]
        return
    if command == "rmpeer":
        if not rest:
            usage()
        net_router(state)
        where, me = mesh_dir()
        for name in rest:
            # Net's AdminTakeoverRanges: 0 for an unknown peer or for itself, and no check that the peer is gone.
            taken = mesh_rmpeer(where, me, name) if where and name != me[0] else 0
            print("%d IPs taken over from %s" % (taken, name))
        return
    if command == "reset":
        if rest and rest != ["--force"]:
            usage()
        if router.get("running"):
            where, me = mesh_dir()
            if where:
                mesh_reset(where, me)
        state["net"] = {"reset": True}
        return
    if command == "prime":
        if rest:
            usage()
        net_router(state)
        router["ring"] = True
        return
    if command == "report":
        if rest and not (len(rest) == 2 and rest[0] == "-f"):
            usage()
        net_router(state)
        where, me = mesh_dir()
        if knob("stdout") is None and where:
            print(json.dumps(mesh_report(where, me, router.get("targets"))))
        elif knob("stdout") is None:
            print(json.dumps({"Router": {"Name": "00:00:00:00:00:01", "NickName": "fake",
                                         "Targets": router.get("targets") or None, "Peers": []},
                              "IPAM": ipam(router, "00:00:00:00:00:01", "fake")}))
        return
    if command == "stop":
        if rest:
            usage()
        router["running"] = False
        where, me = mesh_dir()
        if where:
            for r in mesh_routers(where):
                if r["name"] == me[0]:
                    r["running"] = False
                    mesh_save(where, r)
        return
    if command in ("setup", "version", "env", "config", "dns-args"):
        return
    fail(1, "Unknown nholuongut command '%s'" % command)


def scope(state, words):
    if not words:
        usage()
    command, rest = words[0], words[1:]
    probe = state.setdefault("scope", {})
    if command == "launch":
        if probe.get("running"):
            fail(1, "nholuongutscope is already running.")
        probe.clear()
        probe.update({"running": True, "args": rest, "launches": state.get("scopeLaunches", 0) + 1})
        state["scopeLaunches"] = probe["launches"]
        print("Scope probe started")
        return
    if command == "stop":
        if rest:
            usage()
        probe["running"] = False
        return
    if command in ("version", "command", "help"):
        return
    fail(1, "Unknown scope command '%s'" % command)


out = knob("stdout")
if out is not None:
    sys.stdout.write(out)
sleep = knob("sleep")
if sleep:
    record()
    time.sleep(float(sleep.strip()))
code = knob("exit")
if code is not None and int(code.strip()) != 0:
    sys.stderr.write("%s %s failed on purpose\n" % (tool, sub))
    record()
    sys.exit(int(code.strip()))
if tool == "nholuongut":
    current = load()
    nholuongut(current, args)
    save(current)
elif tool == "scope":
    current = load()
    scope(current, args)
    save(current)
record()
sys.exit(0)
