#!/usr/bin/env bash
# Downloads XLA's CPU PJRT plugin (PyPI wheel xla-cpu-pjrt==0.0.1) with pip,
# checks the wheel's sha256, and unpacks the plugin into the cache folder.
# Reuses the cached plugin when present. Prints the plugin's path.
set -euo pipefail
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/jaxcore/plugins/cpu"
SO="$CACHE/xla_cpu_pjrt.so"
SHA=55837b6b7b47daa717f2d9a5a03563ea0ceaa338d06a81a1e2d3f060d960decc
if [ -s "$SO" ]; then echo "$SO"; exit 0; fi
mkdir -p "$CACHE"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$TMP" xla-cpu-pjrt==0.0.1 >&2
WHL="$(ls "$TMP"/xla_cpu_pjrt-0.0.1-*.whl)"
echo "$SHA  $WHL" | sha256sum --check --quiet - >&2 || { echo "sha256 mismatch for $WHL" >&2; exit 1; }
python3 - "$WHL" "$SO" <<'PY'
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z, z.open("xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so") as src, open(out + ".part", "wb") as dst:
    while True:
        b = src.read(1 << 20)
        if not b: break
        dst.write(b)
os.replace(out + ".part", out)
PY
echo "$SO"
