"""The answers of docs/examples/example-physio.json, step by step, as a person enters them in
the intake at home: the values of each step's form fields (tests/web and tests/browser)."""

from __future__ import annotations

from typing import Any

WALK: dict[str, dict[str, Any]] = {
    "about-you": {"age": "47", "sex": "female"},
    "your-pain": {
        "pain_areas": ["low_back", "buttock", "thigh"],
        "how_long": "3",
        "how_long_unit": "weeks",
        "onset": "gradual",
        "trend": "same",
        "leg_symptoms": "one_leg",
    },
    "what-changes-it": {
        "worse_with": ["bending_forward", "sitting"],
        "better_with": ["walking", "lying_down"],
        "night_pain": "with_movement",
        "morning_stiffness_minutes": "20",
    },
    "before-now": {
        "previous_episodes": "2",
        "had_care": "yes",
        "care_weeks": "2",
        "care_response": "not_improving",
        "daily_activities_hard": "yes",
    },
    "safety-nerves": {
        "saddle_numbness": "no",
        "bladder": "normal",
        "bowel_incontinence": "no",
        "new_sexual_dysfunction": "no",
    },
    "safety-legs": {
        "leg_weakness": "none",
        "leg_numbness": "one_leg",
        "walking_difficulty_new": "no",
    },
    "safety-unwell": {
        "fever_or_chills": "no",
        "systemically_unwell": "no",
        "unexplained_weight_loss": "no",
        "abdominal_pulsation": "no",
        "thoracic_pain": "no",
        "pain_unchanged": "no",
    },
    "health": {
        "cancer": "none",
        "long_term_steroids": "no",
        "osteoporosis": "no",
        "immunosuppressed": "no",
        "iv_drug_use": "no",
        "recent_spinal_procedure": "no",
        "recent_bacterial_infection": "no",
        "previous_spinal_surgery": "no",
    },
    "health-more": {
        "diabetes": "no",
        "smoker": "no",
        "vascular_disease": "no",
        "family_history_spondyloarthritis": "no",
        "psoriasis": "no",
        "inflammatory_bowel_disease": "no",
        "uveitis": "no",
    },
    "pain-scores": {
        "item_1": "6",
        "pain_worst_24h": "8",
        "pain_best_24h": "3",
        "leg_pain_now": "4",
    },
    "daily-life": {  # ODI; section 8 left out
        f"item_{n}": v for n, v in enumerate(["2", "1", "3", "2", "2", "1", "1", "", "2", "1"], 1)
    },
    "thoughts-and-feelings": {  # STarT Back
        **{
            f"item_{n}": v
            for n, v in enumerate(
                ["true", "false", "true", "true", "false", "false", "true", "false"], 1
            )
        },
        "item_9": "very_much",
    },
    "activities": {
        "activity_1": "lifting my daughter",
        "score_1": "3",
        "activity_2": "sitting through a meeting",
        "score_2": "4",
        "activity_3": "gardening",
        "score_3": "2",
    },
    "activity-and-work": {  # FABQ
        f"item_{n}": str(v)
        for n, v in enumerate([3, 4, 3, 2, 3, 2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 1], 1)
    },
    "preferences": {
        "wants_drug_free_care": "yes",
        "equipment": ["mat", "chair"],
        "avoid_positions": ["nothing"],
        "minutes_per_day": "20",
        "clinic_sessions_per_week": "2",
    },
    "goals": {"goal_1": "lift my daughter without pain", "goal_2": "run 5 km again", "goal_3": ""},
}
