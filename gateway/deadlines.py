"""Timeouts of subgraph requests, all of one length: one loop timer for all those in flight.

`asyncio.timeout` costs, per request, a Timeout object, a timer handle pushed on the loop's heap and
its cancellation: about 40,000 instructions per subgraph request in bench/gateway_profile.py, a fifth
of the gateway's work on a 10-entity @requires chain. Every subgraph request of a `SubgraphClient`
waits the same time, so their deadlines come in the order the requests start: they are kept in one
insertion-ordered dict, a request that ends removes its own entry, and one timer, armed for the oldest
entry, cancels the requests whose time is up and re-arms for the next. The cancelled request turns the
cancellation into its timeout as `asyncio.timeout` does (`Deadline.expired_here`).
"""

from __future__ import annotations

import asyncio

# A timer may fire a little before its time (the loop's clock resolution): so much early is on time.
_EARLY = 1e-3


class Deadline:
    """One request's deadline, in the task that waits for the answer."""

    __slots__ = ("at", "cancelling", "expired", "task")

    def __init__(self, task: asyncio.Task, at: float) -> None:
        self.task = task
        self.at = at
        self.cancelling = task.cancelling()  # cancellations already asked before this request
        self.expired = False

    def expired_here(self) -> bool:
        """After the task was cancelled: whether the cancellation was this deadline's alone (then it
        is withdrawn, and the request has timed out), as `asyncio.Timeout.__aexit__` decides."""
        return self.expired and self.task.uncancel() <= self.cancelling


class Deadlines:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.pending: dict[Deadline, None] = {}  # in the order they started, which is their order
        self.timer: asyncio.TimerHandle | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> Deadline:
        """The deadline of a request starting now in the current task."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a subgraph request runs in a task")
        loop = task.get_loop()
        deadline = Deadline(task, loop.time() + self.seconds)
        self.pending[deadline] = None
        if self.timer is None or self.loop is not loop:
            # None armed, or armed on a loop that is no longer this one (a client outliving a loop).
            self.loop = loop
            self.timer = loop.call_at(deadline.at, self._expire)
        return deadline

    def end(self, deadline: Deadline) -> None:
        """The request is over (answered, failed or cancelled): its deadline no longer applies. The
        timer stays armed; when it fires it finds the next deadline still pending."""
        self.pending.pop(deadline, None)

    def _expire(self) -> None:
        self.timer = None
        loop = self.loop
        if loop is None:
            return
        now = loop.time() + _EARLY
        while self.pending:
            deadline = next(iter(self.pending))
            if deadline.at > now:
                self.timer = loop.call_at(deadline.at, self._expire)
                return
            del self.pending[deadline]
            deadline.expired = True
            deadline.task.cancel()
