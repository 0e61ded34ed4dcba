"""Per-area parts of the route matrix, so that each area adds its routes in its own file.

A part is a module here with:

    LINES: dict[str, str]   # "METHOD /path/{template}" -> "admin camat lurah pusat pengamat anonim"
    def build(session: Session, ids: Ids) -> dict[str, Any]
        # adds the area's rows to the matrix city (after the base city is built, in one
        # transaction) and returns the ids its calls need; they reach calls() as
        # ids.extra[<module name>]
    def calls(ids: Ids) -> dict[str, Call]
        # the request made for each route of LINES; must also work on a dummy Ids whose
        # extra is empty (use .get with a default)

The base matrix (tests/e2e/test_route_matrix.py) gathers every part found here.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def load() -> tuple[ModuleType, ...]:
    """Return every part module of this package, sorted by name."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


def short_name(part: ModuleType) -> str:
    """Return the key under which ``part``'s build result is kept in ``Ids.extra``."""
    return str(part.__name__).rsplit(".", 1)[-1]
