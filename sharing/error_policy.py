"""One error policy for the API and the pages.

A service raises one of the few domain error kinds (sharing/errors.py); nothing in a view maps it.
The API answers every error, the domain's and DRF's own, as problem details (RFC 9457,
application/problem+json) with a stable `code`: invalid input 400 with field errors, not
authenticated 401, not permitted 403, not found or out of scope 404, wrong state and stale version
409. Pages show the same kinds the same way through form_refused: invalid input and a refused action
on the form (what was typed is kept), not permitted the 403 page, not found the 404 page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models
from django.dispatch import Signal
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from sharing.errors import DomainError, Invalid, NotAllowed, NotFound, StaleVersion, StateError
from ui.forms import attach_service_errors

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:iom:problem:"

# What a page or an API client is told by each kind: its status and title. A status DRF raises for
# itself (401, 405, 406, 415, 429) keeps DRF's code, spelt the same way.
STATUS_OF_CODE = {
    Invalid.code: status.HTTP_400_BAD_REQUEST,
    NotAllowed.code: status.HTTP_403_FORBIDDEN,
    NotFound.code: status.HTTP_404_NOT_FOUND,
    StateError.code: status.HTTP_409_CONFLICT,
    StaleVersion.code: status.HTTP_409_CONFLICT,
}
TITLE_OF_CODE = {
    Invalid.code: "The request is not valid",
    NotAllowed.code: "Not permitted",
    NotFound.code: "Not found",
    StateError.code: "Not possible in this state",
    StaleVersion.code: "Someone else saved a newer version",
    "not-authenticated": "Not signed in",
    "authentication-failed": "Not signed in",
    "malformed": "The request could not be read",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "Not acceptable",
    "unsupported-media-type": "Unsupported media type",
    "throttled": "Too many requests",
}
# DRF's default codes that are one of the domain's kinds, or renamed to read like them.
_DRF_CODES = {
    "invalid": Invalid.code,
    "permission_denied": NotAllowed.code,
    "not_found": NotFound.code,
    "parse_error": "malformed",
}
# A bare DomainError is a refusal of the action as things stand.
_DOMAIN_FALLBACK = StateError.code

# Sent with the request and the error each time the API answers an error, so that an app can log
# what it needs to (cohorts logs a refusal an error carries) without this module knowing of it.
api_error_answered = Signal()

# Every error that form_refused shows: a service's domain errors and Django's ValidationError.
REFUSALS: tuple[type[Exception], ...] = (DomainError, ValidationError)


def problem_code(error: BaseException) -> str:
    """The stable code of the kind an error is (a domain error's own, or the DRF error's)."""
    if isinstance(error, DomainError):
        return error.code if error.code in STATUS_OF_CODE else _DOMAIN_FALLBACK
    if isinstance(error, ValidationError | exceptions.ValidationError):
        return Invalid.code
    if isinstance(error, Http404 | ObjectDoesNotExist):
        return NotFound.code
    if isinstance(error, DjangoPermissionDenied):
        return NotAllowed.code
    if isinstance(error, exceptions.APIException):
        default = str(error.default_code)
        return _DRF_CODES.get(default, default.replace("_", "-"))
    return "error"


def field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's or Django's error detail as {field: [messages]}: a nested field as `parent.child`
    (`steps.0.title`), an error about no field under DRF's non-field key."""
    if isinstance(detail, ValidationError):
        detail = detail.message_dict if hasattr(detail, "error_dict") else detail.messages
    if isinstance(detail, dict):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else str(key)
            found.update(field_errors(value, f"{prefix}.{name}" if prefix else name))
        return found
    if isinstance(detail, list) and any(isinstance(value, dict | list) for value in detail):
        found = {}
        for index, value in enumerate(detail):
            found.update(field_errors(value, f"{prefix}.{index}" if prefix else str(index)))
        return found
    messages = [str(message) for message in detail] if isinstance(detail, list) else [str(detail)]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: messages}


