"""CPU-bound work over many items, shared with forked processes on a machine's other cores.

A forked worker starts with the code, the settings and the items already in memory, so
nothing is sent to it. The items are cut into small chunks, each claimed once from a
table every process shares: whoever is free takes the next one, so a core slowed by a
busy neighbour does less and all finish together (with equal shares, the fast core
would wait for the slow one). Each worker appends each chunk's results to an in-memory file, which
the parent reads between chunks of its own; a pipe would fill up and stall the worker
while the parent is busy.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

from postmortems import fast

try:
    import fcntl
except ImportError:  # Windows, where nothing is forked
    fcntl = None  # type: ignore[assignment]

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 16  # items a claim: small enough to balance, large enough that claims cost nothing
MAX_CHUNKS = 8192  # chunks a map hands out at most (larger chunks beyond): a claim reads all
_LENGTH = struct.Struct("<Q")


def fork_is_safe() -> bool:
    """Whether work may go to a forked process: on Linux (fork is missing on Windows and
    unsafe on macOS), with the fast paths on, with a second core, while no other thread
    runs (a fork copies whatever locks they hold), and unless POSTMORTEMS_WORKERS=1."""
    return (
        _may_fork()
        and os.environ.get("POSTMORTEMS_WORKERS") != "1"
        and len(os.sched_getaffinity(0)) > 1
    )


def _may_fork() -> bool:
    """On Linux, with the fast paths on, while no other thread runs."""
    return sys.platform == "linux" and fast.enabled() and threads() == 1


def threads() -> int:
    """The threads of this process, as Linux lists them: every one, also those started
    by a library's C code or without the ``threading`` module."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: count what Python knows of
        return threading.active_count()


