from django.core.exceptions import ValidationError
from django.core.files import File

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def validate_document_size(document: File) -> None:
    if document.size is not None and document.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"The file is {document.size / 1024 / 1024:.1f} MB; it must be at most 10 MB.",
            code="file_too_large",
        )
