"""Sandboxes that do not share a process budget: as root, each leases a uid of its own, which
its code sees as 65534, so a fork bomb in one leaves every other sandbox working."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from toolgym.sandbox import ExecutionError, Limits, LocalSandbox
from toolgym.sandbox.local import NOBODY, _maps_users
from toolgym.sandbox.uids import UID_BASE, UID_COUNT, lease_uid

LEASES = pytest.mark.skipif(
    os.geteuid() != 0 or _maps_users() is not None,
    reason="leased uids need root, bubblewrap and unprivileged user namespaces",
)
BOMB = """
import os
children = 0
while True:
    try:
        if os.fork() == 0:
            import time
            time.sleep(60)
            os._exit(0)
        children += 1
    except OSError:
        break
print(children)
"""


def test_leases_are_distinct_and_free_again_once_released() -> None:
    first, second = lease_uid(), lease_uid()
    assert first.uid != second.uid
    assert all(UID_BASE <= lease.uid < UID_BASE + UID_COUNT for lease in (first, second))
    uid = first.uid
    first.release()
    again = [lease_uid() for _ in range(3)]
    assert uid in {lease.uid for lease in again} | {second.uid} or len({a.uid for a in again}) == 3
    for lease in (second, *again):
        lease.release()


@LEASES
def test_every_sandbox_has_its_own_uid_and_all_look_alike_inside() -> None:
    with LocalSandbox(spare=False) as one, LocalSandbox(spare=False) as two:
        assert one.uid != two.uid and one.seen_uid == two.seen_uid == NOBODY
        assert "of its own" in one.isolation
        code = "import os, pwd; print(os.getuid(), os.getgid(), pwd.getpwuid(os.getuid())[0])"
        seen = f"{NOBODY} {NOBODY} sandbox\n"
        assert one.execute(code).stdout == two.execute(code).stdout == seen


@LEASES
@pytest.mark.slow
def test_a_fork_bomb_in_one_of_200_sandboxes_leaves_the_others_working() -> None:
    limits = Limits(processes=32, memory_bytes=256 << 20, cpu_seconds=20, timeout_seconds=20)
    boxes = [LocalSandbox(limits, spare=False) for _ in range(200)]
    try:
        for box in boxes:  # from this thread: a kernel dies with the thread that started it
            box.execute("ready = True")
        bomb, others = boxes[0], boxes[1:]
        with ThreadPoolExecutor(1) as pool:
            detonated = pool.submit(bomb.execute, BOMB, timeout=8)
            check = "import subprocess; subprocess.run(['true'], check=True).returncode"
            for box in others:
                assert box.execute(check, timeout=10).value == "0"
            try:
                outcome = detonated.result()
                forks = int(outcome.stdout.strip() or 0)
            except ExecutionError:
                forks = limits.processes
        assert forks <= limits.processes  # the bomb met its own budget, not the machine's
    finally:
        for box in boxes:
            box.close()
