"""Uploading evidence files through the form: checked by content and size, nothing kept on failure,
downloaded only by people who may see the assessment, never from static/."""

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from maturity.extensions import db
from maturity.models import Evidence, Feature
from tests.support.files import (
    csv_bytes,
    docx_bytes,
    exe_bytes,
    html_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
)


@pytest.fixture
def place(make_area, make_user, make_assessment, framework):
    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area)
    assessment = make_assessment(area)
    feature = db.session.scalar(select(Feature).where(Feature.framework_id == framework.id, Feature.key == "del-ds-dev-3"))
    return {"area": area, "coordinator": coordinator, "assessment": assessment, "feature": feature}


def upload_data(place, content: bytes | None, name: str, confirm: bool = True, **overrides):
    data = {
        "title": "Data sharing figures",
        "description": "Partners with access to the shared system",
        "organisation_id": str(place["area"].organisations[0].id),
        "kind": "qualitative",
        "about_date": ["1", "4", "2016"],
        "source_type": "__other__",
        "source_other": "SafetyNet access log",
        "link": "",
        "features": [str(place["feature"].id)],
    }
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    if confirm:
        data["no_personal_data"] = "y"
    data.update(overrides)
    return data


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def post(client, place, data):
    return client.post(
        f"/assessments/{place['assessment'].id}/evidence/new", data=data, content_type="multipart/form-data"
    )


