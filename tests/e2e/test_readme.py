"""README.md shows real output: the example report and the bad-input example are what the
command prints today. Run `python tests/e2e/test_readme.py` to refresh the README."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from backcare import cli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"(<!-- example-report -->\n).*?(<!-- /example-report -->)", re.S)


def example_report() -> str:
    out = io.StringIO()
    cli.main(["assess", str(ROOT / "docs" / "examples" / "example-physio.json")], out=out)
    return out.getvalue()


def readme_with_example(text: str) -> str:
    block = "```text\n" + example_report() + "```\n"
    return BLOCK.sub(lambda m: m.group(1) + block + m.group(2), text)


def test_the_readme_example_report_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert BLOCK.search(text), "README.md lost its example-report markers"
    assert readme_with_example(text) == text, "run: python tests/e2e/test_readme.py"


def test_the_readme_bad_input_example_is_what_the_command_prints(capsys) -> None:
    text = README.read_text(encoding="utf-8")
    example = re.search(r"\$ echo '(.*)' \| backcare assess -\n(.*?)\n```", text, re.S)
    assert example, "README.md lost its bad-input example"
    document, expected = example.group(1), example.group(2).splitlines()
    status = cli.main(["assess", "-"], out=io.StringIO(), stdin=io.StringIO(document))
    assert status == 2
    assert capsys.readouterr().err.splitlines() == expected


if __name__ == "__main__":
    README.write_text(readme_with_example(README.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