def problem(
    *, code: str, detail: str, status_code: int | None = None, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """A problem-details body: type, title, status, detail and code (and errors, for invalid input)."""
    status_code = status_code or STATUS_OF_CODE.get(code, status.HTTP_400_BAD_REQUEST)
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": TITLE_OF_CODE.get(code, "Error"),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _summary(errors: dict[str, list[str]]) -> str:
    """The detail of an invalid request: the messages about no field, else a pointer to the fields."""
    general = errors.get(api_settings.NON_FIELD_ERRORS_KEY) or errors.get("detail")
    if general:
        return " ".join(general)
    return "Check the fields named in errors."


def _message(error: BaseException) -> str:
    """The detail of any other error: its message for the user (a missing row's names the model)."""
    if isinstance(error, exceptions.APIException):
        return str(error.detail)
    if isinstance(error, ObjectDoesNotExist):
        return "Not found."
    return str(error) or TITLE_OF_CODE.get(problem_code(error), "Error")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: every error as problem details, told to api_error_answered's
    receivers. An error of no known kind goes on, to be a 500 and to the pages' middleware."""
    request = context.get("request")
    code = problem_code(exc)
    if isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
    elif code in STATUS_OF_CODE:
        status_code = STATUS_OF_CODE[code]
    else:
        return None
    errors: dict[str, list[str]] | None = None
    if code == Invalid.code:
        errors = field_errors(exc.detail if isinstance(exc, exceptions.APIException) else exc)
        detail = _summary(errors)
    else:
        detail = _message(exc)
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{exc.wait:.0f}"  # type: ignore[attr-defined]
    set_rollback()
    if request is not None:
        api_error_answered.send(sender=api_exception_handler, request=request, error=exc)
    body = problem(code=code, detail=detail, status_code=status_code, errors=errors)
    if isinstance(exc, Invalid):
        body.update(exc.members)
    return Response(
        body,
        status=status_code,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def form_refused(form: Any, error: Exception) -> None:
    """A page's answer to a service's refusal, the same for every kind as the API's: invalid input on
    the form's fields (or at the top of its error summary), a wrong state or a stale version at the
    top of the summary, with what was typed kept; not permitted is the 403 page, not found the 404."""
    if isinstance(error, NotAllowed | NotFound):
        raise error  # the 403 and 404 pages: each is Django's PermissionDenied or Http404
    if isinstance(error, ValidationError):
        attach_service_errors(form, error)
    else:
        form.add_error(None, str(error))


@contextmanager
def refusals_on(form: Any) -> Iterator[None]:
    """Around a form page's save: a service's refusal goes on the form (as form_refused puts it) and
    the page goes on past the block, to render the form again with what was typed."""
    try:
        yield
    except REFUSALS as refused:
        form_refused(form, refused)


# --- The OpenAPI schema ------------------------------------------------------------------------------


class ProblemDetailsSerializer(serializers.Serializer):
    """An error, as RFC 9457 problem details."""

    type = serializers.CharField(help_text="A URI naming the kind of problem: urn:iom:problem:<code>.")
    title = serializers.CharField(help_text="The kind of problem, in words.")
    status = serializers.IntegerField(help_text="The HTTP status.")
    detail = serializers.CharField(help_text="What went wrong this time, written for the user.")
    code = serializers.CharField(
        help_text="The stable code of the kind: invalid (400), not-authenticated (401), not-permitted (403), "
        "not-found (404), wrong-state (409), stale-version (409), and DRF's own (method-not-allowed, "
        "unsupported-media-type, throttled ...)."
    )


class ValidationProblemDetailsSerializer(ProblemDetailsSerializer):
    """Invalid input, as RFC 9457 problem details with the errors on each field. Only the schema uses
    it: a declared field is taken off the class (DRF's metaclass), so it hides no Serializer.errors."""

    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=f"Invalid input only (code invalid; a body that cannot be read, code malformed, has none): "
        f"the messages by field (a nested field as parent.child; none in particular under "
        f"{api_settings.NON_FIELD_ERRORS_KEY}).",
    )


_DEFAULT_DESCRIPTIONS = {
    "400": "Invalid input: the messages by field are under errors.",
    "401": "Not signed in: no session and no valid token.",
    "403": "Not permitted: your role or agency may not do this.",
    "404": "Not found, or not one your agency may see.",
    "409": "Not possible in the thing's current state, or someone else saved a newer version first.",
}
_WRITES = ("POST", "PUT", "PATCH")
# A time of day as DRF writes it (10:00:00, 10:00:00.250000) and reads it. Not the JSON Schema "time"
# format drf-spectacular gives it: that is RFC 3339's full-time, which must end in an offset.
_TIME_OF_DAY = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$", "example": "10:00:00"}


def _docstring_parts(doc: str) -> tuple[str, str]:
    """A docstring's first paragraph (without its full stop) and the paragraphs after it, each on one line."""
    first, *rest = [" ".join(paragraph.split()) for paragraph in doc.strip().split("\n\n")]
    return first.removesuffix("."), "\n\n".join(rest)


def _blank_in_model(field: Any) -> bool:
    """Whether a model serializer's text field, read-only and so without allow_blank, reads a column
    that may hold a blank string (a choice not made yet, a link not given)."""
    if not isinstance(field, serializers.CharField | serializers.ChoiceField) or getattr(field, "allow_blank", True):
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        column = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return bool(column.blank) and isinstance(column, models.CharField | models.TextField)


class ProblemAutoSchema(AutoSchema):
    """Every operation's error responses are problem details: those it declares (with their
    descriptions), and those every operation of its shape can answer: 401 everywhere, 404 where the
    path names a thing, 400 where a body, a filter or a page's limit or offset is sent."""

    def get_summary(self) -> str | None:
        """The first paragraph of the operation's docstring (its method's, else its view's), as a title."""
        summary = _docstring_parts(super().get_description())[0]
        return summary or None

    def get_description(self) -> str:  # type: ignore[override]
        """The rest of the operation's docstring; where its method's docstring is a summary alone, its view's."""
        described = _docstring_parts(super().get_description())[1]
        view_doc = get_doc(self.view.__class__)
        if not described and view_doc != super().get_description():
            return " ".join(view_doc.split())
        return described

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        """A field's schema, saying what the field really sends: a blank string where the model allows
        one, also for a read-only field (DRF drops allow_blank there), and a time of day as DRF writes it."""
        if _blank_in_model(field):
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            return {**{key: value for key, value in schema.items() if key != "format"}, **_TIME_OF_DAY}
        return schema

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        defaults = ["401"]
        if "{" in self.path:
            defaults.append("404")
        # A filter, and a page's limit and offset (sharing/pagination.py), refuse a value they cannot read.
        queried = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
        if self.method in _WRITES or queried:
            defaults.append("400")
        for code in defaults:
            responses.setdefault(code, {"description": ""})
        for code, response in responses.items():
            if not code.isdigit() or int(code) < 400:
                continue
            serializer = ValidationProblemDetailsSerializer if code == "400" else ProblemDetailsSerializer
            component = self.resolve_serializer(serializer, "response")
            response["description"] = response.get("description") or _DEFAULT_DESCRIPTIONS.get(code, "An error.")
            response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": component.ref}}
        operation["responses"] = dict(sorted(responses.items()))
        return operation
