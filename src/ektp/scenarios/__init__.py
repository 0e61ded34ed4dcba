"""Shipped scenarios: TOML files describing a city at a moment (population, campaign, sites).

A scenario is named by a shipped name (``palembang-2011``, a file of this package) or by the
path of a TOML file. The loader only parses; each domain reads and checks its own table
(``[population]`` for ``residents generate``, and so on).
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

SUFFIX = ".toml"


class ScenarioError(ValueError):
    """Raised for a scenario that cannot be found or read; the message says why."""


def shipped_scenarios() -> list[str]:
    """Return the names of the scenarios shipped with ektp, sorted."""
    files = resources.files(__name__)
    return sorted(
        entry.name.removesuffix(SUFFIX) for entry in files.iterdir() if entry.name.endswith(SUFFIX)
    )


def _looks_like_path(name_or_path: str | Path) -> bool:
    text = str(name_or_path)
    return isinstance(name_or_path, Path) or text.endswith(SUFFIX) or "/" in text or "\\" in text


def load_scenario(name_or_path: str | Path) -> dict[str, Any]:
    """Return the parsed scenario for a shipped name or a TOML file path."""
    if _looks_like_path(name_or_path):
        path = Path(name_or_path)
        if not path.is_file():
            raise ScenarioError(f"scenario file {path} does not exist")
        source, text = str(path), path.read_text(encoding="utf-8")
    else:
        name = str(name_or_path)
        if name not in shipped_scenarios():
            raise ScenarioError(
                f"unknown scenario {name!r}; shipped scenarios: "
                f"{', '.join(shipped_scenarios())}; or give the path of a {SUFFIX} file"
            )
        source = name
        text = resources.files(__name__).joinpath(name + SUFFIX).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"scenario {source} is not valid TOML: {error}") from None
