"""The API's request parsers. A module of its own: DRF reads the parser setting while its views
module is being imported, so this imports nothing of the service."""

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, answering JSON nested deeper than Python's parser follows (a thousand
    brackets) as a 400 malformed request, like any JSON it cannot read, instead of a server error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the JSON is nested too deeply") from error
