"""Structured logging that never carries a password, a session key or a token.

Every handler has RedactSecretsFilter: it scrubs secret-looking fields from the record's extras and
`name=value` pairs from its message, and replaces a request object with its method and path.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REDACTED = "[redacted]"
SECRET_NAME = re.compile(
    r"pass(word|wd)?|secret|token|session(id|_key)?|csrf|authori[sz]ation|cookie|api[-_]?key", re.I
)
SECRET_PAIR = re.compile(
    r"(?P<name>[\w-]*(?:pass(?:word|wd)?|secret|token|sessionid|session_key|csrftoken|csrfmiddlewaretoken|"
    r"authorization|api[-_]?key)[\w-]*)"
    r"(?P<sep>\s*[=:]\s*)(?P<quote>['\"]?)(?P<value>(?:Token |Bearer )?[^\s&;,'\"]+)",
    re.I,
)
_STANDARD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def redact_text(text: str) -> str:
    return SECRET_PAIR.sub(lambda m: f"{m['name']}{m['sep']}{m['quote']}{REDACTED}", text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: (REDACTED if SECRET_NAME.search(str(k)) else _redact_value(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v) for v in value)
    return value


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        for key in list(record.__dict__):
            if key in _STANDARD_ATTRIBUTES:
                continue
            value = record.__dict__[key]
            if key == "request" and hasattr(value, "method"):
                record.__dict__[key] = f"{value.method} {getattr(value, 'path', '')}"
            elif SECRET_NAME.search(key):
                record.__dict__[key] = REDACTED
            else:
                record.__dict__[key] = _redact_value(value)
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line; exception text is scrubbed like the message."""

    def formatException(self, ei: Any) -> str:
        text = super().formatException(ei)
        return redact_text(text if isinstance(text, str) else "".join(text))
