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
import threading
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


def run(args: list[str], cwd: Path, **extra_env: str) -> tuple[float, int, int]:
    """Wall seconds of one child process, its own peak RSS (KiB) and the peak of the
    proportional set size (KiB) of it and every process it forked, summed: forked
    workers share pages with their parent, which PSS counts once."""
    env = dict(
        os.environ,
        NO_MKDOCS_2_WARNING="1",
        POSTMORTEMS_CACHE_DIR=str(cwd / "parse-cache"),
        **extra_env,
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = TreeMemory(process.pid)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    sampler.stop()
    errors = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{args} failed:\n{errors}")
    return elapsed, usage.ru_maxrss, sampler.peak


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    INTERVAL = 0.05

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.INTERVAL):
            self.peak = max(self.peak, sum(_pss(p) for p in _tree(self.pid)))

    def stop(self) -> None:
        self.done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").glob("*/children"))
        except OSError:  # the process ended while it was looked at
            continue
        for task in tasks:
            try:
                todo.extend(int(child) for child in task.read_text().split())
            except OSError:
                pass
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def serve_rebuild(root: Path) -> tuple[float, float, float]:
    """(plugin seconds, whole dirty-build seconds) after one post-mortem changed, with the
    plugin instance and its cache kept from a first build, as `mkdocs serve --dirty` does:
    medians of REBUILDS rebuilds, each after an edit to another file; and the process's
    memory growth per rebuild (MiB, resident, from the first rebuild to the last)."""
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
plugin_s, totals, rss = [], [], []
def resident():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
for victim in files[len(files) // 2:][:{REBUILDS}]:
    victim.write_text(victim.read_text() + "\\nOne more line.\\n")
    spent[0] = 0.0
    start = time.perf_counter()
    config = load_config("mkdocs.yml", site_dir="serve-site")
    build(config, dirty=True)
    totals.append(time.perf_counter() - start)
    plugin_s.append(spent[0])
    rss.append(resident())
print(statistics.median(plugin_s), statistics.median(totals), (rss[-1] - rss[0]) / (len(rss) - 1))
"""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    return float(out[-3]), float(out[-2]), float(out[-1])


def measure(count: int, runs: int, workdir: Path, words: int = 1000) -> dict:
    root = workdir / f"n{count}"
    write_site(root, count, words=words)
    write_config(root, plugin=False)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    validate = [str(Path(sys.executable).parent / "postmortems"), "validate"]
    samples: dict[str, list[float]] = {
        k: [] for k in ("plain", "full", "slow", "validate", "warm", "floor")
    }
    memory: dict[str, int] = {f"{k}{m}": 0 for k in ("plain", "full", "slow") for m in "MT"}
    run(validate, root)  # fills the command line's parse cache for the warm runs
    builds = (
        ("plain", mkdocs + ["-f", "plain.yml", "--site-dir", "plain-site"]),
        ("full", mkdocs + ["-f", "mkdocs.yml", "--site-dir", "site"]),
        ("slow", mkdocs + ["-f", "mkdocs.yml", "--site-dir", "slow-site"]),  # fast paths off
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
            extra = {"POSTMORTEMS_FAST": "0"} if key == "slow" else {}
            seconds, main_peak, tree_peak = run(args, root, **extra)
            samples[key].append(seconds)
            if f"{key}M" in memory:
                memory[f"{key}M"] = max(memory[f"{key}M"], main_peak)
                memory[f"{key}T"] = max(memory[f"{key}T"], tree_peak)
    plugin_s, dirty_s, growth = serve_rebuild(root)
    dashboard = (root / "site/dashboard/index.html").read_text(encoding="utf-8")
    data = re.findall(r'class="pm-chart-data"[^>]*>(.*?)</script>', dashboard, re.S)
    median = {k: statistics.median(v) for k, v in samples.items()}
    shutil.rmtree(root)
    return {
        "n": count,
        **median,
        "plugin_rebuild": plugin_s,
        "dirty_build": dirty_s,
        "rebuild_growth": growth,
        **{f"mem_{key}": value / 1024 for key, value in memory.items()},
        "dashboard_kib": len(dashboard.encode()) / 1024,
        "chart_data_kib": sum(len(d.encode()) for d in data) / 1024,
    }


def startup(workdir: Path, repeats: int = 15) -> tuple[float, float]:
    """What every pull request's check and every pre-commit run pays before any file:
    the median seconds of ``postmortems validate`` on a one-file site, and of the
    interpreter starting and stopping (its floor)."""
    root = workdir / "startup"
    write_site(root, 1, words=100)
    validate = [str(Path(sys.executable).parent / "postmortems"), "validate", "--no-cache"]
    python = [sys.executable, "-c", "pass"]
    command, floor = [], []
    for _ in range(repeats):
        command.append(run(validate, root)[0])
        floor.append(run(python, root)[0])
    shutil.rmtree(root)
    return statistics.median(command), statistics.median(floor)


def table(rows: list[dict]) -> str:
    lines = [
        "| N | plain build | full build | full/plain | fast paths off/plain | validate | floor "
        "| validate/floor | validate, cached/floor | plugin on serve rebuild | dirty rebuild "
        "| memory a serve rebuild MiB "
        "| main process peak RSS MiB plain/full/off | all processes peak PSS MiB plain/full/off "
        "| dashboard KiB | chart data KiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['plain']:.2f} s | {r['full']:.2f} s | {r['full'] / r['plain']:.2f} "
            f"| {r['slow'] / r['plain']:.2f} "
            f"| {r['validate']:.2f} s | {r['floor']:.2f} s | {r['validate'] / r['floor']:.2f} "
            f"| {r['warm'] / r['floor']:.2f} "
            f"| {r['plugin_rebuild'] * 1000:.0f} ms | {r['dirty_build']:.2f} s "
            f"| {r['rebuild_growth']:+.1f} "
            f"| {r['mem_plainM']:.0f} / {r['mem_fullM']:.0f} / {r['mem_slowM']:.0f} "
            f"| {r['mem_plainT']:.0f} / {r['mem_fullT']:.0f} / {r['mem_slowT']:.0f} "
            f"| {r['dashboard_kib']:.0f} "
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
    parser.add_argument(
        "--words",
        type=int,
        default=int(os.environ.get("BENCH_WORDS", "1000")),
        help="words of body a post-mortem",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    compile_plugin()
    if os.environ.get("BENCH_FULL") == "1" and 10000 not in sizes:
        sizes.append(10000)
    with tempfile.TemporaryDirectory(prefix="pm-bench-") as work:
        rows = [measure(n, args.runs, Path(work), args.words) for n in sizes]
        command, floor = startup(Path(work))
    text = table(rows) + (
        f"\n\nCommand start-up: `postmortems validate` on a one-file site {command * 1000:.0f} ms; "
        f"the interpreter alone {floor * 1000:.0f} ms (median of 15)."
    )
    print(text)
    if args.output != "-":
        Path(args.output).write_text(
            "# Benchmarks\n\n`make bench` (post-mortems of about "
            f"{args.words:,} words; median of "
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
