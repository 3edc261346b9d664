"""Marking engine text for translation without importing Django.

The engine returns English reasons and advice. ``_`` marks a literal so that Django's
``makemessages`` (xgettext reads ``_``) extracts it into the catalogue; the web layer translates
the string when it shows it (``gettext(reason)``). The engine itself never translates: the same
inputs give the same output in any locale.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Mark ``message`` for extraction; return it unchanged."""
    return message
