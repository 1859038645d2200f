"""SQL injection into every form field, query parameter and path argument (both databases).

Forms and pages are found by crawling the site as each role in tables.CRAWL_AS.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from tests.hostile import corpora
from tests.hostile.crawl import crawl, endpoint_of
from tests.hostile.support import report, response_problems
from tests.hostile.tables import CRAWL_AS, QUERY_PARAMS, ROUTE_ARGS, route_args

PER_FIELD = 20  # payloads per form field (a different slice of the list for each field)
PER_PARAM = 2  # payloads per query parameter on each page (each endpoint once)


def _seeds(w) -> list[str]:
    return [
        "/",
        f"/threads/{w['member_thread'].id}",
        f"/threads/{w['admin_thread'].id}",
        f"/posts/{w['member_post'].id}/edit",
        f"/posts/{w['admin_post'].id}/edit",
        "/settings",
        "/settings/sessions",
        "/admin/categories",
        "/password/forgot",
        f"/password/reset/{w['reset_token']}",
    ]


def test_sql_injection_in_every_form_field(app, hostile, client_as, unchanged):
    failures: list[tuple[str, str]] = []
    tried: set[tuple[str, str]] = set()
    submissions = 0
    for role in CRAWL_AS:
        actor = hostile[role] if role else None
        others_unchanged = unchanged(actor, admin=role == "admin")
        for page in crawl(app, client_as(actor), _seeds(hostile)):
            for form in page.forms:
                endpoint = endpoint_of(app, form.action, form.method.upper())
                for name in form.text_fields:
                    if name == "csrf_token" or (endpoint, name) in tried:
                        continue
                    tried.add((endpoint, name))
                    for payload in corpora.sample(f"{endpoint}.{name}", PER_FIELD, corpora.sqli()):
                        data = {**form.fields, name: payload}
                        client = client_as(actor)  # some forms sign out
                        if form.method == "post":
                            response = client.post(form.action, data=data)
                        else:
                            response = client.get(form.action, query_string=data)
                        submissions += 1
                        failures += [
                            (payload, f"{endpoint} {name}: {p}")
                            for p in response_problems(response, payload)
                        ]
        others_unchanged(f"SQL injection as {role}")
    assert len(tried) >= 15, f"only {len(tried)} form fields found: {sorted(tried)}"
    assert not failures, report(failures, f"of {submissions} submissions failed")
    print(f"{len(tried)} form fields, {submissions} submissions")


def test_sql_injection_in_query_strings(app, hostile, client_as, unchanged):
    failures: list[tuple[str, str]] = []
    done: set[tuple[str, bool]] = set()
    requests = 0
    for role in CRAWL_AS:
        actor = hostile[role] if role else None
        others_unchanged = unchanged(actor, admin=role == "admin")
        client = client_as(actor)
        for page in crawl(app, client, _seeds(hostile)):
            if (page.endpoint, role is None) in done:
                continue  # a member's and an admin's view of a page read the same parameters
            done.add((page.endpoint, role is None))
            base = page.url.split("?")[0]
            for param in QUERY_PARAMS:
                for payload in corpora.sample(
                    f"{page.endpoint}?{param}", PER_PARAM, corpora.sqli()
                ):
                    response = client.get(f"{base}?{urlencode({param: payload})}")
                    requests += 1
                    failures += [
                        (payload, f"{base}?{param}: {p}")
                        for p in response_problems(response, payload)
                    ]
        others_unchanged(f"query strings as {role}")
    assert not failures, report(failures, f"of {requests} requests failed")
    print(f"{len(done)} pages, {requests} requests")


def test_sql_injection_in_path_arguments(app, hostile, client_as, unchanged):
    """Every GET route, each string argument replaced by payloads; int arguments by huge numbers."""
    failures: list[tuple[str, str]] = []
    others_unchanged = unchanged(None)
    client = client_as(hostile["admin"])
    requests = 0
    payloads = corpora.sample("path", 60, corpora.sqli()) + corpora.sample(
        "path", 30, corpora.blns()
    )
    huge = ["2147483648", "9223372036854775808", "1" + "0" * 40, "0", "00000001"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or not rule.arguments:
            continue
        missing = rule.arguments - ROUTE_ARGS.keys()
        assert not missing, f"{rule.rule}: add {missing} to tables.ROUTE_ARGS"
        good = {
            name: str(value)
            for name, value in route_args(rule.endpoint, rule.arguments, hostile).items()
        }
        for name, converter in rule._converters.items():
            tries = huge if type(converter).__name__.endswith("IntegerConverter") else payloads
            for payload in tries:
                url = _build(rule, {**good, name: payload})
                response = client.get(url)
                requests += 1
                failures += [(payload, f"{url}: {p}") for p in response_problems(response, payload)]
    others_unchanged("path arguments")
    assert not failures, report(failures, "path arguments failed")
    print(f"path arguments: {requests} requests")


def _build(rule, args: dict[str, str]) -> str:
    """The rule's path with raw (quoted) values, bypassing converters' own validation."""
    url = ""
    for is_dynamic, part in rule._trace:
        if not is_dynamic:
            url += part
        else:
            url += quote(args[part], safe="")
    return url.split("|", 1)[-1]
