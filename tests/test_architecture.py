"""Dependencies between the apps point one way: accounts <- background <- lessons <-
quizzes <- classrooms, and embeds uses lessons and quizzes. Read from the source with `ast`,
so an import inside a function counts as much as one at the top of a module."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = {"accounts", "background", "lessons", "quizzes", "classrooms", "embeds"}

# Which other apps each app may import.
MAY_IMPORT = {
    "accounts": set(),
    "background": {"accounts"},
    "lessons": {"accounts"},
    "quizzes": {"accounts", "background", "lessons"},
    "classrooms": {"accounts", "background", "lessons", "quizzes"},
    "embeds": {"accounts", "lessons", "quizzes"},
}
# The project (quizsite) is shared code every app may use; it imports apps only where it
# wires them together.
PROJECT = "quizsite"
PROJECT_MAY_IMPORT_APPS = {"quizsite/urls.py", "quizsite/settings.py"}


def imported_modules(tree: ast.AST) -> set[str]:
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def production_modules(root: Path):
    """Every module of the apps and the project, migrations aside (they are history)."""
    for package in sorted(APPS | {PROJECT}):
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield package, path


def import_violations(root: Path = ROOT) -> list[str]:
    violations = []
    for package, path in production_modules(root):
        name = path.relative_to(root).as_posix()
        allowed = MAY_IMPORT.get(package, set())
        if package == PROJECT:
            allowed = APPS if name in PROJECT_MAY_IMPORT_APPS else set()
        for module in sorted(imported_modules(ast.parse(path.read_text(), name))):
            top = module.split(".")[0]
            if top in APPS and top != package and top not in allowed:
                violations.append(f"{name} imports {module}")
    return violations


def test_apps_import_each_other_only_in_one_direction():
    assert import_violations() == []


def test_the_check_sees_every_app_and_an_import_inside_a_function(tmp_path):
    for package in APPS | {PROJECT}:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "quizzes" / "views.py").write_text(
        "from lessons.models import Lesson\n"
        "def start():\n"
        "    from classrooms.models import Assignment\n"
    )
    (tmp_path / "lessons" / "admin.py").write_text("import embeds.snippets\n")
    (tmp_path / "quizsite" / "health.py").write_text("from quizzes import models\n")
    (tmp_path / "classrooms" / "migrations").mkdir()
    (tmp_path / "classrooms" / "migrations" / "0001.py").write_text("import embeds\n")

    assert import_violations(tmp_path) == [
        "lessons/admin.py imports embeds.snippets",
        "quizsite/health.py imports quizzes",
        "quizzes/views.py imports classrooms.models",
    ]
