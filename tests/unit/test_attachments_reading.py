"""Reading what is attached, from real files: text by content, PDFs, images, binaries refused,
folders with .gitignore, @mentions, pastes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from glm_tui.attachments import (
    AttachmentError,
    find_mentions,
    limits,
    mention_text,
    pasted_path,
    pasted_text,
    read_bytes,
    read_file,
    should_attach_paste,
)
from glm_tui.attachments.ignore import IgnoreWalker
from tests.attachment_helpers import binary_bytes, image_bytes, pdf_bytes, write


def test_text_is_told_by_content_not_by_extension(tmp_path: Path) -> None:
    script = write(tmp_path / "Makefile", "all:\n\techo hi\n")
    disguised = write(tmp_path / "notes.dat", "plain words in a .dat file\n")
    fake_text = write(tmp_path / "archive.txt", binary_bytes())
    [make] = read_file(script, tmp_path)
    assert (make.kind, make.name, make.text) == ("text", "Makefile", "all:\n\techo hi\n")
    [dat] = read_file(disguised, tmp_path)
    assert dat.kind == "text" and dat.text == "plain words in a .dat file\n"
    with pytest.raises(AttachmentError, match=r"^archive\.txt is a binary file"):
        read_file(fake_text, tmp_path)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("naïve café, crème brûlée\n".encode("cp1252"), "cp1252"),
        ("这是一个中文文件，用于测试编码检测。第二行也有一些中文字符。\n".encode("gbk"), "gb18030"),
        ("\ufeffwith a byte order mark\n".encode("utf-16-le"), "utf-16"),
        ("UTF-16 without a mark, as Windows tools write\n".encode("utf-16-le"), "utf-16"),
        ("\ufeffUTF-8 with a mark\n".encode(), "utf-8-sig"),
    ],
)
def test_text_in_other_encodings_is_decoded(data: bytes, encoding: str) -> None:
    attachment = read_bytes("file.txt", data)
    assert attachment.kind == "text"
    expected = data.decode(encoding).lstrip("\ufeff")
    assert attachment.text is not None and attachment.text.lstrip("\ufeff") == expected
    assert "\ufffd" not in attachment.text
    if encoding not in ("utf-8-sig",):
        assert attachment.note == f"read as {encoding}" or attachment.note.startswith("read as")


def test_a_pdf_gives_its_text_page_by_page(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", pdf_bytes(["Quarterly owls: 42", "Page two (owls)"]))
    [pdf] = read_file(path, tmp_path)
    assert (pdf.kind, pdf.mime, pdf.note) == ("pdf", "application/pdf", "2 pages")
    assert pdf.text == "[page 1]\nQuarterly owls: 42\n\n[page 2]\nPage two (owls)"
    assert pdf.data == path.read_bytes()


def test_pdfs_that_cannot_be_read_are_refused_naming_them(tmp_path: Path) -> None:
    scan = write(tmp_path / "scan.pdf", pdf_bytes(["", ""]))
    locked = write(tmp_path / "locked.pdf", pdf_bytes(["secret"], password="pw"))
    broken = write(tmp_path / "broken.pdf", b"%PDF-1.7\n" + binary_bytes(2000))
    with pytest.raises(AttachmentError, match=r"^scan\.pdf has no text"):
        read_file(scan, tmp_path)
    with pytest.raises(AttachmentError, match=r"^locked\.pdf is an encrypted PDF"):
        read_file(locked, tmp_path)
    with pytest.raises(AttachmentError, match=r"^broken\.pdf: cannot read it as a PDF"):
        read_file(broken, tmp_path)


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_images_are_kept_as_they_are(tmp_path: Path, fmt: str, mime: str) -> None:
    data = image_bytes(fmt, (80, 60))
    path = write(tmp_path / f"picture.{fmt.lower()}", data)
    [image] = read_file(path, tmp_path)
    assert (image.kind, image.mime, image.width, image.height) == ("image", mime, 80, 60)
    assert image.data == data and image.text is None and image.note == ""


def test_an_image_over_5_mb_is_downscaled_to_fit(tmp_path: Path) -> None:
    data = image_bytes("PNG", (2200, 2200), noise=True)
    assert len(data) > limits.MAX_IMAGE_BYTES
    [image] = read_file(write(tmp_path / "photo.png", data), tmp_path)
    assert image.data is not None and len(image.data) <= limits.MAX_IMAGE_BYTES
    assert image.width is not None and image.width < 2200
    assert image.note.startswith("downscaled from 2200x2200")
    import io

    from PIL import Image

    with Image.open(io.BytesIO(image.data)) as reopened:
        assert reopened.size == (image.width, image.height) and reopened.format == "PNG"


def test_limits_per_file_say_what_to_do(tmp_path: Path) -> None:
    big = write(tmp_path / "big.log", "x" * (limits.MAX_TEXT_BYTES + 1))
    with pytest.raises(AttachmentError, match=r"^big\.log is 2\.0 MB of text: the limit is"):
        read_file(big, tmp_path)
    with pytest.raises(AttachmentError, match=r"^missing\.txt: no such file$"):
        read_file(tmp_path / "missing.txt", tmp_path)
    damaged = write(tmp_path / "damaged.png", b"\x89PNG\r\n\x1a\n" + binary_bytes(100))
    with pytest.raises(AttachmentError, match=r"^damaged\.png: cannot read it as an image"):
        read_file(damaged, tmp_path)


def test_a_folder_attaches_its_text_files_and_lists_what_it_left_out(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project / ".gitignore", "build/\n*.log\n!keep.log\n")
    write(project / "src" / "app.py", "print('owls')\n")
    write(project / "src" / "logo.png", image_bytes("PNG"))
    write(project / "README.md", "# Project\n")
    write(project / "debug.log", "noise\n")
    write(project / "keep.log", "kept\n")
    write(project / "build" / "out.txt", "generated\n")
    write(project / "blob.bin", binary_bytes())
    attached = read_file(project, tmp_path)
    names = [a.name for a in attached]
    assert names == [
        "project/.gitignore",
        "project/README.md",
        "project/keep.log",
        "project/src/app.py",
        "project/",
    ]
    listing = attached[-1]
    assert listing.note == "4 text files attached, 2 left out"
    assert listing.text is not None
    assert "blob.bin: binary" in listing.text and "src/logo.png: not text" in listing.text
    assert "debug.log" not in listing.text and "build" not in listing.text  # ignored: not listed


def test_a_folder_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "FOLDER_MAX_FILES", 3)
    for index in range(5):
        write(tmp_path / "many" / f"f{index}.txt", f"file {index}\n")
    attached = read_file(tmp_path / "many", tmp_path)
    assert [a.name for a in attached[:-1]] == ["many/f0.txt", "many/f1.txt", "many/f2.txt"]
    assert attached[-1].text is not None
    assert "f3.txt: over the limit of 3 files" in attached[-1].text
    with pytest.raises(AttachmentError, match=r"^empty: nothing to attach"):
        (tmp_path / "empty").mkdir()
        read_file(tmp_path / "empty", tmp_path)


GITIGNORE = (
    """\
