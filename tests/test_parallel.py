"""Work shared with forked processes: the same results, in order, whatever a worker does."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from postmortems.fast import parallel

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")


def _map(function, items, workers):
    return parallel.ForkedMap(function, items, workers).results()


def _slowly(n: int) -> tuple[int, int, int]:
    time.sleep(0.002)  # long enough for every process to claim chunks
    return n, n * n, os.getpid()


def test_results_come_back_in_order_as_one_process_computes_them():
    items = list(range(300))
    shared = _map(_slowly, items, 3)
    assert [(n, square) for n, square, _ in shared] == [(n, n * n) for n in items]
    assert len({pid for *_, pid in shared}) > 1  # the work was shared


def _only_in(parent: int):
    """n + 1, in ``parent`` only: a worker that runs it fails."""

    def only_here(n: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("a worker fails")
        return n + 1

    return only_here


def test_a_failing_worker_leaves_its_chunks_to_the_parent():
    assert _map(_only_in(os.getpid()), list(range(500)), 2) == list(range(1, 501))


def test_an_error_everywhere_reaches_the_caller_and_leaves_no_worker_behind(monkeypatch):
    forked: list[int] = []

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    def broken(n: int) -> int:
        raise ValueError(f"bad item {n}")

    real_fork = os.fork
    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(ValueError, match="bad item"):
        _map(broken, list(range(200)), 3)
    assert len(forked) == 2
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped: no worker left running or as a zombie


def test_worker_count_follows_the_setting_and_the_amount_of_work(monkeypatch):
    monkeypatch.setattr(parallel, "threads", lambda: 1)  # as if no thread ran here
    monkeypatch.setenv("POSTMORTEMS_WORKERS", "3")
    assert parallel.worker_count(10, 150) == 3
    monkeypatch.setenv("POSTMORTEMS_FAST", "0")  # the one switch for every fast path
    assert parallel.worker_count(10, 150) == 1
    assert not parallel.fork_is_safe()
    monkeypatch.delenv("POSTMORTEMS_FAST")
    monkeypatch.setenv("POSTMORTEMS_WORKERS", "1")
    assert parallel.worker_count(10_000, 150) == 1
    monkeypatch.delenv("POSTMORTEMS_WORKERS")
    assert parallel.worker_count(100, 150) == 1  # too little to pay for a fork


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: never forked anyway")
def test_no_worker_is_forked_while_another_thread_runs():
    """A fork copies the locks other threads hold (mkdocs serve runs a server thread).
    Run in a process of its own: other tests leave server threads in this one."""
    import subprocess

    script = """
import _thread, os, threading
from postmortems.fast.parallel import worker_count
os.environ.pop("POSTMORTEMS_WORKERS", None)
seen = [worker_count(10_000, 150)]
release, started = threading.Event(), threading.Event()
through_threading = threading.Thread(target=release.wait)
through_threading.start()
seen.append(worker_count(10_000, 150))
release.set()
through_threading.join()
seen.append(worker_count(10_000, 150))
release.clear()
_thread.start_new_thread(lambda: (started.set(), release.wait()), ())
started.wait()
seen.append(worker_count(10_000, 150))  # a thread not started through threading counts too
os.environ["POSTMORTEMS_WORKERS"] = "2"
seen.append(worker_count(10_000, 150))  # nor does the setting fork beside a thread
release.set()
print(*seen)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    alone = str(min(len(os.sched_getaffinity(0)), 8))
    assert out == [alone, "1", alone, "1", "1"]


def test_without_memfd_or_a_second_process_the_results_are_the_same(monkeypatch):
    """An old kernel (no memfd) or a fork refused (no processes left) changes nothing."""

    def no_memfd(name: str) -> int:
        raise OSError("memfd_create: function not implemented")

    def no_fork() -> int:
        raise OSError("fork: resource temporarily unavailable")

    monkeypatch.setattr(os, "memfd_create", no_memfd)
    shared = _map(_slowly, list(range(100)), 2)
    assert [r[:2] for r in shared] == [(n, n * n) for n in range(100)]
    assert len({pid for *_, pid in shared}) == 2  # the worker's results came through the file
    monkeypatch.setattr(os, "fork", no_fork)
    assert [r[:2] for r in _map(_slowly, list(range(40)), 3)] == [(n, n * n) for n in range(40)]


def _early_site(tmp_path, count: int = 40) -> list:
    from conftest import good

    from postmortems.catalog import catalog

    for n in range(count):
        (tmp_path / f"2025-03-{n % 28 + 1:02d}-pm{n}.md").write_text(
            good(id=f"HOT-{n}"), encoding="utf-8"
        )
    return catalog.discover(tmp_path)