GOOD = [
    ("Board minutes.pdf", pdf_bytes, "application/pdf"),
    ("Family plan.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Figures.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("Chart.png", png_bytes, "image/png"),
    ("Counts.csv", csv_bytes, "text/csv"),
]


@pytest.mark.parametrize(("name", "build", "content_type"), GOOD, ids=[g[0] for g in GOOD])
def test_good_file_is_stored_and_downloads_as_an_attachment(app, client, login, place, name, build, content_type):
    login(place["coordinator"])
    content = build()
    response = post(client, place, upload_data(place, content, name))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    evidence = db.session.scalar(select(Evidence))
    assert evidence.file_name == name
    assert evidence.file_type == content_type
    assert evidence.file_size == len(content)
    assert evidence.no_personal_data is True
    files = stored_files(app)
    assert [f.name for f in files] == [evidence.file_key]
    assert name not in os.listdir(app.config["UPLOAD_FOLDER"])
    assert not Path(app.static_folder, evidence.file_key).exists()

    with client.get(f"/evidence/{evidence.id}/file") as download:
        assert download.status_code == 200
        assert download.data == content
        assert download.mimetype == content_type
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert "no-store" in download.headers["Cache-Control"]


def test_download_name_is_the_cleaned_original(app, client, login, place):
    login(place["coordinator"])
    post(client, place, upload_data(place, pdf_bytes(), "..\\..\\Board minutes – März.pdf"))
    evidence = db.session.scalar(select(Evidence))
    assert evidence.file_name == "Board minutes – März.pdf"
    with client.get(f"/evidence/{evidence.id}/file") as download:
        disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''Board%20minutes%20%E2%80%93%20M%C3%A4rz.pdf" in disposition


BAD = [
    ("web page named .pdf", "report.pdf", html_bytes, "not a real PDF file"),
    ("program named .pdf", "report.pdf", exe_bytes, "not a real PDF file"),
    ("program", "setup.exe", exe_bytes, "must be a PDF, Word, Excel, PowerPoint, CSV, plain text, PNG or JPEG file"),
    ("PNG named .docx", "plan.docx", png_bytes, "not a real Word file"),
    ("web page named .txt", "notes.txt", html_bytes, "web page"),
]


@pytest.mark.parametrize(("why", "name", "build", "message"), BAD, ids=[b[0] for b in BAD])
def test_wrong_type_by_content_is_refused_and_nothing_is_stored(app, client, login, place, why, name, build, message):
    login(place["coordinator"])
    response = post(client, place, upload_data(place, build(), name))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert "Data sharing figures" in page  # what was typed is kept
    assert stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_path_traversal_name_never_reaches_the_disk(app, client, login, place, tmp_path):
    login(place["coordinator"])
    response = post(client, place, upload_data(place, pdf_bytes(), "../../../../tmp/evil.pdf"))
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.file_name == "evil.pdf"
    files = stored_files(app)
    assert [f.name for f in files] == [evidence.file_key]
    assert all(f.parent == Path(app.config["UPLOAD_FOLDER"]) for f in files)
    refused = post(client, place, upload_data(place, b"root:x:0:0", "../../etc/passwd"))
    assert refused.status_code == 400
    assert len(stored_files(app)) == 1


def test_missing_confirmation_stores_nothing(app, client, login, place):
    login(place["coordinator"])
    response = post(client, place, upload_data(place, pdf_bytes(), "report.pdf", confirm=False))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Confirm the file holds no personal data about identifiable families" in page
    assert stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_a_link_alone_needs_no_confirmation(client, login, place):
    login(place["coordinator"])
    response = post(client, place, upload_data(place, None, "", confirm=False, link="https://example.org/report"))
    assert response.status_code == 302


def test_file_over_the_per_file_limit_is_a_form_error(app, client, login, place):
    app.config["MAX_UPLOAD_MB"] = 0.01  # about 10 KB
    login(place["coordinator"])
    big = pdf_bytes() + b"%" * 20_000
    response = post(client, place, upload_data(place, big, "big.pdf"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The selected file must be smaller than 10 KB" in page
    assert stored_files(app) == []


def test_request_over_the_app_limit_gets_a_friendly_page(app, client, login, place):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    login(place["coordinator"])
    big = pdf_bytes() + b"%" * 60_000
    response = post(client, place, upload_data(place, big, "big.pdf"))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too big" in page and "Nothing was saved" in page
    assert stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_replacing_and_removing_a_file_deletes_the_old_one(app, client, login, place):
    login(place["coordinator"])
    post(client, place, upload_data(place, pdf_bytes(), "first.pdf"))
    evidence = db.session.scalar(select(Evidence))
    first_key = evidence.file_key
    data = upload_data(place, png_bytes(), "second.png")
    assert client.post(f"/evidence/{evidence.id}/edit", data=data, content_type="multipart/form-data").status_code == 302
    db.session.refresh(evidence)
    assert evidence.file_name == "second.png" and evidence.file_key != first_key
    assert [f.name for f in stored_files(app)] == [evidence.file_key]
    data = upload_data(place, None, "", confirm=False, remove_file="y")
    assert client.post(f"/evidence/{evidence.id}/edit", data=data, content_type="multipart/form-data").status_code == 302
    db.session.refresh(evidence)
    assert evidence.file_key is None and evidence.file_name is None
    assert stored_files(app) == []
    assert client.get(f"/evidence/{evidence.id}/file").status_code == 404


def test_a_bad_replacement_keeps_the_current_file(app, client, login, place):
    login(place["coordinator"])
    post(client, place, upload_data(place, pdf_bytes(), "first.pdf"))
    evidence = db.session.scalar(select(Evidence))
    data = upload_data(place, html_bytes(), "second.pdf")
    assert client.post(f"/evidence/{evidence.id}/edit", data=data, content_type="multipart/form-data").status_code == 400
    db.session.refresh(evidence)
    assert evidence.file_name == "first.pdf"
    assert [f.name for f in stored_files(app)] == [evidence.file_key]


def test_removing_evidence_deletes_its_file(app, client, login, place):
    login(place["coordinator"])
    post(client, place, upload_data(place, pdf_bytes(), "first.pdf"))
    evidence = db.session.scalar(select(Evidence))
    assert client.post(f"/evidence/{evidence.id}/delete").status_code == 302
    assert stored_files(app) == []


def test_missing_stored_file_is_a_404_not_a_500(app, client, login, place):
    login(place["coordinator"])
    post(client, place, upload_data(place, pdf_bytes(), "first.pdf"))
    for path in stored_files(app):
        path.unlink()
    evidence = db.session.scalar(select(Evidence))
    assert client.get(f"/evidence/{evidence.id}/file").status_code == 404


def test_upload_folder_is_outside_static(app):
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    static = Path(app.static_folder).resolve()
    assert static not in folder.parents and folder != static


def test_oversized_plain_form_gets_a_general_message(app, client, login, place):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    login(place["coordinator"])
    response = client.post(
        f"/assessments/{place['assessment'].id}/evidence/new", data={"description": "x" * 5000}
    )
    assert response.status_code == 413
    assert "too big for the service to accept" in response.get_data(as_text=True)


def test_oversized_api_request_answers_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/api/v1/openapi.json", data={"x": "y" * 5000})
    assert response.status_code == 413 and response.is_json
