"""What an uploaded signed agreement must be: at most 10 MB, and a PDF, Word or OpenDocument text file by
its content, not only by its name."""

import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def validate_document_size(document: File) -> None:
    if document.size is not None and document.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"The file is {document.size / 1024 / 1024:.1f} MB; it must be at most 10 MB.",
            code="file_too_large",
        )


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
NOT_A_DOCUMENT = "The signed agreement must be a PDF, Word or OpenDocument file"
WRONG_CONTENT = "The file is not a {kind} document, whatever its name says: upload the signed agreement itself"


def _is_pdf(document: File) -> bool:
    document.seek(0)
    return document.read(5) == b"%PDF-"


def _zip_names(document: File) -> set[str] | None:
    """The names in a ZIP container (Word and OpenDocument files are ZIP files), or None if it is not one.
    Only the directory is read: nothing is unpacked."""
    document.seek(0)
    try:
        with zipfile.ZipFile(document) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _is_docx(document: File) -> bool:
    names = _zip_names(document)
    return names is not None and {"[Content_Types].xml", "word/document.xml"} <= names


def _is_odt(document: File) -> bool:
    if "mimetype" not in (_zip_names(document) or set()):
        return False
    document.seek(0)
    with zipfile.ZipFile(document) as archive, archive.open("mimetype") as mimetype:
        return mimetype.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE


CONTENT_CHECKS = {"pdf": ("PDF", _is_pdf), "docx": ("Word", _is_docx), "odt": ("OpenDocument text", _is_odt)}


def validate_document_content(document: File) -> None:
    """The file is what its extension says, read from its content: a PDF starts %PDF-, a Word file is
    a ZIP holding word/document.xml, an OpenDocument text file a ZIP whose mimetype says so. An
    executable renamed .pdf is refused."""
    extension = Path(document.name or "").suffix.lower().lstrip(".")
    if extension not in CONTENT_CHECKS:
        raise ValidationError(NOT_A_DOCUMENT, code="invalid_extension")
    kind, check = CONTENT_CHECKS[extension]
    try:
        matches = check(document)
    finally:
        document.seek(0)
    if not matches:
        raise ValidationError(WRONG_CONTENT.format(kind=kind), code="invalid_content")


DOCUMENT_VALIDATORS = [validate_document_size, validate_document_content]
