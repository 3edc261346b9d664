"""The self-check's questions and step form: they live in ``backcare.care.screening``, because
the clinicians' pages ask the same red-flag questions (import from there in new code)."""

from __future__ import annotations

from backcare.care.screening import (
    QUESTION_BY_PATH,
    QUESTIONS,
    STEP_BY_SLUG,
    STEPS,
    UNSURE,
    Answer,
    Question,
    Step,
    StepForm,
    intake_document,
)

__all__ = [
    "QUESTIONS",
    "QUESTION_BY_PATH",
    "STEPS",
    "STEP_BY_SLUG",
    "UNSURE",
    "Answer",
    "Question",
    "Step",
    "StepForm",
    "intake_document",
]
