"""Learn articles, the supporters' guide and Find help: the real files pass
the schema, every page cites sources with dates, and a missing or malformed
file stops start-up naming the file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from webapp.services.content import CONTENT_DIR, ContentError, load_library
from webapp.services.learn_content import load_learning

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
LEARNING = load_learning(CONTENT_DIR, set(load_library().exercises))
ALL_PAGES = [*LEARNING.articles.values(), *LEARNING.supporting.values()]
REQUIRED_ARTICLES = {
    "what-is-happening",
    "windows-and-waves",
    "protracted-withdrawal",
    "a-wave-is-not-a-failure",
    "sleep",
    "things-that-make-it-worse",
    "talking-with-your-prescriber",
    "anxiety-depression-trauma",
    "support-network",
    "looking-after-yourself",
}
DOSE_ADVICE = re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|ml|%|percent)\b|\b(cut|reduce|lower) (your|the) dose by\b", re.I)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES, folder)
    return folder


def fixture_exercises(folder: Path) -> set[str]:
    return {p.stem for p in (folder / "exercises").glob("*.toml")}


def test_the_real_content_is_complete():
    assert len(LEARNING.articles) >= 10 and REQUIRED_ARTICLES <= set(LEARNING.articles)
    assert 6 <= len(LEARNING.supporting) <= 8
    assert {k.id for k in LEARNING.help_kinds} == {"peers", "benzo-groups", "professionals", "therapy"}
    assert all(kind.entries for kind in LEARNING.help_kinds)


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.id)
def test_every_page_cites_dated_https_sources_and_gives_no_dose_advice(page):
    assert page.title and page.summary and page.paragraphs and page.sources
    for source in page.sources:
        assert source.url.startswith("https://") and source.checked == "2026-11-30"
    assert {c for p in page.paragraphs for c in p.cites} == {s.key for s in page.sources}, "an unused or missing source"
    for paragraph in page.paragraphs:
        assert not DOSE_ADVICE.search(paragraph.text), paragraph.text
        assert len(paragraph.text) <= 400, "a paragraph too long to read on a hard day"


def test_plain_words_short_sentences():
    """Reading age 9 to 11: one idea a sentence, no sentence a reader gets lost in."""
    texts = [p.text for page in ALL_PAGES for p in page.paragraphs]
    texts += [p.text for kind in LEARNING.help_kinds for p in kind.paragraphs]
    sentences = [s for text in texts for s in re.split(r"(?<=[.?!])\s+", text) if s]
    lengths = [len(s.split()) for s in sentences]
    too_long = [s for s in sentences if len(s.split()) > 25]
    assert not too_long, too_long
    assert sum(lengths) / len(lengths) <= 14


def test_every_article_links_to_real_exercises():
    exercises = load_library().exercises
    for article in LEARNING.articles.values():
        assert article.exercises, f"{article.id} has no related exercises"
        assert set(article.exercises) <= set(exercises)


def test_lived_experience_is_labelled():
    lived = {s.key for p in ALL_PAGES for s in p.sources if s.lived_experience}
    assert {"rr-carers", "bb-family"} <= lived


def test_every_help_entry_has_its_details_and_a_source():
    for entry in LEARNING.help_entries.values():
        assert entry.name and entry.what and entry.who_runs and entry.url.startswith("https://")
        assert entry.checked == "2026-11-30" and entry.sources
        assert entry.add_as in ("contact", "group")


def test_the_circle_light_page_says_what_the_light_is_not():
    text = " ".join(p.text for p in LEARNING.supporting["the-circle-light"].paragraphs)
    assert "two scores" in text and "not a warning" in text and "never change the light" in text


def test_fixtures_load(content):
    learning = load_learning(content, fixture_exercises(content))
    assert list(learning.articles) == ["slow-and-steady"]
    assert learning.articles["slow-and-steady"].spoken().startswith("Slow and steady\n")
    assert learning.help_entries["peer-forum"].cost == "Free"
    assert "Website: https://example.org/forum" in learning.help_entries["peer-forum"].notes()
    assert learning.version


BROKEN_PAGE = [
    ('title = "Slow and steady"\n', "", "'title' is missing"),
    (
        '[[source]]\nkey = "guide"\nname = "A patient guide"\nurl = "https://example.org/guide"\nchecked = "2026-11-30"\n',
        "",
        "at least one [[source]]",
    ),
    ('cites = ["guide"]', 'cites = ["other"]', "unknown source 'other'"),
    ('url = "https://example.org/guide"', 'url = "javascript:alert(1)"', "markup"),
    ('url = "https://example.org/guide"', 'url = "data:text/html,hi"', "https://"),
    ('url = "https://example.org/guide"', 'url = "http://example.org/guide"', "https://"),
    ('checked = "2026-11-30"', 'checked = "2026-13-40"', "date like"),
    ('checked = "2026-11-30"', "checked = 2026-11-30", "must be text"),
    ('text = "Tapering often takes months."', 'text = "<script>alert(1)</script>"', "markup"),
    ('text = "Tapering often takes months."', 'text = "' + "x" * 601 + '"', "longer than 600"),
    ('text = "Tapering often takes months."', 'text = "bad \\ud800 surrogate"', "not valid TOML"),
    ('cites = ["guide"]', 'cites = "guide"', "must list source keys"),
    ('cites = ["guide"]', "cites = []", "cites no source"),
    ('exercises = ["steady-breath"]', 'exercises = ["no-such-exercise"]', "'exercises'"),
    ("order = 1", "order = 99999999999999999999", "whole number"),
    ("order = 1", "order = true", "whole number"),
    ('id = "slow-and-steady"', 'id = "other"', "match the file name"),
    ('summary = "A fixture article."', 'summary = "A fixture article."\nsneaky = 1', "unknown field"),
]


@pytest.mark.parametrize("old, new, message", BROKEN_PAGE)
def test_a_broken_article_is_refused_naming_the_file(content, old, new, message):
    path = content / "learn" / "slow-and-steady.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(ContentError) as error:
        load_learning(content, fixture_exercises(content))
    assert "slow-and-steady.toml" in str(error.value) and message in str(error.value)


def test_a_deeply_nested_paragraph_is_refused(content):
    path = content / "learn" / "slow-and-steady.toml"
    nested = "[" * 200 + "]" * 200
    path.write_text(path.read_text().replace('cites = ["guide"]', f"cites = {nested}"))
    with pytest.raises(ContentError, match="slow-and-steady.toml"):
        load_learning(content, fixture_exercises(content))


def test_a_guide_page_without_sources_is_refused(content):
    path = content / "supporting" / "believe-them.toml"
    text = path.read_text()
    path.write_text(text[: text.index("[[source]]")].replace('cites = ["carers"]\n', ""))
    with pytest.raises(ContentError, match="believe-them.toml.*at least one \\[\\[source\\]\\]"):
        load_learning(content, fixture_exercises(content))


@pytest.mark.parametrize("folder", ["learn", "supporting"])
def test_an_empty_folder_is_refused(content, folder):
    for path in (content / folder).glob("*.toml"):
        path.unlink()
    with pytest.raises(ContentError, match=f"{folder}: no pages found"):
        load_learning(content, fixture_exercises(content))


BROKEN_HELP = [
    ('url = "https://example.org/forum"', 'url = "javascript:alert(1)"', "entry 1 url"),
    ('url = "https://example.org/forum"', 'url = "ftp://example.org/forum"', "must be an https:// address"),
    ('add_as = "group"', 'add_as = "friend"', "add_as' must be one of"),
    ('relationship = "therapist"', 'relationship = "boss"', "relationship' must be one of"),
    ('id = "kind-therapist"', 'id = "peer-forum"', "used once"),
    ('id = "kind-therapist"', 'id = "../../etc"', "lowercase words"),
    ('who_runs = "Volunteers"\n', "", "'kind peers: entry 1 who_runs' is missing"),
    ('name = "Peer Forum: about"\nurl = "https://example.org/forum/about"\n', "", "is missing"),
    ('checked = "2026-11-30"\nadd_as = "group"', 'checked = "30/11/2026"\nadd_as = "group"', "date like"),
]


@pytest.mark.parametrize("old, new, message", BROKEN_HELP)
def test_a_broken_help_entry_is_refused_naming_the_file(content, old, new, message):
    path = content / "find_help.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as error:
        load_learning(content, fixture_exercises(content))
    assert "find_help.toml" in str(error.value) and message in str(error.value)


def test_a_missing_find_help_file_is_refused(content):
    (content / "find_help.toml").unlink()
    with pytest.raises(ContentError, match="find_help.toml"):
        load_learning(content, fixture_exercises(content))


def test_the_app_refuses_to_start_on_a_broken_article(content, tmp_path):
    from webapp import create_app

    path = content / "learn" / "slow-and-steady.toml"
    path.write_text(path.read_text().replace('checked = "2026-11-30"', 'checked = "yesterday"'))
    with pytest.raises(ContentError, match="slow-and-steady.toml"):
        create_app({"CONTENT_FOLDER": str(content)}, environ={}, instance_path=str(tmp_path / "instance"))


def test_the_app_starts_on_the_fixture_content(content, tmp_path):
    from webapp import create_app

    app = create_app({"CONTENT_FOLDER": str(content)}, environ={}, instance_path=str(tmp_path / "instance"))
    assert list(app.extensions["steady.learning"].articles) == ["slow-and-steady"]
