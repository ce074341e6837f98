"""Fetch the pinned front-end packages from the npm registry into static/vendor (no Node needed).

Each tarball is checked against the registry's sha512 integrity recorded here, and each file the
pages load is checked against the sha384 hash in maturity/config.py, so local serving and the CDN
serve the same bytes.
"""

import argparse
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from maturity.config import ASSET_PINS  # noqa: E402

VENDOR = ROOT / "static" / "vendor"
REGISTRY = "https://registry.npmjs.org"

#: package@version -> (tarball sha512 integrity, files to keep)
PACKAGES = {
    ("govuk-frontend", "6.3.0"): (
        "sha512-cXIQxm5PHCsbic47GXZrVBZhAeeshTLRL6ZBKilLsR6rMCjJuWb7Fruq0VUNMBJFlJk/srsRj/q8d5bM9cgKoA==",
        ["dist/govuk/govuk-frontend.min.css", "dist/govuk/govuk-frontend.min.js"],
    ),
    ("chart.js", "4.5.1"): (
        "sha512-GIjfiT9dbmHRiYi6Nl2yFCq7kkwdkp1W/lp2J99rX0yo9tgJGn3lKQATztIjb5tVtevcBtIdICNWqlq5+E8/Pw==",
        ["dist/chart.umd.min.js"],
    ),
    # Used only by the browser tests' accessibility checks; never served to users.
    ("axe-core", "4.10.3"): (
        "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==",
        ["axe.min.js"],
    ),
}


def sri(data: bytes, algorithm: str) -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def target(package: str, version: str, file: str) -> Path:
    return VENDOR / f"{package}@{version}" / file


def fetch(package: str, version: str, integrity: str, files: list[str], quiet: bool) -> None:
    if all(target(package, version, f).exists() for f in files):
        return
    name = package.split("/")[-1]
    url = f"{REGISTRY}/{package}/-/{name}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    if sri(data, "sha512") != integrity:
        raise SystemExit(f"{package}@{version}: the tarball does not match its pinned integrity")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for file in files:
            member = tar.extractfile(f"package/{file}")
            if member is None:
                raise SystemExit(f"{package}@{version}: {file} is missing from the package")
            out = target(package, version, file)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(member.read())
    if not quiet:
        print(f"fetched {package}@{version}")


def verify_pins() -> None:
    for name, pin in ASSET_PINS.items():
        path = target(pin["package"], pin["version"], pin["file"])
        if sri(path.read_bytes(), "sha384") != pin["integrity"]:
            raise SystemExit(f"{name}: {path} does not match the integrity hash in maturity/config.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    for (package, version), (integrity, files) in PACKAGES.items():
        fetch(package, version, integrity, files, args.quiet)
    verify_pins()
    if not args.quiet:
        print(f"assets ready in {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
