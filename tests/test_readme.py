"""The README documents every setting and both commands."""

from pathlib import Path

from models.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_lists_every_environment_variable():
    for name, field in Settings.model_fields.items():
        env = field.validation_alias if isinstance(field.validation_alias, str) else f"HANDOFF_{name.upper()}"
        assert f"`{env}`" in README, f"README does not document {env}"


def test_readme_shows_the_two_commands():
    assert "make demo" in README and "make test" in README


def _layout_block() -> str:
    section = README.split("## How the code is laid out", 1)[1]
    return section.split("```", 2)[1]


def test_readme_layout_matches_the_tree():
    """Every room, tools family, shared tool and module of models/, agents/ and api/pages/ the tree has
    is in README's layout, and everything the layout names exists."""
    import re

    repo = Path(__file__).resolve().parents[1]
    block = _layout_block()
    rooms = set(re.findall(r"^([a-z]+)/", block, re.M))
    packages = {p.name for p in repo.iterdir() if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.py"))}
    assert rooms == packages, (rooms, packages)
    words = set(re.findall(r"[a-z_0-9]+", block))
    for family in ("intake", "claims", "noshow"):
        line = re.search(rf"^  {family}/\s+(.+?)(?=^\S|^  \S)", block, re.M | re.S).group(1)
        listed = set(re.findall(r"[a-z_0-9]+", line))
        modules = {p.stem for p in (repo / "tools" / family).glob("*.py")} - {"__init__"}
        assert listed == modules, (family, listed ^ modules)
    shared = set(re.findall(r"([a-z_]+)\.py", re.search(r"^  (llm\.py.*)$", block, re.M).group(1)))
    assert shared == {p.stem for p in (repo / "tools").glob("*.py")} - {"__init__"}
    for folder in ("models", "agents", "api/pages"):
        missing = {p.stem for p in (repo / folder).glob("*.py")} - {"__init__", "common", "charts"} - words
        assert not missing, (folder, missing)
