"""cleanwire: turn scraped news pages into clean canonical text, one per story."""

from cleanwire.document import Document

__version__ = "0.1.0"
__all__ = ["Document", "__version__"]
