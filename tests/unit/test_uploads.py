"""Upload checks: the content decides, the extension must agree, names never reach the disk."""

import io
import struct
import zipfile
import zlib

import pytest

from maturity.evidence import uploads

# --------------------------------------------------------------------------------------------
# Sample files, built here rather than kept as fixtures on disk (the app tests reuse them)
# --------------------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def _ooxml(main_type: str, folder: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{folder}main.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(f"{folder}main.xml", "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    return _ooxml(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/", extra
    )


def pptx_bytes() -> bytes:
    return _ooxml(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "ppt/"
    )


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Strand", "Families"])
    sheet.append(["Family experience", 312])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole2_bytes(stream: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 64


def csv_bytes() -> bytes:
    return "Strand,Families,Note\nFamily experience,312,Café outreach – 2016\n".encode()


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100 + b"This program cannot be run in DOS mode."


GOOD = [
    ("report.pdf", pdf_bytes, "application/pdf"),
    ("chart.png", png_bytes, "image/png"),
    ("photo.jpg", jpeg_bytes, "image/jpeg"),
    ("photo.JPEG", jpeg_bytes, "image/jpeg"),
    ("plan.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("figures.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.pptx", pptx_bytes, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("old.doc", lambda: ole2_bytes("WordDocument"), "application/msword"),
    ("old.xls", lambda: ole2_bytes("Workbook"), "application/vnd.ms-excel"),
    ("old.ppt", lambda: ole2_bytes("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ("counts.csv", csv_bytes, "text/csv"),
    ("notes.txt", lambda: "Minutes of the board, 3 March 2016.\n".encode("utf-8-sig"), "text/plain"),
]

BAD = [
    ("web page named .pdf", "report.pdf", html_bytes),
    ("program named .pdf", "report.pdf", exe_bytes),
    ("program named .docx", "plan.docx", exe_bytes),
    ("program", "setup.exe", exe_bytes),
    ("PDF named .png", "chart.png", pdf_bytes),
    ("JPEG named .png", "chart.png", jpeg_bytes),
    ("PNG named .pdf", "report.pdf", png_bytes),
    ("spreadsheet named .docx", "plan.docx", xlsx_bytes),
    ("document named .xlsx", "figures.xlsx", docx_bytes),
    ("plain zip named .docx", "plan.docx", lambda: _zip_without_manifest()),
    ("Word file with macros", "plan.docx", lambda: docx_bytes({"word/vbaProject.bin": b"\x00" * 10})),
    ("Excel stream named .doc", "old.doc", lambda: ole2_bytes("Workbook")),
    ("PDF named .doc", "old.doc", pdf_bytes),
    ("binary named .csv", "counts.csv", lambda: b"a,b\n\x00\x01\x02"),
    ("Latin-1 text", "counts.csv", lambda: "Caf\xe9,3\n".encode("latin-1")),
    ("web page named .txt", "notes.txt", html_bytes),
    ("SVG image", "chart.svg", lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ("HTML file", "page.html", html_bytes),
    ("no extension", "README", csv_bytes),
]


def _zip_without_manifest() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "build", "content_type"), GOOD, ids=[g[0] for g in GOOD])
def test_allowed_files_pass(name, build, content_type):
    checked = uploads.check_upload(io.BytesIO(build()), name, 10 * uploads.MB)
    assert checked.content_type == content_type
    assert checked.display_name == name
    assert checked.size == len(build())


@pytest.mark.parametrize(("why", "name", "build"), BAD, ids=[b[0] for b in BAD])
def test_wrong_content_is_refused(why, name, build):
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_upload(io.BytesIO(build()), name, 10 * uploads.MB)
    message = str(refused.value)
    assert message and message[0].isupper()


def test_too_big_is_refused_with_the_limit_in_words():
    with pytest.raises(uploads.UploadError, match="smaller than 1.0 MB"):
        uploads.check_upload(io.BytesIO(b"%PDF-" + b"x" * uploads.MB), "big.pdf", uploads.MB)


def test_empty_file_is_refused():
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.check_upload(io.BytesIO(b""), "nothing.pdf", uploads.MB)


def test_reads_no_more_than_the_limit():
    class Stream:
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return b"x" * (size if size > 0 else 10**9)

    stream = Stream()
    with pytest.raises(uploads.UploadError):
        uploads.check_upload(stream, "big.pdf", 1000)
    assert stream.asked == [1001]


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\config.pdf", "config.pdf"),
        ("C:\\Users\\sam\\Documents\\Board minutes.pdf", "Board minutes.pdf"),
        ("/absolute/path/report.pdf", "report.pdf"),
        ("report\x00.pdf", "report.pdf"),
        ("re\nport\t.pdf", "report.pdf"),
        ('a"b<c>d|e?.pdf', "a_b_c_d_e_.pdf"),
        ("Café plan – 2016.docx", "Café plan – 2016.docx"),
        ("..", "evidence"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "evidence"),
        (None, "evidence"),
    ],
)
def test_display_names_are_cleaned(original, shown):
    assert uploads.display_name(original) == shown


def test_long_names_keep_their_extension():
    name = uploads.display_name("x" * 400 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf")


def test_path_traversal_name_is_refused_or_flattened():
    # "passwd" has no allowed extension; a traversal name with one is flattened to its last part.
    with pytest.raises(uploads.UploadError):
        uploads.check_upload(io.BytesIO(pdf_bytes()), "../../etc/passwd", uploads.MB)
    checked = uploads.check_upload(io.BytesIO(pdf_bytes()), "../../../tmp/evil.pdf", uploads.MB)
    assert checked.display_name == "evil.pdf"


def test_stored_under_a_random_key_inside_the_folder(tmp_path):
    checked = uploads.check_upload(io.BytesIO(pdf_bytes()), "../../escape.pdf", uploads.MB)
    stored = uploads.store(checked, tmp_path / "uploads")
    files = list((tmp_path / "uploads").iterdir())
    assert [f.name for f in files] == [stored.key]
    assert len(stored.key) == 32 and int(stored.key, 16) >= 0
    assert files[0].read_bytes() == pdf_bytes()
    assert not (tmp_path / "escape.pdf").exists()
    again = uploads.store(checked, tmp_path / "uploads")
    assert again.key != stored.key


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "ABC", "", "a" * 31, "g" * 32, None])
def test_only_our_keys_make_paths(tmp_path, key):
    with pytest.raises(ValueError):
        uploads.path_for(tmp_path, key)


def test_remove_ignores_bad_and_missing_keys(tmp_path):
    uploads.remove(tmp_path, "../../etc/passwd")
    uploads.remove(tmp_path, "0" * 32)
    uploads.remove(tmp_path, None)
