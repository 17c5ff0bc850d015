"""The lock files (requirements/base.txt for the product, requirements/dev.txt with the test
tools) are what `make install`, `make test`, CI and the Docker image install, each file
checked against its hash. They must agree with pyproject.toml: `make lock` after a change."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    found = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash in {name}"
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(line) for line in listed]


def test_every_declared_dependency_is_locked_within_its_range():
    base, dev = pins("base.txt"), pins("dev.txt")
    for lock, requirements in ((base, declared()), (dev, declared() + declared("dev"))):
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{requirement} is not locked: run `make lock`"
            assert requirement.specifier.contains(lock[name], prereleases=True), (
                f"{name}=={lock[name]} is outside {requirement.specifier}: run `make lock`"
            )


def test_the_product_and_its_tests_run_on_the_same_versions():
    base, dev = pins("base.txt"), pins("dev.txt")
    assert base.keys() <= dev.keys()
    assert {name: dev[name] for name in base} == base
