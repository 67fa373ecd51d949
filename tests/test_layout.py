"""The rooms of DESIGN.md keep their jobs: import direction, SQL only in store/, the openai SDK only
in tools/llm.py, environment only through Settings, and routes written only by the gate."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOMS = ["models", "store", "tools", "prompts", "agents", "evals", "api"]
# What each room may import from the project (DESIGN: api -> agents -> tools/store -> models).
ALLOWED = {
    "models": {"models"},
    "store": {"models", "store"},
    "tools": {"models", "store", "tools", "prompts"},
    "prompts": {"prompts"},
    "agents": {"models", "store", "tools", "prompts", "agents"},
    "evals": {"models", "store", "tools", "prompts", "agents", "evals"},
    "api": set(ROOMS),  # evals only from MAY_IMPORT_EVALS (test_product_code_never_imports_evals)
}
SQL_RE = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b")


def _py_files(room: str):
    return sorted((REPO / room).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("room", ROOMS)
def test_import_direction(room):
    bad = []
    for path in _py_files(room):
        for mod in _imports(path) & set(ROOMS):
            if mod not in ALLOWED[room]:
                bad.append(f"{path.relative_to(REPO)} imports {mod}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("room", [r for r in ROOMS if r != "store"])
def test_sql_lives_only_in_store(room):
    offenders = [str(p.relative_to(REPO)) for p in _py_files(room) if SQL_RE.search(p.read_text())]
    assert not offenders, f"SQL outside store/: {offenders}"


def test_only_tools_llm_imports_openai():
    users = [str(p.relative_to(REPO)) for room in ROOMS for p in _py_files(room) if "openai" in _imports(p)]
    assert set(users) <= {"tools/llm.py"}, users


def test_only_settings_reads_the_environment():
    # Reading configuration from the environment; setting a child process's environment is fine.
    pattern = re.compile(r"os\.getenv\(|os\.environ\.get\(|os\.environ\[[^\]]+\](?!\s*=[^=])|environ\.copy\(")
    offenders = [str(p.relative_to(REPO)) for room in ROOMS for p in _py_files(room)
                 if pattern.search(p.read_text()) and p.name != "settings.py"]
    assert not offenders, offenders


def test_only_the_gate_writes_routes_and_review_items():
    calls = re.compile(r"\b(insert_route|open_review_item)\(")
    writers = {str(p.relative_to(REPO)) for room in ROOMS for p in _py_files(room) if calls.search(p.read_text())}
    assert writers <= {"agents/gate.py", "store/routing.py"}, writers


def test_every_module_says_its_job():
    missing = [str(p.relative_to(REPO)) for room in ROOMS for p in _py_files(room)
               if p.name != "__init__.py" and p.stat().st_size and ast.get_docstring(ast.parse(p.read_text())) is None]
    assert not missing, f"modules without a docstring: {missing}"


def test_one_declaration_for_each_vocabulary_term():
    """Labels, channels, urgency order, evidence and LLM answer shapes are declared once, in models/."""
    from typing import get_args

    from models.governance import PRIORITY_RANK, Priority
    from models.intake import Urgency

    declared = re.compile(r"^(?:(DocType|Urgency|Channel|IntakeChannel|PRIORITY_RANK|URGENCY_ORDER|_RANK)\s*[:=]"
                          r"|class\s+(Evidence|LlmClassification|LlmSummary\w*)\b)", re.M)
    where: dict[str, list[str]] = {}
    for room in ROOMS:
        for p in _py_files(room):
            for m in declared.finditer(p.read_text()):
                where.setdefault(m.group(1) or m.group(2), []).append(str(p.relative_to(REPO)))
    assert {k: v for k, v in where.items() if len(v) > 1} == {}
    assert all(v[0].startswith("models/") for k, v in where.items() if k != "URGENCY_ORDER"), where
    assert "_RANK" not in where
    assert get_args(Urgency) == tuple(p.value for p in Priority) == tuple(PRIORITY_RANK)


def test_every_prompt_file_is_loaded_somewhere():
    prompts = {p.stem for p in (REPO / "prompts").glob("*.txt")}
    code = "\n".join(p.read_text() for room in ROOMS for p in _py_files(room))
    unused = {name for name in prompts if f'"{name}"' not in code}
    assert not unused, f"prompt files nothing loads: {sorted(unused)}"


# Tools are grouped by the agent they serve; shared capabilities sit at tools/ itself.
TOOL_FAMILIES = {"intake", "claims", "noshow"}
SHARED_TOOLS = {"llm", "embed", "npi", "model_registry", "telemetry", "calibration", "gates", "jsonsafe", "letters",
                "notify", "registry_import"}
# The only product modules that may import evals/: the CLI's door into the suites, and the demo's
# synthetic clinic day.
MAY_IMPORT_EVALS = {"api/cli/evals.py", "api/cli/demo.py"}


def _modules_imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_tools_are_grouped_by_agent():
    tools = REPO / "tools"
    assert {p.stem for p in tools.glob("*.py")} - {"__init__"} == SHARED_TOOLS
    assert {p.name for p in tools.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == TOOL_FAMILIES


def test_no_tools_family_imports_another_and_shared_tools_import_none():
    bad = []
    for path in _py_files("tools"):
        rel = path.relative_to(REPO / "tools")
        own = rel.parts[0] if len(rel.parts) > 1 else None
        for mod in _modules_imported(path):
            parts = mod.split(".")
            if parts[0] == "tools" and len(parts) > 1 and parts[1] in TOOL_FAMILIES and parts[1] != own:
                bad.append(f"tools/{rel} imports {mod}")
    assert not bad, "\n".join(bad)


def test_product_code_never_imports_evals():
    bad = [f"{p.relative_to(REPO)} imports {mod}"
           for room in ("models", "store", "tools", "prompts", "agents", "api") for p in _py_files(room)
           if str(p.relative_to(REPO)) not in MAY_IMPORT_EVALS
           for mod in _modules_imported(p) if mod.split(".")[0] == "evals"]
    assert not bad, "\n".join(bad)
