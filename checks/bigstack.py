"""Run a call on a thread with a big stack: one such thread per process, started once.

libcst's native parser recurses on the C stack (see `engine.CHECK_STACK_SIZE`), so a file
is checked on a thread whose stack is large enough for any file. Starting a thread per
file cost a 512 MiB mapping per file, and once, under heavy load, a start that never
returned; the thread here is started on the first call and reused. It is stopped before
the process forks (the checker's workers are forked), so a fork never copies a process
with a second thread, and started again on the next call, in the parent or the child.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_Job = tuple[Callable[[], object], list[tuple[bool, object]], threading.Event]


class _Worker:
    def __init__(self, stack_size: int) -> None:
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        previous = threading.stack_size(stack_size)
        try:
            self.thread = threading.Thread(
                target=self._serve, name="fastapi-guardrails-check", daemon=True
            )
            self.thread.start()
        finally:
            threading.stack_size(previous)

    def _serve(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            function, box, done = job
            try:
                box.append((True, function()))
            except BaseException as error:  # handed to the calling thread
                box.append((False, error))
            finally:
                done.set()

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()


_lock = threading.Lock()
_worker: _Worker | None = None


def call(function: Callable[[], T], stack_size: int) -> T:
    """`function()`, run on the big-stack thread; what it raises is raised here. Calls
    from several threads take turns."""
    global _worker
    with _lock:
        if _worker is None or not _worker.thread.is_alive():
            _worker = _Worker(stack_size)
        box: list[tuple[bool, object]] = []
        done = threading.Event()
        _worker.jobs.put((function, box, done))
        done.wait()
    returned, value = box[0]
    if not returned:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def stop() -> None:
    """Stop the thread (it starts again on the next call); a no-op while a call runs."""
    global _worker
    if not _lock.acquire(blocking=False):
        return
    try:
        if _worker is not None:
            _worker.stop()
            _worker = None
    finally:
        _lock.release()


def _after_fork_in_child() -> None:
    global _lock, _worker
    _lock = threading.Lock()  # the parent's may have been held by a thread that is gone
    _worker = None


os.register_at_fork(before=stop, after_in_child=_after_fork_in_child)
