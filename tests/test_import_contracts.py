"""The layers' import rules, as import-linter contracts (pyproject.toml, `[tool.importlinter]`).

- gateway/ imports nothing of services/ or qf/: it can be lifted out and run over anyone's subgraphs.
- services/ import nothing of qf/, and of gateway/ only `gateway.signing`, the wire protocol it owns.
- No service imports another (registry, credits, mapping).

The first test runs `lint-imports` over the tree; the others add one forbidden import to a copy of the
tree and show that the contract it breaks fails, naming the import, so the check cannot pass vacuously.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("gateway", "services", "qf")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the packages under `root` (first on the path, ahead of the installed ones)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layers_keep_their_contracts() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (
        "gateway/ imports nothing of services/ or qf/ KEPT",
        "services/ import nothing of qf/, and of gateway/ only its wire protocol KEPT",
        "no service imports another KEPT",
    ):
        assert name in result.stdout, result.stdout
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    ignore = shutil.ignore_patterns("__pycache__", "static", "*.sql", "*.json", "*.csv")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(
    ("module", "forbidden", "broken"),
    [
        ("gateway/cors.py", "from services.common.db import Database", "gateway/ imports nothing"),
        ("gateway/limits.py", "import qf.settings", "gateway/ imports nothing"),
        ("services/common/app.py", "from qf.database import migrate_all", "services/ import nothing"),
        # the gateway's protocol is allowed to the services, its server is not
        ("services/credits/app.py", "from gateway.server import Route", "services/ import nothing"),
        ("services/credits/schema.py", "from services.mapping import model", "no service imports another"),
        ("services/registry/store.py", "import services.credits.ledger", "no service imports another"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    copy_of_the_tree: Path, module: str, forbidden: str, broken: str
) -> None:
    path = copy_of_the_tree / module
    original = path.read_text()
    path.write_text(f"{original}\n{forbidden}  # noqa\n")
    try:
        result = lint_imports(copy_of_the_tree)
    finally:
        path.write_text(original)
    assert result.returncode != 0, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout, result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    imported = forbidden.split()[1]
    assert f"{importer} -> {imported}" in result.stdout, result.stdout
