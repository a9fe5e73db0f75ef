"""CPU-bound work over many items, shared with forked processes on a machine's other cores.

A forked worker starts with the code, the settings and the items already in memory, so
nothing is sent to it. The items are cut into small chunks whose numbers wait in a pipe
that every process reads from: whoever is free takes the next one, so a core slowed by a
busy neighbour does less and all finish together (equal shares had left one core idle for
a third of the run). Each worker appends each chunk's results to an in-memory file, which
the parent reads between chunks of its own; a pipe would fill up and stall the worker
while the parent is busy.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import _thread
from typing import Callable, Generic, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 16  # items a claim: small enough to balance, large enough that claims cost nothing
_MAX_CHUNKS = 8192  # chunk numbers must fit in a pipe's 64 KiB buffer, 4 bytes each
_TICKET = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")


def fork_is_safe() -> bool:
    """Whether work may go to a forked process: on Linux (fork is missing on Windows and
    unsafe on macOS), with a second core, while no other thread runs (a fork copies
    whatever locks they hold; ``_thread`` counts every thread but this one, even those not
    started through ``threading``, which is not imported for it), and unless
    POSTMORTEMS_WORKERS=1."""
    return (sys.platform == "linux" and os.environ.get("POSTMORTEMS_WORKERS") != "1"
            and _thread._count() == 0 and len(os.sched_getaffinity(0)) > 1)


def worker_count(items: int, items_per_worker: int) -> int:
    """How many processes (this one included) to use for ``items``; a fork costs a few
    milliseconds, paid back from about ``items_per_worker`` items. POSTMORTEMS_WORKERS
    sets the number outright (on Linux), however few the items."""
    if sys.platform != "linux":
        return 1
    wanted = os.environ.get("POSTMORTEMS_WORKERS", "")
    if wanted.isdigit():
        return max(1, min(int(wanted), items))
    if not fork_is_safe():
        return 1
    cores = min(len(os.sched_getaffinity(0)), 8)
    return max(1, min(cores, items // items_per_worker))


def map_forked(function: Callable[[Item], Result], items: list[Item],
               workers: int) -> list[Result]:
    """``[function(item) for item in items]``, computed by this process and ``workers - 1``
    forked ones. Chunks a worker did not deliver (it failed) are computed here again,
    raising what they raise."""
    return ForkedMap(function, items, workers).results()


class ForkedMap(Generic[Item, Result]):
    """:func:`map_forked` in two steps: the workers start on the chunks at once, and this
    process joins in only when it asks for :meth:`results`. Begun early (the MkDocs plugin
    begins when the configuration is read), the workers parse on the other cores while
    MkDocs itself gathers its files on this one."""

    def __init__(self, function: Callable[[Item], Result], items: list[Item], workers: int) -> None:
        size = max(CHUNK, -(-len(items) // _MAX_CHUNKS))
        self.function = function
        self.chunks = [items[start:start + size] for start in range(0, len(items), size)]
        self.children: dict[int, int] = {}  # pid -> in-memory file of its results
        self.read_to: dict[int, int] = {}  # pid -> how far its file has been read
        self.done: dict[int, list[Result]] = {}
        self.tickets, writer = os.pipe()
        os.write(writer, b"".join(_TICKET.pack(number) for number in range(len(self.chunks))))
        os.close(writer)  # once the pipe is empty, reads return nothing: the work is done
        try:
            self._fork(workers - 1)
        except BaseException:
            self.cancel()
            raise

    def _fork(self, count: int) -> None:
        for _ in range(count):
            output = _results_file()
            try:
                pid = os.fork()
            except OSError:  # out of processes or memory: fewer workers, same results
                os.close(output)
                return
            if pid == 0:  # pragma: no cover - the child never returns (coverage cannot see it)
                _work(self.function, self.chunks, self.tickets, output)
            self.children[pid], self.read_to[pid] = output, 0

    def results(self) -> list[Result]:
        """Every result, in order: this process computes the chunks nobody has claimed yet,
        then waits for the workers and reads what they computed."""
        try:
            for number in _claims(self.tickets):
                self.done[number] = [self.function(item) for item in self.chunks[number]]
                for pid, output in self.children.items():  # what workers finished meanwhile
                    self.read_to[pid] = _collect(output, self.read_to[pid], self.done)
            for pid, output in list(self.children.items()):
                os.waitpid(pid, 0)
                _collect(output, self.read_to[pid], self.done)  # all it finished, even if it then failed
                os.close(self.children.pop(pid))
        finally:
            self.cancel()
        return [result for number, chunk in enumerate(self.chunks)
                for result in (self.done[number] if number in self.done
                               else [self.function(item) for item in chunk])]

    def cancel(self) -> None:
        """Stop the workers still running and reap them (only when interrupted, or when the
        results are no longer wanted). Safe to call more than once."""
        if self.tickets != -1:
            os.close(self.tickets)
            self.tickets = -1
        if self.children:
            import signal  # only when stopping early

        for pid, output in self.children.items():
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):  # reaped before something failed
                pass
            os.close(output)
        self.children.clear()


def _results_file() -> int:
    """An anonymous file: in memory where the kernel has memfd (Linux 3.17 and later),
    else an unlinked temporary file."""
    try:
        return os.memfd_create("postmortems-worker")
    except (AttributeError, OSError):
        import tempfile

        handle, path = tempfile.mkstemp(prefix="postmortems-worker-")
        os.unlink(path)
        return handle


def _claims(tickets: int) -> Iterator[int]:
    """The numbers of the chunks this process takes, one at a time, until none are left.
    A read of 4 bytes from a pipe is atomic, so no two processes take the same chunk."""
    while True:
        ticket = os.read(tickets, _TICKET.size)
        if len(ticket) < _TICKET.size:
            return
        yield _TICKET.unpack(ticket)[0]


def _work(function: Callable, chunks: list[list], tickets: int, output: int) -> None:
    """The forked worker: compute each chunk it claims and append it to its file at once
    (so pickling overlaps the work, and the parent reads while it works), then exit
    without running anything of the parent's (atexit handlers, test frameworks, buffers)."""
    code = 1
    try:
        for number in _claims(tickets):
            payload = pickle.dumps((number, [function(item) for item in chunks[number]]),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            record = memoryview(_LENGTH.pack(len(payload)) + payload)
            while record:
                record = record[os.write(output, record):]
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
