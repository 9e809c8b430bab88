"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from tests.support.fake_push import FakePushService


@pytest.fixture
def push_service(app):
    """A local fake push service (127.0.0.1) knowing the app's VAPID key; a
    test file may define its own."""
    service = FakePushService(vapid_public_key=app.config["VAPID_PUBLIC_KEY"])
    yield service
    service.close()
