"""Addresses as QR codes, for the workshop join screen, surveys and the family questionnaire."""

from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """An address as a QR code, an inline SVG (no style attributes, so the CSP holds)."""
    import segno

    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="app-qr__code", lineclass=None,
        light="#ffffff", title=f"QR code of the address {url}",
    )
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))
