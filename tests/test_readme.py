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
