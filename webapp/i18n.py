"""Which language a request is in, and the catalogues that hold the words.

The language is, in order: the one chosen for this page (``?lang=``, e.g. a
summary printed for a prescriber), the one saved in the account (signed in),
the one chosen on this device (the ``steady_lang`` cookie set by the footer's
switcher), the browser's languages (``Accept-Language``), else English.
Anything that is not a shipped language — unknown, malformed, hostile — is
passed over without an error.

Catalogues live in ``webapp/translations/<lang>/LC_MESSAGES/messages.po``.
There is no build step: at start-up each ``.po`` is compiled to a ``.mo``
beside it when that is missing or older (or, when the package folder is read
only, into the instance folder), and Flask-Babel reads the ``.mo``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Domain
from jinja2 import pass_context
from markupsafe import Markup

from webapp.services.content_i18n import LANGUAGES, SOURCE_LANGUAGE

COOKIE = "steady_lang"
#: A year: the device remembers the choice.
COOKIE_AGE = 365 * 24 * 3600
#: The name each language has for itself, shown in the switcher.
NAMES = {"en": "English", "es": "Español"}
#: Where each language's dates look like ``Mon 30 Nov`` vs ``lun 30 nov``:
#: the Babel locale used for dates, numbers and plurals.
BABEL_LOCALES = {"en": "en_GB", "es": "es"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: Longest Accept-Language header read; a longer one is cut, never parsed whole.
MAX_HEADER = 512
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def shipped(value: object) -> str | None:
    """``value`` as a shipped language (``es``, ``es-MX`` → ``es``), or None
    for anything else, hostile values included."""
    if not isinstance(value, str) or not value or len(value) > 35:
        return None
    try:
        value.encode("ascii")
    except UnicodeError:
        return None
    value = value.strip()
    if not _TAG.match(value):
        return None
    base = value.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def from_accept_language(header: object) -> str | None:
    """The best shipped language in an ``Accept-Language`` header (highest
    q first, then order), or None. Malformed parts are skipped."""
    if not isinstance(header, str) or not header:
        return None
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(header[:MAX_HEADER].split(",")):
        tag, _, params = part.strip().partition(";")
        language = shipped(tag.strip())
        if language is None:
            continue
        quality = 1.0
        params = params.strip()
        if params:
            name, _, number = params.partition("=")
            if name.strip().lower() != "q":
                continue
            try:
                quality = float(number.strip())
            except ValueError:
                continue
            if not 0 < quality <= 1:  # q=0 means "not this one"; nan/inf are refused by the range
                continue
        candidate = (-quality, position, language)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best else None


def pseudo_enabled() -> bool:
    """Whether this app offers the pseudo-locales (development and tests only)."""
    from webapp import pseudo

    try:
        return pseudo.enabled(current_app)
    except RuntimeError:  # no app
        return False


def available(value: object) -> str | None:
    """``value`` as a language this app offers: a shipped one, or (in
    development and tests) a pseudo-locale (webapp/pseudo.py)."""
    from webapp import pseudo

    code = pseudo.match(value)
    if code is not None:
        return code if pseudo_enabled() else None
    return shipped(value)


def direction(language: str | None = None) -> str:
    """``ltr`` or ``rtl``: the text direction of ``language`` (default: this request's)."""
    from webapp import pseudo

    return pseudo.direction(language or choose())


def _account_language() -> str | None:
    try:
        from flask_login import current_user

        if getattr(current_user, "is_authenticated", False):
            return available(getattr(current_user, "language", None))
    except Exception:  # noqa: BLE001 - an error page must still render when the database is down
        return None
    return None


def choose() -> str:
    """The language of this request (see the module's docstring)."""
    if not has_request_context():
        return SOURCE_LANGUAGE
    if "steady_language" in g:
        return g.steady_language
    language = (
        available(request.args.get("lang"))
        or _account_language()
        or available(request.cookies.get(COOKIE))
        or from_accept_language(request.headers.get("Accept-Language"))
        or SOURCE_LANGUAGE
    )
    g.steady_language = language
    return language


def babel_language(language: str | None = None) -> str:
    """The shipped language whose dates and numbers ``language`` (default:
    this request's) uses: a pseudo-locale writes them as English."""
    from webapp import pseudo

    language = language or choose()
    return SOURCE_LANGUAGE if pseudo.is_pseudo(language) else language


def babel_locale(language: str | None = None) -> str:
    """The Babel locale for ``language`` (default: this request's)."""
    return BABEL_LOCALES.get(language or choose(), BABEL_LOCALES[SOURCE_LANGUAGE])


def library(language: str | None = None):
    """The exercises, feelings, symptoms and crisis lines in ``language``
    (default: this request's), built once at start-up."""
    return current_app.extensions["steady.libraries"][language or choose()]


def learning(language: str | None = None):
    """The articles, supporters' guide and Find help in ``language``."""
    return current_app.extensions["steady.learnings"][language or choose()]


def languages_of(session, user_ids) -> dict[int, str]:
    """Each person's account language (English when none was chosen), for
    words sent to them: a notification is in the recipient's language."""
    from sqlalchemy import select

    from webapp.models import User

    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.language).where(User.id.in_(ids)))
    return {user_id: shipped(language) or SOURCE_LANGUAGE for user_id, language in rows}


def language_of(session, user_id: int) -> str:
    return languages_of(session, {user_id}).get(user_id, SOURCE_LANGUAGE)


# --- catalogues -----------------------------------------------------------------------


