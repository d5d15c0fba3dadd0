"""How `make test` hands test files to its pytest-xdist workers (``--dist loadfile``, plus one rule).

Most test files keep a core busy. The deployment test does not: it starts a server, waits for the
next cron minute and for the daemon's run, about three minutes, most of them on the clock. With three workers
on two cores, a file that waits on the clock gets a worker of its own, which stops when the file is
done; the other two workers share every other file, one core each. With fewer workers the rule is
off and files go out as plain ``loadfile`` does.
"""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling
from xdist.workermanage import WorkerController

#: Files (as xdist names their scope) that spend most of their time waiting, not computing.
WAITS_ON_CLOCK = frozenset({"tests/operations/test_deploy.py"})
#: The rule needs a worker for the waiting file plus two for the rest.
MIN_WORKERS = 3


class ClockAwareFileScheduling(LoadFileScheduling):
    """``loadfile``, except that a worker's first file is a waiting one while any is left unassigned;
    that worker is then told to stop after it, so it never takes a file that keeps a core busy."""

    def _assign_work_unit(self, node: WorkerController) -> None:
        waiting = next((scope for scope in self.workqueue if scope in WAITS_ON_CLOCK), None)
        if waiting is None or self.numnodes < MIN_WORKERS or self.assigned_work.get(node):
            super()._assign_work_unit(node)
            return
        self.workqueue.move_to_end(waiting, last=False)  # the parent hands out the queue's head
        super()._assign_work_unit(node)
        node.shutdown()  # after this file: the worker also needs to know no test comes after its last
