"""``glm-tui ask -a FILE`` as a real subprocess against the fake server."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from tests.attachment_helpers import binary_bytes, image_bytes, pdf_bytes, write
from tests.cli_helpers import CLI, assert_clean_failure
from tests.fakeglm import FakeGLM, zai_stream
from tests.waiting import CEILING

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path: Path, fake_glm: FakeGLM) -> CLI:
    return CLI(tmp_path, fake_glm.base_url)


def last_user(fake_glm: FakeGLM) -> object:
    return fake_glm.requests[-1].json["messages"][-1]["content"]


def test_text_files_go_in_fenced_blocks_and_are_saved(
    cli: CLI, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    write(tmp_path / "a.py", "x = 1\n")
    write(tmp_path / "b.txt", "bee\n")
    fake_glm.enqueue(zai_stream("Two files."))
    result = cli.run("ask", "-a", str(tmp_path / "a.py"), "--attach", str(tmp_path / "b.txt"), "Q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Two files.\n"
    content = last_user(fake_glm)
    assert isinstance(content, str)
    assert f"File: {tmp_path}/a.py\n```python\nx = 1\n```" in content
    assert content.endswith(f"File: {tmp_path}/b.txt\n```text\nbee\n```\n\nQ")
    [conversation] = cli.json("list")
    shown = cli.json("show", str(conversation["id"]))
    refs = shown["messages"][0]["attachments"]
    assert [(r["name"], r["size"]) for r in refs] == [
        (f"{tmp_path}/a.py", 6),
        (f"{tmp_path}/b.txt", 4),
    ]
    assert set(refs[0]) == {"name", "mime", "size", "sha256"}
    markdown = cli.run("show", str(conversation["id"])).stdout
    assert f"- `{tmp_path}/a.py` (text/x-python, 6 B)" in markdown


def test_an_image_goes_to_the_vision_model(cli: CLI, fake_glm: FakeGLM, tmp_path: Path) -> None:
    png = image_bytes("PNG", (30, 20))
    write(tmp_path / "shot.png", png)
    fake_glm.enqueue(zai_stream("A picture."))
    result = cli.run("ask", "-a", str(tmp_path / "shot.png"), "What is it?", GLM_TUI_PROVIDER="zai")
    assert result.returncode == 0, result.stderr
    body = fake_glm.requests[0].json
    assert body["model"] == "glm-4.6v"
    assert body["messages"][-1]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode()},
    }
    [conversation] = cli.json("list")
    reply = cli.json("show", str(conversation["id"]))["messages"][1]
    assert reply["model"] == "glm-4.6v"


def test_an_image_without_a_vision_model_is_refused(
    cli: CLI, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    write(tmp_path / "shot.png", image_bytes("PNG"))
    result = cli.run("ask", "-a", str(tmp_path / "shot.png"), "What is it?")
    line = assert_clean_failure(result)
    assert "does not take images" in line and "set vision_model in" in line
    assert fake_glm.requests == [] and cli.json("list") == []


def test_a_pdf_gives_its_text(cli: CLI, fake_glm: FakeGLM, tmp_path: Path) -> None:
    write(tmp_path / "r.pdf", pdf_bytes(["Numbat count: 7"]))
    result = cli.run("ask", "-a", str(tmp_path / "r.pdf"), "Count?")
    assert result.returncode == 0, result.stderr
    assert "[page 1]\nNumbat count: 7\n```\n\nCount?" in str(last_user(fake_glm))


def test_refusals_name_the_file(cli: CLI, fake_glm: FakeGLM, tmp_path: Path) -> None:
    write(tmp_path / "blob.bin", binary_bytes())
    write(tmp_path / "huge.log", "y" * (2 * 1024 * 1024 + 10))
    line = assert_clean_failure(cli.run("ask", "-a", str(tmp_path / "blob.bin"), "Q"))
    assert (
        line == f"error: {tmp_path}/blob.bin is a binary file: only text, PDFs and PNG, JPEG,"
        " WebP or GIF images can be attached (nothing was sent)"
    )
    line = assert_clean_failure(cli.run("ask", "-a", str(tmp_path / "nope.txt"), "Q"))
    assert line == f"error: {tmp_path}/nope.txt: no such file"
    line = assert_clean_failure(cli.run("ask", "-a", str(tmp_path / "huge.log"), "Q"))
    assert line.startswith(f"error: {tmp_path}/huge.log is 2.0 MB of text: the limit is 2.0 MB")
    assert fake_glm.requests == []
    result = cli.run("ask", "--json", "-a", str(tmp_path / "nope.txt"), "Q")
    assert result.returncode == 1 and '"error": "' in result.stdout


def test_standard_input_as_an_attachment(cli: CLI, fake_glm: FakeGLM) -> None:
    result = cli.run("ask", "-a", "-", "Summarise the log", input="line one\nline two\n")
    assert result.returncode == 0, result.stderr
    assert last_user(fake_glm) == (
        "Standard input:\n```\nline one\nline two\n```\n\nSummarise the log"
    )
    usage = cli.run("ask", "-a", "-", input="text\n")
    assert_clean_failure(usage, 2)
    assert "give the prompt as an argument" in usage.stderr


def test_binary_standard_input_is_refused(cli: CLI, fake_glm: FakeGLM) -> None:
    process = subprocess.run(
        cli.argv("ask", "-a", "-", "What is this?"),
        input=binary_bytes(),
        capture_output=True,
        env=cli.env(),
        timeout=CEILING,
    )
    assert process.returncode == 1
    assert process.stderr.decode().strip() == (
        "error: stdin is a binary file: only text, PDFs and PNG, JPEG, WebP or GIF images can"
        " be attached (nothing was sent)"
    )
    assert fake_glm.requests == []
