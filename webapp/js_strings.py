"""The words the browser scripts show (``webapp/static/js/strings.js``),
marked for the catalogue like every other string: the key is the English,
with ``{name}`` placeholders. ``/i18n/<lang>.json`` serves them translated."""

from __future__ import annotations

import hashlib
import json

from flask import current_app, url_for

from webapp import i18n
from webapp.services.content import N_

STRINGS = (
    # breathing.js: the pacer
    N_("Breathe in"),
    N_("Hold"),
    N_("Breathe out"),
    N_("in-breath"),
    N_("hold after breathing in"),
    N_("out-breath"),
    N_("hold after breathing out"),
    N_("Type a whole number of seconds for the {what}."),
    N_("Breathe in for at least {seconds} seconds."),
    N_("Breathe in for at most {seconds} seconds."),
    N_("Breathe out for at least {seconds} seconds."),
    N_("Breathe out for at most {seconds} seconds."),
    N_("Breathe out at least as long as in: {seconds} seconds or more."),
    N_("Hold for {seconds} seconds or less (0 for no hold)."),
    N_("Breathe in for {seconds}"),
    N_(", hold for {seconds}"),
    N_(", breathe out for {seconds}"),
    N_("{rounds} times."),
    N_(" Holds skipped."),
    N_("Start again"),
    N_("This pattern is too fast to pace safely, so it will not run."),
    N_("Round {round} of {rounds}"),
    N_("Well done. Let your breath find its own pace."),
    N_("Stopped. You can start again any time."),
    N_("Ready when you are"),
    # exercise-player.js
    N_("Start timer"),
    N_("Carry on"),
    N_("Pause"),
    N_("Step {number} of {total}"),
    # toolkit.js
    N_("In your favourites"),
    N_("Add to favourites"),
    # form-kit.js, limits.js
    N_("Sending…"),
    N_("Too long: cut {count} character."),
    N_("Too long: cut {count} characters."),
    N_("{count} characters left."),
    N_("{count} character left."),
    N_("{label} can be at most {limit} characters. Cut {count} character."),
    N_("{label} can be at most {limit} characters. Cut {count} characters."),
    # checkin.js, checkin-answers.js
    N_("Overall {value}/10"),
    N_("Anxiety {value}/10"),
    N_("Slept {hours} h"),
    N_("Waiting to sync"),
    N_("Put it back in the form to fix it"),
    N_("Change or delete"),
    N_("Your check-in is back in the form. Fix it and save it again. ({reason})"),
    N_("Check-in saved. Thank you for taking a moment for yourself."),
    N_("Check-in saved on this phone. It will sync when you are back online."),
    N_("Choose a number from 0 to 10 for how you are overall."),
    N_("Choose a number from 0 to 10 for anxiety."),
    N_("Hours of sleep must be a number from 0 to 24."),
    N_("Say whether you took your doses as planned (or that you are not tapering)."),
    N_("The note"),
    # person-card.js (your people on Help now and home)
    N_("Not noted yet"),
    N_("today"),
    N_("yesterday"),
    N_("{days} days ago"),
    N_("Call {name}"),
    N_("Text {name}"),
    N_("Email {name}"),
    N_("One of my people"),
    N_("Understands withdrawal"),
    N_("Phone"),
    N_("Email"),
    N_("Best times"),
    N_("Notes"),
    N_("Last connected"),
    # thought-record.js
    N_("Saved on this phone, locked with your PIN. It will reach your account when you unlock Steady."),
    N_("Saved to your account."),
    N_("Saved on this device. It will reach your account when you are back online."),
    N_("Saved on this device. Create an account to keep it safe."),
    N_("Kinder thought: {text}"),
    N_("Write at least one part of the thought record."),
)


def table(language: str) -> dict[str, str]:
    """``{English: translation}`` for ``language`` (only the translated ones)."""
    catalogue = i18n.translations(language)
    found = {}
    for text in STRINGS:
        translated = catalogue.ugettext(text)
        if translated != text:
            found[text] = translated
    return found


def payload(language: str) -> tuple[bytes, str]:
    """The scripts' words in ``language`` as JSON, and its content hash (made once)."""
    cache = current_app.extensions.setdefault("steady.js_strings", {})
    if language not in cache:
        body = json.dumps(table(language), ensure_ascii=False, sort_keys=True).encode()
        cache[language] = (body, hashlib.sha256(body).hexdigest()[:16])
    return cache[language]


def strings_url(language: str | None = None) -> str | None:
    """Where the page's scripts find their words (None for English: the keys are English)."""
    language = language or i18n.choose()
    if language == i18n.SOURCE_LANGUAGE:
        return None
    return url_for("pwa.strings", language=language, v=payload(language)[1])


def init_app(app) -> None:
    app.add_template_global(strings_url, "strings_url")
