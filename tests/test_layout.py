"""The package's shape: curated public names that resolve, and the import rules between folders."""
import ast
import importlib
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "keras_autoencoders"
SUBPACKAGES = ["keras_autoencoders", "keras_autoencoders.data", "keras_autoencoders.models",
               "keras_autoencoders.models.cvae_gan", "keras_autoencoders.training", "keras_autoencoders.generate",
               "keras_autoencoders.evaluation", "keras_autoencoders.plotting"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_public_name_resolves(name):
    package = importlib.import_module(name)
    assert package.__all__, f"{name} lists no public names"
    for attribute in package.__all__:
        assert getattr(package, attribute) is not None


def test_importing_the_package_does_not_import_tensorflow():
    code = "import sys, keras_autoencoders, keras_autoencoders.tutorial; print('tensorflow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False"


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module if node.level == 0 else "keras_autoencoders.data." + node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("folder, forbidden", [
    ("data", ("keras_autoencoders.models", "keras_autoencoders.training", "keras_autoencoders.plotting")),
    ("plotting", ("keras_autoencoders.models", "keras_autoencoders.training")),
    ("models", ("keras_autoencoders.plotting", "matplotlib", "tutorials")),
    ("evaluation", ("keras_autoencoders.plotting", "tutorials")),
    ("generate", ("keras_autoencoders.plotting", "keras_autoencoders.training", "tutorials")),
])
def test_import_rules(folder, forbidden):
    for path in (PACKAGE / folder).rglob("*.py"):
        bad = [m for m in _imports(path) if m.startswith(forbidden)]
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {bad}"


def test_the_library_never_imports_a_tutorial():
    for path in PACKAGE.rglob("*.py"):
        assert not [m for m in _imports(path) if m.startswith("tutorials")], path
