"""Load a validated framework (maturity.core.framework) into the database."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from maturity.core import framework as core
from maturity.extensions import db
from maturity.models import Element, Feature, FrameworkVersion, Strand


@dataclass
class LoadResult:
    framework: FrameworkVersion
    created: bool
    changed: bool


def load_file(path: str | Path) -> LoadResult:
    """Validate a framework file and load it; raises core.FrameworkError before touching the db."""
    parsed = core.load_framework(path)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return save_framework(parsed, digest)


def save_framework(parsed: core.Framework, content_hash: str) -> LoadResult:
    """Insert a new version, or update one with the same key and version in place.

    Updating matches strands, elements and features by key, so evidence linked to a feature
    stays linked when its wording is improved. A feature that disappears from the file is
    removed only if no evidence points at it; otherwise the load is refused.
    """
    version = db.session.scalar(
        select(FrameworkVersion).where(
            FrameworkVersion.key == parsed.key, FrameworkVersion.version == parsed.version
        )
    )
    created = version is None
    if not created and version.content_hash == content_hash:
        return LoadResult(version, created=False, changed=False)
    if created:
        version = FrameworkVersion(key=parsed.key, version=parsed.version)
        db.session.add(version)
    version.title = parsed.title
    version.source = {
        "publisher": parsed.source.publisher,
        "year": parsed.source.year,
        "title": parsed.source.title,
        "credit": parsed.source.credit,
    }
    version.stages = [
        {"key": s.key, "name": s.name, "value": s.value, "summary": s.summary} for s in parsed.stages
    ]
    version.content_hash = content_hash
    db.session.flush()

    stage_value = {s.key: s.value for s in parsed.stages}
    strands_by_key = {s.key: s for s in version.strands}
    features_by_key = {
        f.key: f
        for f in db.session.scalars(select(Feature).where(Feature.framework_id == version.id))
    }
    wanted_features: set[str] = set()

    for s_pos, p_strand in enumerate(parsed.strands, start=1):
        strand = _kept_or_added(strands_by_key, p_strand.key, Strand, framework=version)
        _set(
            strand, position=s_pos, name=p_strand.name, short_name=p_strand.short_name,
            purpose=p_strand.purpose, what_to_look_for=list(p_strand.what_to_look_for),
            measures=p_strand.measures, evidence_sources=list(p_strand.evidence_sources), label=p_strand.label,
        )
        elements_by_key = {e.key: e for e in strand.elements}
        for e_pos, p_element in enumerate(p_strand.elements, start=1):
            element = _kept_or_added(elements_by_key, p_element.key, Element, strand=strand)
            _set(
                element, position=e_pos, name=p_element.name, label=p_element.label,
                summaries={str(stage_value[d.stage]): d.summary for d in p_element.descriptors},
            )
            db.session.flush()
            for descriptor in p_element.descriptors:
                for f_pos, p_feature in enumerate(descriptor.features, start=1):
                    wanted_features.add(p_feature.key)
                    feature = features_by_key.get(p_feature.key)
                    if feature is None:
                        feature = Feature(framework_id=version.id, key=p_feature.key)
                        features_by_key[p_feature.key] = feature
                        db.session.add(feature)
                    feature.element = element
                    feature.stage = stage_value[descriptor.stage]
                    feature.position = f_pos
                    feature.text = p_feature.text
                    feature.kind = p_feature.kind
        for gone in elements_by_key.values():
            db.session.delete(gone)
    for gone in strands_by_key.values():
        db.session.delete(gone)

    for key, feature in features_by_key.items():
        if key not in wanted_features:
            if feature_in_use(feature):
                raise core.FrameworkError(
                    "<database>", f"features.{key}", "is linked to evidence and cannot be removed"
                )
            db.session.delete(feature)
    db.session.flush()
    return LoadResult(version, created=created, changed=True)


def _kept_or_added(stored: dict, key: str, model: type, **parent):
    """The row stored under `key`, taken out of `stored` (so what is left there is what the file
    no longer has), or a new `model` row with that key under its parent, added to the session."""
    row = stored.pop(key, None)
    if row is None:
        row = model(key=key, **parent)
        db.session.add(row)
    return row


def _set(row, **values) -> None:
    """Give a row the values the file has for it."""
    for name, value in values.items():
        setattr(row, name, value)


def feature_in_use(feature: Feature) -> bool:
    """Whether any evidence links to the feature (the evidence models may not be loaded)."""
    hooks = FEATURE_IN_USE_CHECKS
    return any(check(feature) for check in hooks)


#: Other capabilities (evidence) register a check so framework loading need not import them.
FEATURE_IN_USE_CHECKS: list = []


def latest_framework() -> FrameworkVersion | None:
    return db.session.scalar(
        select(FrameworkVersion).order_by(FrameworkVersion.loaded_at.desc(), FrameworkVersion.id.desc())
    )
