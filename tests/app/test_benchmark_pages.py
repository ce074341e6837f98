"""The national benchmark (national team only) and an area's anonymised view of where it sits."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from maturity.extensions import db
from maturity.reviews import operations

#: area name -> (kind, period start of its assessment or None for no assessment, agreed ratings)
AREAS = {
    "Hampshire": ("county", date.today() - timedelta(days=30), {"leadership": "developing", "culture": "developing-maturing"}),
    "Leeds": ("metropolitan", date.today() - timedelta(days=60), {"leadership": "maturing", "culture": "mature"}),
    "Norfolk": ("county", date(2015, 4, 1), {"leadership": "developing-maturing", "culture": "developing"}),
    "Tameside": ("metropolitan", None, {}),
    "Hartlepool": ("unitary", date.today() - timedelta(days=10), {"leadership": "early"}),
}


@pytest.fixture
def national(make_area, make_user, make_assessment, framework):
    strands = {s.key: s for s in framework.strands}
    areas, assessments = {}, {}
    for name, (kind, start, ratings) in AREAS.items():
        areas[name] = make_area(name, kind=kind)
        if start is None:
            continue
        assessment = make_assessment(areas[name], title=f"{name} assessment", period_label="a year", period_start=start)
        for key, code in ratings.items():
            assessment.rating_for(strands[key]).agreed_rating = code
        assessments[name] = assessment
    coordinator = make_user("coordinator", areas["Hampshire"])
    reviewer = make_user("reviewer", areas["Leeds"])
    review = operations.request_review(assessments["Hampshire"], areas["Leeds"], [reviewer], coordinator)
    for strand in framework.strands:
        operations.record_strand(review, strand, reviewer, "developing", "agree")
    operations.record_summary(review, reviewer, "Fine")
    operations.submit(review, reviewer, framework.strands)
    db.session.commit()
    return SimpleNamespace(areas=areas, assessments=assessments, coordinator=coordinator, reviewer=reviewer, review=review)


def row_of(body: str, strand: str) -> list[str]:
    """The cells of a strand's row in the first table that has one."""
    match = re.search(r'<th scope="row" class="govuk-table__header">' + strand + r"</th>(.*?)</tr>", body, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def test_national_benchmark_counts_areas_per_stage(client, login, make_user, national):
    login(make_user(admin=True))
    response = client.get("/benchmark")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # Early, Developing, Maturing, Mature, Not agreed, Median, Of which between stages
    assert row_of(body, "Leadership") == ["1", "2", "1", "0", "1", "Developing", "1"]
    assert row_of(body, "Culture") == ["0", "2", "0", "1", "2", "Developing", "1"]
    assert 'data-chart="distribution"' in body and "Areas per stage (latest agreed ratings)" in body


def test_national_benchmark_lists_overdue_and_peer_reviewed_areas(client, login, make_user, national):
    login(make_user(admin=True))
    body = client.get("/benchmark").get_data(as_text=True)
    assert "5 areas. 1 has been peer reviewed; 2 are overdue" in body
    rows = {name: " ".join(row_of(body, f'<a class="govuk-link" href="/areas/{area.id}/benchmark">{name}</a><br><span class="govuk-body-s">{area.kind_label}</span>')) for name, area in national.areas.items()}
    assert "Overdue" in rows["Norfolk"] and "Overdue" in rows["Tameside"]
    assert "Up to date" in rows["Hampshire"] and "Up to date" in rows["Hartlepool"]
    assert "By Leeds, submitted" in rows["Hampshire"]
    assert "Not peer reviewed" in rows["Norfolk"]


@pytest.mark.parametrize("who", ["coordinator", "reviewer"])
def test_national_benchmark_is_for_the_national_team_only(client, login, national, who):
    login(getattr(national, who))
    assert client.get("/benchmark").status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client, national):
    response = client.get("/benchmark")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_area_view_places_the_area_without_naming_the_others(client, login, national):
    login(national.coordinator)
    hampshire = national.areas["Hampshire"]
    response = client.get(f"/areas/{hampshire.id}/benchmark")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # Leadership: Hampshire developing; others early, maturing, developing-maturing (counted as developing)
    assert row_of(body, "Leadership") == [
        "Developing", "1", "2 (including you)", "1", "0", "1 / 1 / 1",
        # The agreed developing has no evidence behind it, flagged as on every other page.
        "Claim above evidence",
    ]
    # Culture: only two other areas have an agreed rating, so the strand is hidden
    assert row_of(body, "Culture")[1].startswith("Not shown: fewer than 3 other areas")
    for name, area in national.areas.items():
        if name != "Hampshire":
            assert name not in body, name
            assert f"/areas/{area.id}" not in body, name
    assert "Hampshire against other areas" in body