# comment
*.pyc
/top-only.txt
docs/*.html
!docs/keep.html
logs/
**/cache/**
a/**/z.txt
\\#hash.txt
[abc]x.txt
?q.txt
"""
    + "name with space\\ \n"
)
TREE = [
    "x.pyc", "sub/y.pyc", "top-only.txt", "sub/top-only.txt", "docs/page.html",
    "docs/keep.html", "docs/deep/page.html", "logs/a.txt", "sub/logs/b.txt", "deep/cache/c/d.txt",
    "a/z.txt", "a/b/c/z.txt", "name with space ", "#hash.txt", "ax.txt", "dx.txt", "1q.txt",
    "qq/ok.txt", "plain.txt", "sub/.gitignore", "sub/local.md", "sub/other.md",
]  # fmt: skip


def test_ignore_rules_agree_with_git(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", GITIGNORE)
    for name in TREE:
        write(tmp_path / name, "x\n")
    write(tmp_path / "sub" / ".gitignore", "local.md\n")
    seen = {path for path, is_dir in IgnoreWalker(tmp_path).walk() if not is_dir}
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert seen == {name for name in listed.split("\0") if name}


def test_ignore_rules_of_the_repository_apply_below_its_root(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "*.secret\n")
    write(tmp_path / "pkg" / "a.py", "a\n")
    write(tmp_path / "pkg" / "b.secret", "b\n")
    assert [p for p, _ in IgnoreWalker(tmp_path / "pkg").walk()] == ["a.py"]
    assert IgnoreWalker(tmp_path).is_ignored(tmp_path / "pkg" / "b.secret")
    assert not IgnoreWalker(tmp_path).is_ignored(tmp_path / "pkg" / "a.py")


def test_mentions_name_existing_paths(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "n\n")
    write(tmp_path / "src" / "app.py", "a\n")
    write(tmp_path / "my file.txt", "m\n")
    text = (
        'Compare @notes.md, @src/app.py and @src/ with @"my file.txt"; ignore @missing.py'
        " and mail@example.com and @notes.md again."
    )
    mentions = find_mentions(text, tmp_path)
    assert [m.typed for m in mentions] == ["notes.md", "src/app.py", "src/", "my file.txt"]
    first = mentions[0]
    assert text[first.start : first.end] == "@notes.md"
    assert mention_text("my file.txt") == '@"my file.txt"' and mention_text("a.py") == "@a.py"


def test_pastes(tmp_path: Path) -> None:
    write(tmp_path / "data.csv", "a,b\n")
    assert should_attach_paste("x" * 2001) and not should_attach_paste("x" * 2000)
    pasted = pasted_text("line\n" * 500)
    assert (pasted.name, pasted.kind, pasted.mime) == ("pasted text", "text", "text/plain")
    assert pasted_path(f"{tmp_path}/data.csv\n", tmp_path) == tmp_path / "data.csv"
    assert pasted_path("'data.csv'", tmp_path) == tmp_path / "data.csv"
    assert pasted_path(f"file://{tmp_path}/data.csv", tmp_path) == tmp_path / "data.csv"
    assert pasted_path("data.csv and more", tmp_path) is None
    assert pasted_path("two\nlines", tmp_path) is None


def test_the_same_content_has_the_same_sha256(tmp_path: Path) -> None:
    one = read_bytes("a.txt", b"same words\n")
    two = read_bytes("b.txt", b"same words\n")
    assert one.sha256 == two.sha256 and one.size == 11 and one.ref().name == "a.txt"
    image = read_bytes("p.png", image_bytes("PNG"))
    assert image.tokens >= 64 and one.tokens > 12
