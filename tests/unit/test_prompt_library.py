"""The prompt library: files, front matter, variables, broken files, the bundled examples."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from glm_tui.prompt_library import (
    PromptFileError,
    PromptLibrary,
    PromptUsageError,
    bundled_prompts_dir,
    expand_for_ask,
    read_prompt_file,
)
from glm_tui.slash import BUILTIN_NAMES, load_library

TODAY = date(2025, 3, 14)


def write(directory: Path, name: str, text: str | bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_and_body(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Translate.md",
        "---\n"
        "description: Translate   the text\n"
        "model: 'glm-4.5'\n"
        "thinking: off\n"
        "# a comment\n"
        "system: |\n"
        "  You translate.\n"
        "    Indented line.\n"
        "\n"
        "  Last line.\n"
        "---\n"
        "Into {{ language }}:\n\n{{input}}\n",
    )
    prompt = read_prompt_file(path)
    assert prompt.name == "translate"  # the command is the file's name, in lower case
    assert prompt.description == "Translate the text"
    assert prompt.model == "glm-4.5" and prompt.thinking is False
    assert prompt.system == "You translate.\n  Indented line.\n\nLast line."
    assert prompt.body == "Into {{ language }}:\n\n{{input}}"
    assert prompt.variables == ("language", "input")


def test_a_file_without_front_matter_is_all_text(tmp_path: Path) -> None:
    prompt = read_prompt_file(write(tmp_path, "fix.md", "Fix the grammar of: {{input}}\n"))
    assert (prompt.description, prompt.model, prompt.system, prompt.thinking) == (None,) * 4
    assert prompt.summary == "Fix the grammar of: {{input}}"


def test_rendering_fills_input_date_clipboard_and_values(tmp_path: Path) -> None:
    prompt = read_prompt_file(
        write(tmp_path, "p.md", "{{date}}: {{input}} / {{clipboard}} / {{tone}} / {{ tone }}")
    )
    assert prompt.missing("", {}, None) == ("input", "clipboard", "tone")
    assert prompt.missing("hi", {"tone": "dry"}, "clip") == ()
    text = prompt.render("hi", {"tone": "dry"}, clipboard="clip", today=TODAY)
    assert text == "2025-03-14: hi / clip / dry / dry"
    with pytest.raises(PromptUsageError, match=r"needs \{\{tone\}\}"):
        prompt.render("hi", {}, clipboard="x")


def test_input_is_appended_when_the_prompt_does_not_place_it(tmp_path: Path) -> None:
    prompt = read_prompt_file(write(tmp_path, "p.md", "Be brief.\n"))
    assert prompt.render("  What is a monad?  ") == "Be brief.\n\nWhat is a monad?"
    assert prompt.render("") == "Be brief."
    assert prompt.missing("", {}, None) == ()


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("open.md", "---\ndescription: x\nText", "never closed by ---"),
        ("typo.md", "---\ndescripton: x\n---\nText", "unknown front matter key 'descripton'"),
        ("twice.md", "---\nmodel: a\nmodel: b\n---\nText", "gives model twice"),
        ("bad-line.md", "---\njust words\n---\nText", "front matter line 2 is not 'key: value'"),
        ("think.md", "---\nthinking: maybe\n---\nText", "thinking must be true or false"),
        ("empty.md", "---\ndescription: x\n---\n\n  \n", "the prompt's text is empty"),
        ("bytes.md", b"\xff\xfe\x00bad", "not UTF-8 text"),
        ("my prompt.md", "Text", "its name (the command's) must be letters"),
    ],
)
def test_a_broken_file_is_one_line_naming_it(
    tmp_path: Path, name: str, text: str | bytes, problem: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(PromptFileError) as caught:
        read_prompt_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_the_library_loads_the_rest_and_reports_each_broken_file(tmp_path: Path) -> None:
    user = tmp_path / "prompts"
    write(user, "good.md", "Good {{input}}")
    write(user, "broken.md", "---\nwhat: x\n---\nText")
    write(user, "model.md", "A prompt named like a built-in command")
    write(user, "notes.txt", "not a prompt")
    write(user, "translate.md", "My own translate: {{input}}")
    library = PromptLibrary.load(user, reserved=BUILTIN_NAMES)
    assert "good" in library.prompts and "broken" not in library.prompts
    assert library.prompts["translate"].body == "My own translate: {{input}}"  # replaces bundled
    assert not library.prompts["translate"].bundled
    assert len(library.problems) == 2
    assert library.problems[0].startswith(f"{user / 'broken.md'}: unknown front matter key")
    assert (
        library.problems[1] == f"{user / 'model.md'}: /model is a built-in command; rename the file"
    )
    with pytest.raises(PromptFileError, match=r"broken\.md"):
        library.find("broken")
    with pytest.raises(PromptUsageError, match=r"no prompt named 'nope'.*there are: .*good"):
        library.find("nope")


def test_a_missing_folder_gives_the_bundled_ones(tmp_path: Path) -> None:
    library = load_library(tmp_path / "config.toml")
    assert library.problems == []
    assert {"translate", "explain", "summarize", "reviewer", "commit-message", "plan-day"} <= set(
        library.prompts
    )


def test_the_bundled_examples_load_and_show_each_feature() -> None:
    bundled = bundled_prompts_dir()
    assert bundled is not None and bundled.name == "prompts"
    library = PromptLibrary.load(None, reserved=BUILTIN_NAMES)
    assert library.problems == []
    prompts = library.prompts
    assert all(p.bundled and p.description for p in prompts.values())
    assert [p.name for p in library.roles()] == ["reviewer"]
    assert prompts["translate"].missing("bonjour", {}, None) == ("language",)
    assert "clipboard" in prompts["commit-message"].variables
    assert prompts["plan-day"].render("groceries", today=TODAY).startswith("Today is 2025-03-14.")
    assert prompts["summarize"].thinking is False


def test_expanding_for_ask(tmp_path: Path) -> None:
    library = PromptLibrary.load(None, reserved=BUILTIN_NAMES)
    prompt, text = expand_for_ask(library, "TRANSLATE", "bonjour", ["language=English"])
    assert prompt.name == "translate" and "into English" in text and text.endswith("bonjour")
    with pytest.raises(PromptUsageError, match="needs --var language=VALUE"):
        expand_for_ask(library, "translate", "bonjour", [])
    with pytest.raises(PromptUsageError, match="needs an input"):
        expand_for_ask(library, "explain", "", [])
    with pytest.raises(PromptUsageError, match="has no variable 'lang' \\(it has: language\\)"):
        expand_for_ask(library, "translate", "x", ["lang=fr"])
    with pytest.raises(PromptUsageError, match="--var takes NAME=VALUE, not 'language'"):
        expand_for_ask(library, "translate", "x", ["language"])
    _, diff = expand_for_ask(library, "commit-message", "", ["clipboard=+ a line"])
    assert diff.endswith("+ a line")
