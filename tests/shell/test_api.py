import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sharing.roles import Role


@pytest.fixture
def api_client():
    return APIClient()


def test_the_api_refuses_a_caller_without_credentials(api_client, db):
    response = api_client.get(reverse("api-me"))

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"


def test_a_session_signed_in_user_reads_who_they_are(api_client, make_user):
    user = make_user(Role.PRACTITIONER, Role.SUPERVISOR)
    api_client.force_login(user)

    response = api_client.get(reverse("api-me"))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == user.username
    assert body["agency"]["name"] == user.agency.name
    assert body["roles"] == ["Practitioner", "Supervisor"]


def test_a_partner_system_authenticates_with_a_token(api_client, practitioner):
    token = Token.objects.create(user=practitioner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api_client.get(reverse("api-me"))

    assert response.status_code == 200
    assert response.json()["username"] == practitioner.username


def test_a_wrong_token_is_refused(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api_client.get(reverse("api-me")).status_code == 401


def test_the_openapi_schema_describes_the_api(api_client, practitioner):
    api_client.force_login(practitioner)

    response = api_client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "IOM case management API"
    assert "/api/v1/me/" in schema["paths"]
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_uses_local_assets_only(signed_in, practitioner):
    response = signed_in(practitioner).get(reverse("api-docs"))

    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert "cdn." not in response.text


def test_the_openapi_schema_is_valid_and_has_no_warnings(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")
