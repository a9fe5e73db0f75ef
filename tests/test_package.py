"""The package as another team gets it: a wheel installed into a clean virtual
environment with nothing else, building a site outside this repository, and the
pre-commit hook installed from the repository itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, good, run_clean

SITE_YML = """\
site_name: Another team's incidents
theme:
  name: material
  font: false
plugins:
  - search
  - postmortems:
      severities: [SEV0, SEV1, SEV2, SEV3]
"""


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A command with this test run's interpreter folder on PATH (for git's hooks)."""
    return run_clean(args, cwd, [Path(sys.executable).parent], NO_MKDOCS_2_WARNING="1", **env)


def _team_site(root: Path) -> Path:
    (root / "docs" / "postmortems").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Incidents\n", encoding="utf-8")
    (root / "docs" / "postmortems" / "2025-03-04-checkout.md").write_text(
        good(id="INC-1", severity="SEV1"), encoding="utf-8"
    )
    return root


def test_the_wheel_alone_builds_a_site_outside_the_repository(wheel_venv, tmp_path):
    bin_dir = wheel_venv
    every_module = (
        "import importlib, pkgutil, postmortems\n"
        "for m in pkgutil.walk_packages(postmortems.__path__, 'postmortems.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print(postmortems.__version__)\n"
    )
    imported = _run([str(bin_dir / "python"), "-c", every_module], tmp_path)
    assert imported.returncode == 0, imported.stderr  # every import is declared
    site = _team_site(tmp_path / "site")
    validated = _run([str(bin_dir / "postmortems"), "validate"], site)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    built = _run([str(bin_dir / "mkdocs"), "build", "--strict"], site)
    assert built.returncode == 0, built.stderr
    assert (site / "site" / "postmortems" / "2025-03-04-checkout" / "index.html").exists()
    assert (site / "site" / "assets" / "postmortems" / "plotly.min.js").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_the_pre_commit_hook_installs_from_the_repository(tmp_path):
    site = _team_site(tmp_path / "site")
    bad = site / "docs" / "postmortems" / "2025-03-05-bad.md"
    bad.write_text(good(id="INC-2", severity="P9"), encoding="utf-8")
    git = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    git |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "site"]):
        assert _run(["git", *args], site, **git).returncode == 0
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "postmortems-validate"]
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    good_file = "docs/postmortems/2025-03-04-checkout.md"
    passed = _run([*pre_commit, "--files", good_file, "docs/index.md"], site, **home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = _run(
        [*pre_commit, "--files", good_file, "docs/postmortems/2025-03-05-bad.md"], site, **home
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "2025-03-05-bad.md:4: error: severity: 'P9' is not one of SEV0, SEV1, SEV2, SEV3"
        in failed.stdout
    )
