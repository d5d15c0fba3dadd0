"""Built to be upgraded: the code imports only public modules of Dagster, dagster-dbt and dbt, subclasses
no private class and overrides no private member, and its own modules import each other without a
circle. Read from the source (``ast``), so a violation fails here, naming the file and the line,
before any refresh would.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.settings import DEPLOY_DIR, PROJECT_ROOT

#: The libraries whose internals a minor release may change.
GUARDED = ("dagster", "dagster_dbt", "dagster_postgres", "dagster_graphql", "dagster_webserver", "dbt")
#: dbt's documented programmatic interface (docs.getdbt.com, "Programmatic invocations"); the rest of
#: the ``dbt`` package is dbt's internals.
DBT_PUBLIC = ("dbt.cli.main",)
CODE_FOLDERS = ("orchestration", "tests", "scripts")


def python_files() -> Iterator[Path]:
    for folder in CODE_FOLDERS:
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))


def _is_guarded(module: str) -> bool:
    return module.split(".")[0] in GUARDED


def private_module(module: str) -> bool:
    """A module of a guarded library that is not part of its public interface."""
    if not _is_guarded(module):
        return False
    parts = module.split(".")
    if parts[0] == "dbt":
        return module != "dbt" and not any(module == p or module.startswith(p + ".") for p in DBT_PUBLIC)
    return any(part.startswith("_") for part in parts[1:])


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Every private import, private base class and overridden private member in ``source``."""
    tree = ast.parse(source, filename)
    found: list[str] = []
    library_names: set[str] = set()  # names bound to something imported from a guarded library
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if private_module(alias.name):
                    found.append(f"{filename}:{node.lineno} imports private module {alias.name}")
                if _is_guarded(alias.name):
                    library_names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if private_module(node.module):
                found.append(f"{filename}:{node.lineno} imports from private module {node.module}")
            if _is_guarded(node.module):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.endswith("__"):
                        found.append(f"{filename}:{node.lineno} imports private name {alias.name}")
                    library_names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Call) and _imports_by_name(node):
            text = node.args[0].value  # type: ignore[attr-defined]
            if private_module(text):
                found.append(f"{filename}:{node.lineno} imports private module {text} by name")
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            found.extend(_class_violations(node, library_names, filename))
    return found


def _imports_by_name(call: ast.Call) -> bool:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return (
        name in ("import_module", "__import__")
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )


def _base_names(base: ast.expr) -> tuple[str, str]:
    """(the name the base is reached through, its own name): ``dagster_dbt.DbtCliResource`` gives
    ("dagster_dbt", "DbtCliResource"), ``DbtCliResource`` gives it twice."""
    if isinstance(base, ast.Attribute):
        root = base
        while isinstance(root, ast.Attribute):
            root = root.value  # type: ignore[assignment]
        return getattr(root, "id", ""), base.attr
    name = getattr(base, "id", "")
    return name, name


def _declares_private_state(value: ast.expr | None) -> bool:
    """``PrivateAttr(...)``: pydantic's declaration of a resource's own run-time state (Dagster
    documents it for ConfigurableResource), new state of the subclass, not an override."""
    return (
        isinstance(value, ast.Call)
        and getattr(value.func, "id", getattr(value.func, "attr", "")) == "PrivateAttr"
    )


def _class_violations(node: ast.ClassDef, library_names: set[str], filename: str) -> Iterator[str]:
    library_bases = []
    for base in node.bases:
        root, name = _base_names(base)
        if root in library_names:
            library_bases.append(name)
            if name.startswith("_"):
                yield f"{filename}:{node.lineno} class {node.name} subclasses private class {name}"
    if not library_bases:
        return
    for member in node.body:
        names: list[str] = []
        if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [member.name]
        elif isinstance(member, ast.Assign) and not _declares_private_state(member.value):
            names = [target.id for target in member.targets if isinstance(target, ast.Name)]
        elif (
            isinstance(member, ast.AnnAssign)
            and isinstance(member.target, ast.Name)
            and not _declares_private_state(member.value)
        ):
            names = [member.target.id]
        for name in names:
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                yield (
                    f"{filename}:{member.lineno} class {node.name} overrides private member {name} "
                    f"of {', '.join(library_bases)}"
                )


# ------------------------------------------------------------------------------ the checker itself


@pytest.mark.parametrize(
    "source",
    [
        "from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR",
        "import dagster._core.storage as storage",
        "from dbt.contracts.graph.manifest import Manifest",
        "from dbt.parser.manifest import extended_mashumuro_decoder",
        "from dagster_dbt.core.resource import _something",
        "import importlib\nimportlib.import_module('dagster_dbt._internal')",
        "from dagster_dbt import DbtCliResource\nclass R(DbtCliResource):\n    def _cli_version(self): ...",
        "import dagster_dbt\nclass R(dagster_dbt.DbtCliResource):\n    _standby = None",
        "import dagster\nclass S(dagster._Hidden): ...",
    ],
)
def test_the_checker_finds_each_kind_of_private_use(source: str) -> None:
    assert violations(source), source


