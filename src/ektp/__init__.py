"""ektp: run a city's e-KTP campaign from registry to card in hand."""

__version__ = "0.1.0"
