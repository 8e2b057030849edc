import json
import logging

import pytest

from shell.logging import JsonFormatter, RedactSecretsFilter


@pytest.fixture
def json_log(caplog):
    """Log lines exactly as production writes them: redacted, one JSON object each."""
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    logger = logging.getLogger("iom.test")

    def emit(message: str, *args: object, **extra: object) -> dict[str, object]:
        record = logger.makeRecord("iom.test", logging.WARNING, __file__, 1, message, args, None, extra=extra)
        RedactSecretsFilter().filter(record)
        line = formatter.format(record)
        assert "\n" not in line
        return json.loads(line)

    return emit


def test_a_log_line_is_one_json_object(json_log):
    line = json_log("Referral %s submitted", 42, referral_id=42)

    assert line["message"] == "Referral 42 submitted"
    assert line["level"] == "WARNING"
    assert line["logger"] == "iom.test"
    assert line["referral_id"] == 42
    assert "time" in line


def test_passwords_and_session_keys_never_reach_the_log(json_log):
    line = json_log(
        "POST body password=hunter2-secret&username=sam; cookie sessionid=abc123sessionkey; %s",
        "Authorization: Token 9f8e7d6c5b4a",
        password="hunter2-secret",
        session_key="abc123sessionkey",
        headers={"Authorization": "Token 9f8e7d6c5b4a", "Accept": "text/html"},
    )
    text = json.dumps(line)

    for secret in ("hunter2-secret", "abc123sessionkey", "9f8e7d6c5b4a"):
        assert secret not in text
    assert "username=sam" in line["message"]
    assert line["headers"]["Accept"] == "text/html"


def test_a_request_is_logged_as_its_method_and_path_only(json_log, rf):
    request = rf.post("/sign-in/?next=/", {"password": "hunter2-secret"}, HTTP_COOKIE="sessionid=abc123sessionkey")

    line = json_log("Bad request", request=request, status_code=400)

    assert line["request"] == "POST /sign-in/"
    assert "abc123sessionkey" not in json.dumps(line)
