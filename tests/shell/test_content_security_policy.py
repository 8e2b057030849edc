"""The Content-Security-Policy header (django-csp, settings CONTENT_SECURITY_POLICY): every page,
signed in or not, allows only our own scripts, styles, fonts and images (images also as data:
URLs), no plugins, no framing and forms posting only to us; the API docs page alone also allows
inline styles (Swagger UI's). The browser journeys (tests/e2e) fail on any violation the browser
reports, so the pages are known to keep to it."""

from __future__ import annotations

import pytest
from django.urls import reverse


def directives(response) -> dict[str, str]:
    found = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            found[name] = value
    return found


EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def test_the_sign_in_page_carries_the_policy(client, db):
    assert directives(client.get(reverse("login"))) == EXPECTED


@pytest.mark.parametrize("name", ["home", "nominal-list", "cohort-list", "meeting-list", "notification-list"])
def test_signed_in_pages_carry_the_policy(signed_in, practitioner, name):
    response = signed_in(practitioner).get(reverse(name))

    assert response.status_code == 200
    assert directives(response) == EXPECTED


def test_an_error_page_carries_the_policy(signed_in, practitioner):
    response = signed_in(practitioner).get("/people/999999999/")

    assert response.status_code == 404
    assert directives(response) == EXPECTED


def test_the_api_docs_page_alone_allows_inline_styles_and_loads_its_script_from_a_file(signed_in, practitioner):
    client = signed_in(practitioner)
    page = client.get(reverse("api-docs"))
    script = client.get(reverse("api-docs") + "?script")

    assert page.status_code == 200
    assert directives(page) == {**EXPECTED, "style-src": "'self' 'unsafe-inline'"}
    assert "<script>" not in page.text, "no inline script: it comes from ?script"
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
