"""painsim's version, in one place (base layer: imports nothing of painsim)."""

__version__ = "0.1.0"
