"""A password in the URL never reaches the screen, the history, the saved buffers or the logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from uitools import settle

from dbtui.core import paths
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui.app import DbtuiApp
from dbtui.ui.widgets.editor import QueryEditor

PASSWORD = "s3cret-pw"


def every_file_under(directory: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in directory.rglob("*")
        if path.is_file()
    )


async def test_password_never_shown_or_stored(postgres_server: Any) -> None:
    url = postgres_server.url_for(user="dbtui_pw", password=PASSWORD)
    assert PASSWORD in url
    good = spec_from_url(url)
    failing = spec_from_url(url.replace("127.0.0.1", "127.0.0.1").rsplit("/", 1)[0] + "/no_such_db")
    outcomes: list[Any] = [(good, open_driver(good))]
    try:
        open_driver(failing)
    except Exception as error:
        outcomes.append((failing, error))
    app = DbtuiApp(outcomes)
    screens: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app)
        screens.append(app.export_screenshot())
        editor = app.screen.query_one(QueryEditor)
        editor.text = f"SELECT '{url.split('@')[0].split('//')[1].split(':')[0]}' AS who"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        screens.append(app.export_screenshot())
        for key in ("f1", "escape", "ctrl+r", "escape", "f6", "f4", "f2"):
            await pilot.press(key)
            await settle(app)
            screens.append(app.export_screenshot())
        app.screen.query_one("#messages")  # the log exists and was rendered above
        await pilot.press("ctrl+q")
    for number, svg in enumerate(screens):
        assert PASSWORD not in svg, f"screen {number} shows the password"
    stored = every_file_under(paths.data_dir())
    assert "dbtui_pw" in stored, "history and buffers were written"
    assert PASSWORD not in stored
