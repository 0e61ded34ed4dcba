"""The card pages' labels (pure): every key the templates and pages use exists in Bahasa
Indonesia and English with the same placeholders, keys built from data cover every value
the data can take, and a card's state has one name on every page (``card_state.*``)."""

from __future__ import annotations

import re
import string
from pathlib import Path

from ektp.cards import batches, handover, lifecycle, receiving, shipping, status
from ektp.web import (
    i18n,
    labels_batches,
    labels_handover,
    labels_monitoring,
    labels_pipeline,
    labels_planning,
    labels_planning_tools,
    labels_recording,
    labels_registry,
    labels_reports,
    labels_shipping,
)

WEB = Path(__file__).parents[2] / "src" / "ektp" / "web"
TEMPLATES = [
    template
    for area in ("centre", "shipping", "handover", "status", "pipeline")
    for template in sorted((WEB / "templates" / area).glob("*.html"))
]
PAGES = [
    WEB / f"{name}.py"
    for name in (
        "centre_pages",
        "shipment_pages",
        "shipment_access",
        "handover_pages",
        "status_pages",
        "pipeline_pages",
    )
]
OWN_LABELS = (labels_batches, labels_shipping, labels_handover, labels_pipeline)
AREAS = ("centre", "shipping", "handover", "status", "pipeline", "card_state")
# Keys built in a template from data ('prefix.' ~ value): every value the data can take.
BUILT_FROM_DATA: dict[str, tuple[str, ...]] = {
    "card_state.": lifecycle.STATES,
    "shipping.status.": (
        shipping.STATUS_SENT,
        shipping.STATUS_RECEIVED,
        shipping.STATUS_RECEIVED_DISCREPANCY,
    ),
    "shipping.leg.": shipping.LEGS,
    "shipping.send_title.": shipping.LEGS,
    "shipping.outcome.": receiving.OUTCOMES,
    "shipping.kind.": (receiving.HILANG, receiving.LEBIH, receiving.SALAH_TUJUAN),
    "centre.status.": (batches.SENT, batches.ACCEPTED, batches.REFUSED),
    "status.stage.": status.STAGES,
    "handover.recipient.": handover.RECIPIENTS,
}
_STATIC = re.compile(r"""\bt\(\s*'([a-z0-9_.]+)'\s*[,)]""")
_BUILT = re.compile(r"""\bt\(\s*'([a-z0-9_.]+\.)'\s*~\s*([a-z_.]+)""")
_IN_CODE = re.compile(r"""["']((?:""" + "|".join(AREAS) + r""")\.[a-z0-9_.]*[a-z0-9_])["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def used_keys() -> set[str]:
    """Return every label key the card templates and pages name, data-built ones expanded."""
    used: set[str] = set()
    for template in TEMPLATES:
        text = template.read_text()
        used |= set(_STATIC.findall(text))
        for prefix, _ in _BUILT.findall(text):
            assert prefix in BUILT_FROM_DATA, f"{template.name}: which values can {prefix}… take?"
            used |= {prefix + value for value in BUILT_FROM_DATA[prefix]}
    for page in PAGES:
        used |= set(_IN_CODE.findall(page.read_text()))
    return used


def test_the_scan_finds_the_card_pages_labels() -> None:
    used = used_keys()
    assert len(TEMPLATES) >= 10 and len(used) > 150
    assert {"handover.not_in_area", "status.too_many", "card_state.diserahkan"} <= used


def test_every_label_of_the_card_pages_exists_in_both_languages() -> None:
    missing = sorted(key for key in used_keys() if key not in i18n.MESSAGES)
    assert missing == []
    empty = sorted(key for key in used_keys() if not all(i18n.MESSAGES[key]))
    assert empty == []


def test_both_languages_of_a_label_fill_in_the_same_placeholders() -> None:
    for module in OWN_LABELS:
        for key, (indonesian, english) in module.LABELS.items():
            assert _placeholders(indonesian) == _placeholders(english), key


def test_no_two_label_modules_define_one_key() -> None:
    modules = (
        labels_registry,
        labels_planning,
        labels_recording,
        labels_batches,
        labels_shipping,
        labels_handover,
        labels_pipeline,
        labels_monitoring,
        labels_planning_tools,
        labels_reports,
    )
    seen: dict[str, str] = {}
    for module in modules:
        for key in module.LABELS:
            assert key not in seen, f"{key} in {seen.get(key)} and {module.__name__}"
            seen[key] = module.__name__


def test_a_cards_state_has_one_name_on_every_page() -> None:
    states = set(lifecycle.STATES)
    for template in TEMPLATES:
        for prefix, value in _BUILT.findall(template.read_text()):
            if value.split(".")[-1] == "state":
                assert prefix == "card_state.", f"{template.name} names a state by {prefix}…"
    for module in OWN_LABELS:
        for key in module.LABELS:
            parts = key.split(".")
            if "state" in parts[:-1] and parts[-1] in states:
                assert key.startswith("card_state."), f"{key}: a second name for a card state"
