"""The exercise illustrations as files: one still and one animation per exercise, and a gallery.

``gallery_files(catalog)`` returns file name -> text; ``backcare content render OUT_DIR``
writes them. Each SVG scales to any size (thumbnail, page, print) from its viewBox.
"""

from __future__ import annotations

from html import escape

from .catalog import Catalog, Exercise
from .figures import parse_figure, render_animation, render_still
from .i18n import _


def exercise_svgs(exercise: Exercise) -> tuple[str, str]:
    """(still, animation) SVG text for one exercise, titled and described from its own data."""
    figure = parse_figure(exercise.figure, f"exercises/{exercise.id}.toml: figure")
    title, desc = exercise.name, exercise.instructions[0]
    return (
        render_still(figure, title=title, desc=desc),
        render_animation(figure, title=title, desc=desc),
    )


_STYLE = """
body { font: 16px/1.4 system-ui, sans-serif; margin: 1rem; color: #1b1b1b; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1rem; }
article { border: 1px solid #b8b8b8; border-radius: 6px; padding: 0.75rem; }
h2 { font-size: 1.05rem; margin: 0 0 0.25rem; }
p { margin: 0.25rem 0; font-size: 0.9rem; }
img { width: 100%; height: auto; display: block; }
.still { margin-top: 0.5rem; border-top: 1px dashed #ccc; padding-top: 0.5rem; }
"""


def gallery_files(catalog: Catalog) -> dict[str, str]:
    """Every exercise's ``<id>.svg`` (animation) and ``<id>-still.svg``, plus ``index.html``."""
    files: dict[str, str] = {}
    cards = []
    for exercise in catalog.exercises.values():
        still, animation = exercise_svgs(exercise)
        files[f"{exercise.id}.svg"] = animation
        files[f"{exercise.id}-still.svg"] = still
        aims = ", ".join(aim.replace("_", " ") for aim in exercise.aims)
        name = escape(exercise.name)
        cards.append(
            f'<article id="{exercise.id}"><h2>{name}</h2>'
            f"<p>{escape(exercise.summary)}</p>"
            f"<p>{escape(_('Aims'))}: {escape(aims)}. "
            f"{escape(_('Position'))}: {escape(exercise.position.replace('_', ' '))}.</p>"
            f'<img src="{exercise.id}.svg" alt="{name}: {escape(_("moving"))}">'
            f'<img class="still" src="{exercise.id}-still.svg" '
            f'alt="{name}: {escape(_("start and end positions"))}"></article>'
        )
    heading = escape(_("backcare exercise illustrations"))
    intro = escape(
        _("{count} exercises, content version {version}. Drawn from each exercise's own data.")
    ).format(count=len(catalog.exercises), version=escape(catalog.version))
    files["index.html"] = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{heading}</h1><p>{intro}</p><main>{''.join(cards)}</main></body></html>\n"
    )
    return files
