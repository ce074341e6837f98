"""Load and validate maturity framework files into frozen dataclasses (stdlib and PyYAML only)."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

STAGE_KEYS = ("early", "developing", "maturing", "mature")

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")

# What a feature says about an area at its stage (DESIGN.md section 3, "Evidenced stage"): an
# achievement is something to evidence before claiming the stage; a limitation is a shortcoming
# that still holds at that stage, so evidence of it caps the evidenced stage there.
ACHIEVEMENT = "achievement"
LIMITATION = "limitation"
FEATURE_KINDS = (ACHIEVEMENT, LIMITATION)

# Annex 1's row labels ("Partnership working and governance") are short captions.
LABEL_MAX = 120

# Where a document has no more precise location for a problem.
ROOT_PATH = "(top level)"
FILE_PATH = "(file)"


class FrameworkError(ValueError):
    """A framework document that cannot be used: which file, where in it, and what is wrong."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        super().__init__(f"{file}: {path}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduce would call __init__ with the formatted message only.
        return (type(self), (self.file, self.path, self.problem))


@dataclass(frozen=True)
class Feature:
    """One discrete, checkable claim in a stage descriptor; evidence links to features."""

    key: str
    text: str
    kind: str = ACHIEVEMENT

    @property
    def is_limitation(self) -> bool:
        return self.kind == LIMITATION


@dataclass(frozen=True)
class StageDescriptor:
    """What one element looks like at one stage."""

    stage: str
    summary: str
    features: tuple[Feature, ...]


@dataclass(frozen=True)
class Element:
    """A separately rated part of a strand, described at each of the four stages."""

    key: str
    name: str
    descriptors: tuple[StageDescriptor, ...]
    #: Annex 1's row label for this element's own row, where it has one (delivery's two do)
    label: str | None = None

    def descriptor(self, stage_key: str) -> StageDescriptor:
        """The descriptor for a stage key; KeyError for an unknown stage."""
        for descriptor in self.descriptors:
            if descriptor.stage == stage_key:
                return descriptor
        raise KeyError(stage_key)


@dataclass(frozen=True)
class Strand:
    """One of the transformation strands, with its guidance and elements."""

    key: str
    name: str
    short_name: str
    purpose: str
    what_to_look_for: tuple[str, ...]
    measures: str
    evidence_sources: tuple[str, ...]
    elements: tuple[Element, ...]
    #: Annex 1's row label for the strand ("Partnership working and governance"), if any
    label: str | None = None

    def features_by_stage(self) -> dict[int, tuple[str, ...]]:
        """Map stage value (1..4) to the feature keys of all elements at that stage."""
        return {
            value: tuple(
                feature.key
                for element in self.elements
                for feature in element.descriptor(stage_key).features
            )
            for value, stage_key in enumerate(STAGE_KEYS, start=1)
        }


@dataclass(frozen=True)
class Stage:
    """One of the four maturity stages."""

    key: str
    name: str
    value: int
    summary: str


@dataclass(frozen=True)
class Source:
    """The published document the framework is adapted from, and the credit line."""

    publisher: str
    year: int
    title: str
    credit: str


@dataclass(frozen=True)
class Framework:
    """A whole, validated framework version."""

    key: str
    version: str
    title: str
    source: Source
    stages: tuple[Stage, ...]
    strands: tuple[Strand, ...]

    def stage(self, key: str) -> Stage:
        """The stage with this key; KeyError if there is none."""
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def strand(self, key: str) -> Strand:
        """The strand with this key; KeyError if there is none."""
        for strand in self.strands:
            if strand.key == key:
                return strand
        raise KeyError(key)

    def element(self, key: str) -> Element:
        """The element with this key (unique across strands); KeyError if there is none."""
        for strand in self.strands:
            for element in strand.elements:
                if element.key == key:
                    return element
        raise KeyError(key)

    def all_features(self) -> tuple[Feature, ...]:
        """Every feature in document order: strand, element, stage, position."""
        return tuple(
            feature
            for strand in self.strands
            for element in strand.elements
            for descriptor in element.descriptors
            for feature in descriptor.features
        )

    def feature(self, key: str) -> Feature:
        """The feature with this key; KeyError if there is none."""
        for feature in self.all_features():
            if feature.key == key:
                return feature
        raise KeyError(key)