def worker_count(items: int, items_per_worker: int) -> int:
    """How many processes (this one included) to use for ``items``; a fork costs a few
    milliseconds, paid back from about ``items_per_worker`` items. POSTMORTEMS_WORKERS
    sets the number outright (on Linux), however few the items."""
    if not _may_fork():
        return 1
    wanted = os.environ.get("POSTMORTEMS_WORKERS", "")
    if wanted.isdigit():
        return max(1, min(int(wanted), items))
    if not fork_is_safe():
        return 1
    cores = min(len(os.sched_getaffinity(0)), 8)
    return max(1, min(cores, items // items_per_worker))


def chunked(items: Sequence[Item], at_least: int, most: int = MAX_CHUNKS) -> list[Sequence[Item]]:
    """``items`` cut in order into chunks of ``at_least`` items (the last may be shorter),
    or of more where that would make over ``most`` chunks."""
    size = max(at_least, -(-len(items) // most))
    return [items[start : start + size] for start in range(0, len(items), size)]


class ForkedMap(Generic[Item, Result]):
    """``[function(item) for item in items]``, computed by this process and ``workers - 1``
    forked ones; chunks a worker did not deliver (it failed) are computed here again,
    raising what they raise. In two steps: the workers start on the chunks at once, and this
    process joins in only when it asks for :meth:`results`. Begun early (the MkDocs plugin
    begins when the configuration is read), the workers parse on the other cores while
    MkDocs itself gathers its files on this one. Or chunk by chunk, as this process needs
    them (:meth:`result`): the build's pages, made beside MkDocs."""

    def __init__(
        self,
        function: Callable[[Item], Result],
        items: list[Item],
        workers: int,
        chunk_size: int | None = None,
        here: Callable[[Item], Result] | None = None,
    ) -> None:
        """``chunk_size`` items a claim at least (by default as many as keep claims cheap);
        ``here`` computes an item in this process, where that differs from ``function``."""
        self.function = function
        self.here = here or function
        self.chunks = chunked(items, chunk_size or CHUNK)
        self.children: dict[int, int] = {}  # pid -> in-memory file of its results
        self.read_to: dict[int, int] = {}  # pid -> how far its file has been read
        self.done: dict[int, list[Result]] = {}
        self.claims = _Claims(len(self.chunks))
        self.stall = stall_seconds()
        # Each worker writes a byte here after each chunk; all gone, reads return nothing.
        self.news, self._news_writer = os.pipe()
        os.set_blocking(self.news, False)
        try:
            self._fork(workers - 1)
        except BaseException:
            self.cancel()
            raise
        finally:
            os.close(self._news_writer)

    def _fork(self, count: int) -> None:
        for _ in range(count):
            output = _results_file()
            try:
                pid = os.fork()
            except OSError:  # out of processes or memory: fewer workers, same results
                os.close(output)
                return
            if pid == 0:  # pragma: no cover - the child never returns (coverage cannot see it)
                os.close(self.news)
                _work(self.function, self.chunks, self.claims, output, self._news_writer)
            self.children[pid], self.read_to[pid] = output, 0

    def results(self) -> list[Result]:
        """Every result, in order: this process computes the chunks nobody has claimed yet,
        then waits for the workers and reads what they computed."""
        try:
            for number in self.claims.in_order():
                self._compute_here(number)
                self._collect_all()  # what workers finished meanwhile
            while self.children and self._await_news():
                if not self._workers_alive():
                    break
            for pid, output in list(self.children.items()):
                os.waitpid(pid, 0)
                _collect(
                    output, self.read_to[pid], self.done
                )  # all it finished, even if it then failed
                os.close(self.children.pop(pid))
        finally:
            self.cancel()
        for number in range(len(self.chunks)):
            if number not in self.done:  # a failed worker's
                self._compute_here(number)
        return [result for number in range(len(self.chunks)) for result in self.done[number]]

    def result(self, number: int) -> list[Result]:
        """The results of chunk ``number`` (each asked for once), as soon as they are known:
        a worker's, or computed here if no worker has begun it or the workers ended
        without it. While a worker is on it, this process computes the last chunk nobody
        has begun instead of waiting: asked for in order, the chunks come from the workers
        at the front and from here at the back, and neither side waits until they meet."""
        while number not in self.done:
            self._collect_all()
            if number in self.done:
                break
            if self.claims.closed or self.claims.take(number) or not self._workers_alive():
                self._compute_here(number)
                break
            last = self.claims.take_last()
            if last is not None:
                self._compute_here(last)
            elif not self._await_news():
                continue  # the workers were stopped: the chunk is computed here next
        return self.done.pop(number)

    def _await_news(self) -> bool:
        """Wait until a worker finishes a chunk or ends; False when none did within the
        time limit, after stopping them all (a hung worker must not hang the build)."""
        ready, _, _ = select.select([self.news], [], [], self.stall)
        if ready:
            return True
        import logging  # 7 ms at every start of the command, for a worker that hangs

        logging.getLogger("postmortems").warning(
            "a worker process did nothing for %g s; it was stopped and its work is done "
            "in this process (POSTMORTEMS_WORKER_TIMEOUT sets the limit)",
            self.stall,
        )
        self.cancel()
        return False

    def _compute_here(self, number: int) -> None:
        self.done[number] = [self.here(item) for item in self.chunks[number]]

    def _workers_alive(self) -> bool:
        """Whether a worker may still deliver (its news so far is read: each piece of news
        follows a chunk already in its file, collected before the next wait)."""
        try:
            return os.read(self.news, 4096) != b""  # nothing at all: every worker has ended
        except BlockingIOError:  # nothing new, and still open
            return True

    def _collect_all(self) -> None:
        """Read what each worker has finished since last asked."""
        for pid, output in self.children.items():
            self.read_to[pid] = _collect(output, self.read_to[pid], self.done)

    def cancel(self) -> None:
        """Stop the workers still running and reap them (only when interrupted, or when the
        results are no longer wanted). Safe to call more than once."""
        if not self.claims.closed:
            self.claims.close()
            os.close(self.news)
        for pid, output in self.children.items():
            try:
                os.kill(pid, signal.SIGKILL)  # a hung worker may not heed less
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):  # reaped before something failed
                pass
            os.close(output)
        self.children.clear()


def stall_seconds() -> float:
    """How long workers may go without finishing a chunk: POSTMORTEMS_WORKER_TIMEOUT, in
    seconds (a chunk takes milliseconds; the default leaves room for a loaded machine)."""
    try:
        return max(0.1, float(os.environ.get("POSTMORTEMS_WORKER_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def _results_file() -> int:
    """An anonymous file: in memory where the kernel has memfd (Linux 3.17 and later),
    else an unlinked temporary file."""
    try:
        return os.memfd_create("postmortems-worker")
    except (AttributeError, OSError):
        import tempfile  # 6 ms at every start, for a system without memfd

        handle, path = tempfile.mkstemp(prefix="postmortems-worker-")
        os.unlink(path)
        return handle


class _Claims:
    """Which chunks some process has begun: a byte each in an in-memory file that every
    forked process shares, changed under a POSIX record lock (held by one process at a
    time, and let go if its holder dies)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.fd = _results_file()
        os.pwrite(self.fd, bytes(count), 0)
        self.next = 0  # every chunk before it is taken (as this process last saw)
        self.closed = False

    def in_order(self) -> Iterator[int]:
        """The first free chunk, claimed, until none is left."""
        while (number := self._claim(lambda table: table.find(0, self.next))) is not None:
            self.next = number + 1
            yield number

    def take(self, number: int) -> bool:
        """Claim ``number``; whether it was free."""
        return self._claim(lambda table: number if table[number] == 0 else -1) is not None

    def take_last(self) -> int | None:
        """The last free chunk, claimed, if any."""
        return self._claim(lambda table: table.rfind(0))

    def _claim(self, choose: Callable[[bytes], int]) -> int | None:
        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        try:
            number = choose(os.pread(self.fd, self.count, 0))
            if number < 0:
                return None
            os.pwrite(self.fd, b"\x01", number)
            return number
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
            self.closed = True


def _work(function: Callable, chunks: list[list], claims: _Claims, output: int, news: int) -> None:
    """The forked worker: compute each chunk it claims and append it to its file at once
    (so pickling overlaps the work, and the parent reads while it works), then exit
    without running anything of the parent's (atexit handlers, test frameworks, buffers)."""
    code = 1
    try:
        os.set_blocking(news, False)  # news nobody reads must not stop the work
        for number in claims.in_order():
            payload = pickle.dumps(
                (number, [function(item) for item in chunks[number]]), protocol=-1
            )
            record = memoryview(_LENGTH.pack(len(payload)) + payload)
            while record:
                record = record[os.write(output, record) :]
            try:
                os.write(news, b".")
            except BlockingIOError:  # news unread: the parent reads the file anyway
                pass
        code = 0
    finally:
        os._exit(code)


def _collect(output: int, offset: int, done: dict[int, list]) -> int:
    """Read the records a worker has completed since ``offset``; returns the new offset.
    A record is read only once its whole length is in the file."""
    size = os.fstat(output).st_size
    while offset + _LENGTH.size <= size:
        (length,) = _LENGTH.unpack(os.pread(output, _LENGTH.size, offset))
        if offset + _LENGTH.size + length > size:
            break
        number, results = pickle.loads(os.pread(output, length, offset + _LENGTH.size))
        done[number] = results
        offset += _LENGTH.size + length
    return offset
