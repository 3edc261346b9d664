"""Storage for the care pathway (no models yet).

This app will hold the records that the rest of backcare works on: people and their episodes of
back pain, the intake documents and the assessments the engine made from them (each stamped with
the engine and content versions that produced it), plans, session notes, home-exercise logs and
clinician overrides with their reasons. Every write will go through ``care/actions.py``; reads
will be QuerySet methods with dates passed in.
"""

from __future__ import annotations