def compile_catalogues(source: Path = TRANSLATIONS, fallback: Path | None = None) -> Path:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``source`` to a
    ``.mo`` where it is missing or older than its ``.po``. Written beside the
    ``.po`` when that folder can be written, else under ``fallback``; returns
    the folder Flask-Babel should read."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    target = source
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        relative = po_path.relative_to(source).with_suffix(".mo")
        mo_path = source / relative
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        if not os.access(mo_path.parent, os.W_OK) and fallback is not None:
            target = fallback
            mo_path = fallback / relative
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parts[-3])
        temporary = mo_path.with_suffix(f".mo.{os.getpid()}")
        with temporary.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        os.replace(temporary, mo_path)
    return target


_catalogues: dict[tuple[str, str], object] = {}


def translations(language: str, folder: Path | None = None):
    """The compiled catalogue of ``language`` (English: none), for words made
    outside a page: notifications and the content built at start-up."""
    from babel.support import NullTranslations, Translations

    from webapp import pseudo

    if pseudo.is_pseudo(language):
        return pseudo.translations(language)
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    folder = folder or _folder
    key = (str(folder), language)
    if key not in _catalogues:
        catalogue = Translations.load(str(folder), [language], "messages")
        mo = folder / language / "LC_MESSAGES" / "messages.mo"
        catalogue._steady_mtime = mo.stat().st_mtime if mo.exists() else None
        _catalogues[key] = catalogue
    return _catalogues[key]


def gettext_in(language: str, message: str, **variables) -> str:
    """``message`` in ``language``, with ``%(name)s`` filled from ``variables``."""
    text = translations(language).ugettext(message)
    return text % variables if variables else text


def ngettext_in(language: str, singular: str, plural: str, number: int, **variables) -> str:
    """A count in ``language``'s plural forms (``%(num)d`` is ``number``)."""
    text = translations(language).ungettext(singular, plural, number)
    return text % {"num": number, **variables}


_folder = TRANSLATIONS


def prepare(app: Flask) -> None:
    """Compile the catalogues (before the content is built in each language)."""
    global _folder
    folder = compile_catalogues(TRANSLATIONS, Path(app.instance_path) / "translations")
    if folder != _folder:
        _folder = folder
        _catalogues.clear()
    for path in folder.glob("*/LC_MESSAGES/messages.mo"):
        key = (str(folder), path.parts[-3])
        if key in _catalogues and getattr(_catalogues[key], "_steady_mtime", None) != path.stat().st_mtime:
            del _catalogues[key]
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(folder))


def init_app(app: Flask) -> None:
    from flask_babel import Babel

    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        prepare(app)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE_LANGUAGE)
    babel = Babel(app, locale_selector=_babel_selector)
    domain = babel.domain_instance = _Domain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # Templates' words from the one domain straight away (Flask-Babel's own
    # callables look the domain up again on ``g`` for every word).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: domain.get_translations().ugettext(s),
        ngettext=lambda s, p, n: domain.get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: domain.get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: domain.get_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @pass_context
    def words(context, string: str, **variables):
        """Templates' ``_()``: what Jinja's own alias gives (its newstyle
        ``gettext``: escaped where the template autoescapes, always formatted
        with ``variables``), without looking ``gettext`` up in the context
        and calling it through the context for every word."""
        found = domain.get_translations().ugettext(string)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        return found % variables

    app.jinja_env.globals["_"] = words

    @app.context_processor
    def _language() -> dict:
        language = choose()
        return {
            "language": language,
            "text_direction": direction(language),
            "language_names": NAMES,
            "languages": LANGUAGES,
        }


def _babel_selector() -> str:
    """Flask-Babel's locale: a pseudo-locale formats dates and numbers as English."""
    return babel_language()


class _Domain(Domain):
    """Flask-Babel's catalogues, with a pseudo-locale's made on the fly.

    A page asks for its catalogue once for each word it shows (a hundred or
    more times); the answer is kept on the request's ``g`` with what it was
    worked out from (Flask-Babel's locale object, this request's language)
    and given again while both are the same, so a change of language inside
    a request (``flask_babel.refresh()``) still takes effect."""

    def get_translations(self):
        if not has_request_context():
            return self._worked_out()
        here = g._get_current_object().__dict__
        babel = here.get("_flask_babel")
        kept = getattr(babel, "steady_translations", None)
        if (
            kept is not None
            and kept[0] is getattr(babel, "babel_locale", None)
            and kept[1] == here.get("steady_language")
        ):
            return kept[2]
        found = self._worked_out()
        babel = here.get("_flask_babel")
        if babel is not None and getattr(babel, "babel_locale", None) is not None:
            babel.steady_translations = (babel.babel_locale, here.get("steady_language"), found)
        return found

    def _worked_out(self):
        from webapp import pseudo

        if has_request_context() and pseudo.is_pseudo(choose()):
            return pseudo.translations(choose())
        return super().get_translations()


# --- extraction (for the catalogue test and bin/translations) -------------------------

#: Keywords that mark a string in Python: Babel's defaults plus lazy ones.
KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2), "gettext_in": (2,), "ngettext_in": (2, 3)}
METHOD_MAP = [("webapp/**.py", "python"), ("webapp/**/templates/**.html", "jinja2")]
OPTIONS = {"webapp/**/templates/**.html": {"trimmed": "true"}}


def extract(root: Path | None = None):
    """Every marked string in Steady's code and templates, as a Babel
    ``Catalog`` (what ``pybabel extract -F babel.cfg`` finds)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = root or Path(__file__).resolve().parent.parent
    catalog = Catalog(project="Steady", charset="utf-8")
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), METHOD_MAP, OPTIONS, keywords=keywords, strip_comment_tags=True
    ):
        if filename.startswith(("webapp/migrations", "migrations")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
