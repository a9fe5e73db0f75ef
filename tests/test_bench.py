"""A small run of the benchmark code (N = 50), so `make bench` cannot rot. No timing asserted."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_benchmark_runs_and_writes_its_table(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench/bench.py"),
            "--sizes",
            "50",
            "--runs",
            "1",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 50 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 16 and all(cells)
    assert float(cells[3]) > 0 and float(cells[4]) > 0  # full/plain, fast paths off/plain
    float(cells[11])  # memory a serve rebuild adds, signed
    plain, full, slow = (float(v) for v in cells[13].split("/"))  # all processes' PSS
    assert plain > 0 and full > 0 and slow > 0
    text = output.read_text()
    assert "| N | plain build |" in text and "Python" in text and "mkdocs-material" in text
