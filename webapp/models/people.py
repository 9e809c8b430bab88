"""The support network and the wave plan."""

__all__: list[str] = []