def test_area_view_hides_everything_when_too_few_areas_are_rated(client, login, make_area, make_user, make_assessment):
    lonely = make_area("Lonely")
    make_area("Other one")
    coordinator = make_user("coordinator", lonely)
    login(coordinator)
    body = client.get(f"/areas/{lonely.id}/benchmark").get_data(as_text=True)
    assert body.count("Not shown: fewer than 3 other areas") == 6
    assert "Other one" not in body and 'data-chart="distribution"' not in body


@pytest.mark.parametrize("who", ["outsider", "reviewer"])
def test_area_view_is_for_members_of_the_area(client, login, make_user, national, who):
    user = make_user("coordinator", national.areas["Norfolk"]) if who == "outsider" else national.reviewer
    login(user)
    response = client.get(f"/areas/{national.areas['Hampshire'].id}/benchmark")
    assert response.status_code == 404
    assert "Hampshire" not in response.get_data(as_text=True)


def test_national_team_may_open_any_area_view(client, login, make_user, national):
    login(make_user(admin=True))
    assert client.get(f"/areas/{national.areas['Tameside'].id}/benchmark").status_code == 200


@pytest.fixture
def cycles(make_area, make_assessment, framework):
    """An area with three cycles, opened out of the order of the periods they cover."""
    strands = {s.key: s for s in framework.strands}
    area = make_area("Cyclesby")
    later = make_assessment(area, title="Cyclesby 2023", period_label="2023 to 2024", period_start=date(2023, 4, 1))
    earlier = make_assessment(area, title="Cyclesby 2022", period_label="2022 to 2023", period_start=date(2022, 4, 1))
    undated = make_assessment(area, title="Cyclesby now", period_label="this year")  # dated by when it was opened
    for assessment, ratings in (
        (earlier, {"leadership": ("early", "developing"), "culture": ("developing", "developing"), "strategy": ("early", None)}),
        (later, {"leadership": ("maturing", None), "culture": ("maturing", "maturing")}),
        (undated, {"delivery": ("mature", None)}),
    ):
        for key, (own, agreed) in ratings.items():
            row = assessment.rating_for(strands[key])
            row.self_rating, row.agreed_rating = own, agreed
    db.session.commit()
    return SimpleNamespace(area=area, earlier=earlier, later=later, undated=undated)


def test_ratings_by_area_takes_each_strand_from_the_latest_assessment_that_has_it(app, cycles):
    from maturity.core.scoring import Rating
    from maturity.reports import queries

    ratings = queries.ratings_by_area()[cycles.area.id]
    codes = lambda found: {key: rating.code for key, rating in found.items()}  # noqa: E731
    # leadership: the 2023 cycle has no agreed rating, so 2022's stands; culture: 2023's, though
    # the 2022 cycle was opened after it
    assert codes(ratings.agreed) == {"leadership": "developing", "culture": "maturing"}
    # standing: the latest agreed rating, else the latest self rating
    assert codes(ratings.standing) == {
        "leadership": "developing", "culture": "maturing", "strategy": "early", "delivery": "mature",
    }
    assert all(isinstance(r, Rating) for r in ratings.standing.values())


def test_national_table_shows_each_area_s_latest_assessment(client, login, make_user, cycles):
    login(make_user(admin=True))
    body = client.get("/benchmark").get_data(as_text=True)
    row = " ".join(row_of(body, f'<a class="govuk-link" href="/areas/{cycles.area.id}/benchmark">Cyclesby</a><br><span class="govuk-body-s">{cycles.area.kind_label}</span>'))
    assert "Cyclesby now" in row and "this year" in row and "Up to date" in row
    assert "Cyclesby 2023" not in row and "Cyclesby 2022" not in row
