"""The site simulation: checked against Erlang C where M/M/c holds, reproducible by seed, and
its day figures add up."""

from __future__ import annotations

import math

import pytest

from ektp.planning.erlang import erlang_b, erlang_c, mmc
from ektp.planning.simulation import SiteConfig, Window, evening_peak, simulate_day, simulate_season

PALEMBANG_DAY = (Window(8 * 60, 12 * 60), Window(13 * 60, 16 * 60), Window(16 * 60, 20 * 60))


def test_erlang_c_matches_a_hand_calculation() -> None:
    # Two servers, load 1.5 erlang: B = (1.5^2 / 2) / (1 + 1.5 + 1.125) = 1.125 / 3.625;
    # C = 2B / (2 - 1.5 (1 - B)) = 0.642857...; Wq = C / (2 mu - lambda) with mu = 1/3.
    assert erlang_b(2, 1.5) == pytest.approx(1.125 / 3.625)
    assert erlang_c(2, 1.5) == pytest.approx(9 / 14)
    figures = mmc(0.5, 1 / 3, 2)
    assert figures.mean_wait == pytest.approx((9 / 14) / (2 / 3 - 0.5))
    assert figures.utilisation == pytest.approx(0.75)
    with pytest.raises(ValueError, match="below the 2 servers"):
        erlang_c(2, 2.0)


def _erlang_c_by_the_sum(servers: int, load: float) -> float:
    """Return Erlang C from its textbook sum: (a^c / c!) (c / (c - a)) over
    sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a))."""
    waiting = load**servers / math.factorial(servers) * servers / (servers - load)
    return waiting / (sum(load**k / math.factorial(k) for k in range(servers)) + waiting)


@pytest.mark.parametrize("servers", [1, 2, 3, 5, 8, 16, 40])
def test_erlang_c_equals_the_textbook_sum_at_every_load(servers: int) -> None:
    for share in (0.05, 0.3, 0.6, 0.85, 0.99):
        load = share * servers
        assert erlang_c(servers, load) == pytest.approx(_erlang_c_by_the_sum(servers, load))
    # One server: the M/M/1 queue, where the chance of waiting is the utilisation itself and
    # Wq = rho / (mu - lambda).
    one = mmc(0.25, 1 / 3, 1)
    assert one.chance_of_waiting == pytest.approx(0.75)
    assert one.mean_wait == pytest.approx(0.75 / (1 / 3 - 0.25))


@pytest.mark.parametrize(("servers", "per_hour"), [(2, 30.0), (3, 48.0)])
def test_the_simulation_waits_as_erlang_c_says_in_the_long_run(
    servers: int, per_hour: float
) -> None:
    # Poisson arrivals at a steady rate, exponential service of 3 minutes on average, no
    # no-shows, breakdowns or breaks, one session of 60,000 minutes: M/M/c in the long run.
    minutes = 60_000
    config = SiteConfig(
        windows=(Window(0, minutes),),
        sets=servers,
        minutes_per_person=3,
        arrivals={hour: per_hour for hour in range(minutes // 60)},
        service="exponential",
    )
    theory = mmc(per_hour / 60, 1 / 3, servers)
    waits = [wait for seed in (1, 2) for wait in simulate_day(config, seed=seed).waits]
    mean = sum(waits) / len(waits)
    share_waiting = sum(1 for wait in waits if wait > 0) / len(waits)
    assert mean == pytest.approx(theory.mean_wait, rel=0.12)
    assert share_waiting == pytest.approx(theory.chance_of_waiting, abs=0.03)


def _site_day(**changes: object) -> SiteConfig:
    values: dict[str, object] = {
        "windows": PALEMBANG_DAY,
        "sets": 2,
        "minutes_per_person": 3,
        "arrivals": evening_peak(380, PALEMBANG_DAY),
        "no_show_share": 0.15,
        "walk_ins": evening_peak(40, PALEMBANG_DAY),
        "breakdowns_per_set_hour": 0.05,
    }
    values.update(changes)
    return SiteConfig(**values)  # type: ignore[arg-type]


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    config = _site_day()
    first = simulate_day(config, seed=7)
    assert simulate_day(config, seed=7) == first
    assert simulate_day(config, seed=8) != first


def test_a_day_adds_up_and_the_evening_queue_is_the_longest() -> None:
    day = simulate_day(_site_day(), seed=11)
    assert day.arrived == sum(hour.arrived for hour in day.hours)
    assert day.arrived == day.recorded + day.sent_home
    assert day.recorded == sum(hour.served for hour in day.hours) == len(day.waits)
    assert 0 <= day.idle_minutes <= 660 * 2
    evening = max(hour.mean_queue for hour in day.hours if hour.hour >= 16)
    daytime = max(hour.mean_queue for hour in day.hours if hour.hour < 16)
    assert evening > daytime
    assert {hour.hour for hour in day.hours} >= {8, 11, 13, 19}


def test_a_quiet_site_is_idle_and_nobody_waits_long() -> None:
    day = simulate_day(_site_day(arrivals=evening_peak(40, PALEMBANG_DAY), walk_ins={}), seed=3)
    assert day.sent_home == 0
    assert day.idle_minutes > 0.8 * 660 * 2
    assert day.broken_minutes >= 0


def test_a_season_has_one_figure_per_day_and_totals() -> None:
    season = simulate_season(_site_day(breakdowns_per_set_hour=0.0), days=3, seed=5)
    assert [day.day for day in season.days] == [0, 1, 2]
    assert season.recorded == sum(day.recorded for day in season.days)
    assert season.mean_wait is not None and season.mean_wait >= 0
    with pytest.raises(ValueError, match="days must be at least 1"):
        simulate_season(_site_day(), days=0, seed=5)


def test_bad_site_figures_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        _site_day(windows=(Window(480, 720), Window(700, 800)))
    with pytest.raises(ValueError, match="no_show_share"):
        _site_day(no_show_share=1.5)
