"""Unit tests of the framework loader and of the shipped early-help-2016 framework file."""

import copy
import dataclasses
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from maturity.core.framework import (
    STAGE_KEYS,
    Framework,
    FrameworkError,
    load_framework,
    parse_framework,
)

FRAMEWORK_FILE = Path(__file__).resolve().parents[2] / "seed" / "framework" / "early-help-2016.yaml"
FILE = "early-help-2016.yaml"


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework(FRAMEWORK_FILE)


@pytest.fixture(scope="module")
def raw_doc() -> dict[str, Any]:
    """The real file as plain data; each bad-document case breaks a deep copy of it."""
    return yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the real file


def test_real_file_loads_with_six_strands_in_order(framework: Framework) -> None:
    assert framework.key == "early-help-2016"
    assert framework.version == "2016"
    assert [s.key for s in framework.strands] == [
        "family-experience",
        "leadership",
        "strategy",
        "culture",
        "workforce-development",
        "delivery",
    ]
    assert framework.strand("delivery").name == "Delivery structures and processes"
    assert (
        framework.strand("family-experience").name
        == "The family experience of transformed services"
    )


def test_real_file_stages(framework: Framework) -> None:
    assert [(s.key, s.name, s.value) for s in framework.stages] == [
        ("early", "Early", 1),
        ("developing", "Developing", 2),
        ("maturing", "Maturing", 3),
        ("mature", "Mature", 4),
    ]
    assert framework.stage("maturing").value == 3


@pytest.mark.parametrize(
    ("strand_key", "element_names"),
    [
        ("family-experience", ["The family experience of transformed services"]),
        (
            "leadership",
            [
                "Local determination",
                "Partners committed",
                "Evidence of demand management",
                "Links to wider transformation programmes",
            ],
        ),
        ("strategy", ["Strategy"]),
        ("culture", ["Culture"]),
        (
            "workforce-development",
            [
                "Training and development",
                "Performance objectives",
                "Shared opportunities across the workforce",
                "Keyworker/frontline worker view of services",
            ],
        ),
        ("delivery", ["Delivery structures", "Delivery processes"]),
    ],
)
def test_real_file_elements(
    framework: Framework, strand_key: str, element_names: list[str]
) -> None:
    assert [e.name for e in framework.strand(strand_key).elements] == element_names


def test_real_file_every_claimable_stage_has_features(framework: Framework) -> None:
    for strand in framework.strands:
        for element in strand.elements:
            assert [d.stage for d in element.descriptors] == list(STAGE_KEYS)
            for stage_key in STAGE_KEYS[1:]:
                assert element.descriptor(stage_key).features, (element.key, stage_key)


def test_real_file_tags_every_feature_and_splits_mixed_ones(framework: Framework) -> None:
    features = {f.key: f for f in framework.all_features()}
    assert len(features) == 212  # the toolkit's 208, four of them split in two
    kinds = {f.kind for f in features.values()}
    assert kinds == {"achievement", "limitation"}
    # Every early feature is the starting point; the named shortcomings are limitations.
    assert all(f.is_limitation for k, f in features.items() if "-early-" in k)
    for key in ("fe-dev-4", "fe-dev-8", "lead-ld-dev-2", "cul-dev-6", "lead-ld-mat-2", "del-dp-mat-3"):
        assert features[key].is_limitation, key
    for kept, added in (
        ("lead-pc-dev-2", "lead-pc-dev-4"),
        ("lead-pc-mat-2", "lead-pc-mat-4"),
        ("cul-dev-4", "cul-dev-7"),
        ("wf-fv-dev-4", "wf-fv-dev-5"),
    ):
        assert not features[kept].is_limitation and features[added].is_limitation
    for strand in framework.strands:
        for element in strand.elements:
            for descriptor in element.descriptors[1:]:
                assert any(not f.is_limitation for f in descriptor.features), element.key


def test_real_file_row_labels(framework: Framework) -> None:
    assert framework.strand("leadership").label == "Partnership working and governance"
    assert framework.strand("family-experience").label is None
    assert framework.element("delivery-processes").label == (
        "Tools and approaches to identify and work with complex families"
    )


def test_real_file_keys_are_unique(framework: Framework) -> None:
    feature_keys = [f.key for f in framework.all_features()]
    element_keys = [e.key for s in framework.strands for e in s.elements]
    assert len(feature_keys) == len(set(feature_keys))
    assert len(element_keys) == len(set(element_keys))
    assert len(feature_keys) > 150


