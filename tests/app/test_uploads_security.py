"""Upload names, whatever they are, never reach the disk or break the download's headers.

tests/app/test_evidence_uploads.py and tests/unit/test_uploads.py already refuse wrong types by
content, oversize files and named path traversals; this adds generated file names (Hypothesis):
slashes, dots, control characters, quotes, CR/LF, right-to-left overrides, very long names.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from maturity.evidence import uploads
from maturity.extensions import db
from tests.support.files import pdf_bytes

NAMES = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["..", "/", "\\", ".", "etc", "passwd", "\x00", "\r\n", '"', ";", "\u202e", "C:", "%2e%2e", "~", " "]), max_size=12).map("".join),
).map(lambda stem: stem + ".pdf")

PROPERTIES = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@PROPERTIES
@given(name=NAMES)
def test_a_display_name_is_one_clean_file_name(name):
    shown = uploads.display_name(name, "pdf")
    assert shown and len(shown) <= 200
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in shown)
    assert not any(ch in shown for ch in '<>:"|?*;')
    try:
        checked = uploads.check_upload(io.BytesIO(pdf_bytes()), name, uploads.MB)
    except uploads.UploadError as refused:  # e.g. ".pdf" is cleaned to "pdf", with no extension
        assert str(refused).startswith("The selected file must be")
    else:
        assert checked.display_name == shown


@pytest.fixture
def place(make_area, make_user, make_assessment, framework, login):
    area = make_area("Hampshire")
    coordinator = make_user("coordinator", area)
    login(coordinator)
    return {
        "area": area,
        "assessment": make_assessment(area),
        "feature": framework.strands[1].elements[0].features[0],
    }


def test_any_file_name_through_the_form_stays_in_the_upload_folder(app, client, place):
    from maturity.models import Evidence

    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()

    @PROPERTIES
    @given(name=NAMES)
    def upload(name):
        response = client.post(
            f"/assessments/{place['assessment'].id}/evidence/new",
            data={
                "title": "Board minutes", "kind": "qualitative", "organisation_id": str(place["area"].organisations[0].id),
                "source_type": "__other__", "source_other": "Minutes", "features": [str(place["feature"].id)],
                "file": (io.BytesIO(pdf_bytes()), name), "no_personal_data": "y",
            },
            content_type="multipart/form-data",
        )
        assert response.status_code in (400, 302), response.status_code
        if response.status_code != 302:
            return
        item = db.session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()
        if item.file_key is None:
            # The test client cannot carry some names (quotes, CR/LF) in a multipart header:
            # then no file arrives, and none may be stored.
            assert '"' in name or "\r" in name or "\n" in name, name
            return
        stored = uploads.path_for(folder, item.file_key).resolve()
        assert stored.parent == folder and stored.read_bytes() == pdf_bytes()
        with client.get(f"/evidence/{item.id}/file") as download:
            disposition = download.headers["Content-Disposition"]
            assert download.status_code == 200 and download.data == pdf_bytes()
        assert disposition.startswith("attachment;")
        assert "\r" not in disposition and "\n" not in disposition
        assert all(32 <= ord(ch) < 127 for ch in disposition), "the header is plain ASCII (RFC 5987 for the rest)"

    upload()
    assert {p.parent for p in folder.iterdir()} <= {folder}
