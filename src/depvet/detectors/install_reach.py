"""What else a setup.py runs at install time: local scripts it starts and modules it imports.

A setup.py that hands its payload to ``pre_install.py`` (imported, or
started with ``python pre_install.py`` or ``python -m pkg.module``) runs
that file at install time just as surely as its own lines. The findings in
such a file are therefore judged as install-time code. Only files the
setup.py names are followed: a single-file module at the root of the
source tree that it imports, and ``.py`` files or ``-m`` modules that
appear in a call that starts, execs or runs code. Importing the package
being built (``from mypkg import __version__``) is not followed: that is
how honest setup.py files read their version.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from depvet.artifacts.layout import SOURCE_ONLY_DIRS
from depvet.detectors.literals import Literals
from depvet.model import Finding, Scope

__all__ = ["imported_folders", "is_test_file", "promote", "run_by_setup"]

# Larger setup.py files are obfuscated blobs, judged by the other rules; not followed.
MAX_SETUP_BYTES = 256 * 1024
# Calls whose arguments name code that runs now.
_RUNS = frozenset(
    {
        "system",
        "popen",
        "Popen",
        "call",
        "check_call",
        "check_output",
        "run",
        "getoutput",
        "getstatusoutput",
        "exec",
        "execfile",
        "run_path",
        "run_module",
        "spawnl",
        "spawnv",
        "execv",
        "execl",
    }
)


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


# `import a.b` / `from a.b import c` at the start of a statement of a program in a string.
_CODE_IMPORT = re.compile(r"(?:^|[;\n\"'])\s*(?:import|from)\s+([A-Za-z_][\w.]*)")


def _named_by_call(node: ast.Call) -> Iterable[str]:
    """Relative paths of Python files a running call names (``x.py``; ``-m a.b`` → a/b.py)."""
    words = [w for text in _strings(node) for w in text.split()]
    for index, word in enumerate(words):
        cleaned = word.strip("'\"").lstrip("./")
        if cleaned.endswith(".py"):
            yield cleaned
        if word == "-m" and index + 1 < len(words):
            module = words[index + 1].strip("'\"").replace(".", "/")
            yield f"{module}.py"
            yield f"{module}/__main__.py"
    for text in _strings(node):
        # python -c "import pkg.post_install; pkg.post_install.run()": a module of the
        # tree imported by a program given on the command line (or to exec).
        for module in _CODE_IMPORT.findall(text):
            yield module.replace(".", "/") + ".py"
    if _call_name(node) == "run_module" and node.args:
        for text in _strings(node.args[0]):
            yield text.replace(".", "/") + ".py"


def run_by_setup(source: bytes, python_files: Mapping[str, str]) -> set[str]:
    """Member paths (values of ``python_files``, keyed by path relative to the tree root)
    that the setup.py ``source`` runs or imports as a single-file local module."""
    candidates = {
        relative.rsplit("/", 1)[-1].removesuffix(".py").encode()
        for relative in python_files
        if relative != "setup.py"
    }
    # Most setup.py files name none of the tree's modules: no need to parse them.
    if len(source) > MAX_SETUP_BYTES or not any(c and c in source for c in candidates):
        return set()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in _RUNS:
            named.update(_named_by_call(node))
        elif isinstance(node, ast.Import):
            named.update(f"{alias.name.split('.')[0]}.py" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            named.add(f"{node.module.split('.')[0]}.py")
    reached = set()
    for relative in named:
        for candidate in (relative, f"src/{relative}"):
            if candidate in python_files and candidate != "setup.py":
                reached.add(python_files[candidate])
    return reached


# `import tools…` / `from scripts…`: words found in the pass every file gets anyway.
_FOLDER_WORDS = Literals(
    word
    for folder in sorted(SOURCE_ONLY_DIRS)
    for word in (b"import " + folder.encode(), b"from " + folder.encode())
)
_FOLDER_IMPORT = re.compile(
    rb"^(?:from|import)[ \t]+("
    + b"|".join(re.escape(folder.encode()) for folder in sorted(SOURCE_ONLY_DIRS))
    + rb")\b",
    re.MULTILINE,
)


def imported_folders(source: bytes) -> set[str]:
    """The tools-like top-level folders (``tools``, ``scripts``…) ``source`` imports from
    at module level, where an import runs with the module.

    Such a folder of a source tree is taken for one that is not installed; code that
    imports it says otherwise. (A test command's ``import tests`` inside a function
    does not count.)
    """
    if not _FOLDER_WORDS.any_in(source):
        return set()
    return {match.group(1).decode() for match in _FOLDER_IMPORT.finditer(source)}


def is_test_file(name: str) -> bool:
    """Whether a file's name says it belongs to a test suite (test_x.py, x_test.py, conftest.py)."""
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def promote(findings: Iterable[Finding], reached: set[str]) -> list[Finding]:
    """Findings in files setup.py runs, judged as install-time code."""
    if not reached:
        return list(findings)
    promoted = []
    for finding in findings:
        if finding.path in reached and finding.scope not in (Scope.INSTALL, Scope.STARTUP):
            finding = replace(
                finding,
                scope=Scope.INSTALL,
                message=f"{finding.message} (setup.py runs this file at install time)",
            )
        promoted.append(finding)
    return promoted
