"""No health data in URLs or query strings (SECURITY.md 16).

Every page the app serves — walked from the url_map, signed in with one of
each object owned — is read for forms and links: a form that would put its
fields in the URL (method GET, the browser's default) may only carry fields
that are not about anyone's health, and no link, form action or source
holds any of the words the person wrote."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.support.seed import owned_id, seed

#: Fields a GET form may carry: choices about the page, never about a person.
SAFE_QUERY_FIELDS = {"country"}
PRIVATE_WORDS = (
    "Seed card",
    "Seed thought",
    "Seed plan",
    "Seed note",
    "Alex",
    "7700 900123",
    "Tuesday peers",
    "Seed medication",
    "Seed step",
    "Seed dose",
)


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.urls: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action", "formaction"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "form":
            self._open = {
                "method": (attrs.get("method") or "get").lower(),
                "fields": set(),
                "id": attrs.get("class", ""),
            }
            self.forms.append(self._open)
        elif tag in ("input", "textarea", "select", "button") and self._open is not None and attrs.get("name"):
            if attrs.get("type") != "submit" or tag != "button":
                self._open["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def test_no_page_puts_health_data_in_a_url(app, client, auth):
    auth.register(email="urls@example.com")
    info = client.get("/api/session").get_json()
    seed(client, info["csrf_token"])
    content = app.extensions["steady.content"]
    thought_exercises = [e for e, x in content.exercises.items() if getattr(x, "kind", "") == "thought-record"]
    walked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg].__class__.__name__
            if "Integer" in converter:
                values[arg] = owned_id(arg, info["user"])
            elif arg == "exercise_id":
                values[arg] = (thought_exercises or list(content.exercises))[0]
            elif arg == "feeling_id":
                values[arg] = next(iter(content.feelings))
            else:
                values[arg] = "x"
        response = client.get(rule.build(values, append_unknown=False)[1])
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        walked += 1
        page = Forms()
        page.feed(response.get_data(as_text=True))
        for form in page.forms:
            if form["method"] == "get":
                assert form["fields"] <= SAFE_QUERY_FIELDS, (
                    f"{rule.rule}: a GET form would put {form['fields'] - SAFE_QUERY_FIELDS} in the URL"
                )
        for url in page.urls:
            assert not any(word in url for word in PRIVATE_WORDS), f"{rule.rule}: {url}"
    assert walked >= 25
    assert thought_exercises, "expected a thought-record exercise (its form must post)"
