"""Helpers for the quality browser tests (journeys, accessibility, keyboard).

Data is arranged directly in the live server's database through its app (`live.app`), with
names made unique per call, so tests share one server without treading on each other.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from maturity.config import ROOT
from tests.conftest import PASSWORD

TIMEOUT = 15_000  # ms
AXE = ROOT / "static" / "vendor" / "axe-core@4.10.3" / "axe.min.js"
DEMO_PASSWORD = "demo-password-2016"

_demo_loaded: set[str] = set()


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def arrange(live, build: Callable[[], Any]) -> Any:
    """Run `build` in the live server's app context, commit, and return what it returns."""
    from maturity.extensions import db

    with live.app.app_context():
        try:
            result = build()
            db.session.commit()
            return result
        finally:
            db.session.remove()
            db.engine.dispose()


def ensure_demo(live) -> None:
    """Load the demo data set (Hampshire, Cheshire West and Chester …) into the live database once."""
    if live.url in _demo_loaded:
        return

    def build():
        from maturity.demo import seed_demo

        seed_demo()

    arrange(live, build)
    _demo_loaded.add(live.url)


def make_area_with_people(name: str, roles: dict[str, str]) -> dict[str, Any]:
    """An area with a council and a police partner, and one account per role (call inside arrange)."""
    from maturity.admin import operations as admin

    area = admin.create_area(name, "county", "South East")
    admin.add_organisation(area, f"{name} Council", "local-authority")
    admin.add_organisation(area, f"{name} Police", "police")
    people = {}
    for key, role in roles.items():
        user = admin.create_user(f"{key}-{uuid.uuid4().hex[:8]}@example.org", f"{key.title()} of {name}", PASSWORD)
        admin.set_membership(user, area, role)
        people[key] = user
    return {"area": area, **people}


def new_page(browser, viewport: dict | None = None, bypass_csp: bool = False):
    """A page in a fresh context (its own cookies), with the default timeout set."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, bypass_csp=bypass_csp)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def watch_errors(page, errors: list[str]) -> None:
    """Collect JavaScript errors and console errors (CSP violations show up here too)."""
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


# --------------------------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------------------------


def axe_missing_reason() -> str | None:
    if not AXE.exists():
        return f"axe-core is missing ({AXE.relative_to(ROOT)}): run `make assets`"
    return None


def serious_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands; the violations of serious or critical impact."""
    if axe_missing_reason():
        pytest.skip(axe_missing_reason())
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))
            }));
        }"""
    )
    return [v for v in results if v["impact"] in ("serious", "critical")]


def describe_violations(name: str, url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} serious or critical axe-core violation(s) on {name} ({url}):"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Charts and their tables
# --------------------------------------------------------------------------------------------

#: Values a rating chart plots, and the words the table beside it uses for them.
RATING_WORDS = {
    1: "Early", 1.5: "Early–Developing", 2: "Developing", 2.5: "Developing–Maturing",
    3: "Maturing", 3.5: "Maturing–Mature", 4: "Mature",
}

_CHARTS_AND_TABLES = """() => Array.from(document.querySelectorAll('canvas')).map(canvas => {
    let holder = canvas.parentElement;
    while (holder && !holder.querySelector('table')) { holder = holder.parentElement; }
    const chart = window.Chart ? Chart.getChart(canvas) : null;
    const text = (node) => (node ? node.innerText : '').replace(/\\s+/g, ' ').trim();
    const rows = holder ? Array.from(holder.querySelectorAll('table tbody tr')).map(tr => ({
        header: text(tr.querySelector('th')),
        cells: Array.from(tr.querySelectorAll('td')).map(text),
    })) : null;
    const flat = (label) => Array.isArray(label) ? label.join(' ') : String(label);
    return {
        id: canvas.id,
        visible: !!(canvas.offsetWidth || canvas.offsetHeight),
        drawn: !!chart,
        labels: chart ? chart.data.labels.map(flat) : [],
        datasets: chart ? chart.data.datasets.map(d => ({
            label: flat(d.label || ''),
            data: d.data.map(v => (v && typeof v === 'object') ? (v.r ?? v.y) : v),
        })) : [],
        rows: rows,
    };
})"""


def _figures(cells: list[str]) -> list[float]:
    """The figures in a table row: numbers, and ratings written as words (longest words first)."""
    found: list[float] = []
    for cell in cells:
        rest = cell
        for value, word in sorted(RATING_WORDS.items(), key=lambda item: -len(item[1])):
            while word in rest:
                found.append(value)
                rest = rest.replace(word, " ", 1)
        found.extend(float(n) for n in re.findall(r"\d+(?:\.\d+)?", rest))
    return found


def _contains(figures: list[float], values: list) -> bool:
    """Whether every plotted value is among the row's figures (each figure used once)."""
    pool = list(figures)
    for value in values:
        if value is None:
            continue
        if float(value) not in pool:
            return False
        pool.remove(float(value))
    return True


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def chart_table_problems(page) -> list[str]:
    """For every visible canvas: a Chart.js chart, and a table beside it with the same figures.

    "Beside" means in the nearest ancestor of the canvas that also holds a table. Each label of
    the chart must head a row whose figures include that label's value in every dataset; or,
    for charts whose datasets are the table's rows, each dataset's row must hold its values.
    Ratings may be written as stages ("Developing–Maturing" for 2.5).
    """
    problems = []
    for chart in page.evaluate(_CHARTS_AND_TABLES):
        if not chart["visible"]:
            continue
        where = f"canvas #{chart['id']}"
        if not chart["drawn"]:
            problems.append(f"{where} shows no chart")
            continue
        if not chart["rows"]:
            problems.append(f"{where} has no table beside it")
            continue
        rows = {_norm(row["header"]): row["cells"] for row in chart["rows"]}

        def row_for(label: str, rows: dict = rows):
            label = _norm(label)
            return next((cells for header, cells in rows.items() if header == label or header.startswith(label)), None)

        by_label = [row_for(label) for label in chart["labels"]]
        if all(cells is not None for cells in by_label):
            for index, (label, cells) in enumerate(zip(chart["labels"], by_label, strict=True)):
                values = [d["data"][index] for d in chart["datasets"] if index < len(d["data"])]
                if not _contains(_figures(cells), values):
                    problems.append(f"{where}: {label!r} plots {values} but its table row says {cells}")
            continue
        by_dataset = [row_for(d["label"]) for d in chart["datasets"]]
        if all(cells is not None for cells in by_dataset):
            for dataset, cells in zip(chart["datasets"], by_dataset, strict=True):
                if not _contains(_figures(cells), dataset["data"]):
                    problems.append(f"{where}: {dataset['label']!r} plots {dataset['data']} but its table row says {cells}")
            continue
        missing = [label for label, cells in zip(chart["labels"], by_label, strict=True) if cells is None]
        problems.append(f"{where}: no table row for {missing} (rows: {list(rows)})")
    return problems


def write_pdf(folder: Path, name: str = "Board minutes.pdf") -> Path:
    from tests.support.files import pdf_bytes

    path = folder / name
    path.write_bytes(pdf_bytes())
    return path


# --------------------------------------------------------------------------------------------
# Screenshots kept for a reviewer on every run
# --------------------------------------------------------------------------------------------

SCREENSHOTS = ROOT / "build" / "screenshots"


def save_screenshot(page, name: str) -> Path:
    """Save the whole page as build/screenshots/<name>.png, so a reviewer can look at it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
