"""Helpers for the JSON API: parse a body or answer 4xx with a clear message."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, make_response, request


def json_error(status: int, message: str, **fields: Any):
    """Stop the request with a JSON error body."""
    abort(make_response(jsonify(error=message, **fields), status))


def json_body() -> dict:
    """The request's JSON object, or a 400/415 explaining what is wrong."""
    if not request.is_json:
        json_error(415, "Send JSON with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        json_error(400, "The body must be a JSON object.")
    return data
