"""Uploaded evidence files: checked by content, stored outside static/ under random names.

A file is accepted only when its extension is one we allow *and* its bytes are that kind of
file, so a web page renamed to `.pdf` or a program renamed to `.docx` is refused. The name a
person uploaded with is kept (cleaned) for display and for the download's file name only; it
never takes part in building a path on disk.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype

MB = 1024 * 1024

#: extension -> (what people call it, the content type it is stored and served with)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("PDF", "application/pdf"),
    "doc": ("Word", "application/msword"),
    "docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": ("Excel", "application/vnd.ms-excel"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt": ("PowerPoint", "application/vnd.ms-powerpoint"),
    "pptx": ("PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "csv": ("CSV", "text/csv"),
    "txt": ("plain text", "text/plain"),
    "png": ("PNG image", "image/png"),
    "jpg": ("JPEG image", "image/jpeg"),
    "jpeg": ("JPEG image", "image/jpeg"),
}

ALLOWED_DESCRIPTION = "PDF, Word, Excel, PowerPoint, CSV, plain text, PNG or JPEG"
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_TYPES)

#: Office Open XML: the main part's content type, and the folder the document lives in.
_OOXML = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "ppt/"),
}
#: Old Office files are OLE2 compound files; each keeps its main stream under a known name,
#: written in UTF-16 in the file's directory.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_STREAMS = {
    "doc": ("WordDocument",),
    "xls": ("Workbook", "Book"),
    "ppt": ("PowerPoint Document",),
}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")
_KEY = re.compile(r"^[0-9a-f]{32}$")


class UploadError(ValueError):
    """A file that may not be stored; the message is written for the person uploading it."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, not yet stored."""

    data: bytes
    display_name: str
    extension: str
    content_type: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class StoredFile:
    key: str
    display_name: str
    content_type: str
    size: int


def display_name(original: str | None, extension: str | None = None) -> str:
    """A clean name to show and to offer on download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", original or "")
    # Browsers on Windows may send the whole path; keep only the last part, whichever slash.
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[<>:\"|?*;]", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    if not name or name.startswith("."):
        name = f"evidence.{extension}" if extension else "evidence"
    return name


def extension_of(name: str) -> str:
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def check_content(data: bytes, extension: str) -> None:
    """Raise UploadError unless the bytes really are a file of the kind the extension says."""
    label = ALLOWED_TYPES[extension][0]
    refused = UploadError(
        f"The selected file is not a real {label} file, although its name ends .{extension}. "
        f"Upload a {ALLOWED_DESCRIPTION} file."
    )
    if extension in ("pdf", "png", "jpg", "jpeg"):
        matcher = filetype.get_type(ext="jpg" if extension == "jpeg" else extension)
        if matcher is None or not matcher.match(bytearray(data[:8192])):
            raise refused
    elif extension in _OOXML:
        _check_ooxml(data, extension, refused)
    elif extension in _OLE2_STREAMS:
        if not data.startswith(_OLE2_MAGIC):
            raise refused
        names = [name.encode("utf-16-le") for name in _OLE2_STREAMS[extension]]
        if not any(name in data for name in names):
            raise refused
    elif extension in ("csv", "txt"):
        _check_text(data, extension)
    else:  # pragma: no cover - ALLOWED_TYPES and the checks above list the same kinds
        raise refused


def _check_ooxml(data: bytes, extension: str, refused: UploadError) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise refused
    main_type, folder = _OOXML[extension]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            types = infos.get("[Content_Types].xml")
            # Read only the small manifest, never the (possibly huge) compressed parts.
            if types is None or types.file_size > MB:
                raise refused
            manifest = archive.read(types).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        raise refused from None
    if main_type not in manifest or not any(name.startswith(folder) for name in infos):
        raise refused
    if any(name.lower().endswith("vbaproject.bin") for name in infos):
        raise UploadError(
            f"The selected file contains macros. Save it as an ordinary .{extension} file without macros."
        )


def _check_text(data: bytes, extension: str) -> None:
    label = "CSV" if extension == "csv" else "text"
    if b"\x00" in data:
        raise UploadError(
            f"The selected file is not a {label} file, although its name ends .{extension}."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            f"The selected {label} file must be saved as UTF-8. In Excel, choose "
            "'CSV UTF-8' when you save it."
        ) from None
    start = text.lstrip().lower().encode("utf-8")
    if start.startswith(_MARKUP_STARTS):
        raise UploadError(
            f"The selected file is a web page or markup, not a {label} file. Save it as a PDF instead."
        )


def check_upload(stream, filename: str | None, max_bytes: int) -> CheckedFile:
    """Read and check an uploaded file; raises UploadError with a message for the form."""
    name = display_name(filename)
    extension = extension_of(name)
    if extension not in ALLOWED_TYPES:
        raise UploadError(f"The selected file must be a {ALLOWED_DESCRIPTION} file.")
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(f"The selected file must be smaller than {human_size(max_bytes)}.")
    if not data:
        raise UploadError("The selected file is empty.")
    check_content(data, extension)
    return CheckedFile(
        data=data,
        display_name=display_name(filename, extension),
        extension=extension,
        content_type=ALLOWED_TYPES[extension][1],
    )


def path_for(folder: str | Path, key: str) -> Path:
    """Where a stored file lives; only keys we made (32 hex digits) ever reach the file system."""
    if not _KEY.match(key or ""):
        raise ValueError("not a stored file key")
    return Path(folder) / key


def store(checked: CheckedFile, folder: str | Path) -> StoredFile:
    """Write a checked file under a new random name."""
    directory = Path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    while True:
        key = secrets.token_hex(16)
        try:
            with open(path_for(directory, key), "xb") as handle:
                handle.write(checked.data)
            break
        except FileExistsError:  # pragma: no cover - 128 random bits
            continue
    return StoredFile(key, checked.display_name, checked.content_type, checked.size)


def remove(folder: str | Path, key: str | None) -> None:
    """Delete a stored file if it is there."""
    if not key:
        return
    try:
        path_for(folder, key).unlink(missing_ok=True)
    except ValueError:
        return
