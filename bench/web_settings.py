"""Settings for bench/web.py only: backcare's own settings, with the floor views mounted.

The floor views live in bench/floor_views.py so the product carries no benchmark code. The
server runs exactly as ``backcare serve`` does otherwise: same middleware, sessions, DEBUG off.
"""

from __future__ import annotations

from backcare.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
