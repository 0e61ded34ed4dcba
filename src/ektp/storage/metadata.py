"""The complete schema: importing this module registers every domain's tables on ``Base``."""

from __future__ import annotations

from sqlalchemy import MetaData

from ektp.auth import models as _auth_models
from ektp.cards import models as _cards_models
from ektp.monitoring import models as _monitoring_models
from ektp.recording import models as _recording_models
from ektp.regions import models as _regions_models
from ektp.residents import models as _residents_models
from ektp.scheduling import models as _scheduling_models
from ektp.storage.base import Base

_DOMAIN_MODELS = (
    _regions_models,
    _residents_models,
    _auth_models,
    _scheduling_models,
    _recording_models,
    _cards_models,
    _monitoring_models,
)


def target_metadata() -> MetaData:
    """Return the metadata holding every table of every domain."""
    return Base.metadata
