#!/usr/bin/env bash
# Runs Julia (arguments passed through), installing it first when missing.
# The only Julia our package sources offer is Debian bullseye's 1.5.3; it is
# installed with a low-priority pin so bookworm stays preferred. That build
# crashes (in libunwind) when a Julia exception is thrown on bookworm's
# libunwind 1.6, so bullseye's libunwind 1.3 is unpacked beside it (into a
# cache folder, not installed) and preloaded for Julia only.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/jaxcore/julia-libunwind"
if ! command -v julia >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "julia is missing; install it (as root: see scripts/julia.sh) or put it on PATH" >&2
        exit 1
    fi
    echo 'deb http://deb.debian.org/debian bullseye main' > /etc/apt/sources.list.d/bullseye.list
    printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' > /etc/apt/preferences.d/bullseye-low
    apt-get update -qq
    apt-get install -y -q --no-install-recommends julia >/dev/null
fi
if julia --version | grep -q ' 1\.5\.' && [ ! -e "$cache/libunwind.so.8" ]; then
    tmp=$(mktemp -d)
    if (cd "$tmp" && apt-get download -q libunwind8=1.3.2-2 >/dev/null 2>&1 && dpkg -x libunwind8_1.3.2-2_amd64.deb x); then
        mkdir -p "$cache"
        cp -a "$tmp"/x/usr/lib/x86_64-linux-gnu/libunwind*.so* "$cache"/
    else
        echo "warning: could not fetch bullseye's libunwind 1.3; Julia 1.5 may crash on exceptions" >&2
    fi
    rm -rf "$tmp"
fi
if julia --version | grep -q ' 1\.5\.'; then
    export LD_LIBRARY_PATH="$cache${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
exec julia "$@"
