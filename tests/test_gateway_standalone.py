"""gateway/ runs and passes its tests with services/ and qf/ absent (issue 15, acceptance 2).

gateway/, the gateway's own tests and the SDL files they read are copied to an empty folder, and pytest
runs there in a fresh process with an import guard that refuses `services` and `qf` (the editable
install would otherwise still find them in the repository). The tests run the gateway in process over
the synthetic subgraphs (tests/gateway/synthetic, tiny subgraphs of every federation feature), plan,
compose, cache and answer HTTP with it: no module of ours but the gateway's is there to help.

Each module of tests/gateway is either in STANDALONE or in NEEDS_THE_SYSTEM with the reason, so a new
gateway test is classified, never silently left out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

STANDALONE = (
    "test_apq.py",
    "test_caches.py",
    "test_composition.py",
    "test_errors.py",
    "test_graphiql.py",
    "test_http1.py",
    "test_metrics.py",
    "test_null_errors.py",
    "test_plan_values.py",
    "test_planning.py",
    "test_portal_files.py",
    "test_representations.py",
    "test_synthetic_runtime.py",
    "test_transport.py",
)
NEEDS_THE_SYSTEM = {
    "test_api_contract.py": "composes our subgraphs' schemas (qf.schema)",
    "test_apikeys.py": "the key store migrated by qf and the qf apikey commands",
    "test_body_limit.py": "the suite's shared settings fixture (tests/conftest.py, qf's settings)",
    "test_cors.py": "checks how qf reads QF_CORS_ORIGINS",
    "test_differential.py": "starts our gateway with `qf serve --service gateway`",
    "test_differential_registry.py": "the registry subgraph and its full data",
    "test_graphql_http.py": "the suite's shared settings fixture (tests/conftest.py, qf's settings)",
    "test_hostile.py": "starts our gateway with `qf serve --service gateway`",
    "test_keystore_outage.py": "the key store migrated by qf",
    "test_limits.py": "checks how qf reads QF_MAX_*",
    "test_over_registry.py": "the registry subgraph",
    "test_production.py": "checks how qf reads QF_ENVIRONMENT and QF_INTROSPECTION",
    "test_subgraph_failures.py": "the suite's shared settings fixture (tests/conftest.py, qf's settings)",
    "test_supergraph_file.py": "composes our subgraphs' schemas (qf.schema)",
}

# Loaded by pytest (-p) before any test module: `services` and `qf` cannot be imported at all.
GUARD = '''
import sys
from importlib.abc import MetaPathFinder
from pathlib import Path

ABSENT = ("services", "qf")


class Absent(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden: the gateway runs alone)", name=name)
        return None


assert not [m for m in sys.modules if m.split(".")[0] in ABSENT], "imported before the guard"
sys.meta_path.insert(0, Absent())


def pytest_sessionstart(session):
    import gateway

    here = Path(__file__).resolve().parent
    assert Path(gateway.__file__).resolve().is_relative_to(here), f"not the copy: {gateway.__file__}"
'''


def test_every_gateway_test_module_is_classified() -> None:
    modules = {path.name for path in (ROOT / "tests" / "gateway").glob("test_*.py")}
    assert modules == set(STANDALONE) | set(NEEDS_THE_SYSTEM)
    assert not set(STANDALONE) & set(NEEDS_THE_SYSTEM)


@pytest.fixture(scope="module")
def lone_gateway(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with gateway/, its tests and schema/'s SDL files, and nothing of services/ or qf/."""
    root = tmp_path_factory.mktemp("lone-gateway")
    caches = shutil.ignore_patterns("__pycache__", "node_modules", "artifacts")
    shutil.copytree(ROOT / "gateway", root / "gateway", ignore=caches)
    shutil.copytree(ROOT / "schema", root / "schema")
    (root / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "__init__.py", root / "tests")
    gateway_tests = ROOT / "tests" / "gateway"

    def leave_out(folder: str, names: list[str]) -> set[str]:
        left = set(caches(folder, names))
        if Path(folder) == gateway_tests:
            left |= {name for name in names if name.startswith("test_") and name not in STANDALONE}
        return left

    shutil.copytree(gateway_tests, root / "tests" / "gateway", ignore=leave_out)
    # Apollo's composition and gateway, which some gateway tests compare against (skipped without Node).
    shutil.copytree(ROOT / "tests" / "oracle", root / "tests" / "oracle", ignore=caches)
    if (ROOT / "tests" / "oracle" / "node_modules").is_dir():
        (root / "tests" / "oracle" / "node_modules").symlink_to(ROOT / "tests" / "oracle" / "node_modules")
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    ini = "\n".join(f"{k} = {v if isinstance(v, str) else ' '.join(v)}" for k, v in options.items())
    (root / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    (root / "lone_gateway_guard.py").write_text(GUARD)
    return root


def test_the_copy_holds_no_services_and_no_qf(lone_gateway: Path) -> None:
    assert not (lone_gateway / "services").exists() and not (lone_gateway / "qf").exists()
    sources = [*lone_gateway.joinpath("gateway").rglob("*.py"), *lone_gateway.joinpath("tests").rglob("*.py")]
    importing = [
        str(path.relative_to(lone_gateway))
        for path in sources
        if re.search(r"^\s*(from|import) (services|qf)\b", path.read_text(), re.MULTILINE)
    ]
    assert importing == []


def test_the_gateway_passes_its_tests_alone(lone_gateway: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(lone_gateway)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "lone_gateway_guard",
         "tests/gateway"],
        cwd=lone_gateway,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None and int(passed.group(1)) >= 200, output[-3000:]
