#!/usr/bin/env bash
# Downloads XLA's CPU PJRT plugin with pip, checks the wheel's sha256, and
# unpacks the plugin into the cache folder. Reuses the cached plugin when
# present. Prints the plugin's path.
#
# The plugin is the one of the PyPI wheel lammps-jax-pjrt-cpu 0.11.2 (Apache-2.0,
# XLA's CPU client built from the XLA of jaxlib 0.11.2): its compiler is
# jaxlib's, so jitted programs give JAX's numbers (matrix products and
# transcendental functions bit for bit against JAX 0.10.2, where the older
# xla-cpu-pjrt 0.0.1 differed in the last bits). The cached file is named
# after the wheel's version (src/runtime/pjrt/mod.rs, cpu_plugin_cache_path),
# so a cache holding another build is never taken for this one.
set -euo pipefail
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/jaxcore/plugins/cpu"
SO="$CACHE/xla_cpu-0.11.2.so"
WHEEL=lammps-jax-pjrt-cpu==0.11.2
SHA=1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1
INSIDE=lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so
if [ -s "$SO" ]; then echo "$SO"; exit 0; fi
mkdir -p "$CACHE"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$TMP" "$WHEEL" >&2
WHL="$(ls "$TMP"/*.whl)"
echo "$SHA  $WHL" | sha256sum --check --quiet - >&2 || { echo "sha256 mismatch for $WHL" >&2; exit 1; }
python3 - "$WHL" "$INSIDE" "$SO" <<'PY'
import sys, zipfile, os
whl, inside, out = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(whl) as z, z.open(inside) as src, open(out + ".part", "wb") as dst:
    while True:
        b = src.read(1 << 20)
        if not b: break
        dst.write(b)
os.replace(out + ".part", out)
PY
echo "$SO"
