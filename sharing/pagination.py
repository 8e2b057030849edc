"""The API's one way of paging a list: `limit` and `offset`, refused when they are not numbers.

DRF's LimitOffsetPagination reads `?offset=null` or `?limit=ten` as if they were not sent, so a
client with a bug is given the first page and never told. Here either is invalid input (400, with
the parameter named), as a bad filter is, and the schema says which values are taken.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


class ListPagination(LimitOffsetPagination):
    """Limit and offset paging: a limit from 1 (capped at max_limit), an offset from 0."""

    max_limit = 200

    def get_limit(self, request: Request) -> int | None:
        if self.limit_query_param not in request.query_params:
            return self.default_limit
        limit = _count(request, self.limit_query_param, lowest=1)
        return min(limit, self.max_limit) if self.max_limit else limit

    def get_offset(self, request: Request) -> int:
        if self.offset_query_param not in request.query_params:
            return 0
        return _count(request, self.offset_query_param, lowest=0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        lowest = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = lowest[parameter["name"]]
        return parameters


def _count(request: Request, name: str, *, lowest: int) -> int:
    """A whole number of at least `lowest` from the query string, else invalid input naming it."""
    value = request.query_params[name]
    if not value.isascii() or not value.isdigit() or int(value) < lowest:
        raise serializers.ValidationError({name: [f"Give a whole number of {lowest} or more"]})
    return int(value)