@pytest.mark.parametrize(
    "source",
    [
        "from dagster import asset, ConfigurableResource\nclass R(ConfigurableResource):\n    def run(self): ...",
        "from dbt.cli.main import dbtRunner, dbtRunnerResult",
        "from dagster_dbt import DbtCliResource, dbt_assets",
        "class Mine:\n    def _helper(self): ...",  # the project's own private members are its business
        "from dagster import ConfigurableResource\nclass R(ConfigurableResource):\n    def __init__(self): ...",
        "from dagster import ConfigurableResource\nfrom pydantic import PrivateAttr\n"
        "class R(ConfigurableResource):\n    _state: int | None = PrivateAttr(default=None)",
    ],
)
def test_the_checker_passes_public_use(source: str) -> None:
    assert violations(source) == []


# ------------------------------------------------------------------------------ the project


def test_no_private_module_class_or_member_of_dagster_dagster_dbt_or_dbt_is_used() -> None:
    found = [
        problem
        for path in python_files()
        for problem in violations(path.read_text(encoding="utf-8"), str(path.relative_to(PROJECT_ROOT)))
    ]
    assert found == []


def test_the_dagster_instance_configuration_names_no_private_module() -> None:
    """dagster.yaml selects classes by module path; a private one is the same risk as an import."""
    for path in sorted(DEPLOY_DIR.glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            key, _, value = line.strip().partition(":")
            if key == "module":
                assert not private_module(value.strip()), f"{path.name}:{number}: {line.strip()}"


# ------------------------------------------------------------------------------ import circles


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_imports() -> dict[str, set[str]]:
    """Each orchestration module and the orchestration modules it imports, at the top or inside a
    function alike (an import deferred into a function is still a dependency)."""
    paths = sorted((PROJECT_ROOT / "orchestration").rglob("*.py"))
    modules = {_module_name(path) for path in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = _module_name(path)
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            edges |= {target for target in targets if target in modules and target != name}
        graph[name] = edges
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_the_circle_finder_finds_a_circle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_circles(graph) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []


def test_the_project_has_no_import_circle() -> None:
    assert import_circles(project_imports()) == []


# ------------------------------------------------------------------------------ the environment


def environment_writes(source: str, filename: str = "<source>") -> list[str]:
    """Every write to the process environment in ``source``: an assignment to or deletion of
    ``os.environ[...]``, a mutating method of ``os.environ``, ``os.putenv``/``os.unsetenv``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and ast.unparse(target.value) == "os.environ":
                found.append(f"{filename}:{node.lineno} {ast.unparse(node).splitlines()[0]}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            called = ast.unparse(node.func)
            mutators = ("update", "setdefault", "pop", "popitem", "clear", "__setitem__")
            if called in ("os.putenv", "os.unsetenv") or (
                ast.unparse(node.func.value) == "os.environ" and node.func.attr in mutators
            ):
                found.append(f"{filename}:{node.lineno} {called}(...)")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import os\nos.environ['X'] = '1'",
        "import os\nos.environ.setdefault('X', '1')",
        "import os\nos.environ.update({'X': '1'})",
        "import os\nos.environ.pop('X', None)",
        "import os\ndel os.environ['X']",
        "import os\nos.putenv('X', '1')",
    ],
)
def test_the_environment_checker_finds_each_kind_of_write(source: str) -> None:
    assert environment_writes(source), source


def test_the_environment_checker_passes_reads_and_copies() -> None:
    source = "import os\nx = os.environ.get('X')\ny = {**os.environ, 'X': '1'}\nz = os.environ['X']"
    assert environment_writes(source) == []


def test_the_code_never_writes_the_process_environment() -> None:
    """Configuration is passed in (settings, resources, a child process's own environment), never
    set in this process's environment at run time. The tests may set it: they play the user."""
    found = [
        problem
        for folder in ("orchestration", "scripts")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        for problem in environment_writes(
            path.read_text(encoding="utf-8"), str(path.relative_to(PROJECT_ROOT))
        )
    ]
    assert found == []


def test_the_command_line_holds_no_sql():
    """cli.py parses arguments and prints: a query it needs lives with the module that owns it (the
    analyst's example in analyst.py, status queries in status.py), never in a string here."""
    import re

    sql = re.compile(
        r"(?is)^\s*(select|with|insert|update|delete|create|drop|attach|copy)\b.*\b(from|into|table|as)\b"
    )
    tree = ast.parse((PROJECT_ROOT / "orchestration" / "cli.py").read_text())
    found = [
        node.value[:60]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and sql.search(node.value)
    ]
    assert not found, found
