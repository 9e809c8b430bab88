"""Seeing how it has gone: the "windows and waves" chart (online, and offline
from the snapshot with check-ins still waiting to sync) and the printable
summary for a clinician."""

from webapp.insights.routes import bp

__all__ = ["bp"]
