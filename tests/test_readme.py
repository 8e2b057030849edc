"""The README is a page a newcomer reads in two minutes, and every command in it works.

Each command in the README's shell blocks is run somewhere, named in RUN_BY: a line of CI's script
(.ci/run) or a test. A command the README gains without a place that runs it fails here, and so
does a README of 150 lines or more, and a link in the README or docs/ that leads nowhere.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
README = BASE_DIR / "README.md"
DOCS = BASE_DIR / "docs"

# Where each README command is run: "ci: LINE" (a line of .ci/run) or "test: PATH::NAME".
RUN_BY = {
    "make test": "ci: make test",
    "make run": "test: tests/e2e/test_user_guide_screenshots.py::test_make_run_serves_the_demo_and_its_sign_ins",
}


def readme_commands() -> list[str]:
    """Each command line of the README's shell blocks, without its comment."""
    commands = []
    for block in re.findall(r"^```(?:sh|shell|bash|console)\n(.*?)^```", README.read_text(), re.S | re.M):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip().removeprefix("$ ")
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def test_the_readme_is_under_150_lines() -> None:
    assert len(README.read_text().splitlines()) < 150


def test_the_readme_has_the_two_commands() -> None:
    assert readme_commands()[:2] == ["make run", "make test"]


@pytest.mark.parametrize("command", readme_commands())
def test_each_readme_command_is_run_by_ci_or_a_test(command: str) -> None:
    assert command in RUN_BY, f"{command!r} is in the README but nothing runs it: add it to RUN_BY"
    kind, _, where = RUN_BY[command].partition(": ")
    if kind == "ci":
        ci_lines = [line.strip() for line in (BASE_DIR / ".ci" / "run").read_text().splitlines()]
        assert where in ci_lines, f".ci/run has no line {where!r}"
    else:
        path, _, name = where.partition("::")
        assert f"def {name}(" in (BASE_DIR / path).read_text(), f"no test {where}"


def test_an_unknown_command_in_a_shell_block_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n```sh\nmake run    # the application\nmake deploy-everything\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "README", readme)

    assert [c for c in readme_commands() if c not in RUN_BY] == ["make deploy-everything"]


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets on the forges: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(heading) for heading in re.findall(r"^#+ (.+)$", page.read_text(), re.M)}


def links(page: Path) -> list[tuple[str, str]]:
    """Relative links of a Markdown page, as (target, anchor); addresses elsewhere left out."""
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)
    found = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        found.append((path, anchor))
    return found


PAGES = [README, *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(BASE_DIR)))
def test_every_link_leads_to_a_page_and_heading_that_exist(page: Path) -> None:
    broken = []
    for path, anchor in links(page):
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(path)
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{path}#{anchor}")
    assert not broken, f"{page.name} links to what is not there: {broken}"


def test_the_readme_links_to_each_page_of_docs() -> None:
    linked = {(README.parent / path).resolve() for path, _ in links(README)}
    top_level = set(DOCS.glob("*.md")) | {DOCS / "user-guide" / "README.md"}
    assert top_level <= linked, sorted(str(p.relative_to(BASE_DIR)) for p in top_level - linked)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(BASE_DIR)))
def test_every_source_file_named_exists(page: Path) -> None:
    """A file moved or renamed leaves no page pointing at where it was."""
    named = set(re.findall(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|toml|yml|md|txt|in))`", page.read_text()))
    missing = sorted(path for path in named if not (BASE_DIR / path).exists() and not path.startswith("../"))
    assert not missing, f"{page.name} names files that are not there: {missing}"
