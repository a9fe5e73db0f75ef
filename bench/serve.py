"""`make bench-serve`: what an author waits for and what the server holds, by serve mode.

For each N, the synthetic site of `synth.py` is served by a real `mkdocs serve` four
ways: plain Material (the post-mortems as plain pages) and the plugin, each without and
with `--dirty`. For each: seconds from saving an edit to a post-mortem's body to the
browser reload (median of --edits, each edit to another file), and with --memory R the
server's resident memory after 10 rebuilds and after R.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from serving import Serve  # noqa: E402
from synth import write_config, write_site  # noqa: E402

MODES = {  # name: (label, config, dirty)
    "plain": ("plain Material", "plain.yml", False),
    "plain-dirty": ("plain Material --dirty", "plain.yml", True),
    "plugin": ("plugin", "mkdocs.yml", False),
    "plugin-dirty": ("plugin --dirty (make serve)", "mkdocs.yml", True),
}


def edit(path: Path, n: int) -> None:
    """A sentence added to the body, as an author saves while writing."""
    with path.open("a", encoding="utf-8") as out:
        out.write(f"\nOne more sentence, edit {n}.\n")


def reload_seconds(served: Serve, path: Path, n: int) -> float:
    """From the save to the browser reload the server asks for."""
    before = served.builds()
    start = time.perf_counter()
    edit(path, n)
    while served.builds() == before:
        if not served.alive():
            raise RuntimeError(served.text()[-2000:])
        time.sleep(0.01)
    return time.perf_counter() - start


def measure(root: Path, config: str, dirty: bool, edits: int, memory: int) -> dict:
    files = sorted((root / "docs" / "postmortems").glob("2*.md"))
    with Serve(root, root / "serve.log", dirty=dirty, config=config) as served:
        start = time.perf_counter()
        if not served.started(timeout=3600):
            raise RuntimeError(served.text()[-2000:])
        first = time.perf_counter() - start
        waits, rss = [], []
        for n in range(max(edits, memory)):
            wait = reload_seconds(served, files[(n * 7919) % len(files)], n)
            time.sleep(0.3)  # the reload's own requests, as a browser makes them
            if n < edits:
                waits.append(wait)
            rss.append(served.rss_mib())
    result = {"first": first, "reload": statistics.median(waits)}
    if memory:
        result["rss10"], result["rssN"] = rss[9], rss[-1]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--memory", type=int, default=0, help="rebuilds for the memory figure")
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--modes", default=",".join(MODES), help="of " + ", ".join(MODES))
    parser.add_argument(
        "--example", action="store_true", help="this repository's example site, plugin only"
    )
    args = parser.parse_args()
    print(
        "| N | mode | first build | save to reload (median of "
        f"{args.edits}) |" + (f" RSS after 10 / {args.memory} rebuilds |" if args.memory else "")
    )
    print("|---:|---|---:|---:|" + ("---:|" if args.memory else ""))
    for size in [0] if args.example else (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="pm-serve-") as work:
            root = Path(work)
            if args.example:
                for name in ("docs", "mkdocs.yml", "hooks.py"):
                    copy = shutil.copytree if name == "docs" else shutil.copy
                    copy(HERE.parent / name, root / name)
                size = len(list((root / "docs/postmortems").glob("2*.md")))
            else:
                write_site(root, size, words=args.words)
                write_config(root, plugin=False)
            for mode in args.modes.split(","):
                label, config, dirty = MODES[mode]
                if args.example and config == "plain.yml":
                    continue
                r = measure(root, config, dirty, args.edits, args.memory)
                memory = f" {r['rss10']:.0f} / {r['rssN']:.0f} MiB |" if args.memory else ""
                print(
                    f"| {size:,} | {label} | {r['first']:.1f} s | {r['reload']:.2f} s |{memory}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
