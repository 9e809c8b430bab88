"""The phone reads a typed dose amount exactly as the server reads a form's
(``typedAmount`` in static/js/strings.js, ``amount_from`` in
webapp/taper/checks.py), in English and in Spanish: the same text is kept as
the same number, refused as reading two ways, or refused as not a number, so
a dose the phone queues is never one the server would read otherwise."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.taper.checks import MAX_AMOUNT, amount_from

ROOT = Path(__file__).resolve().parents[2]
STRINGS = ROOT / "webapp" / "static" / "js" / "strings.js"

TYPED = [
    "1,000", "1.000", "1,125", "1.125", "2,500", "10,000", "100.000", "1000,000", "01,000", "0,125", "0.125",
    "1,5", "1.5", "1,25", "1.2345", "1234,567", ".5", ",5", "2.", "2,", "7", "0", " 3 ", "1_000", "1e3", "+1",
    "-1", "-0,5", "-1,000", "--1", "1-", "1 000", "1.2.3", "1,2,3", "\u0661", "\uff11", "", ".", ",", "abc", "1,0000", "999,999",
]  # fmt: skip

NODE_SCRIPT = """
const { STRINGS: strings, LANGUAGE: language, TYPED: typed } = process.env;
globalThis.document = { documentElement: { lang: language }, querySelector: () => null };
const { typedAmount } = await import(strings);
console.log(JSON.stringify(JSON.parse(typed).map((text) => typedAmount(text))));
"""


def _server(text: str, mark: str):
    """What the server makes of ``text``: ("kept", "1.5"), ("either",
    "1125") or ("refused", None). Ranges (0, too large, places) are the
    server's alone and not asked of the phone here."""
    try:
        return ("kept", format(amount_from(text, "x", allow_zero=True, decimal_mark=mark).normalize(), "f"))
    except ValueError as problem:
        words = str(problem)
        if "could be read as" in words:
            return ("either", words.split("could be read as ")[1].split(" ")[0])
        if "must be a number" in words or "enter an amount" in words:
            return ("refused", None)
        return ("kept", "out of range")  # a number the server reads, then refuses for its size


def _phone(read, text):
    if read is None:
        return ("refused", None)
    if "either" in read:
        return ("either", read["either"][0])
    value = Decimal(read["text"])
    if value < 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.0001")):
        return ("kept", "out of range")
    return ("kept", format(value.normalize(), "f"))


def _run_node(language: str, texts: list[str]) -> list:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("STEADY_REQUIRE_BROWSER"):
            pytest.fail("node is needed to run the phone's script")
        pytest.skip("needs node")
    done = subprocess.run(
        [node, "--input-type=module", "-e", NODE_SCRIPT],
        env={**os.environ, "STRINGS": STRINGS.as_uri(), "LANGUAGE": language, "TYPED": json.dumps(texts)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("language", "mark"), [("en", "."), ("es", ",")])
def test_the_phone_and_the_server_read_every_typed_amount_alike(language, mark):
    texts = [text for text in TYPED if text.strip()]
    phone = _run_node(language, texts)
    differ = [
        (text, _phone(read, text), _server(text, mark))
        for text, read in zip(texts, phone, strict=True)
        if _phone(read, text) != _server(text, mark)
    ]
    assert not differ, differ


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=0, max_value=MAX_AMOUNT, places=4, allow_nan=False, allow_infinity=False),
    st.sampled_from([".", ","]),
)
def test_an_amount_written_as_its_page_writes_it_reads_back_exactly(amount, mark):
    """Whatever the page shows in a field (its language's mark, never
    grouped: webapp/numbers.py), posted back untouched, is the same amount."""
    written = format(amount.normalize(), "f").replace(".", mark)
    assert amount_from(written, "x", allow_zero=True, decimal_mark=mark) == amount


def test_a_thousands_separator_is_never_guessed():
    for mark, other in ((".", ","), (",", ".")):
        for typed in (f"1{other}000", f"2{other}500", f"10{other}000", f"999{other}999"):
            with pytest.raises(ValueError, match="could be read as"):
                amount_from(typed, "x", decimal_mark=mark)
