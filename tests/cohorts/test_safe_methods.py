"""HEAD and OPTIONS on record pages record nothing and return no record; an invalid search finds,
shows and logs nothing."""

from __future__ import annotations

import pytest

from cohorts.models import AccessEvent
from tests.cohorts.factories import make_nominal

PAGES = ["/people/{pk}/", "/people/{pk}/history/", "/api/v1/people/{pk}/", "/api/v1/people/{pk}/timeline/"]


@pytest.fixture
def person(partnership):
    return make_nominal(partnership.officer, first_name="Headless", last_name="Optionsby")


@pytest.mark.parametrize("page", PAGES)
def test_head_answers_as_get_would_but_writes_no_event_and_sends_no_record(client, partnership, person, page):
    client.force_login(partnership.officer)
    url = page.format(pk=person.pk)

    head = client.head(url)
    outside = client.head(page.format(pk=10**9))

    assert head.status_code == 200
    assert head.content == b""
    assert outside.status_code == 404
    assert not AccessEvent.objects.exists()
    assert client.get(url).status_code == 200
    assert AccessEvent.objects.count() == 1  # GET is logged as before


@pytest.mark.parametrize("page", PAGES)
def test_options_says_what_the_address_takes_and_nothing_else(client, partnership, person, page):
    client.force_login(partnership.officer)

    response = client.options(page.format(pk=person.pk))

    assert response.status_code == 200
    assert response.content == b""
    assert "GET" in response["Allow"]
    assert not AccessEvent.objects.exists()


def test_options_to_someone_signed_out_or_out_of_scope_shows_nothing(client, partnership, person):
    signed_out = client.options(f"/people/{person.pk}/")
    client.force_login(partnership.outsider)
    outsider = client.options(f"/api/v1/people/{person.pk}/")

    for response in (signed_out, outsider):
        assert b"Optionsby" not in response.content
        assert response.content == b""
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("x" * 101, "Search for 100 characters or fewer"),
        ("Optionsby\x00", "Search with letters, numbers and dates only"),
    ],
    ids=["over 100 characters", "a NUL"],
)
def test_an_invalid_search_is_an_error_with_no_results_and_no_event(client, partnership, person, query, error):
    client.force_login(partnership.officer)

    response = client.get("/people/", {"q": query})
    body = response.content.decode()

    assert response.status_code == 400
    assert "There is a problem" in body
    assert error in body
    assert "OPTIONSBY" not in body
    assert 'data-testid="result-count">\n        0 people' in body or "0 people" in body
    assert not AccessEvent.objects.exists()
