"""Upload checks: the content decides, the extension must agree, names never reach the disk."""

import io
import zipfile

import pytest

from maturity.evidence import uploads
from tests.support.files import (
    csv_bytes,
    docx_bytes,
    exe_bytes,
    html_bytes,
    jpeg_bytes,
    ole2_bytes,
    pdf_bytes,
    png_bytes,
    pptx_bytes,
    xlsx_bytes,
)

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
