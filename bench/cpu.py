"""CPU time spent by each side of a benchmark that shares one machine.

Client, web server and database run side by side on the same cores, so a
throughput figure alone cannot say who used the machine. This reads each
process's user + system time from ``/proc`` (Linux) before and after a
measured stretch: the web server (a process and everything it started), the
database (every process of that name), the client (this process), and the
whole machine's busy and idle time from ``/proc/stat``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def _processes() -> dict[int, tuple[str, int, float]]:
    """pid -> (name, parent pid, CPU seconds) for every process readable now."""
    found = {}
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone since the listing
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return found


def tree_seconds(root: int, processes: dict[int, tuple[str, int, float]]) -> float:
    """CPU seconds of ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid, (_name, parent, _cpu) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        if pid in processes:
            total += processes[pid][2]
        stack.extend(children.get(pid, ()))
    return total


def named_seconds(prefix: str, processes: dict[int, tuple[str, int, float]]) -> float:
    """CPU seconds of every process whose name starts with ``prefix``."""
    return sum(cpu for name, _parent, cpu in processes.values() if name.startswith(prefix))


def machine_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since it started, all cores."""
    try:
        first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0, 0.0
    values = [int(v) for v in first]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / TICK, idle / TICK


def reading(servers: dict[str, int], database: str = "postgres") -> dict[str, float]:
    """CPU seconds so far: each named server's process tree, the database's
    processes, this process (the client), and the machine's busy and idle time."""
    processes = _processes()
    times = os.times()
    found = {name: tree_seconds(pid, processes) for name, pid in servers.items()}
    found["database"] = named_seconds(database, processes)
    found["client"] = times.user + times.system
    found["machine busy"], found["machine idle"] = machine_seconds()
    return found


class Meter:
    """Adds up, per label, the CPU seconds each side spent while measuring."""

    def __init__(self, read: Callable[[], dict[str, float]]) -> None:
        self.read = read
        self.spent: dict[str, dict[str, float]] = {}

    def measure(self, label: str, work: Callable[[], None]) -> None:
        before = self.read()
        work()
        after = self.read()
        spent = self.spent.setdefault(label, {})
        for side, value in after.items():
            spent[side] = spent.get(side, 0.0) + max(0.0, value - before.get(side, 0.0))


#: Additions in ``machine_speed``'s loop.
SPEED_LOOP = 10_000_000


def machine_speed(tries: int = 3, additions: int = SPEED_LOOP) -> float:
    """Seconds a pure-Python loop of ``additions`` additions takes on one
    core, the best of ``tries``: how fast this machine runs Python right now.
    The same code gives figures about half as good on a machine where this
    takes twice as long, so every CPU-bound benchmark prints it, before and
    after its run."""
    # Run as module-level code, as ``python3 -c "s=0\nfor i in range(10_000_000): s+=i"``
    # runs it (names are globals there): the figures this project has
    # recorded by hand before are comparable.
    loop = compile(f"s = 0\nfor i in range({int(additions)}):\n    s += i\n", "<machine speed>", "exec")
    best = float("inf")
    for _ in range(tries):
        began = time.perf_counter()
        exec(loop, {})  # noqa: S102 - a constant loop made here
        best = min(best, time.perf_counter() - began)
    return best


def speed_words(before: float, after: float) -> str:
    return (
        f"machine: a pure-Python loop of {SPEED_LOOP:,} additions took {before:.2f} s before the run "
        f"and {after:.2f} s after it (best of 3; the lower, the faster)"
    )
