#!/usr/bin/env bash
# Starts a TierSync group daemon that accepts one child, fuzzes its HTTP API from
# Protocols/openapi.yaml with schemathesis (fuzz_api.py), and stops the daemon.
# Usage: Tests/Fuzz/run-fuzz.sh TIERSYNC_BINARY PYTHON [EXAMPLES]
set -euo pipefail
binary=$(realpath "$1")
python=$2
examples=${3:-300}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/tiersync-fuzz.XXXXXX)
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
printf '[node]\nid = "cn.gd"\nparent = "http://127.0.0.1:9"\n' > child.conf
"$binary" keygen --config child.conf > /dev/null
child_key=$(sed -n 's/^public = "\(.*\)"$/\1/p' cn.gd.key)
printf '[node]\nid = "cn"\nlisten = "127.0.0.1:%s"\n[limits]\nbody_bytes = 1048576\nbatch_changes = 1000\n[children]\ncn.gd = "%s"\n' "$port" "$child_key" > cn.conf
"$binary" keygen --config cn.conf > /dev/null
"$binary" serve --config cn.conf > daemon.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
    sleep 0.1
done
status=0
"$python" "$root/Tests/Fuzz/fuzz_api.py" --schema "$root/Protocols/openapi.yaml" --base-url "http://127.0.0.1:$port" \
    --child-key cn.gd.key --node-key cn.key --examples "$examples" || status=$?
if ! kill -0 "$pid" 2>/dev/null; then
    echo "the daemon died during the run:"; tail -50 daemon.log; status=1
fi
if [ $status -ne 0 ]; then echo "daemon log tail:"; tail -30 daemon.log; fi
exit $status
