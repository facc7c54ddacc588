"""``glm-tui serve`` without a browser: who gets in (token, Host, Origin), the app processes it
starts and stops, and one clear line for each way it cannot start. The page in a real Chromium
is test_serve_browser.py."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import httpx
import pytest

from glm_tui.global_options import global_arguments, tui_flags
from tests.cli_helpers import CLI, SECRET_KEY
from tests.serve_helpers import Served, alive, serving
from tests.waiting import wait_for

pytestmark = pytest.mark.slow

WS_HANDSHAKE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


def get(served: Served, path: str = "/", **kwargs: object) -> httpx.Response:
    return httpx.get(f"{served.base}{path}", follow_redirects=False, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"demo": True, "db_path": "/tmp/a b/h.db"},
        {"thinking": False, "web_search": True, "temperature": 0.5, "max_tokens": 300},
        {"provider": "zai", "model": "glm-4.7", "system_prompt": "Be brief; --demo is text"},
    ],
)
def test_each_tab_gets_the_global_options_serve_was_given(flags: dict[str, object]) -> None:
    assert tui_flags(global_arguments(flags)) == flags


async def test_on_loopback_the_page_needs_no_token_but_a_loopback_host(cli: CLI) -> None:
    with serving(cli, "--demo", "serve") as served:
        assert served.url == f"http://127.0.0.1:{served.port}/"
        page = get(served)
        assert page.status_code == 200
        assert "<div>glm-tui</div>" in page.text
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page.text
        # A page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing.
        assert get(served, headers={"Host": f"evil.example:{served.port}"}).status_code == 403
        assert get(served, headers={"Host": f"localhost:{served.port}"}).status_code == 200
        # Any web page may open a websocket to 127.0.0.1: only this server's page may drive it.
        evil = {**WS_HANDSHAKE, "Origin": "http://evil.example"}
        assert get(served, "/ws", headers=evil).status_code == 403
        assert served.app_processes() == []
        assert SECRET_KEY not in page.text and str(cli.db) not in page.text


async def test_another_host_needs_the_token_and_starts_no_app_without_it(cli: CLI) -> None:
    with serving(cli, "--demo", "serve", "--host", "0.0.0.0") as served:
        token = served.token
        assert token is not None and len(token) >= 40
        for path in ("/", "/ws", "/static/js/textual.js", "/download/x"):
            answer = get(served, path, headers=WS_HANDSHAKE if path == "/ws" else {})
            assert answer.status_code == 401, path
        assert get(served, "/?token=wrong").status_code == 401
        assert get(served, "/", cookies={"glm_tui_token": "wrong"}).status_code == 401
        assert served.app_processes() == []

        # The token once in the URL: kept in an HttpOnly cookie, taken out of the address.
        kept = get(served, f"/?fontsize=14&token={token}")
        assert kept.status_code == 302
        assert kept.headers["location"] == "/?fontsize=14"
        cookie = kept.headers["set-cookie"]
        assert cookie.startswith(f"glm_tui_token={token};")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert get(served, cookies={"glm_tui_token": token}).status_code == 200

        # With the cookie the websocket starts an app: the count above could have been one.
        url = f"ws://127.0.0.1:{served.port}/ws"
        async with (
            aiohttp.ClientSession(cookies={"glm_tui_token": token}) as web,
            web.ws_connect(url),
        ):
            wait_for(lambda: len(served.app_processes()) == 1, "the tab's app")
        assert served.stop() == 0


def test_a_token_given_on_loopback_is_asked_for_too(cli: CLI) -> None:
    with serving(cli, "--demo", "serve", "--token", "owl-token_1.2~3") as served:
        assert served.url.endswith("/?token=owl-token_1.2~3")
        assert get(served).status_code == 401
        assert get(served, "/?token=owl-token_1.2~3").status_code == 302
    with serving(cli, "--demo", "serve", GLM_TUI_SERVE_TOKEN="from-env") as served:
        assert served.token == "from-env"


async def test_each_tab_is_its_own_app_and_ctrl_c_stops_them_all(cli: CLI) -> None:
    with serving(cli, "--demo", "--no-thinking", "serve") as served:
        url = f"ws://127.0.0.1:{served.port}/ws"
        async with aiohttp.ClientSession() as web, web.ws_connect(url), web.ws_connect(url):
            wait_for(lambda: len(served.app_processes()) == 2, "two apps")
            apps = served.app_processes()
            # textual-serve starts each through a shell that execs it: wait for the exec.
            wait_for(lambda: all(b"glm_tui" in command_line(pid) for pid in apps), "exec")
            for pid in apps:
                command = command_line(pid)
                assert b"--no-thinking" in command and b"--demo" in command
                # The key reaches the app by its environment, never its command line.
                assert not any(SECRET_KEY.encode() in part for part in command)
                environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                assert f"GLM_TUI_API_KEY={SECRET_KEY}".encode() in environment
            assert served.stop() == 0
        assert not any(alive(pid) for pid in apps)


def command_line(pid: int) -> list[bytes]:
    """A process's arguments, one item each."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")


def free_port_taken() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        # (A name that does not resolve is "no such host or address", exit 2 too: not tested, as
        # asking would reach out to a name server.)
        (["--host", "no host!"], 2, "error: --host no host!: not a host name or an IP address"),
        (["--host", "a..b"], 2, "error: --host a..b: not a host name or an IP address"),
        (["--host", "192.0.2.77"], 2, "error: --host 192.0.2.77: not an address of this machine"),
        (["--token", "two words"], 2, "error: --token may hold only letters, digits and - . _ ~"),
        (["--token", ""], 2, "error: --token is empty"),
        (["--public-url", "ftp://x"], 2, "error: --public-url must start with http://"),
        (["--port", "70000"], 2, "70000 is not in the range 0<=x<=65535"),
    ],
)
def test_a_bad_option_is_one_line(cli: CLI, args: list[str], code: int, message: str) -> None:
    done = cli.run("--demo", "serve", *args)
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    if message.startswith("error:"):
        assert done.stderr.count("\n") == 1


def test_a_port_in_use_is_one_line(cli: CLI) -> None:
    with free_port_taken() as taken:
        port = taken.getsockname()[1]
        done = cli.run("--demo", "serve", "--port", str(port))
    assert done.returncode == 1
    assert done.stderr == f"error: port {port} is in use on 127.0.0.1: choose another with --port\n"


def test_a_missing_database_directory_is_said_before_serving(cli: CLI, tmp_path: Path) -> None:
    done = cli.run("--demo", "--db", str(tmp_path / "nowhere" / "h.db"), "serve")
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot open the database")


def test_without_textual_serve_it_says_what_to_install(cli: CLI, tmp_path: Path) -> None:
    hidden = tmp_path / "hide"
    (hidden / "textual_serve").mkdir(parents=True)
    (hidden / "textual_serve" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'textual_serve'\", name='textual_serve')\n"
    )
    done = cli.run("--demo", "serve", PYTHONPATH=str(hidden))
    assert done.returncode == 1
    assert done.stderr == (
        "error: glm-tui serve needs textual-serve (no module textual_serve):"
        " pip install 'glm-tui[serve]'\n"
    )


def test_the_ipv6_loopback_written_as_in_a_url(cli: CLI) -> None:
    with serving(cli, "--demo", "serve", "--host", "[::1]") as served:
        assert served.url == f"http://[::1]:{served.port}/"
        assert httpx.get(served.url).status_code == 200
