"""How sure the evidence behind a rule or a piece of content is."""

from __future__ import annotations

from enum import StrEnum


class Certainty(StrEnum):
    """The confidence markers of the project's clinical facts, shown beside every rule."""

    SRC = "src"  # read in the primary source or its abstract
    SEC = "sec"  # from a secondary source
    UNCERTAIN = "uncertain"  # recalled or partly retrieved: verify before relying on it
    SYNTHESIS = "synthesis"  # our own engineering proposal built from the sources
