"""The language dimension of Steady's content files.

The English files in ``webapp/content/`` hold everything: text, ids, numbers,
sources, checked dates. Each other shipped language has an *overlay* under
``webapp/content/<language>/`` with the same relative path (for example
``content/es/exercises/box-breathing.toml``). An overlay holds only the
translatable text, laid out exactly like the English file:

- the same keys (``title``, ``summary``, ...);
- lists without ids (``[[steps]]``, ``[[paragraph]]``, a country's
  ``[[country.line]]``) in the same order and of the same length, so the
  third Spanish step translates the third English step;
- lists with ids (``[[feeling]]``, ``[[symptom]]``, ``[[kind]]``,
  ``[[kind.entry]]``, ``[[country]]``) repeat only the id (``id`` or
  ``code``), in the same order, beside the translated fields.

Everything else carries over from the English file and must not be repeated
in an overlay: urls, ``checked`` dates, numbers, ids used as references
(``cites``, ``first``, ``helps_with``), breathing counts, categories, the
names of services and crisis lines, and every source (``[source]``,
``[[source]]``: a source is cited in its own language).

:func:`localise` gives the English item with the overlay's text in place;
:func:`check_translations` is the start-up check: it raises
:class:`TranslationError` naming each file and the missing or unexpected ids
and fields, or a translated string whose placeholders differ from the English.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from webapp.services.content_files import CONTENT_DIR, MARKUP, ContentError
from webapp.services.content_files import _read as _read_english
from webapp.services.content_i18n_fields import SCHEMAS, ById, Each, Text  # noqa: F401 - part of this module's API

#: Shipped languages, English (the source of every overlay) first.
LANGUAGES = ("en", "es")
SOURCE_LANGUAGE = "en"

#: ``{name}`` (str.format) and ``%(name)s`` (printf) placeholders.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdifr]")


class TranslationError(ContentError):
    """One or more content files lack a complete, matching translation.

    ``problems`` lists ``(file, problem)`` pairs, the file given relative to
    the content folder (``es/exercises/box-breathing.toml``)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        self.path = problems[0][0] if problems else ""
        lines = [f"{path}: {problem}" for path, problem in problems]
        ValueError.__init__(
            self, "content translations are incomplete or do not match the English:\n  " + "\n  ".join(lines)
        )


def schema_for(relative: str | PurePosixPath) -> dict:
    """The translatable fields of the English file at ``relative`` (a path
    inside the content folder); ``KeyError`` for a file that is not content."""
    name = PurePosixPath(relative).as_posix()
    for pattern, schema in SCHEMAS.items():
        if fnmatch(name, pattern) and name.count("/") == pattern.count("/"):
            return schema
    raise KeyError(f"{name} is not a content file with text to translate")


def content_files(folder: Path = CONTENT_DIR) -> list[str]:
    """Every English content file with translatable text, relative to ``folder``."""
    found = []
    for pattern in SCHEMAS:
        found += [p.relative_to(folder).as_posix() for p in folder.glob(pattern) if p.is_file()]
    return sorted(found)


def overlay_path(relative: str | PurePosixPath, language: str, folder: Path = CONTENT_DIR) -> Path:
    """Where the ``language`` overlay of the English file ``relative`` lives."""
    return folder / language / PurePosixPath(relative)


def _relative(path: str | Path, folder: Path) -> str:
    path = Path(path)
    if path.is_absolute():
        return path.resolve().relative_to(folder.resolve()).as_posix()
    return path.as_posix()


