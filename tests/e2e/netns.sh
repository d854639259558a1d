#!/bin/sh
# Runs "$@" inside the current (fresh, private) network namespace after setting it up:
# lo up, plus a veth pair whose two ends both stay inside (v0 = 10.99.0.1/24, v1 unaddressed)
# and a default route on v0. Chromium gathers no ICE candidates with loopback alone; the veth pair
# gives it a non-loopback interface, and nothing can leave the namespace through it.
# Call it through tests/e2e/namespace.mjs, which enters the namespace first (unshare -n or -rn).
set -e
ip link set lo up
if ip link add v0 type veth peer name v1 2>/dev/null; then
  ip addr add 10.99.0.1/24 dev v0
  ip link set v0 up
  ip link set v1 up
  ip route add default dev v0
  export MYCHIPS_NETNS_VETH=1
else
  echo "[netns] could not create the veth pair here: only loopback exists, WebRTC links will not form" >&2
  export MYCHIPS_NETNS_VETH=0
fi
exec "$@"
