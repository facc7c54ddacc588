"""Your own keys: ``[keys]`` and ``keymap`` in config.toml, checked against the list of actions."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from textual.keys import Keys, _character_to_key

from glm_tui.config import load_settings, save_config
from glm_tui.key_actions import ACTIONS, BY_NAME, KEYMAPS, default_keys, scopes_meet
from glm_tui.key_config import normalise_key, read_key_config
from tests.cli_helpers import CLI

CONFIG = Path("/home/me/.config/glm-tui/config.toml")


def problems(table: object, keymap: object = None) -> tuple[str, ...]:
    return read_key_config(table, keymap, path=CONFIG).problems


def test_rebinding_actions() -> None:
    keys = read_key_config(
        {
            "new_conversation": "Alt+N",
            "toggle_sidebar": ["ctrl+b", "F9"],
            "copy_code": "",
            "show_bookmarks": "f6",
            "bookmark_message": "shift+b",
        }
    )
    assert keys.problems == ()
    assert dict(keys.overrides) == {
        "new_conversation": "alt+n",
        "toggle_sidebar": "ctrl+b,f9",
        "copy_code": "",
        "show_bookmarks": "f6",
        "bookmark_message": "B",
    }
    in_force = keys.keys()
    assert in_force["new_conversation"] == ("alt+n",) and in_force["copy_code"] == ()
    assert in_force["search"] == ("ctrl+f",)  # the others keep theirs


def test_swapping_two_keys_is_no_conflict() -> None:
    keys = read_key_config({"search": "ctrl+n", "new_conversation": "ctrl+f"})
    assert keys.problems == ()
    assert keys.keys()["search"] == ("ctrl+n",)


@pytest.mark.parametrize(
    ("table", "line"),
    [
        (
            {"new_conversaton": "alt+n"},
            f'{CONFIG}: keys.new_conversaton = "alt+n": no action is called'
            " 'new_conversaton' (F1 lists them)",
        ),
        (
            {"rename": "ctrl+zz"},
            f"{CONFIG}: keys.rename = \"ctrl+zz\": 'zz' is no key Textual knows (keys are like"
            " ctrl+n, f5, escape, pageup, slash or a single character); the default (f2) applies",
        ),
        (
            {"rename": "hyper+super+cmd+x"},
            f'{CONFIG}: keys.rename = "hyper+super+cmd+x": super is given twice; the default'
            " (f2) applies",
        ),
        (
            {"rename": "win+x"},
            f"{CONFIG}: keys.rename = \"win+x\": 'win' is no modifier (they are alt, ctrl, hyper,"
            " meta, shift, super); the default (f2) applies",
        ),
        (
            {"rename": 5},
            f'{CONFIG}: keys.rename = 5: a key is text, such as "ctrl+n" (or a list of them);'
            " the default (f2) applies",
        ),
        (
            {"search": "ctrl+r"},
            f'{CONFIG}: keys.search = "ctrl+r": ctrl+r is regenerate\'s key too; the default'
            " (ctrl+f) applies",
        ),
        (
            {"pin_conversation": "delete"},
            f'{CONFIG}: keys.pin_conversation = "delete": delete is delete_conversation\'s key'
            " too; the default (p) applies",
        ),
        (
            {"quit": "q"},
            f'{CONFIG}: keys.quit = "q": q would be typed in the composer: a key for the whole'
            " window needs Ctrl or Alt, or is a function key; the default (ctrl+q) applies",
        ),
        (
            {"help": "enter"},
            f'{CONFIG}: keys.help = "enter": enter sends (and opens, chooses); the default (f1)'
            " applies",
        ),
        (
            {"show_bookmarks": "tab"},
            f'{CONFIG}: keys.show_bookmarks = "tab": tab moves the focus; it keeps no key',
        ),
    ],
    ids=[
        "unknown-action",
        "bad-key",
        "twice",
        "bad-modifier",
        "not-text",
        "conflict",
        "conflict-in-scope",
        "plain-key-for-the-window",
        "reserved",
        "reserved-no-default",
    ],
)
def test_each_problem_is_one_line_naming_the_entry_and_the_default_applies(
    table: dict[str, object], line: str
) -> None:
    keys = read_key_config(table, path=CONFIG)
    assert keys.problems == (line,)
    assert dict(keys.overrides) == {}
    assert keys.keys() == default_keys()


def test_the_later_of_two_clashing_entries_is_left_out() -> None:
    keys = read_key_config({"rename": "f9", "settings": "f9"}, path=CONFIG)
    assert dict(keys.overrides) == {"rename": "f9"}
    assert keys.problems == (
        f'{CONFIG}: keys.settings = "f9": f9 is rename\'s key too; the default (f3) applies',
    )


def test_the_same_key_in_scopes_that_never_meet_is_fine() -> None:
    keys = read_key_config({"pin_conversation": "b"})  # b bookmarks a selected message
    assert keys.problems == () and keys.keys()["bookmark_message"] == ("b",)


def test_a_keys_value_that_is_no_table() -> None:
    assert problems("ctrl+n") == (
        f"{CONFIG}: keys must be a table ([keys]); the default keys apply",
    )


def test_the_vi_keymap() -> None:
    vi = read_key_config(None, "VI")
    assert vi.keymap == "vi" and vi.problems == ()
    keys = vi.keys()
    assert keys["next_message"] == ("down", "j") and keys["previous_message"] == ("up", "k")
    assert keys["message_first"] == ("g",) and keys["message_last"] == ("G",)
    assert keys["message_search"] == ("slash",) and keys["sidebar_search"] == ("slash",)
    assert keys["sidebar_down"] == ("j",) and keys["sidebar_last"] == ("G",)
    assert keys["copy_code"] == ("y",)  # k moves up there
    assert problems(None, "emacs") == (
        f"{CONFIG}: keymap = 'emacs': it is one of default, vi; the default keymap applies",
    )
    assert read_key_config(None, "emacs").keymap == "default"


@pytest.mark.parametrize("keymap", KEYMAPS)
def test_the_defaults_never_clash(keymap: str) -> None:
    keys = default_keys(keymap)
    for first in ACTIONS:
        for second in ACTIONS:
            if first.name < second.name and scopes_meet(first.scope, second.scope):
                shared = set(keys[first.name]) & set(keys[second.name])
                assert not shared, (first.name, second.name, shared)


def test_key_names_follow_textual() -> None:
    for char in string.printable.strip():
        assert normalise_key(char) == _character_to_key(char), char
    for key in Keys:
        # "return" is an old alias: Textual's events say "enter"; "ctrl-at" is no key name.
        if not key.value.startswith("<") and key.value not in ("return", "ctrl-at"):
            assert normalise_key(key.value) == key.value
    assert normalise_key("Shift+Ctrl+Up") == "ctrl+shift+up"  # Textual sorts the modifiers
    assert normalise_key("alt+ctrl+x") == normalise_key("ctrl+alt+x") == "alt+ctrl+x"
    assert normalise_key("shift+g") == "G" and normalise_key("ctrl++") == "ctrl+plus"
    assert normalise_key("Esc") == "escape" and normalise_key("PgDn") == "pagedown"


def test_the_ui_key_table_takes_every_movable_key_from_the_list() -> None:
    """key_actions.py is the one list: every key of the UI's table that a user can move (the
    main screen's, the sidebar's, a message's) names an action of it, of the scope it is bound
    in, and keeps no keys of its own; every action of the list is bound somewhere."""
    from glm_tui.ui.keys import ACTION_SCOPE, DEFAULT, KEYS

    bound: set[str] = set()
    for entry in KEYS:
        if entry.scope not in ACTION_SCOPE:
            assert entry.fixed, entry  # the composer's and the search box's own keys
            continue
        assert not entry.fixed, entry
        action = BY_NAME[entry.name]
        assert DEFAULT.keys_of(entry) == action.keys
        if entry.action:  # the pane's scroll keys: the window's, moved with them
            assert action.scope == "app", entry
        else:
            assert action.scope == ACTION_SCOPE[entry.scope], (entry.name, entry.scope)
            assert entry.runs == action.action
        bound.add(entry.name)
    assert bound == set(BY_NAME)
    assert BY_NAME["command_palette"].keys == ("ctrl+p",)


# -- in config.toml ----------------------------------------------------------------------------


def test_settings_hold_the_keys_and_saving_keeps_the_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'model = "glm-4.7"\nkeymap = "vi"\n\n[keys]\nnew_conversation = "alt+n"\n'
        'quit = "q"\n"sidebar_search" = ["slash", "f7"]\n'
    )
    settings = load_settings({"config_path": str(path)}, env={})
    assert settings.keymap == "vi"
    assert dict(settings.key_overrides) == {
        "new_conversation": "alt+n",
        "sidebar_search": "slash,f7",
    }
    assert settings.key_problems == (
        f'{path}: keys.quit = "q": q would be typed in the composer: a key for the whole window'
        " needs Ctrl or Alt, or is a function key; the default (ctrl+q) applies",
    )
    save_config(path, {"theme": "nord"})  # the settings screen writes the file again
    again = load_settings({"config_path": str(path)}, env={})
    assert (again.theme, again.keymap, again.key_overrides, again.key_problems) == (
        "nord",
        "vi",
        settings.key_overrides,
        settings.key_problems,  # a wrong entry is kept for the user to fix
    )
    assert load_settings({"config_path": str(tmp_path / "none.toml")}, env={}).keymap == "default"


def test_auto_title_in_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("auto_title = false\n")
    assert load_settings({"config_path": str(path)}, env={}).auto_title is False
    path.write_text('auto_title = "sometimes"\n')
    with pytest.raises(Exception, match="auto_title must be true or false"):
        load_settings({"config_path": str(path)}, env={})


@pytest.mark.slow
def test_glm_tui_config_shows_the_keys_and_warns_of_each_problem(tmp_path: Path) -> None:
    cli = CLI(tmp_path)
    (tmp_path / "config.toml").write_text(
        'keymap = "vi"\n[keys]\nnew_conversation = "alt+n"\nnope = "f5"\n'
    )
    result = cli.run("config")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f'warning: {tmp_path / "config.toml"}: keys.nope = "f5": no action is called'
        " 'nope' (F1 lists them)\n"
    )
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["keymap"].startswith("vi") and "'new_conversation': 'alt+n'" in lines["keys"]
    assert lines["auto_title"].startswith("True")
