"""``backcare export_fhir EPISODE_ID [--output FILE]``: an episode of care as a FHIR R4 Bundle.

Writes the bundle (JSON, docs/fhir.md) to FILE, or to standard output. The read is audited as
done by the system (no user). An unknown episode id is one line on standard error, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backcare.care.actions import Action, _audit
from backcare.care.models import Episode
from backcare.exports.fhir import episode_bundle

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Export an episode of care as a FHIR R4 Bundle (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("episode_id", help="the id of the episode of care")
        parser.add_argument("--output", "-o", metavar="FILE", help="write here (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["episode_id"])
        episode = None
        if raw.isdigit():
            episode = Episode.objects.select_related("patient").filter(pk=int(raw)).first()
        if episode is None:
            raise CommandError(
                f"no episode of care with id {raw!r}; give the number of an existing episode",
                returncode=EXIT_BAD_INPUT,
            )
        bundle = episode_bundle(episode)
        text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
        output = options.get("output")
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as err:
                raise CommandError(
                    f"cannot write {output}: {err.strerror}", returncode=EXIT_BAD_INPUT
                ) from None
        else:
            self.stdout.write(text, ending="")
        _audit(who=None, action=Action.READ, obj=episode, at=timezone.now(),
               patient=episode.patient, detail={"fhir_export": output or "stdout"})  # fmt: skip
