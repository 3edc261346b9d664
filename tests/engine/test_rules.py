"""The clinician-facing rule documents are generated from the engine's own tables."""

from __future__ import annotations

from backcare.engine import ENGINE_VERSION, triage
from backcare.engine.rules import rule_documents


def test_every_document_says_it_is_generated_and_which_engine_made_it() -> None:
    docs = rule_documents()
    assert set(docs) == {
        "README.md",
        "triage.md",
        "classification.md",
        "scoring.md",
        "exercises.md",
        "education.md",
        "progression.md",
        "plans.md",
    }
    for name, text in docs.items():
        assert "do not edit by hand" in text, name
        assert ENGINE_VERSION in text, name
        assert text.count("\n# ") == 0 and text.startswith("# "), f"{name}: one top heading"


def test_the_index_links_every_document() -> None:
    docs = rule_documents()
    for name in docs:
        if name != "README.md":
            assert f"]({name})" in docs["README.md"]


def test_every_red_flag_rule_appears_with_its_source() -> None:
    text = rule_documents()["triage.md"]
    for rule in triage.RULES:
        assert f"| {rule.id} |" in text
        assert rule.source.split(";")[0] in text
