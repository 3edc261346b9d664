"""``backcare import_fhir FILE --clinic ID --by USERNAME``: store an episode bundle made by
backcare (export_fhir, the API) as a new patient of a clinic.

Prints the new episode's id. A bad file, clinic or user, or a bundle that breaks the profile:
every problem on standard error (one a line), exit 2, nothing stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backcare.accounts.models import User
from backcare.care.actions import ActionRefused
from backcare.care.models import Clinic
from backcare.exports.fhir_import import InvalidBundle, import_bundle

EXIT_BAD_INPUT = 2


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_BAD_INPUT)


class Command(BaseCommand):
    help = "Import a FHIR R4 episode bundle made by backcare as a new patient of a clinic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the bundle (JSON); - reads standard input")
        parser.add_argument("--clinic", required=True, help="the id of the importing clinic")
        parser.add_argument("--by", required=True, metavar="USERNAME",
                            help="a clinician or administrator of that clinic")  # fmt: skip
        parser.add_argument("--clinician", metavar="USERNAME",
                            help="the patient's clinician (default: --by, a clinician)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            text = self.stdin_text() if name == "-" else Path(name).read_text(encoding="utf-8")
            bundle = json.loads(text)
        except OSError as err:
            raise _refuse(f"cannot read {name}: {err.strerror}") from None
        except ValueError as err:
            raise _refuse(f"{name} is not JSON ({err}); give a FHIR Bundle") from None
        clinic_id = str(options["clinic"])
        clinic = Clinic.objects.filter(pk=int(clinic_id)).first() if clinic_id.isdigit() else None
        if clinic is None:
            raise _refuse(f"no clinic with id {clinic_id!r}")
        by = User.objects.filter(username=options["by"]).first()
        if by is None:
            raise _refuse(f"no user {options['by']!r}")
        clinician = None
        if options.get("clinician"):
            clinician = User.objects.filter(username=options["clinician"]).first()
            if clinician is None:
                raise _refuse(f"no user {options['clinician']!r}")
        try:
            episode = import_bundle(bundle, clinic=clinic, by=by, clinician=clinician)
        except InvalidBundle as err:
            raise _refuse(f"the bundle cannot be imported:\n{err}") from None
        except ActionRefused as err:
            raise _refuse(str(err)) from None
        self.stdout.write(f"{episode.pk}\n", ending="")

    def stdin_text(self) -> str:
        import sys

        return sys.stdin.read()
