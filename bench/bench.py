"""`make bench`: the plugin's cost against plain Material, in one interleaved run.

For each N it writes N synthetic post-mortems into a temporary site and measures,
median of RUNS rounds, interleaved so that machine noise hits both sides:
full build / plain Material build of the same pages (post-mortems out of the nav),
`postmortems validate` / its floor (read the files, yaml.compose the front matter
with the C loader), first with no parse cache and then with one, the plugin's own work
on a serve rebuild after one post-mortem changed, peak memory, and the size of the
dashboard page and its chart data.
Prints one table and writes BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import write_config, write_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHORT_REPEATS = 3  # runs of validate, cached validate and floor in each round
REBUILDS = 5  # serve rebuilds measured, each after an edit to another post-mortem
FLOOR = r"""
import glob, sys, yaml
for path in glob.glob(sys.argv[1] + "/**/*.md", recursive=True):
    text = open(path, encoding="utf-8").read()
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        yaml.compose(text[4:end], Loader=yaml.CSafeLoader)
"""


def run(args: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak memory (KiB) of one child process."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", POSTMORTEMS_CACHE_DIR=str(cwd / "parse-cache"))
    start = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    errors = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{args} failed:\n{errors}")
    return elapsed, usage.ru_maxrss


def serve_rebuild(root: Path) -> tuple[float, float]:
    """(plugin seconds, whole dirty-build seconds) after one post-mortem changed, with the
    plugin instance and its cache kept from a first build, as `mkdocs serve --dirty` does:
    medians of REBUILDS rebuilds, each after an edit to another file."""
    code = f"""
import functools, os, statistics, sys, time
from pathlib import Path
os.chdir({str(root)!r})
from mkdocs.config import load_config
from mkdocs.commands.build import build
from mkdocs.plugins import CombinedEvent
config = load_config("mkdocs.yml", site_dir="serve-site")
plugin = config.plugins["postmortems"]
for name, instance in config.plugins.items():  # as `mkdocs serve --dirty` starts them
    if hasattr(instance, "on_startup"):
        instance.on_startup(command="serve", dirty=True)