def _read(path: Path, shown: str) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise TranslationError([(shown, "is missing")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TranslationError([(shown, f"is not valid TOML ({exc})")]) from exc


# --- comparing an overlay with its English file ---------------------------------------


def placeholders(text: str) -> list[str]:
    """The placeholders in ``text``, sorted (a repeated one counts twice)."""
    return sorted(PLACEHOLDER.findall(text))


def _where(prefix: str, key: str) -> str:
    return f"{prefix}{key}" if not prefix else f"{prefix} {key}"


def _compare(english: dict, overlay: object, schema: dict, where: str, problems: list[str]) -> None:
    """Append to ``problems`` every way ``overlay`` fails to translate exactly
    the translatable fields of ``english``."""
    if not isinstance(overlay, dict):
        problems.append(f"{where or 'the file'} must be a table")
        return
    for key in sorted(set(overlay) - set(schema)):
        spot = _where(where, repr(key))
        if key in english:
            problems.append(f"{spot} carries over from the English file; leave it out of the translation")
        else:
            problems.append(f"{spot} is not in the English file")
    for key, spec in schema.items():
        spot = _where(where, repr(key))
        present, wanted = key in overlay, key in english
        if isinstance(spec, Text):
            if wanted and not present:
                problems.append(f"{spot} is missing")
            elif present and not wanted:
                problems.append(f"{spot} is not in the English file")
            elif present:
                _compare_text(english[key], overlay[key], spec, spot, problems)
        elif isinstance(spec, Each):
            _compare_each(english.get(key), overlay.get(key), spec, key, where, problems)
        else:
            _compare_by_id(english.get(key), overlay.get(key), spec, key, where, problems)


def _compare_text(english: object, translated: object, spec: Text, spot: str, problems: list[str]) -> None:
    if not isinstance(translated, str) or not translated.strip():
        problems.append(f"{spot} must be translated text")
        return
    if len(translated) > spec.limit:
        problems.append(f"{spot} is longer than {spec.limit} characters")
    if MARKUP.search(translated):
        problems.append(f"{spot} contains markup; content is plain text")
    if any(ord(c) < 32 and c != "\n" for c in translated):
        problems.append(f"{spot} contains control characters")
    if isinstance(english, str) and placeholders(english) != placeholders(translated):
        problems.append(
            f"{spot} has placeholders {placeholders(translated) or 'none'}, the English has {placeholders(english) or 'none'}"
        )


def _tables(value: object) -> list | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return []
    return value


def _has_text(item: dict, fields: dict) -> bool:
    for key, spec in fields.items():
        if key not in item:
            continue
        if isinstance(spec, (Text, ById)):
            return True
        if any(_has_text(child, spec.fields) for child in _tables(item[key]) or []):
            return True
    return False


def _compare_each(english: object, overlay: object, spec: Each, key: str, where: str, problems: list[str]) -> None:
    spot = _where(where, repr(key))
    english_items = _tables(english) or []
    needed = any(_has_text(item, spec.fields) for item in english_items)
    if overlay is None:
        if needed:
            problems.append(f"{spot} is missing ({len(english_items)} entries in the English file)")
        return
    if english is None:
        problems.append(f"{spot} is not in the English file")
        return
    items = _tables(overlay)
    if not items and overlay != []:
        problems.append(f"{spot} must be a list of tables")
        return
    if len(items) != len(english_items):
        problems.append(f"{spot} has {len(items)} entries, the English file has {len(english_items)}")
    for number, (source, translated) in enumerate(zip(english_items, items, strict=False), start=1):
        _compare(source, translated, spec.fields, _where(where, f"{key} {number}"), problems)


def _compare_by_id(english: object, overlay: object, spec: ById, key: str, where: str, problems: list[str]) -> None:
    spot = _where(where, repr(key))
    label = spec.label or key
    english_items = _tables(english) or []
    if overlay is None:
        if english_items:
            ids = ", ".join(str(item.get(spec.key)) for item in english_items)
            problems.append(f"{spot} is missing: no {label} is translated ({spec.key}s {ids})")
        return
    if english is None:
        problems.append(f"{spot} is not in the English file")
        return
    items = _tables(overlay)
    if not items and overlay != []:
        problems.append(f"{spot} must be a list of tables")
        return
    english_ids = [item.get(spec.key) for item in english_items]
    ids = [item.get(spec.key) for item in items]
    missing = [i for i in english_ids if i not in ids]
    extra = [i for i in ids if i not in english_ids]
    repeated = sorted(str(i) for i, n in Counter(ids).items() if n > 1)
    if missing:
        problems.append(f"{spot}: missing {label} {spec.key}(s) {', '.join(map(str, missing))}")
    if extra:
        problems.append(f"{spot}: {label} {spec.key}(s) {', '.join(map(str, extra))} not in the English file")
    if repeated:
        problems.append(f"{spot}: {label} {spec.key}(s) {', '.join(repeated)} given more than once")
    if not (missing or extra or repeated) and ids != english_ids:
        problems.append(f"{spot}: {label}s must be in the English file's order ({', '.join(map(str, english_ids))})")
    by_id = {item.get(spec.key): item for item in english_items}
    for item in items:
        item_id = item.get(spec.key)
        if item_id in by_id:
            translated = {k: v for k, v in item.items() if k != spec.key}
            _compare(by_id[item_id], translated, spec.fields, _where(where, f"{label} {item_id!r}"), problems)


def compare(english: dict, overlay: dict, schema: dict) -> list[str]:
    """Every way ``overlay`` fails to translate ``english`` (empty when it is
    complete and matching)."""
    problems: list[str] = []
    _compare(english, overlay, schema, "", problems)
    return problems


def pairs(english: dict, overlay: dict, schema: dict, where: str = "") -> list[tuple[str, str, str]]:
    """``(where, English, translation)`` for every translated string, so a
    reviewer (or a test) can read each translation beside its English."""
    found: list[tuple[str, str, str]] = []
    for key, spec in schema.items():
        if key not in english or key not in overlay:
            continue
        spot = _where(where, repr(key))
        if isinstance(spec, Text):
            found.append((spot, english[key], overlay[key]))
        elif isinstance(spec, Each):
            for number, (source, translated) in enumerate(zip(english[key], overlay[key], strict=False), start=1):
                found += pairs(source, translated, spec.fields, _where(where, f"{key} {number}"))
        else:
            by_id = {item.get(spec.key): item for item in overlay[key]}
            for source in english[key]:
                item_id = source.get(spec.key)
                if item_id in by_id:
                    found += pairs(
                        source, by_id[item_id], spec.fields, _where(where, f"{spec.label or key} {item_id!r}")
                    )
    return found


# --- localising -----------------------------------------------------------------------


def _merge(english: dict, overlay: dict, schema: dict) -> None:
    """Put ``overlay``'s text into ``english`` (a copy), in place."""
    for key, spec in schema.items():
        if key not in overlay or key not in english:
            continue
        if isinstance(spec, Text):
            english[key] = overlay[key]
        elif isinstance(spec, Each):
            for source, translated in zip(english[key], overlay[key], strict=False):
                _merge(source, translated, spec.fields)
        else:
            by_id = {item.get(spec.key): item for item in overlay[key]}
            for source in english[key]:
                if source.get(spec.key) in by_id:
                    _merge(source, by_id[source.get(spec.key)], spec.fields)


def merge(english: dict, overlay: dict, schema: dict) -> dict:
    """A new item: ``english``'s structure, numbers and sources with
    ``overlay``'s text. ``english`` is not changed."""
    localised = copy.deepcopy(english)
    _merge(localised, overlay, schema)
    return localised


def normalise_language(language: str | None) -> str:
    """A shipped language for ``language`` (``es-MX`` → ``es``), a
    pseudo-locale as it is (webapp/pseudo.py), else English."""
    from webapp import pseudo

    if pseudo.is_pseudo(language):
        return language
    if isinstance(language, str):
        base = language.strip().replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return SOURCE_LANGUAGE


def localise(english: dict, language: str | None, path: str | Path, folder: Path = CONTENT_DIR) -> dict:
    """The item ``english`` (a content file as ``tomllib`` parsed it) in
    ``language``: the English structure, numbers, ids and sources with the
    overlay's text. ``path`` is the English file (absolute, or relative to
    ``folder``). An unknown language gives English. An overlay that does not
    match its English file raises :class:`TranslationError`."""
    language = normalise_language(language)
    if language == SOURCE_LANGUAGE:
        return copy.deepcopy(english)
    relative = _relative(path, folder)
    schema = schema_for(relative)
    from webapp import pseudo

    if pseudo.is_pseudo(language):
        return pseudo.content(english, schema)
    shown = f"{language}/{relative}"
    overlay = _read(overlay_path(relative, language, folder), shown)
    problems = compare(english, overlay, schema)
    if problems:
        raise TranslationError([(shown, p) for p in problems])
    return merge(english, overlay, schema)


def read_in(path: Path, language: str = "en", folder: Path | None = None) -> dict:
    """The content file at ``path`` (checked as TOML, errors naming it) in
    ``language``: what the loaders read. ``folder`` is the content folder."""
    data = _read_english(path)
    language = normalise_language(language)
    if language == SOURCE_LANGUAGE:
        return data
    folder = folder or CONTENT_DIR
    return localise(data, language, Path(path).resolve().relative_to(folder.resolve()), folder)


def read_localised(path: str | Path, language: str | None, folder: Path = CONTENT_DIR) -> dict:
    """Read the English file at ``path`` and return it in ``language``."""
    relative = _relative(path, folder)
    english = _read(folder / relative, relative)
    return localise(english, language, relative, folder)


# --- the start-up check ---------------------------------------------------------------


def translation_problems(folder: Path = CONTENT_DIR, languages: tuple[str, ...] = LANGUAGES) -> list[tuple[str, str]]:
    """``(file, problem)`` for every content file without a complete, matching
    overlay in each shipped language, and every overlay without an English file."""
    problems: list[tuple[str, str]] = []
    english_files = content_files(folder)
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        root = folder / language
        for relative in english_files:
            shown = f"{language}/{relative}"
            path = overlay_path(relative, language, folder)
            if not path.is_file():
                problems.append((shown, f"is missing: {relative} has no {language} translation"))
                continue
            try:
                english = _read(folder / relative, relative)
                overlay = _read(path, shown)
            except TranslationError as exc:
                problems += exc.problems
                continue
            problems += [(shown, p) for p in compare(english, overlay, schema_for(relative))]
        if root.is_dir():
            wanted = set(english_files)
            for path in sorted(root.rglob("*.toml")):
                relative = path.relative_to(root).as_posix()
                if relative not in wanted:
                    problems.append((f"{language}/{relative}", f"has no English file {relative} to translate"))
    return problems


def check_translations(folder: Path = CONTENT_DIR, languages: tuple[str, ...] = LANGUAGES) -> None:
    """Raise :class:`TranslationError` naming every file and missing or
    unexpected id or field when any content lacks a complete translation."""
    problems = translation_problems(folder, languages)
    if problems:
        raise TranslationError(problems)