def test_parsing_begun_early_is_taken_only_for_files_unchanged_since(tmp_path, monkeypatch):
    """The plugin begins parsing when MkDocs reads its configuration; a file edited before
    the files are gathered must be read again, the others come from the early parse."""
    from postmortems.catalog import catalog
    from postmortems.model.settings import Settings

    monkeypatch.setattr(parallel, "threads", lambda: 1)  # earlier tests' idle threads
    monkeypatch.setenv("POSTMORTEMS_WORKERS", "2")
    sources = _early_site(tmp_path)
    cache = catalog.ParseCache()
    cache.parse_early(sources, Settings())
    job = cache._early[0]
    assert job.children  # a worker is parsing
    for pid in job.children:  # until it has parsed every file (left to be reaped later)
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    edited = sources[7]
    text = Path(edited.abs_path).read_text(encoding="utf-8")
    Path(edited.abs_path).write_text(
        text.replace("Checkout errors", "Edited later"), encoding="utf-8"
    )
    found = cache.get_all(sources, Settings())
    assert found[7].meta["title"] == "Edited later"
    fresh = [catalog._parse(source, Settings()) for source in sources]
    assert [p.meta for p in found] == [p.meta for p in fresh]
    assert [p.problems for p in found] == [p.problems for p in fresh]
    for pid in job.children:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_parsing_begun_early_and_never_asked_for_leaves_no_worker(tmp_path, monkeypatch):
    from postmortems.catalog import catalog
    from postmortems.model.settings import Settings

    monkeypatch.setattr(parallel, "threads", lambda: 1)  # earlier tests' idle threads
    monkeypatch.setenv("POSTMORTEMS_WORKERS", "2")
    cache = catalog.ParseCache()
    cache.parse_early(_early_site(tmp_path), Settings())
    pids = list(cache._early[0].children)
    cache.parse_early([], Settings())  # a new build begins: the old parse is dropped
    assert pids and cache._early is None
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_chunks_asked_for_one_by_one_come_from_both_processes_in_order():
    parent = os.getpid()
    here: list[int] = []

    def compute_here(n: int) -> tuple[int, int, int]:
        here.append(n)
        return _slowly(n)

    tasks = parallel.ForkedMap(_slowly, list(range(60)), 2, chunk_size=1, here=compute_here)
    try:
        got = [tasks.result(n)[0] for n in range(60)]
    finally:
        tasks.cancel()
    assert [(n, square) for n, square, _ in got] == [(n, n * n) for n in range(60)]
    assert 0 < len(here) < 60  # the worker did the rest
    assert {pid for *_, pid in got} - {parent} != set()


def test_a_chunk_a_failed_worker_had_begun_is_computed_here():
    tasks = parallel.ForkedMap(_only_in(os.getpid()), list(range(20)), 2, chunk_size=1)
    try:
        assert [tasks.result(n)[0] for n in range(20)] == list(range(1, 21))
    finally:
        tasks.cancel()


def test_the_module_loads_where_there_is_no_fcntl(monkeypatch):
    """Windows has no fcntl (nor fork): the plugin must still import and work in line."""
    import importlib

    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl now raises ImportError
    without = importlib.reload(parallel)
    try:
        assert without.fcntl is None
        assert without.worker_count(5000, 150) >= 1
    finally:
        monkeypatch.undo()
        importlib.reload(parallel)


def _hangs_in_workers(parent: int):
    """n + 1 here, slowly enough that a worker claims some; a worker that runs it hangs
    (a deadlock, an endless loop)."""

    def hang_elsewhere(n: int) -> int:
        if os.getpid() != parent:
            time.sleep(3600)
        time.sleep(0.01)
        return n + 1

    return hang_elsewhere


def test_a_hung_worker_is_stopped_and_its_work_done_here(monkeypatch, caplog):
    monkeypatch.setenv("POSTMORTEMS_WORKER_TIMEOUT", "0.5")
    start = time.monotonic()
    with caplog.at_level("WARNING", logger="postmortems"):
        assert _map(_hangs_in_workers(os.getpid()), list(range(100)), 2) == list(range(1, 101))
        tasks = parallel.ForkedMap(_hangs_in_workers(os.getpid()), list(range(20)), 2, chunk_size=1)
        try:
            assert [tasks.result(n)[0] for n in range(20)] == list(range(1, 21))
        finally:
            tasks.cancel()
        assert not tasks.children  # killed and reaped
    assert time.monotonic() - start < 30
    assert sum("did nothing for 0.5 s" in r.getMessage() for r in caplog.records) == 2
