#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Minimal QMP client: qmp.py SOCKET COMMAND [OUT.json]

Runs COMMAND (no arguments) and prints the "return" value as JSON, and for
query-smmuv3 one line per stream: "stream SID KIND DEVICE translations=N
aborts=N faults=N" followed by its history, one line per period: "history
SID KIND start=NS duration=NS translations=N aborts=N faults=N", and for a
stream with substreams "substreams SID s1dss=MODE pasids=SSID:KIND,...".
COMMAND "hmp:LINE" runs the HMP command LINE and
prints its output; "device_del:ID" unplugs the device ID.  Exit status 1 with "error: ..." on failure."""
import json, socket, sys

def main():
    path, cmd = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    f = s.makefile("rw")
    def recv():
        while True:
            msg = json.loads(f.readline())
            if "event" not in msg:
                return msg
    recv()  # greeting
    for c in ("qmp_capabilities", cmd):
        req = {"execute": c}
        if c.startswith("device_del:"):
            req = {"execute": "device_del", "arguments": {"id": c[11:]}}
        if c.startswith("hmp:"):
            req = {"execute": "human-monitor-command",
                   "arguments": {"command-line": c[4:]}}
        f.write(json.dumps(req) + "\n"); f.flush()
        r = recv()
        if "error" in r:
            print("error: %s: %s" % (c, r["error"].get("desc")), file=sys.stderr)
            return 1
    ret = r["return"]
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as out:
            json.dump(ret, out, indent=1)
    if cmd == "query-smmuv3":
        for smmu in ret:
            print("smmu %s enabled=%s" % (smmu["qom-path"], smmu["enabled"]))
            for st in smmu["streams"]:
                print("stream %d %s %s translations=%d aborts=%d faults=%d" % (
                    st["sid"], st["kind"],
                    st.get("id") or st["device"] or "(unplugged)",
                    st["translations"], st["aborts"], st["faults"]))
                if "s1dss" in st:
                    print("substreams %d s1dss=%s pasids=%s" % (
                        st["sid"], st["s1dss"],
                        ",".join("%d:%s" % (x["ssid"], x["kind"])
                                 for x in st["substreams"]) or "none"))
                for h in st.get("history", []):
                    print("history %d %s start=%d duration=%d translations=%d "
                          "aborts=%d faults=%d" % (
                              st["sid"], h["kind"], h["start-ns"],
                              h["duration-ns"], h["translations"],
                              h["aborts"], h["faults"]))
    elif cmd.startswith("hmp:"):
        print(ret, end="")
    else:
        print(json.dumps(ret))
    return 0

try:
    sys.exit(main())
except (OSError, ValueError) as e:
    print("error: QMP %s: %s" % (sys.argv[1:3], e), file=sys.stderr)
    sys.exit(1)
