"""Time budgets for symbolic work: an attempt that runs out says so instead of hanging.

A budget counts the process's CPU time, not the wall clock: a verdict must not depend on what
else the machine runs (a proof that needs 4 s of CPU ran out of a 10 s wall budget at a load of
3, and the catalog's verdicts changed with the load). The kernel's work is computation, never a
wait, so a CPU clock bounds it as well.

>>> with time_budget(5.0):
...     1 + 1
2
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class BudgetExceeded(BaseException):
    """Raised inside a :func:`time_budget` block when its time is up.

    A BaseException, like KeyboardInterrupt: sympy has ``except Exception`` clauses that would
    otherwise swallow it and carry on computing.
    """


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of CPU time with :class:`BudgetExceeded`.

    The interruption is a SIGPROF timer, so it needs the main thread; elsewhere the block runs
    unbounded rather than failing (sympy offers no cooperative cancellation).
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    active = [True]

    def _expire(signum: int, frame: object) -> None:
        if active[0]:
            raise BudgetExceeded(f"time budget of {seconds:g} s exceeded")

    started = time.process_time()
    remaining = signal.getitimer(signal.ITIMER_PROF)[0]
    previous = signal.signal(signal.SIGPROF, _expire)
    # A signal that rings inside a finalizer cannot stop the block (Python reports it as
    # unraisable and carries on): the cycle collector, which runs finalizers at any allocation,
    # waits until the block is over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Armed inside the try: a budget so short that it rings at once is still disarmed.
        # After the first alarm it keeps ringing every 50 ms until the block has really
        # stopped, since sympy may catch one exception in a broad clause and carry on.
        # An enclosing budget's deadline holds inside this one too.
        signal.setitimer(signal.ITIMER_PROF, min(seconds, remaining or seconds), 0.05)
        yield
    finally:
        while True:
            # An alarm may ring while disarming; disarm again until it is done.
            try:
                active[0] = False
                signal.setitimer(signal.ITIMER_PROF, 0)
                signal.signal(signal.SIGPROF, previous)
                break
            except BudgetExceeded:
                continue
        if collecting:
            gc.enable()
        if remaining:
            # An enclosing budget was running: give back what it had left.
            left = remaining - (time.process_time() - started)
            signal.setitimer(signal.ITIMER_PROF, max(left, 1e-3))
