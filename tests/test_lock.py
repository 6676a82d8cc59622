"""`requirements.lock` (what `make run`, `make test` and CI install) agrees with pyproject.toml.

pyproject.toml keeps ranges for people who install the package; the lock pins one version of
each, with hashes, written by `make lock`. Edit one without the other and this fails.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import REPO

PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
# uv marks what pyproject.toml asks for directly as "# via mock-interview (pyproject.toml)".
ASKED_BY_PYPROJECT = "mock-interview (pyproject.toml)"


def requirements(pyproject: str) -> list[Requirement]:
    project = tomllib.loads(pyproject)["project"]
    return [Requirement(line) for line in project["dependencies"]] + [
        Requirement(line) for line in project["optional-dependencies"]["dev"]
    ]


def lock_entries(lock: str) -> dict[str, tuple[Version, str]]:
    """Each pinned package: its version and the text of its entry (hashes, what it is via)."""
    entries: dict[str, tuple[Version, str]] = {}
    name = None
    for line in lock.splitlines():
        if pinned := PINNED.match(line):
            name = canonicalize_name(pinned[1])
            entries[name] = (Version(pinned[2]), line)
        elif name is not None:
            entries[name] = (entries[name][0], f"{entries[name][1]}\n{line}")
    return entries


def disagreements(pyproject: str, lock: str) -> list[str]:
    """What makes the lock wrong for this pyproject.toml; empty when they agree."""
    entries = lock_entries(lock)
    found = []
    asked: set[str] = set()
    for requirement in requirements(pyproject):
        name = canonicalize_name(requirement.name)
        asked.add(name)
        if name not in entries:
            found.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(entries[name][0], prereleases=True):
            found.append(f"{requirement} does not allow the locked {entries[name][0]}")
    for locked, (version, entry) in entries.items():
        if "--hash=sha256:" not in entry:
            found.append(f"{locked}=={version} has no hash")
        if ASKED_BY_PYPROJECT in entry and locked not in asked:
            found.append(f"{locked} is locked for pyproject.toml, which no longer asks for it")
    return found


def test_the_lock_agrees_with_pyproject() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    lock = (REPO / "requirements.lock").read_text()
    assert disagreements(pyproject, lock) == [], "run `make lock`"
    assert len(lock_entries(lock)) > len(requirements(pyproject))  # the dependencies' own too


PYPROJECT = """
[project]
dependencies = ["numpy>=1.26", "soundfile>=0.12"]
[project.optional-dependencies]
dev = ["pytest>=8"]
"""
LOCK = """
numpy==2.4.6 \\
    --hash=sha256:89cd468399cfd2504718f0ba50e410dca55a170b61a02ad92bb18c8a65186e93
    # via
    #   mock-interview (pyproject.toml)
    #   soundfile
soundfile==0.14.0 \\
    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
    # via mock-interview (pyproject.toml)
pytest==8.4.2 \\
    --hash=sha256:1111111111111111111111111111111111111111111111111111111111111111
    # via mock-interview (pyproject.toml)
"""


@pytest.mark.parametrize(
    ("pyproject", "lock", "complaint"),
    [
        (PYPROJECT, LOCK, None),
        (PYPROJECT.replace("numpy>=1.26", "numpy>=3"), LOCK, "numpy>=3 does not allow"),
        (PYPROJECT.replace('"pytest>=8"', '"pytest>=8", "ruff>=0.6"'), LOCK, "ruff>=0.6 is not"),
        (PYPROJECT.replace('"soundfile>=0.12"', ""), LOCK, "soundfile is locked for pyproject"),
        (PYPROJECT, LOCK.replace("    --hash=sha256:1111", "    #"), "pytest==8.4.2 has no hash"),
    ],
    ids=["agree", "range-moved", "new-dependency", "dropped-dependency", "no-hash"],
)
def test_each_kind_of_disagreement_is_found(
    pyproject: str, lock: str, complaint: str | None
) -> None:
    found = disagreements(pyproject, lock)
    if complaint is None:
        assert found == []
    else:
        assert len(found) == 1 and complaint in found[0], found
