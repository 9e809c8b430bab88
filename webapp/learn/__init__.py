"""Learning at your own pace: articles for the person (``/learn``), a guide for
the people who support them (``/learn/supporting``) and informed help to find
(``/find-help``). Public, the same for everyone, kept offline by the service
worker after one visit."""

from flask import Blueprint

bp = Blueprint("learn", __name__, template_folder="templates")

from webapp.learn import routes  # noqa: E402,F401 - registers the views on bp
