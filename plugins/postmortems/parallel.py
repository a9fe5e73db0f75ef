"""CPU-bound work over many items, shared with forked processes on a machine's other cores.

A forked worker starts with the code, the settings and the items already in memory, so
nothing is sent to it. The items are cut into small chunks whose numbers wait in a pipe
that every process reads from: whoever is free takes the next one, so a core slowed by a
busy neighbour does less and all finish together (equal shares had left one core idle for
a third of the run). Each worker writes its results to an in-memory file that the parent
reads once the worker has exited; a pipe would fill up and stall the worker while the
parent is still busy with chunks of its own.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import threading
from typing import Callable, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK = 16  # items a claim: small enough to balance, large enough that claims cost nothing
_MAX_CHUNKS = 8192  # chunk numbers must fit in a pipe's 64 KiB buffer, 4 bytes each
_TICKET = struct.Struct("<I")


def fork_is_safe() -> bool:
    """Whether work may go to a forked process: on Linux (fork is missing on Windows and
    unsafe on macOS), with a second core, while no other thread runs (a fork copies
    whatever locks they hold), and unless POSTMORTEMS_WORKERS=1."""
    return (sys.platform == "linux" and os.environ.get("POSTMORTEMS_WORKERS") != "1"
            and threading.active_count() == 1 and len(os.sched_getaffinity(0)) > 1)


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
    forked ones. A worker that fails leaves its chunks to this process, which computes
    them again (and raises what they raise)."""
    size = max(CHUNK, -(-len(items) // _MAX_CHUNKS))
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    tickets, writer = os.pipe()
    os.write(writer, b"".join(_TICKET.pack(number) for number in range(len(chunks))))
    os.close(writer)  # once the pipe is empty, reads return nothing: the work is done
    children: dict[int, int] = {}  # pid -> in-memory file of its results
    done: dict[int, list[Result]] = {}
    try:
        for _ in range(workers - 1):
            output = os.memfd_create("postmortems-worker")
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child never returns (coverage cannot see it)
                _work(function, chunks, tickets, output)
            children[pid] = output
        for number in _claims(tickets):
            done[number] = [function(item) for item in chunks[number]]
        for pid, output in list(children.items()):
            _, status = os.waitpid(pid, 0)
            del children[pid]
            if os.waitstatus_to_exitcode(status) == 0:
                done.update(_read(output))
            os.close(output)
    finally:
        os.close(tickets)
        for pid, output in children.items():  # only when interrupted: stop the rest
            os.kill(pid, 15)
            os.waitpid(pid, 0)
            os.close(output)
    return [result for number, chunk in enumerate(chunks)
            for result in (done[number] if number in done else [function(i) for i in chunk])]


def _claims(tickets: int) -> Iterator[int]:
    """The numbers of the chunks this process takes, one at a time, until none are left.
    A read of 4 bytes from a pipe is atomic, so no two processes take the same chunk."""
    while True:
        ticket = os.read(tickets, _TICKET.size)
        if len(ticket) < _TICKET.size:
            return
        yield _TICKET.unpack(ticket)[0]


def _work(function: Callable, chunks: list[list], tickets: int, output: int) -> None:
    """The forked worker: compute the chunks it claims, write them out, and exit without
    running anything of the parent's (atexit handlers, test frameworks, open buffers)."""
    code = 1
    try:
        results = {number: [function(item) for item in chunks[number]]
                   for number in _claims(tickets)}
        with os.fdopen(output, "wb", closefd=False) as out:
            pickle.dump(results, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def _read(output: int) -> dict[int, list]:
    os.lseek(output, 0, os.SEEK_SET)
    with os.fdopen(output, "rb", closefd=False) as source:
        return pickle.load(source)
