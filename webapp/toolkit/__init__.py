"""The coping toolkit: exercises, the feelings picker, the breathing pacer,
thought records, favourites and recently used."""

from flask import Blueprint

bp = Blueprint("toolkit", __name__, template_folder="templates")

from webapp.toolkit import routes  # noqa: E402,F401 - registers the views on bp
