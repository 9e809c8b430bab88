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
    N_("Next"),
    N_("Finish"),
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
    N_("This phone could not save the check-in. What you wrote is still here: try again."),
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
    N_("Other symptoms"),
    N_("Write at most {max} other symptoms, one on each line."),
    N_("One of the other symptoms is too long: each can be at most {limit} characters."),
    N_("{label} has a hidden or broken character. Please retype it."),
    N_("Couldn't sync"),
    N_("None"),
    N_("Mild"),
    N_("Moderate"),
    N_("Severe"),
    # chart.js (the chart kept on this phone)
    N_("{count} check-in waiting to sync is shown as a hollow circle."),
    N_("{count} check-ins waiting to sync are shown as hollow circles."),
    N_("{day} (waiting to sync)"),
    N_("Your chart has not been kept on this phone yet. Open it once while online."),
    N_("Showing the copy on this phone, drawn on {day}."),
    N_("cut"),
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
    N_("I reached out"),
    N_(" to {name}"),
    N_("Edit"),
    # people.js: the offline copy of your people (/my/people)
    N_("{days} at {time}"),
    N_("at {time}"),
    N_("Join {name} online"),
    N_("Last brought up to date {when}."),
    N_("Noted: you connected with {name} today. Reaching out takes courage."),
    N_("Write their name."),
    N_("Enter a phone number using digits, spaces and an optional + at the start."),
    N_("Add a phone number to send texts to."),
    N_("Enter an email address like name@example.com, or leave it empty."),
    N_("There is a problem"),
    N_("This phone could not save the change. Nothing was changed. Try again."),
    N_("{name}'s details are saved."),
    N_("{name}'s details are saved on this phone. They will sync when you are back online."),
    # sync-problems.js: "Changes that couldn't sync", and what each change is called there
    N_("A check-in"),
    N_("The dose you logged ({amount})"),
    N_("Adding {name}"),
    N_("Adding a person"),
    N_("Your change to {name}"),
    N_("Your change to someone"),
    N_("\u201cI reached out\u201d to {name}"),
    N_("\u201cI reached out\u201d to someone"),
    N_("Your change to your wave plan"),
    N_("A change made on this phone"),
    N_("Discard this change"),
    N_("{what} couldn't sync."),
    # circle.js: copying a new invite link
    N_("Link copied. Paste it into a message to the person you trust."),
    N_("Select the link above and copy it."),
    # thought-record.js
    N_("Saved on this phone, locked with your PIN. It will reach your account when you unlock Steady."),
    N_("Saved to your account."),
    N_("Saved on this device. It will reach your account when you are back online."),
    N_("Saved on this device. Create an account to keep it safe."),
    N_("Kinder thought: {text}"),
    N_("Write at least one part of the thought record."),
    # plan.js, helpme.js (the offline copies of the wave plan and "How to help me", copying a share
    # link; "Last brought up to date {when}." and "Link copied..." are listed above, with people.js and circle.js)
    N_("Not written yet."),
    N_("Copying did not work here. The link is selected: copy it from the box."),
    # dose.js (the dose log at /taper/doses and /my/dose)
    N_("This phone could not save the dose. What you entered is still here: try again."),
    N_("Enter the amount you took, like 2 or 0.5."),
    N_("{typed} could be read as {thousands} or as {decimals}. Type the one you mean."),
    N_("Enter when you took it."),
    N_("Your plan: {dose} {unit} a day ({percent}% of your starting dose), day {day} on this step."),
    N_("Turn on taper tracking (online, on the Taper page) before logging doses here."),
    N_("Dose logged."),
    N_("Dose saved on this phone. It will sync when you are back online."),
    N_("Your dose is back in the form. Fix it and save it again. ({reason})"),
    # push.js (turning reminders on and off on the reminders page)
    N_("The server answered {status}."),
    N_("the server answered {status}"),
    N_("Reminders on this device: add Steady to your Home Screen first."),
    N_("This browser cannot show reminders."),
    N_("Reminders on this device: blocked."),
    N_("Reminders on this device: on."),
    N_("Reminders on this device: off."),
    N_("Turning on…"),
    N_("Asking this browser whether Steady may show notifications…"),
    N_("Reminders on this device: off. Notifications were not allowed."),
    N_("Setting up reminders with this browser's push service. This can take a little while…"),
    N_("Saving this device…"),
    N_("This device"),
    N_(
        "Reminders could not be turned on: this browser's push service did not answer in time. "
        "Check your connection and try again."
    ),
    N_("Reminders could not be turned on: {reason}. Try again in a moment."),
    N_("something went wrong"),
    N_("Turning off…"),
    N_("Turning off reminders on this device…"),
    N_("Reminders could not be turned off: there was no answer in time. Check your connection and try again."),
    N_("Reminders could not be turned off: {reason}. Try again in a moment."),
    # dom.js, form-kit.js: problems beside a field, a form post taking long ("There is a problem" is above)
    N_("Error:"),
    N_("This is taking longer than it should. Check your connection, then try again."),
    N_("Not sent: there is no connection. What you wrote is still here. Send it again once you are back online."),
    # thought-record.js
    N_("This phone could not save the thought record. What you wrote is still here: try again."),
    # lock-screen.js: the lock screen, "Forgot your PIN?", the banner while locked, after the copy is removed
    N_("1 hour"),
    N_("{count} minute"),
    N_("{count} minutes"),
    N_("{count} second"),
    N_("{count} seconds"),
    N_("{count} change will sync when you unlock."),
    N_("{count} changes will sync when you unlock."),
    N_("That PIN is not right."),
    N_("You can try again in {time}."),
    N_("After {count} more wrong PIN, Steady removes its copy from this phone and you sign in again."),
    N_("After {count} more wrong PINs, Steady removes its copy from this phone and you sign in again."),
    N_("Too many wrong PINs. You can try again in {time}."),
    N_("PIN"),
    N_("Unlock"),
    N_("You can try your PIN again."),
    N_("Enter your PIN."),
    N_("Checking…"),
    N_("Steady could not check the PIN on this phone. Try again."),
    N_(
        "Sign in again with your email and password. Steady first removes its copy from this phone; "
        "everything saved in your account stays."
    ),
    N_("{count} change made on this phone has not synced yet and will be lost."),
    N_("{count} changes made on this phone have not synced yet and will be lost."),
    N_("Remove Steady's copy and sign in again"),
    N_("Forgot your PIN?"),
    N_("Steady is locked"),
    N_("Enter your PIN to open your people, your plan and your check-ins on this phone."),
    N_("The toolkit and Help now stay open without your PIN:"),
    N_("Toolkit"),
    N_("Help now"),
    N_("Steady is locked on this phone."),
    N_("Please sign in again"),
    N_(
        "For your safety, Steady removed its copy from this phone and signed you out here. "
        "Everything saved in your account is still there."
    ),
    N_("Sign in"),
    # account-sync.js: the bottom bar's last link on a page kept for everyone
    N_("Account"),
    # lock-idle.js: the top bar's button (a padlock and "Lock", says "Lock Steady now")
    N_("Lock"),
    N_("Lock Steady now"),
    # lock-settings.js: the app lock's settings (/lock)
    N_("Choose a PIN of 6 to 12 digits (numbers only)."),
    N_("Choose a PIN that is harder to guess than a row or a repeat of one digit."),
    N_("The two PINs are not the same. Enter the same PIN twice."),
    N_("Turning on the app lock…"),
    N_("This browser could not turn on the app lock. Nothing was changed. Try again, or try another browser."),
    N_("The app lock is on. Steady locks after {time} without use, and when you tap the padlock at the top."),
    N_("Saved. Steady now locks after {time} without use."),
    N_("Enter the PIN you use now."),
    N_("That is not the PIN you use now."),
    N_("That is not the PIN you use now, or you need to wait {time} before trying again."),
    N_("Your PIN is changed. Use the new one from now on."),
    N_("Enter your PIN to turn the app lock off."),
    N_("The app lock is off. What Steady keeps on this phone is no longer locked with your PIN."),
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
