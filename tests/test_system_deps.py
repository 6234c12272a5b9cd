"""The test command on any Linux: Debian packages installed where it can, tests skipped with a reason where not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, need_system

SCRIPT = ROOT / "scripts" / "system-deps.sh"


def test_without_apt_get_the_script_names_what_it_could_not_install_and_succeeds(tmp_path: Path) -> None:
    """No apt-get (another distribution): exit 0, the packages on stdout for scripts/test.sh, a note on stderr."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("id", "grep"):  # what the script itself runs; no chromium, rapper, curl, apt-get, …
        (bin_ / tool).symlink_to(next(Path(d) / tool for d in ("/usr/bin", "/bin") if (Path(d) / tool).exists()))
    done = subprocess.run(["/bin/bash", str(SCRIPT)], env={"PATH": str(bin_)}, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    packages = done.stdout.split()
    for package in ("chromium", "raptor2-utils", "curl", "virtuoso-opensource", "openjdk-17-jdk-headless",
                    "fonts-wqy-zenhei"):
        assert package in packages
    assert "cannot install" in done.stderr and "tests that need them will skip" in done.stderr


def test_a_missing_tool_skips_only_where_the_script_could_not_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    need_system(True, "chromium", "chromium")  # present: nothing happens
    monkeypatch.setenv("CCUS_KG_UNINSTALLABLE", "curl chromium")
    with pytest.raises(pytest.skip.Exception, match="could not install chromium on this machine"):
        need_system(False, "chromium", "chromium")
    monkeypatch.setenv("CCUS_KG_UNINSTALLABLE", "")  # Debian as root (CI): everything installed, so a gap fails
    with pytest.raises(pytest.fail.Exception, match=r"chromium is missing: run scripts/system-deps\.sh"):
        need_system(False, "chromium", "chromium")


def test_the_test_command_passes_the_list_on_and_prints_skip_reasons() -> None:
    text = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert 'CCUS_KG_UNINSTALLABLE="$(bash scripts/system-deps.sh)"' in text
    assert "export CCUS_KG_UNINSTALLABLE" in text and "pytest -n 2 -q -rs" in text
