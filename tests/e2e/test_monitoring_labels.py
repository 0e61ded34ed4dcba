"""The monitoring and planning pages speak Bahasa Indonesia first and English completely:
every label they use, literal or built from data, exists in both languages with the same
placeholders, and every alert reads as a sentence in both."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from ektp.cards.lifecycle import STATES
from ektp.monitoring import alerts
from ektp.monitoring.alerts import KecamatanDayFigures, RtTurns, SetDay, StageWait
from ektp.web import i18n, labels_monitoring, labels_planning_tools, labels_reports
from ektp.web.dashboard_pages import alert_text

TEMPLATES = Path(__file__).parents[2] / "src" / "ektp" / "web" / "templates"
AREAS = ("dashboard", "equipment")
DAY = dt.date(2011, 10, 3)


def _used_in_templates() -> set[str]:
    used: set[str] = set()
    for area in AREAS:
        for template in (TEMPLATES / area).rglob("*.html"):
            used |= set(re.findall(r"t\('([a-z0-9_.]+)'", template.read_text("utf-8")))
    return used


def _built_from_data() -> set[str]:
    # t('dash.children.' ~ level), t('card_state.' ~ state), t('dash.kind.' ~ kind),
    # t('dash.chart.' ~ target_kind), and alert_text's f"dash.alert.{kind}".
    return {
        *(f"dash.children.{level}" for level in ("kecamatan", "kelurahan", "rt")),
        *(f"card_state.{state}" for state in STATES),
        *(f"dash.kind.{kind}" for kind in alerts.KINDS),
        *(f"dash.alert.{kind}" for kind in alerts.KINDS),
        *(f"dash.chart.{kind}" for kind in ("target", "invited")),
    }


def test_every_label_of_the_pages_exists_in_both_languages() -> None:
    literal = _used_in_templates()
    assert len(literal) > 40, "no labels found: has the t('...') convention changed?"
    used = {key for key in literal if not key.endswith(".")} | _built_from_data()
    missing = sorted(key for key in used if key not in i18n.MESSAGES)
    assert missing == []
    empty = sorted(key for key in used if not all(text.strip() for text in i18n.MESSAGES[key]))
    assert empty == []


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize(
    "labels", [labels_monitoring.LABELS, labels_planning_tools.LABELS, labels_reports.LABELS]
)
def test_both_languages_of_a_label_take_the_same_placeholders(
    labels: dict[str, tuple[str, str]],
) -> None:
    different = {
        key: (sorted(_fields(id_)), sorted(_fields(en)))
        for key, (id_, en) in labels.items()
        if _fields(id_) != _fields(en)
    }
    assert different == {}


def _one_of_each() -> list[alerts.Alert]:
    found = [
        *alerts.below_target([KecamatanDayFigures("16.71.06", DAY, 120, 300)], min_days=1),
        *alerts.idle_sets([SetDay("16.71.06", "16.71.06", DAY, 2, 100, 560)], max_share=0.5),
        *alerts.low_attendance(
            [RtTurns("16.71.06", "16.71.06.1001.RW003.RT005", 40, 30)],
            min_share=0.6,
            min_invited=20,
        ),
        *alerts.cards_waiting(
            [StageWait("16.71.06", "dicetak", 1_250, DAY)], max_days=14, today=dt.date(2011, 11, 1)
        ),
    ]
    assert sorted(alert.kind for alert in found) == sorted(alerts.KINDS)
    return found


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_alert_reads_as_a_sentence_in_both_languages(lang: str) -> None:
    for alert in _one_of_each():
        text = alert_text(lang, alert)
        assert "{" not in text and not text.startswith("dash."), text
    cards = next(a for a in _one_of_each() if a.kind == alerts.CARDS_WAITING)
    if lang == "id":
        assert "1.250 kartu menunggu di tahap «Dicetak» sejak 3 Oktober 2011" in alert_text(
            lang, cards
        )
    else:
        assert "1,250 cards waiting at the stage «Printed» since 3 October 2011" in alert_text(
            lang, cards
        )
