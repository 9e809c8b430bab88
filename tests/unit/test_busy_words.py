"""Every submit button drawn by a template says, in data-busy, what it is
doing while its form is on its way ("Saving…"), marked for translation, so
the words are right in every language (form-kit.js shows them; it never
guesses them from the button's label, which is translated)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
BUTTON = re.compile(r"<button\b([^>]*)>", re.S)
#: data-busy="{{ _('Saving…') }}", or one of two marked strings chosen by the template.
MARKED = re.compile(
    r"""data-busy="(\{\{ _\('[^']+…'\) \}\}|\{% if [^%]+%\}\{\{ _\('[^']+…'\) \}\}\{% else %\}\{\{ _\('[^']+…'\) \}\}\{% endif %\})\""""
)


def submit_buttons():
    for path in sorted(WEBAPP.rglob("*.html")):
        for match in BUTTON.finditer(path.read_text(encoding="utf-8")):
            if 'type="button"' not in match.group(1):
                yield path.relative_to(ROOT), match.group(0)


def test_every_submit_button_says_its_busy_words_marked_for_translation():
    buttons = list(submit_buttons())
    assert len(buttons) > 50
    unmarked = [f"{path}: {tag}" for path, tag in buttons if not MARKED.search(tag)]
    assert unmarked == []


def test_the_script_does_not_guess_busy_words_from_the_label():
    script = (WEBAPP / "static" / "js" / "form-kit.js").read_text(encoding="utf-8")
    assert "button.dataset.busy" in script
    assert "textContent.trim()" not in script and "BUSY_WORDS" not in script
