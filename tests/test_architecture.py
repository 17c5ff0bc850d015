"""The dependency rules of the layers, checked on the source (DESIGN.md, "Shape").

Domain packages (``learning``, ``cms``, ``media_pipeline``) know nothing of the HTTP API: they
import no ``api`` module and none of DRF's views, responses or exceptions (its token helpers
are fine). ``media_pipeline`` names no API route either: its links come from
``media_pipeline.endpoints``, which ``api`` fills in at startup.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PACKAGES = ("learning", "cms", "media_pipeline")
FORBIDDEN = (
    "api",
    "rest_framework.views",
    "rest_framework.viewsets",
    "rest_framework.generics",
    "rest_framework.response",
    "rest_framework.exceptions",
    "rest_framework.decorators",
)


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_names(tree: ast.AST):
    """Every module an import statement names, with its line (``from x import y`` also
    yields ``x.y``, so ``from rest_framework import response`` is caught)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno


def _forbidden(name: str) -> bool:
    return any(name == rule or name.startswith(rule + ".") for rule in FORBIDDEN)


def _violations(package: str) -> list[str]:
    found = []
    for path in _modules(package):
        tree = ast.parse(path.read_text(), filename=str(path))
        for name, line in _imported_names(tree):
            if _forbidden(name):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return found


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_packages_do_not_import_the_http_layer(package):
    assert _violations(package) == []


def test_the_rule_catches_what_it_should():
    tree = ast.parse(
        "import api.views\n"
        "from rest_framework import response\n"
        "from rest_framework.exceptions import ValidationError\n"
        "from rest_framework_simplejwt.tokens import AccessToken\n"
        "from apis import x\n"
    )
    assert [name for name, _ in _imported_names(tree) if _forbidden(name)] == [
        "api.views",
        "rest_framework.response",
        "rest_framework.exceptions",
        "rest_framework.exceptions.ValidationError",
    ]


def test_media_pipeline_names_no_api_route():
    offenders = [
        f"{path.relative_to(ROOT)}"
        for path in [
            *_modules("media_pipeline"),
            *(ROOT / "templates" / "media_pipeline").rglob("*.html"),
        ]
        if any(mark in path.read_text() for mark in ('"v2:', "'v2:"))
    ]
    assert offenders == []
