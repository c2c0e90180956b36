"""Runs every workload of bench/workloads.py on JAX and on libjaxcore
(Python binding), alternating, each run in a fresh process with cold
compilation caches; adds the C-side numbers from `cargo bench --bench
capi`; prints the table and writes docs/benchmarks.md. Started by
bench/run.sh (which makes the virtual environment and the release build).
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKLOADS = [
    ("dispatch", "jit dispatch `x*x+2*x` f32[4], from Python", 1.0),
    ("eager_add", "eager add f32[4], from Python", None),
    ("big_jit", "5000×5000 `x*x+x*2.0`, jitted", 1.0),
    ("big_donate", "same, `donate_argnums=0`, `x = f(x)`", 1.0),
    ("big_eager", "same, not jitted (eager)", None),
    ("mlp_forward", "MLP 784-512-512-10 b128 forward, jitted", None),
    ("mlp_step", "MLP `jit(grad(loss))` step", 1.0),
    ("mlp_first_call", "MLP first call (trace + compile), cold", 0.7),
    ("trace_transform", "trace + transform `grad(loss)` (`make_jaxpr`)", 0.1),
    ("per_example_grads", "per-example grads `jit(vmap(grad))`, b128", 1.0),
    ("grad3_first_call", "`grad(grad(grad(tanh)))(1.0)` first call", None),
    ("grad3_jitted", "same, jitted call", None),
    ("scan_rnn_step", "`scan` RNN (seq 100, hidden 256, b16) `jit(grad)` step", None),
    ("chain200_compile", "first call of a 200-op elementwise chain (compile)", None),
    ("dp_step_1dev", "data-parallel MLP `jit(grad)` step, global batch 256, 1 device", None),
    ("dp_step_2dev", "same on 2 CPU devices (batch `P('data')`, parameters replicated)", None),
    ("fsdp_step_8dev", "the seed's FSDP step (parameters and batch `P('data')`), 8 CPU devices", None),
]

# workloads that need several CPU devices (jax_num_cpu_devices in their process)
DEVICES = {"dp_step_2dev": 2, "fsdp_step_8dev": 8}


def worker(lib, name, env):
    out = subprocess.run([sys.executable, os.path.join(HERE, "workloads.py"), lib, name], capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{lib} {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def c_side():
    """C dispatch and eager add from `cargo bench --bench capi` (microseconds)."""
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "capi"], cwd=ROOT, capture_output=True, text=True)
    got = {}
    for line in out.stdout.splitlines():
        m = re.match(r"C dispatch .*?: ([0-9.]+) us", line)
        if m:
            got["dispatch"] = float(m.group(1))
        m = re.match(r"C eager jc_add .*?: ([0-9.]+) us", line)
        if m:
            got["eager_add"] = float(m.group(1))
    return got


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}"


def main():
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    only = os.environ.get("BENCH_ONLY")
    env = dict(os.environ, JAXCORE_COMPILE_CACHE="off")
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    import jax
    jax_version = jax.__version__
    res = {}
    for name, _, _ in WORKLOADS:
        if only and name not in only.split(","):
            continue
        runs = {"jax": [], "jaxcore": []}
        for r in range(rounds):
            for lib in (("jaxcore", "jax") if r % 2 == 0 else ("jax", "jaxcore")):
                runs[lib].append(worker(lib, name, dict(env, BENCH_DEVICES=str(DEVICES.get(name, 1)))))
        res[name] = {lib: {"value": statistics.median(x["value"] for x in v), "unit": v[0]["unit"],
                           "maxrss_mb": max(x["maxrss_mb"] for x in v)} for lib, v in runs.items()}
        a, b = res[name]["jaxcore"], res[name]["jax"]
        print(f"{name:<20} jaxcore {a['value']:10.2f} {a['unit']:<3} jax {b['value']:10.2f} {b['unit']:<3} ratio {a['value'] / b['value']:.2f}", flush=True)
    if only:
        return  # a partial run prints its rows; the page always holds a full run
    write_page(res, c_side(), jax_version)


def write_page(res, c, jax_version):
    lines = [
        "# Benchmarks: libjaxcore next to JAX",
        "",
        f"Latest run: {time.strftime('%Y-%m-%d')}, {machine()}, JAX {jax_version} (CPU, from PyPI), "
        "libjaxcore release build with XLA's CPU PJRT plugin (`scripts/fetch_cpu_plugin.sh`: the XLA of jaxlib 0.11.2).",
        "",
        "Command (creates its own virtual environment with jax and numpy, builds in release mode):",
        "",
        "```",
        "bench/run.sh",
        "```",
        "",
        "Every number is the median over alternating runs (jaxcore, JAX, JAX, jaxcore, ...), each in a fresh",
        "process with the persistent compilation caches off; \"peak RSS\" is the largest resident set of those",
        "processes. Ratios are libjaxcore / JAX (below 1: we are faster).",
        "",
        "| workload | libjaxcore | JAX | ratio | goal | peak RSS ours / JAX |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, label, goal in WORKLOADS:
        if name not in res:
            continue
        a, b = res[name]["jaxcore"], res[name]["jax"]
        ratio = a["value"] / b["value"]
        g = "" if goal is None else (f"≤ {goal} met" if ratio <= goal else f"≤ {goal} **missed**")
        lines.append(f"| {label} | {a['value']:.2f} {a['unit']} | {b['value']:.2f} {b['unit']} | {ratio:.2f} | {g} | {a['maxrss_mb']:.0f} / {b['maxrss_mb']:.0f} MB |")
    for name, label, goal in [("dispatch", "jit dispatch `x*x+2*x` f32[4], from C (`cargo bench --bench capi`)", 0.25),
                              ("eager_add", "eager add f32[4], from C (`jc_add`)", 0.35)]:
        if name in c and name in res:
            ratio = c[name] / res[name]["jax"]["value"]
            g = f"≤ {goal} met" if ratio <= goal else f"≤ {goal} **missed**"
            lines.append(f"| {label} | {c[name]:.2f} us | {res[name]['jax']['value']:.2f} us (Python) | {ratio:.2f} | {g} | |")
    if "dp_step_1dev" in res and "dp_step_2dev" in res:
        lines += ["", "Scaling of the data-parallel step from 1 to 2 CPU devices (fixed global batch; efficiency = speedup / 2):", ""]
        for lib, label in (("jaxcore", "libjaxcore"), ("jax", "JAX")):
            t1, t2 = res["dp_step_1dev"][lib]["value"], res["dp_step_2dev"][lib]["value"]
            lines.append(f"- {label}: {t1:.2f} ms → {t2:.2f} ms, speedup {t1 / t2:.2f}, efficiency {t1 / t2 / 2:.0%}")
    lines += ["", open(os.path.join(HERE, "reading.md")).read().strip(), ""]
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    open(path, "w").write("\n".join(lines))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
