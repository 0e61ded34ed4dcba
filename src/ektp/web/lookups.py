"""Kept only for ``plan_pages``: delete it once that module calls ``ektp.regions.service``.

The region look-ups the pages need live in the regions service now.
"""

from __future__ import annotations

from ektp.regions.service import kelurahan_in_area, loaded_cities, region_names

__all__ = ["kelurahan_in_area", "loaded_cities", "region_names"]
