"""The M/M/c queue in closed form (pure): Erlang C's chance of waiting and the mean wait.

It holds for Poisson arrivals at a steady rate, exponential service times, ``c`` identical
servers and a long run; the simulation is checked against it under exactly those conditions.
"""

from __future__ import annotations

from dataclasses import dataclass


def erlang_b(servers: int, load: float) -> float:
    """Return Erlang B's blocking probability for ``servers`` and offered ``load`` (erlang),
    by the stable recursion ``B(k) = a B(k-1) / (k + a B(k-1))``."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Return Erlang C: the chance an arrival waits, for ``servers`` and ``load`` < servers."""
    if servers < 1:
        raise ValueError("an M/M/c queue needs at least one server")
    if load >= servers:
        raise ValueError(f"load {load} must be below the {servers} servers for a steady state")
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


@dataclass(frozen=True)
class MMcFigures:
    """The steady state of an M/M/c queue (times in the unit of the rates, e.g. minutes)."""

    servers: int
    utilisation: float
    chance_of_waiting: float
    mean_wait: float
    mean_queue_length: float


def mmc(arrival_rate: float, service_rate: float, servers: int) -> MMcFigures:
    """Return the M/M/c figures: ``Wq = C(c, a) / (c mu - lambda)``, ``Lq = lambda Wq``."""
    if arrival_rate <= 0 or service_rate <= 0:
        raise ValueError("arrival and service rates must be above 0")
    load = arrival_rate / service_rate
    waiting = erlang_c(servers, load)
    mean_wait = waiting / (servers * service_rate - arrival_rate)
    return MMcFigures(
        servers=servers,
        utilisation=load / servers,
        chance_of_waiting=waiting,
        mean_wait=mean_wait,
        mean_queue_length=arrival_rate * mean_wait,
    )
