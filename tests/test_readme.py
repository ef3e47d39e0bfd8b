"""The README's CLI reference is generated from the commands' help, and kept in sync."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import sys
import time
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


def _tour_block(title: str) -> list[str]:
    """The commands of the README's code block that follows the paragraph ``title``."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(title) :].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_pdf_docx_and_web_tour_runs_as_written(tmp_path: Path) -> None:
    """Each line of the tour, in a copy of the repository's data, against its own server."""
    commands = _tour_block("PDF, Word and web addresses")
    shutil.copytree(README.parent / "data", tmp_path / "data")
    server: subprocess.Popen[bytes] | None = None
    outputs = []
    try:
        for command in commands:
            if command.startswith("python3 -m http.server"):
                args = shlex.split(command.rstrip("&").strip())
                server = subprocess.Popen([sys.executable, *args[1:]], cwd=tmp_path)
                port = int(args[3])
                _wait_for(port)
                continue
            result = subprocess.run(
                command.replace("provenance ", f"{Path(sys.executable).parent / 'provenance'} ", 1),
                shell=True,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, (command, result.stderr)
            outputs.append(result.stdout)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    assert "bmc_jtmo_2010_dvt_prophylaxis_excerpt.pdf: new, version 1" in outputs[0]
    assert "press_release.docx: new, version 1" in outputs[1]
    assert "mental_exercise_dementia.pdf: new, version 1" in outputs[2]
    assert "mental_exercise_dementia.pdf: unchanged (version 1)" in outputs[3]
    assert "1 document(s): 1 new" in outputs[5]


def _wait_for(port: int) -> None:
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"no server on port {port}")
