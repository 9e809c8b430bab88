"""The coping toolkit: exercises, the feelings picker, the breathing pacer,
thought records, favourites and recently used."""

from webapp.toolkit.routes import bp

__all__ = ["bp"]