def test_real_file_text_fits_a_projector(framework: Framework) -> None:
    for strand in framework.strands:
        assert strand.purpose and strand.measures
        assert strand.what_to_look_for and strand.evidence_sources
        for element in strand.elements:
            for descriptor in element.descriptors:
                assert len(descriptor.summary) <= 140, (element.key, descriptor.stage)
                for feature in descriptor.features:
                    assert len(feature.text) <= 200, feature.key
    for stage in framework.stages:
        assert len(stage.summary) <= 140


def test_real_file_credits_the_source(framework: Framework) -> None:
    assert framework.source.year == 2016
    assert "DCLG" in framework.source.publisher
    assert "Open Government Licence" in framework.source.credit


def test_features_by_stage_covers_all_elements(framework: Framework) -> None:
    delivery = framework.strand("delivery")
    by_stage = delivery.features_by_stage()
    assert sorted(by_stage) == [1, 2, 3, 4]
    structures = framework.element("delivery-structures").descriptor("maturing").features
    processes = framework.element("delivery-processes").descriptor("maturing").features
    assert by_stage[3] == tuple(f.key for f in structures + processes)


def test_lookups(framework: Framework) -> None:
    first = framework.all_features()[0]
    assert framework.feature(first.key) is first
    with pytest.raises(KeyError):
        framework.strand("nope")
    with pytest.raises(KeyError):
        framework.element("nope")
    with pytest.raises(KeyError):
        framework.element("leadership")  # a strand key; leadership's elements have their own
    with pytest.raises(KeyError):
        framework.element("local-determination").descriptor("emerging")


def test_framework_is_frozen_and_hashable(framework: Framework) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        framework.title = "changed"  # type: ignore[misc]
    assert hash(framework) == hash(load_framework(FRAMEWORK_FILE))


