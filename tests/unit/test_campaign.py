"""The campaign definition: the Palembang TOML parses; every mistake is named by its key."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ektp.regions.wilayah import known_kecamatan_codes
from ektp.scenarios import load_scenario
from ektp.scheduling.campaign import CampaignError, load_campaign, parse_campaign
from ektp.sites.capacity import SATURDAY, SetChange

KECAMATAN = [
    ("16.71.01", "Ilir Barat II"),
    ("16.71.02", "Seberang Ulu I"),
    ("16.71.03", "Seberang Ulu II"),
    ("16.71.04", "Ilir Barat I"),
    ("16.71.05", "Ilir Timur I"),
    ("16.71.06", "Ilir Timur II"),
    ("16.71.07", "Sukarami"),
    ("16.71.08", "Sako"),
    ("16.71.09", "Kemuning"),
    ("16.71.10", "Kalidoni"),
    ("16.71.11", "Bukit Kecil"),
    ("16.71.12", "Gandus"),
    ("16.71.13", "Kertapati"),
    ("16.71.14", "Plaju"),
    ("16.71.15", "Alang-Alang Lebar"),
    ("16.71.16", "Sematang Borang"),
]

PALEMBANG = """
[population]
note = "owned by the population generator; the campaign parser ignores it"

[campaign]
name = "Perekaman e-KTP Kota Palembang 2011"
city = "16.71"
edition = "2016"
start = 2011-10-03
deadline = 2011-12-31
seed = 2011
minutes_per_person = 3
target_per_kecamatan_per_day = 300
freeze_days = 7
max_misses = 3
saturday = false
closed_dates = []

[[campaign.sessions]]
name = "pagi"
start = "08:00"
end = "12:00"
reserve_share = 0.0

[[campaign.sessions]]
name = "siang"
start = "13:00"
end = "16:00"
reserve_share = 0.0

[[campaign.sessions]]
name = "malam"
start = "16:00"
end = "20:00"
reserve_share = 0.2
""" + "".join(
    f"""