build(config, dirty=True)
spent = [0.0]
def timed(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start
    return wrapper
for name in ("on_config", "on_files", "on_nav", "on_page_read_source", "on_page_content",
             "on_page_context", "on_post_build", "on_env"):
    if hasattr(plugin, name):
        setattr(plugin, name, timed(getattr(plugin, name)))
plugin.on_page_markdown = CombinedEvent(timed(plugin._page_content), timed(plugin._link_ids))
files = sorted(Path("docs/postmortems").glob("*.md"))
plugin_s, totals = [], []
for victim in files[len(files) // 2:][:{REBUILDS}]:
    victim.write_text(victim.read_text() + "\\nOne more line.\\n")
    spent[0] = 0.0
    start = time.perf_counter()
    config = load_config("mkdocs.yml", site_dir="serve-site")
    build(config, dirty=True)
    totals.append(time.perf_counter() - start)
    plugin_s.append(spent[0])
print(statistics.median(plugin_s), statistics.median(totals))
"""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def measure(count: int, runs: int, workdir: Path) -> dict:
    root = workdir / f"n{count}"
    write_site(root, count)
    write_config(root, plugin=False)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    validate = [str(Path(sys.executable).parent / "postmortems"), "validate"]
    samples: dict[str, list[float]] = {
        k: [] for k in ("plain", "full", "validate", "warm", "floor")
    }
    memory: dict[str, int] = {"plain": 0, "full": 0}
    run(validate, root)  # fills the command line's parse cache for the warm runs
    builds = (
        ("plain", mkdocs + ["-f", "plain.yml", "--site-dir", "plain-site"]),
        ("full", mkdocs + ["-f", "mkdocs.yml", "--site-dir", "site"]),
    )
    # A second or two each: run SHORT_REPEATS times a round, so that one slow moment of a
    # shared machine does not decide their ratio.
    checks = (
        ("validate", validate + ["--no-cache"]),
        ("warm", validate),
        ("floor", [sys.executable, "-c", FLOOR, "docs/postmortems"]),
    ) * SHORT_REPEATS
    for _ in range(runs):  # interleaved
        for key, args in builds + checks:
            seconds, peak = run(args, root)
            samples[key].append(seconds)
            if key in memory:
                memory[key] = max(memory[key], peak)
    plugin_s, dirty_s = serve_rebuild(root)
    dashboard = (root / "site/dashboard/index.html").read_text(encoding="utf-8")
    data = re.findall(r'class="pm-chart-data"[^>]*>(.*?)</script>', dashboard, re.S)
    median = {k: statistics.median(v) for k, v in samples.items()}
    shutil.rmtree(root)
    return {
        "n": count,
        **median,
        "plugin_rebuild": plugin_s,
        "dirty_build": dirty_s,
        "mem_plain": memory["plain"] / 1024,
        "mem_full": memory["full"] / 1024,
        "dashboard_kib": len(dashboard.encode()) / 1024,
        "chart_data_kib": sum(len(d.encode()) for d in data) / 1024,
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| N | plain build | full build | full/plain | validate | floor | validate/floor "
        "| validate, cached/floor | plugin on serve rebuild | dirty rebuild | peak MiB plain/full "
        "| dashboard KiB | chart data KiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['plain']:.2f} s | {r['full']:.2f} s | {r['full'] / r['plain']:.2f} "
            f"| {r['validate']:.2f} s | {r['floor']:.2f} s | {r['validate'] / r['floor']:.2f} "
            f"| {r['warm'] / r['floor']:.2f} "
            f"| {r['plugin_rebuild'] * 1000:.0f} ms | {r['dirty_build']:.2f} s "
            f"| {r['mem_plain']:.0f} / {r['mem_full']:.0f} | {r['dashboard_kib']:.0f} "
            f"| {r['chart_data_kib']:.0f} |"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        scale = last["n"] / first["n"]
        lines.append("")
        lines.append(
            f"Scaling {first['n']:,} -> {last['n']:,} (x{scale:g}): full build "
            f"x{last['full'] / first['full']:.2f}, "
            f"validate x{last['validate'] / first['validate']:.2f}, "
            f"chart data x{last['chart_data_kib'] / first['chart_data_kib']:.2f}."
        )
    return "\n".join(lines)


def environment() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("mkdocs", "mkdocs-material", "pyyaml", "plotly", "mkdocs-postmortems")
    )
    return (
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.platform()}; "
        f"{os.cpu_count()} cores; Python {platform.python_version()}; {versions}"
    )


def compile_plugin() -> None:
    """Byte-compile the plugin, as any installed package is: with PYTHONDONTWRITEBYTECODE
    set, every run would otherwise compile it from source, and no user pays that."""
    import compileall

    import postmortems

    compileall.compile_dir(str(Path(postmortems.__file__).parent), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,5000"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    compile_plugin()
    if os.environ.get("BENCH_FULL") == "1" and 10000 not in sizes:
        sizes.append(10000)
    with tempfile.TemporaryDirectory(prefix="pm-bench-") as work:
        rows = [measure(n, args.runs, Path(work)) for n in sizes]
    text = table(rows)
    print(text)
    if args.output != "-":
        Path(args.output).write_text(
            "# Benchmarks\n\n`make bench` (median of "
            f"{args.runs} interleaved rounds; validate and its floor run {SHORT_REPEATS} times a "
            f"round; serve rebuilds: median of {REBUILDS}, each after an edit to another "
            f"post-mortem).\n\n{environment()}\n\n{text}\n\n"
            '`validate` is a first run (`--no-cache`, as in CI); "cached" is a run again over '
            "unchanged files (an editor, a pre-commit hook).\n\n"
            "Targets: full/plain <= 1.10; validate/floor <= 1.5; plugin work on a serve rebuild "
            "< 100 ms at 1,000; chart data independent of N.\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