def test_early_stage_may_have_no_features(raw_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(raw_doc)
    doc["strands"][2]["elements"][0]["stages"]["early"]["features"] = []
    parsed = parse_framework(doc, FILE)
    assert parsed.element("strategy").descriptor("early").features == ()


def test_element_stage_order_in_file_does_not_matter(raw_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(raw_doc)
    stages = doc["strands"][3]["elements"][0]["stages"]
    doc["strands"][3]["elements"][0]["stages"] = dict(reversed(list(stages.items())))
    parsed = parse_framework(doc, FILE)
    assert [d.stage for d in parsed.element("culture").descriptors] == list(STAGE_KEYS)


# --------------------------------------------------------------------------- bad documents

Breaker = Callable[[dict[str, Any]], None]


def _dup_strand_key(doc: dict[str, Any]) -> None:
    doc["strands"][1]["key"] = "family-experience"


def _dup_element_key(doc: dict[str, Any]) -> None:
    doc["strands"][5]["elements"][1]["key"] = "delivery-structures"


def _dup_feature_key(doc: dict[str, Any]) -> None:
    first = doc["strands"][0]["elements"][0]["stages"]["early"]["features"][0]["key"]
    doc["strands"][2]["elements"][0]["stages"]["developing"]["features"][1]["key"] = first


def _missing_stage(doc: dict[str, Any]) -> None:
    del doc["strands"][0]["elements"][0]["stages"]["maturing"]


def _unknown_stage(doc: dict[str, Any]) -> None:
    stages = doc["strands"][1]["elements"][2]["stages"]
    stages["emerging"] = copy.deepcopy(stages["developing"])


def _no_features(doc: dict[str, Any]) -> None:
    doc["strands"][2]["elements"][0]["stages"]["maturing"]["features"] = []


def _stage_order(doc: dict[str, Any]) -> None:
    stages = doc["stages"]
    stages[1], stages[2] = stages[2], stages[1]


def _three_stages(doc: dict[str, Any]) -> None:
    del doc["stages"][3]


def _stage_value(doc: dict[str, Any]) -> None:
    doc["stages"][0]["value"] = 0


def _version_number(doc: dict[str, Any]) -> None:
    doc["version"] = 2016


def _year_text(doc: dict[str, Any]) -> None:
    doc["source"]["year"] = "2016"


def _look_for_text(doc: dict[str, Any]) -> None:
    doc["strands"][0]["what_to_look_for"] = "one worker, one family, one plan"


def _features_mapping(doc: dict[str, Any]) -> None:
    doc["strands"][4]["elements"][3]["stages"]["mature"]["features"] = {"key": "x", "text": "y"}


def _empty_purpose(doc: dict[str, Any]) -> None:
    doc["strands"][3]["purpose"] = "   "


def _missing_measures(doc: dict[str, Any]) -> None:
    del doc["strands"][4]["measures"]


def _unknown_strand_key(doc: dict[str, Any]) -> None:
    doc["strands"][0]["purpse"] = doc["strands"][0].pop("purpose")


def _unknown_top_key(doc: dict[str, Any]) -> None:
    doc["licence"] = "OGL"


def _unknown_feature_key(doc: dict[str, Any]) -> None:
    doc["strands"][1]["elements"][0]["stages"]["mature"]["features"][0]["stage"] = 4


def _bad_strand_key(doc: dict[str, Any]) -> None:
    doc["strands"][1]["key"] = "Leadership"


def _bad_feature_key(doc: dict[str, Any]) -> None:
    doc["strands"][0]["elements"][0]["stages"]["developing"]["features"][0]["key"] = "fe dev 1"


def _no_strands(doc: dict[str, Any]) -> None:
    doc["strands"] = []


def _bad_kind(doc: dict[str, Any]) -> None:
    doc["strands"][0]["elements"][0]["stages"]["developing"]["features"][0]["kind"] = "weakness"


def _only_limitations(doc: dict[str, Any]) -> None:
    for feature in doc["strands"][2]["elements"][0]["stages"]["developing"]["features"]:
        feature["kind"] = "limitation"


def _label_not_text(doc: dict[str, Any]) -> None:
    doc["strands"][1]["label"] = ["Partnership working"]


def _label_too_long(doc: dict[str, Any]) -> None:
    doc["strands"][5]["elements"][1]["label"] = "x" * 121


def _label_on_feature(doc: dict[str, Any]) -> None:
    doc["strands"][0]["elements"][0]["stages"]["mature"]["features"][0]["label"] = "Row"


BAD_DOCUMENTS: list[tuple[str, Breaker, str, str]] = [
    (
        "unknown feature kind",
        _bad_kind,
        "strands[0].elements[0].stages.developing.features[0].kind",
        "unknown kind 'weakness' (expected achievement or limitation",
    ),
    (
        "claimable stage of limitations only",
        _only_limitations,
        "strands[2].elements[0].stages.developing.features",
        "lists only limitations",
    ),
    ("label not text", _label_not_text, "strands[1].label", "must be text, found a list"),
    (
        "label too long",
        _label_too_long,
        "strands[5].elements[1].label",
        "a row label is at most 120",
    ),
    (
        "label on a feature",
        _label_on_feature,
        "strands[0].elements[0].stages.mature.features[0].label",
        "unknown key",
    ),
    # (case id, how to break the real document, expected path, expected problem fragment)
    (
        "duplicate strand key",
        _dup_strand_key,
        "strands[1].key",
        "duplicate strand key 'family-experience' (first used at strands[0].key)",
    ),
    (
        "duplicate element key",
        _dup_element_key,
        "strands[5].elements[1].key",
        "duplicate element key 'delivery-structures' (first used at strands[5].elements[0].key)",
    ),
    (
        "duplicate feature key",
        _dup_feature_key,
        "strands[2].elements[0].stages.developing.features[1].key",
        "duplicate feature key 'fe-early-1' "
        "(first used at strands[0].elements[0].stages.early.features[0].key)",
    ),
    ("missing stage", _missing_stage, "strands[0].elements[0].stages.maturing", "stage is missing"),
    (
        "unknown stage",
        _unknown_stage,
        "strands[1].elements[2].stages.emerging",
        "unknown stage (expected early, developing, maturing, mature)",
    ),
    (
        "non-early stage without features",
        _no_features,
        "strands[2].elements[0].stages.maturing.features",
        "must list at least one feature",
    ),
    (
        "wrong stage order",
        _stage_order,
        "stages[1].key",
        "expected 'developing' here, found 'maturing'",
    ),
    ("three stages", _three_stages, "stages", "must list exactly 4 stages"),
    ("wrong stage value", _stage_value, "stages[0].value", "must be 1 for stage 'early', found 0"),
    ("version as a number", _version_number, "version", "must be text, found a number (2016)"),
    ("year as text", _year_text, "source.year", "must be a whole number, found a piece of text"),
    (
        "list given as text",
        _look_for_text,
        "strands[0].what_to_look_for",
        "must be a list, found a piece of text",
    ),
    (
        "features as a mapping",
        _features_mapping,
        "strands[4].elements[3].stages.mature.features",
        "must be a list, found a mapping",
    ),
    ("blank text", _empty_purpose, "strands[3].purpose", "must not be empty"),
    ("missing key", _missing_measures, "strands[4].measures", "required key is missing"),
    (
        "misspelt key",
        _unknown_strand_key,
        "strands[0].purpse",
        "unknown key (did you mean 'purpose'?)",
    ),
    ("unknown top-level key", _unknown_top_key, "licence", "unknown key (allowed here: "),
    (
        "unknown feature key",
        _unknown_feature_key,
        "strands[1].elements[0].stages.mature.features[0].stage",
        "unknown key",
    ),
    ("bad strand key format", _bad_strand_key, "strands[1].key", "'Leadership' is not a valid key"),
    (
        "bad feature key format",
        _bad_feature_key,
        "strands[0].elements[0].stages.developing.features[0].key",
        "'fe dev 1' is not a valid key",
    ),
    ("no strands", _no_strands, "strands", "must not be empty"),
]


@pytest.mark.parametrize(
    ("breaker", "path", "fragment"),
    [pytest.param(b, p, f, id=case) for case, b, p, f in BAD_DOCUMENTS],
)
def test_bad_document(raw_doc: dict[str, Any], breaker: Breaker, path: str, fragment: str) -> None:
    doc = copy.deepcopy(raw_doc)
    breaker(doc)
    with pytest.raises(FrameworkError) as caught:
        parse_framework(doc, FILE)
    error = caught.value
    assert error.file == FILE
    assert error.path == path
    assert fragment in error.problem
    assert str(error) == f"{FILE}: {path}: {error.problem}"


def test_message_format_is_file_path_problem(raw_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(raw_doc)
    _no_features(doc)
    with pytest.raises(FrameworkError) as caught:
        parse_framework(doc, FILE)
    assert str(caught.value) == (
        "early-help-2016.yaml: strands[2].elements[0].stages.maturing.features: "
        "must list at least one feature"
    )
    assert isinstance(caught.value, ValueError)


def test_first_error_is_reported(raw_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(raw_doc)
    _no_features(doc)  # strands[2]
    _dup_strand_key(doc)  # strands[1]: earlier in the document, so reported
    with pytest.raises(FrameworkError) as caught:
        parse_framework(doc, FILE)
    assert caught.value.path == "strands[1].key"


@pytest.mark.parametrize("data", [["a", "list"], "text", 42, None])
def test_not_a_mapping(data: object) -> None:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data, FILE)
    assert caught.value.path == "(top level)"
    assert "must be a mapping" in caught.value.problem


def test_default_file_name() -> None:
    with pytest.raises(FrameworkError) as caught:
        parse_framework([])
    assert str(caught.value).startswith("<data>: (top level): ")


def test_error_survives_pickling() -> None:
    error = FrameworkError("f.yaml", "strands[0].key", "bad")
    copy_ = pickle.loads(pickle.dumps(error))
    assert (copy_.file, copy_.path, copy_.problem) == ("f.yaml", "strands[0].key", "bad")


# --------------------------------------------------------------------------- files


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text('key: early-help-2016\nversion: "2016"\nstrands: [\n  - key: x\n', "utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(bad)
    error = caught.value
    assert error.file == "broken.yaml"
    assert error.path.startswith("line ")
    assert error.problem.startswith("YAML syntax error: ")
    assert str(error).startswith("broken.yaml: line ")


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "dup.yaml"
    bad.write_text("key: a\ntitle: one\ntitle: two\n", "utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(bad)
    assert caught.value.path == "line 3, column 1"
    assert "duplicate key 'title' (first at line 2)" in caught.value.problem


def test_empty_file_is_not_a_mapping(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", "utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(empty)
    assert (caught.value.file, caught.value.path) == ("empty.yaml", "(top level)")


def test_list_file_is_not_a_mapping(tmp_path: Path) -> None:
    listed = tmp_path / "list.yaml"
    listed.write_text("- one\n- two\n", "utf-8")
    with pytest.raises(FrameworkError, match=r"^list\.yaml: \(top level\): .*found a list"):
        load_framework(listed)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework(tmp_path / "absent.yaml")
    assert (caught.value.file, caught.value.path) == ("absent.yaml", "(file)")
    assert caught.value.problem.startswith("cannot be read")


def test_not_utf8(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(FrameworkError, match="not valid UTF-8"):
        load_framework(latin)


def test_round_trip_through_a_copy_on_disk(tmp_path: Path, raw_doc: dict[str, Any]) -> None:
    copy_file = tmp_path / "copy.yaml"
    copy_file.write_text(yaml.safe_dump(raw_doc, sort_keys=False, allow_unicode=True), "utf-8")
    assert load_framework(str(copy_file)) == load_framework(FRAMEWORK_FILE)
