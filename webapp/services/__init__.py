"""Plain-Python logic with no request in it."""