[[sites]]
kecamatan = "{kode}"
name = "Kantor Camat {nama}"
sets = {3 if kode == "16.71.06" else 2}
"""
    for kode, nama in KECAMATAN
)


def palembang() -> dict[str, Any]:
    return tomllib.loads(PALEMBANG)


def problems_of(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(CampaignError) as raised:
        parse_campaign(data)
    problems: tuple[str, ...] = raised.value.problems
    return problems


def test_the_palembang_scenario_has_16_offices_with_ilir_timur_ii_holding_3_sets() -> None:
    campaign = parse_campaign(palembang(), known_kecamatan=known_kecamatan_codes())
    assert len(campaign.sites) == 16
    assert {site.code: site.sets for site in campaign.sites}["16.71.06"] == 3
    assert sum(site.sets for site in campaign.sites) == 33
    assert (campaign.start, campaign.deadline) == (dt.date(2011, 10, 3), dt.date(2011, 12, 31))
    assert campaign.target_per_kecamatan_per_day == 300
    assert [session.end for session in campaign.sessions][-1] == dt.time(20)
    site = campaign.sites_of("16.71.06")[0]
    assert site.name == "Kantor Camat Ilir Timur II"
    assert site.reserve_share("malam") == 0.2
    assert site.reserve_share("pagi") == 0.0


def test_the_shipped_palembang_scenario_parses_once_it_has_a_campaign() -> None:
    scenario = load_scenario("palembang-2011")
    if "campaign" not in scenario:
        pytest.skip("src/ektp/scenarios/palembang-2011.toml has no [campaign] table yet")
    campaign = parse_campaign(scenario, known_kecamatan=known_kecamatan_codes())
    assert len(campaign.sites) == 16
    assert campaign.sites_of("16.71.06")[0].sets == 3


def test_the_scenario_loads_from_a_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "palembang-2011.toml"
    path.write_text(PALEMBANG, encoding="utf-8")
    assert load_campaign(path).seed == 2011


def test_left_out_settings_take_their_defaults() -> None:
    data = palembang()
    for key in ("minutes_per_person", "freeze_days", "max_misses", "saturday", "closed_dates"):
        del data["campaign"][key]
    del data["campaign"]["target_per_kecamatan_per_day"]
    campaign = parse_campaign(data)
    assert (campaign.minutes_per_person, campaign.freeze_days, campaign.max_misses) == (3, 7, 3)
    assert campaign.target_per_kecamatan_per_day is None
    assert campaign.closed.public_holidays and campaign.closed.cuti_bersama
    assert campaign.sessions[0].weekdays == frozenset(range(5))
    assert campaign.sites[0].code == "16.71.01"


def test_saturday_adds_saturday_to_every_session_without_its_own_days() -> None:
    data = palembang()
    data["campaign"]["saturday"] = True
    data["campaign"]["sessions"][2]["weekdays"] = ["senin", "rabu"]
    campaign = parse_campaign(data)
    assert SATURDAY in campaign.sessions[0].weekdays
    assert campaign.sessions[2].weekdays == frozenset({0, 2})


def test_a_site_may_set_its_own_pace_reserve_closed_days_and_set_history() -> None:
    data = palembang()
    data["sites"][5].update(
        minutes_per_person=4,
        reserve_shares={"malam": 0.3},
        closed_dates=[dt.date(2011, 10, 28)],
        sets_history=[
            {"date": dt.date(2011, 11, 14), "change": 5, "reason": "added"},
            {"date": "2011-11-20", "change": -1, "reason": "broken"},
        ],
    )
    site = parse_campaign(data).sites[5]
    assert site.minutes_per_person == 4
    assert site.reserve_share("malam") == 0.3
    assert site.closed_dates == frozenset({dt.date(2011, 10, 28)})
    assert site.sets_history == (
        SetChange(dt.date(2011, 11, 14), 5, "added"),
        SetChange(dt.date(2011, 11, 20), -1, "broken"),
    )


def test_plain_digit_codes_and_toml_times_are_accepted() -> None:
    data = palembang()
    data["campaign"]["city"] = "1671"
    data["sites"][0]["kecamatan"] = "167101"
    data["campaign"]["sessions"][0]["start"] = dt.time(7, 30)
    campaign = parse_campaign(data)
    assert campaign.city == "16.71"
    assert campaign.sites[0].kecamatan == "16.71.01"
    assert campaign.sessions[0].start == dt.time(7, 30)


def test_a_second_site_serves_its_kelurahan_and_the_office_serves_the_rest() -> None:
    data = palembang()
    data["sites"].append(
        {"code": "16.71.06-b", "kecamatan": "16.71.06", "sets": 1, "kelurahan": ["1671061001"]}
    )
    campaign = parse_campaign(data)
    second, office = (campaign.site_for_kelurahan(kode) for kode in ("1671061001", "1671061002"))
    assert second is not None and second.code == "16.71.06-b"
    assert office is not None and office.code == "16.71.06"
    assert campaign.site_for_kelurahan("16.71.99.1001") is None


def test_a_negative_number_of_sets_is_named_by_its_key() -> None:
    data = palembang()
    data["sites"][3]["sets"] = -1
    assert problems_of(data) == ("sites[3].sets: must be a non-negative integer",)


def test_sets_given_as_text_or_true_are_refused() -> None:
    data = palembang()
    data["sites"][3]["sets"] = "two"
    data["sites"][4]["sets"] = True
    assert problems_of(data) == (
        "sites[3].sets: must be a non-negative integer",
        "sites[4].sets: must be a non-negative integer",
    )


def test_every_problem_is_reported_at_once() -> None:
    data = palembang()
    del data["campaign"]["deadline"]
    data["campaign"]["deadlin"] = dt.date(2011, 12, 31)
    data["campaign"]["seed"] = -5
    data["sites"][0]["kecamatan"] = "16.72.01"
    assert problems_of(data) == (
        "campaign.deadlin: unknown key",
        "campaign.deadline: is required",
        "campaign.seed: must be a non-negative integer",
        "sites[0].kecamatan: 16.72.01 is not in city 16.71",
    )


def test_a_deadline_before_the_start_is_refused() -> None:
    data = palembang()
    data["campaign"]["deadline"] = dt.date(2011, 9, 30)
    assert problems_of(data) == ("campaign.deadline: must not be before start",)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"end": "07:00"}, "campaign.sessions[0].end: must be later than start"),
        ({"end": "13:30"}, "campaign.sessions[1]: overlaps session 'pagi'"),
        ({"start": "8 pagi"}, 'campaign.sessions[0].start: must be a time of day ("08:00")'),
        (
            {"reserve_share": 1.5},
            "campaign.sessions[0].reserve_share: must be a number from 0 to 1",
        ),
        (
            {"weekdays": ["monday"]},
            "campaign.sessions[0].weekdays: must list day names from "
            "senin, selasa, rabu, kamis, jumat, sabtu, minggu",
        ),
        ({"name": "siang"}, "campaign.sessions[1].name: session 'siang' is defined twice"),
    ],
)
def test_a_bad_session_is_named_by_its_key(change: dict[str, Any], problem: str) -> None:
    data = palembang()
    data["campaign"]["sessions"][0].update(change)
    assert problems_of(data) == (problem,)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"kelurahan": ["16.71.07.1001"]},
            "sites[2].kelurahan[0]: 16.71.07.1001 is not in 16.71.03",
        ),
        ({"kelurahan": ["16.71.03"]}, "sites[2].kelurahan[0]: must be a kelurahan code"),
        ({"minutes_per_person": 0}, "sites[2].minutes_per_person: must be a positive integer"),
        (
            {"reserve_shares": {"subuh": 0.1}},
            "sites[2].reserve_shares.subuh: no session has this name",
        ),
        ({"code": "16.71.01"}, "sites[2].code: '16.71.01' is also sites[0]"),
        ({"kecamatan": "16.71.01"}, "sites[2].code: '16.71.01' is also sites[0]"),
        ({"colour": "red"}, "sites[2].colour: unknown key"),
        (
            {"kecamatan": "16.71.99"},
            "sites[2].kecamatan: 16.71.99 is not a kecamatan of the edition",
        ),
    ],
)
def test_a_bad_site_is_named_by_its_key(change: dict[str, Any], problem: str) -> None:
    data = palembang()
    data["sites"][2].update(change)
    with pytest.raises(CampaignError) as raised:
        parse_campaign(data, known_kecamatan=known_kecamatan_codes())
    assert raised.value.problems[0] == problem


def test_two_sites_serving_the_rest_of_one_kecamatan_are_refused() -> None:
    data = palembang()
    data["sites"].append({"code": "16.71.06-b", "kecamatan": "16.71.06", "sets": 1})
    assert problems_of(data) == (
        "sites[16].kelurahan: needed: sites[5] already serves the rest of 16.71.06",
    )


def test_a_kelurahan_served_by_two_sites_is_refused() -> None:
    data = palembang()
    data["sites"][5]["kelurahan"] = ["16.71.06.1001"]
    data["sites"].append(
        {"code": "16.71.06-b", "kecamatan": "16.71.06", "sets": 1, "kelurahan": ["16.71.06.1001"]}
    )
    assert problems_of(data) == (
        "sites[16].kelurahan: 16.71.06.1001 is already served by sites[5]",
    )


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        (
            [{"date": dt.date(2011, 10, 10), "change": -3, "reason": "broken"}],
            "sites[0].sets_history[0].change: leaves -1 sets working on 2011-10-10",
        ),
        (
            [{"date": dt.date(2011, 10, 10), "change": 1, "reason": "repaired"}],
            "sites[0].sets_history[0].change: repairs 1 sets, 0 are broken",
        ),
        (
            [{"date": dt.date(2011, 10, 10), "change": 1, "reason": "stolen"}],
            "sites[0].sets_history[0].reason: must be one of added, broken, repaired, moved",
        ),
        (
            [{"date": dt.date(2011, 10, 10), "change": 2, "reason": "broken"}],
            "sites[0].sets_history[0].change: 'broken' must remove sets (a negative change)",
        ),
        (
            [{"date": "soon", "change": 2, "reason": "added"}],
            "sites[0].sets_history[0].date: must be a date (2011-10-03)",
        ),
    ],
)
def test_an_impossible_set_history_is_named_by_its_entry(
    history: list[dict[str, Any]], problem: str
) -> None:
    data = palembang()
    data["sites"][0]["sets_history"] = history
    assert problems_of(data) == (problem,)


def test_a_campaign_without_sites_or_sessions_is_refused() -> None:
    data = copy.deepcopy(palembang())
    data["sites"] = []
    data["campaign"]["sessions"] = []
    assert problems_of(data) == (
        "campaign.sessions: needs at least one entry",
        "sites: needs at least one entry",
    )


def test_a_file_without_a_campaign_table_says_so() -> None:
    assert problems_of({"sites": palembang()["sites"]})[0] == "campaign: is required"
