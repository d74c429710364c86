"""The README and docs/ as a reader follows them: every relative link resolves to a file (and to a
heading, where it names one), every ``docs/NAME.md`` the code and figures cite exists, and the
README stays a landing page."""
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page: pathlib.Path) -> set[str]:
    """GitHub's anchors of a markdown file's headings: lower case, punctuation dropped, spaces to '-'."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def _links(page: pathlib.Path):
    in_code = False
    for line in page.read_text().splitlines():
        in_code ^= line.startswith("```")
        if not in_code and not line.startswith("    "):
            yield from LINK.findall(line)


def test_every_relative_link_resolves():
    broken = []
    for page in PAGES:
        for link in _links(page):
            if re.match(r"[a-z]+:", link):
                continue  # http(s), mailto: outside the repository
            path, _, anchor = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                broken.append(f"{page.name}: {link} (no such file)")
            elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
                broken.append(f"{page.name}: {link} (no such heading)")
    assert not broken, broken


def test_the_readme_links_every_docs_page_and_stays_short():
    readme = (REPO / "README.md").read_text()
    linked = {link.partition("#")[0] for link in _links(REPO / "README.md")}
    assert {f"docs/{p.name}" for p in PAGES[1:]} <= linked
    assert len(readme.splitlines()) <= 250


def test_docs_pages_the_code_and_figures_cite_exist():
    cited = set()
    for pattern in ("keras_autoencoders/**/*.py", "tutorials/*.py", "bench/*.py", "tests/*.py", "figs/**/*.md"):
        for path in REPO.glob(pattern):
            if path.resolve() == pathlib.Path(__file__).resolve():
                continue
            cited |= set(re.findall(r"docs/[\w\-]+\.md", path.read_text()))
    assert cited, "the code cites no docs page: the pattern is wrong"
    assert all((REPO / name).is_file() for name in cited), sorted(n for n in cited if not (REPO / n).is_file())


def _tutorial_pointers():
    """``(tutorial, name)`` for every backticked name in a tutorial's markdown and comments."""
    for tutorial in sorted((REPO / "tutorials").glob("*.py")):
        for line in tutorial.read_text().splitlines():
            if line.lstrip().startswith("#"):
                for name in re.findall(r"`([^`\s]+)`", line):
                    yield tutorial.name, name


def test_every_file_and_class_method_a_tutorial_points_to_exists():
    import importlib

    sources = {p: p.read_text() for p in (REPO / "keras_autoencoders").rglob("*.py")}
    missing, checked = [], 0
    for tutorial, name in _tutorial_pointers():
        if re.fullmatch(r"[\w/]+\.(py|md)", name):  # a file: under the library, or the repository
            checked += 1
            if not ((REPO / "keras_autoencoders" / name).is_file() or (REPO / name).is_file()):
                missing.append(f"{tutorial}: {name}")
        elif re.fullmatch(r"[A-Z]\w*\.\w+", name):  # Class.method: defined by that class itself
            checked += 1
            class_name, method = name.split(".")
            homes = [p for p, text in sources.items() if re.search(rf"^class {class_name}\b", text, re.MULTILINE)]
            module = ".".join(homes[0].relative_to(REPO).with_suffix("").parts) if homes else None
            cls = getattr(importlib.import_module(module), class_name) if module else None
            if cls is None or method not in vars(cls):
                missing.append(f"{tutorial}: {name}")
    assert checked >= 10, "no pointers found: the pattern is wrong"
    assert not missing, missing
