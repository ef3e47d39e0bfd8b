"""The README's CLI reference is generated from the commands' help, and kept in sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_cli_reference_in_readme_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", str(README)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, "README is stale: run cog -r README.md\n" + result.stdout


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