# --------------------------------------------------------------------------- parsing


_TOP_KEYS = ("key", "version", "title", "source", "stages", "strands")
_SOURCE_KEYS = ("publisher", "year", "title", "credit")
_STAGE_KEYS_IN_LIST = ("key", "name", "value", "summary")
_STRAND_KEYS = (
    "key",
    "name",
    "short_name",
    "purpose",
    "what_to_look_for",
    "measures",
    "evidence_sources",
    "elements",
)
_ELEMENT_KEYS = ("key", "name", "stages")
_DESCRIPTOR_KEYS = ("summary", "features")
_FEATURE_KEYS = ("key", "text")
# Keys a mapping may leave out; everything listed above for it is required.
_STRAND_OPTIONAL = ("label",)
_ELEMENT_OPTIONAL = ("label",)
_FEATURE_OPTIONAL = ("kind",)

_STAGE_LIST = ", ".join(STAGE_KEYS)


def _describe(value: object) -> str:
    """Name a YAML value's type the way a person editing the file would."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a piece of text"
    if isinstance(value, int | float):
        return f"a number ({value})"
    return f"a value of type {type(value).__name__}"


def _child(path: str, key: str) -> str:
    return key if path == ROOT_PATH else f"{path}.{key}"


def _item(path: str, index: int) -> str:
    return f"{path}[{index}]"


class _Parser:
    """Walks one document, raising FrameworkError at the first problem found."""

    def __init__(self, file: str) -> None:
        self.file = file
        # key -> path where first seen, so a duplicate can say where the original is
        self.strand_keys: dict[str, str] = {}
        self.element_keys: dict[str, str] = {}
        self.feature_keys: dict[str, str] = {}

    def fail(self, path: str, problem: str) -> FrameworkError:
        return FrameworkError(self.file, path, problem)

    # ---- generic checks

    def mapping(
        self, value: object, path: str, allowed: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Check value is a mapping with the allowed keys (all required) and optional ones."""
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, found {_describe(value)}")
        known = allowed + optional
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be text, found {_describe(key)}")
            if key not in known:
                raise self.fail(_child(path, key), self._unknown_key_problem(key, known))
        for key in allowed:
            if key not in value:
                raise self.fail(_child(path, key), "required key is missing")
        return value

    @staticmethod
    def _unknown_key_problem(key: str, allowed: tuple[str, ...]) -> str:
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            return f"unknown key (did you mean '{close[0]}'?)"
        return f"unknown key (allowed here: {', '.join(allowed)})"

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            hint = " (put it in quotes)" if isinstance(value, int | float) else ""
            raise self.fail(path, f"must be text, found {_describe(value)}{hint}")
        if not value.strip():
            raise self.fail(path, "must not be empty")
        return value.strip()

    def key(self, value: object, path: str) -> str:
        key = self.text(value, path)
        if not KEY_PATTERN.fullmatch(key):
            raise self.fail(
                path,
                f"'{key}' is not a valid key: use lower-case letters, digits and hyphens, "
                "starting with a letter or digit",
            )
        return key

    def label(self, raw: dict[str, Any], path: str) -> str | None:
        """An optional row label: short text when present, None when left out."""
        if "label" not in raw:
            return None
        label = self.text(raw["label"], _child(path, "label"))
        if len(label) > LABEL_MAX:
            raise self.fail(
                _child(path, "label"),
                f"is {len(label)} characters long; a row label is at most {LABEL_MAX}",
            )
        return label

    def integer(self, value: object, path: str) -> int:
        # bool is an int subclass, but `year: yes` is certainly a mistake
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(path, f"must be a whole number, found {_describe(value)}")
        return value

    def sequence(self, value: object, path: str, *, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, found {_describe(value)}")
        if len(value) < min_items:
            raise self.fail(path, "must not be empty")
        return value

    def texts(self, value: object, path: str) -> tuple[str, ...]:
        items = self.sequence(value, path)
        return tuple(self.text(item, _item(path, i)) for i, item in enumerate(items))

    def unique(self, seen: dict[str, str], kind: str, key: str, path: str) -> None:
        if key in seen:
            raise self.fail(path, f"duplicate {kind} key '{key}' (first used at {seen[key]})")
        seen[key] = path

    # ---- document structure

    def framework(self, data: object) -> Framework:
        if not isinstance(data, dict):
            raise self.fail(
                ROOT_PATH,
                f"the document must be a mapping of keys to values, found {_describe(data)}",
            )
        doc = self.mapping(data, ROOT_PATH, _TOP_KEYS)
        key = self.key(doc["key"], "key")
        version = self.text(doc["version"], "version")
        title = self.text(doc["title"], "title")
        source = self.source(doc["source"], "source")
        stages = self.stages(doc["stages"], "stages")
        raw_strands = self.sequence(doc["strands"], "strands", min_items=1)
        strands = tuple(
            self.strand(item, _item("strands", i)) for i, item in enumerate(raw_strands)
        )
        return Framework(key, version, title, source, stages, strands)

    def source(self, value: object, path: str) -> Source:
        src = self.mapping(value, path, _SOURCE_KEYS)
        return Source(
            publisher=self.text(src["publisher"], _child(path, "publisher")),
            year=self.integer(src["year"], _child(path, "year")),
            title=self.text(src["title"], _child(path, "title")),
            credit=self.text(src["credit"], _child(path, "credit")),
        )

    def stages(self, value: object, path: str) -> tuple[Stage, ...]:
        items = self.sequence(value, path)
        # Scoring relies on exactly these four stages and values, so they are fixed here.
        if len(items) != len(STAGE_KEYS):
            raise self.fail(
                path,
                f"must list exactly {len(STAGE_KEYS)} stages ({_STAGE_LIST}), found {len(items)}",
            )
        stages = []
        for index, (item, expected) in enumerate(zip(items, STAGE_KEYS, strict=True)):
            item_path = _item(path, index)
            raw = self.mapping(item, item_path, _STAGE_KEYS_IN_LIST)
            key = self.key(raw["key"], _child(item_path, "key"))
            if key != expected:
                raise self.fail(
                    _child(item_path, "key"),
                    f"expected '{expected}' here, found '{key}' "
                    f"(stages must be {_STAGE_LIST}, in that order)",
                )
            stage_value = self.integer(raw["value"], _child(item_path, "value"))
            if stage_value != index + 1:
                raise self.fail(
                    _child(item_path, "value"),
                    f"must be {index + 1} for stage '{expected}', found {stage_value}",
                )
            stages.append(
                Stage(
                    key=key,
                    name=self.text(raw["name"], _child(item_path, "name")),
                    value=stage_value,
                    summary=self.text(raw["summary"], _child(item_path, "summary")),
                )
            )
        return tuple(stages)

    def strand(self, value: object, path: str) -> Strand:
        raw = self.mapping(value, path, _STRAND_KEYS, _STRAND_OPTIONAL)
        key = self.key(raw["key"], _child(path, "key"))
        self.unique(self.strand_keys, "strand", key, _child(path, "key"))
        name = self.text(raw["name"], _child(path, "name"))
        short_name = self.text(raw["short_name"], _child(path, "short_name"))
        purpose = self.text(raw["purpose"], _child(path, "purpose"))
        look_for = self.texts(raw["what_to_look_for"], _child(path, "what_to_look_for"))
        measures = self.text(raw["measures"], _child(path, "measures"))
        sources = self.texts(raw["evidence_sources"], _child(path, "evidence_sources"))
        elements_path = _child(path, "elements")
        raw_elements = self.sequence(raw["elements"], elements_path, min_items=1)
        elements = tuple(
            self.element(item, _item(elements_path, i)) for i, item in enumerate(raw_elements)
        )
        label = self.label(raw, path)
        return Strand(
            key, name, short_name, purpose, look_for, measures, sources, elements, label
        )

    def element(self, value: object, path: str) -> Element:
        raw = self.mapping(value, path, _ELEMENT_KEYS, _ELEMENT_OPTIONAL)
        key = self.key(raw["key"], _child(path, "key"))
        self.unique(self.element_keys, "element", key, _child(path, "key"))
        name = self.text(raw["name"], _child(path, "name"))
        label = self.label(raw, path)
        stages_path = _child(path, "stages")
        stages = raw["stages"]
        if not isinstance(stages, dict):
            raise self.fail(stages_path, f"must be a mapping, found {_describe(stages)}")
        for stage_key in stages:
            if stage_key not in STAGE_KEYS:
                raise self.fail(
                    _child(stages_path, str(stage_key)),
                    f"unknown stage (expected {_STAGE_LIST})",
                )
        for stage_key in STAGE_KEYS:
            if stage_key not in stages:
                raise self.fail(
                    _child(stages_path, stage_key),
                    "stage is missing (every element describes all four stages)",
                )
        # Descriptors are kept in stage order whatever order the file lists them in.
        descriptors = tuple(
            self.descriptor(stages[stage_key], stage_key, _child(stages_path, stage_key))
            for stage_key in STAGE_KEYS
        )
        return Element(key, name, descriptors, label)

    def descriptor(self, value: object, stage_key: str, path: str) -> StageDescriptor:
        raw = self.mapping(value, path, _DESCRIPTOR_KEYS)
        summary = self.text(raw["summary"], _child(path, "summary"))
        features_path = _child(path, "features")
        items = self.sequence(raw["features"], features_path)
        # An area claims a stage by evidencing its features, so a claimable stage needs some;
        # "early" is the starting point and is never claimed, so it may have none.
        if not items and stage_key != STAGE_KEYS[0]:
            raise self.fail(features_path, "must list at least one feature")
        features = tuple(
            self.feature(item, _item(features_path, i)) for i, item in enumerate(items)
        )
        # Limitations need no evidence, so a stage of limitations only would be claimed with
        # no evidence at all.
        if stage_key != STAGE_KEYS[0] and all(f.is_limitation for f in features):
            raise self.fail(
                features_path,
                f"lists only limitations; a claimable stage needs at least one feature of kind "
                f"'{ACHIEVEMENT}' to evidence",
            )
        return StageDescriptor(stage_key, summary, features)

    def feature(self, value: object, path: str) -> Feature:
        raw = self.mapping(value, path, _FEATURE_KEYS, _FEATURE_OPTIONAL)
        key = self.key(raw["key"], _child(path, "key"))
        self.unique(self.feature_keys, "feature", key, _child(path, "key"))
        kind = ACHIEVEMENT
        if "kind" in raw:
            kind = self.text(raw["kind"], _child(path, "kind"))
            if kind not in FEATURE_KINDS:
                raise self.fail(
                    _child(path, "kind"),
                    f"unknown kind '{kind}' (expected {' or '.join(FEATURE_KINDS)}; "
                    f"leave it out for {ACHIEVEMENT})",
                )
        return Feature(key, self.text(raw["text"], _child(path, "text")), kind)


def parse_framework(data: object, file: str = "<data>") -> Framework:
    """Validate an already-parsed document and build the Framework; FrameworkError if invalid."""
    return _Parser(file).framework(data)


# --------------------------------------------------------------------------- YAML


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys, which PyYAML would silently overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            # Merge keys (<<) may legitimately be overridden, so only plain keys are checked.
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                first = seen[key]
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (first at line {first.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _yaml_error(file: str, error: yaml.YAMLError) -> FrameworkError:
    """Turn a PyYAML error into a FrameworkError that names the line and column."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else FILE_PATH
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return FrameworkError(file, where, f"YAML syntax error: {detail}")


def load_framework(path: str | os.PathLike[str]) -> Framework:
    """Read a framework YAML file and validate it; every problem becomes a FrameworkError."""
    file_path = Path(path)
    # Errors name the file, not its directory: they are shown to administrators in the UI.
    name = file_path.name
    try:
        text = file_path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FrameworkError(name, FILE_PATH, "is not valid UTF-8 text") from None
    except OSError as exc:
        raise FrameworkError(name, FILE_PATH, f"cannot be read: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _yaml_error(name, exc) from None
    return parse_framework(data, file=name)
