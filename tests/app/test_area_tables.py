"""The three lists of areas (home, areas, the national team's areas) come from one table macro."""

import re


def _table(page: str, caption: str) -> str:
    """The table with this caption."""
    return next(t for t in page.split("<table")[1:] if f">{caption}</caption>" in t).split("</table>", 1)[0]


def _rows(table: str) -> list[str]:
    body = table.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)


def test_each_list_of_areas_names_links_and_adds_its_own_columns(client, login, make_area, make_user):
    parent = make_area("Shire", region="South East")
    district = make_area("Dale", kind="district", region="South East")
    district.parent = parent
    admin = make_user(admin=True)
    login(admin)

    home = _table(client.get("/").get_data(as_text=True), "Areas you can see")
    areas = _table(client.get("/areas/").get_data(as_text=True), "Areas you can see")
    national = _table(client.get("/admin/areas").get_data(as_text=True), "All areas")
    for page, extra in ((home, ["Your role"]), (areas, ["Region"]), (national, ["Region", "Part of"])):
        head = page.split('<thead class="govuk-table__head">', 1)[1].split("</thead>", 1)[0]
        assert re.findall(r'<th scope="col" class="govuk-table__header">([^<]+)</th>', head) == ["Area", "Kind", *extra]
        rows = _rows(page)
        assert len(rows) == 2
        assert all(f'href="/areas/{a.id}"' in "".join(rows) for a in (parent, district))
    assert "National team" in _rows(home)[0]
    assert "South East" in _rows(areas)[0]
    assert "Shire" in next(r for r in _rows(national) if "Dale" in r.split("</td>", 1)[0])
    assert "Actions</span></th>" in national and "Edit<span" in national


def test_an_empty_list_of_areas_says_so(client, login, make_user):
    login(make_user(admin=True))
    assert "No areas yet." in client.get("/areas/").get_data(as_text=True)
