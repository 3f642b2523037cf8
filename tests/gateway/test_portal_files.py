"""gateway/portal.py on its own: what a folder gives, and what it refuses to serve."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from gateway.portal import Portal


def folder(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "app.js").write_text("export const a = 1;")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "one.js").write_text("export {};")
    (tmp_path / ".env").write_text("SECRET=1")
    (tmp_path / "notes.md").write_text("not served")
    (tmp_path / "run.sh").write_text("#!/bin/sh")
    return tmp_path


def test_only_known_kinds_of_file_are_served(tmp_path: Path) -> None:
    assert Portal(folder(tmp_path)).files == ["app.js", "index.html", "pages/one.js"]


def test_a_folder_without_an_index_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"no index\.html"):
        Portal(tmp_path)


async def test_routes_answer_from_memory(tmp_path: Path) -> None:
    app = Starlette(routes=Portal(folder(tmp_path)).routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://portal") as client:
        for path in ("/", "/portal"):
            answer = await client.get(path)
            assert answer.status_code == 200 and answer.text.startswith("<!doctype html>")
            assert "script-src 'self'" in answer.headers["content-security-policy"]
        (tmp_path / "app.js").write_text("changed on disk")
        assert (await client.get("/portal/app.js")).text == "export const a = 1;"
        assert (await client.get("/portal/pages/one.js")).status_code == 200
        for path in ("/portal/.env", "/portal/notes.md", "/portal/run.sh", "/portal/../index.html", "/x"):
            assert (await client.get(path)).status_code == 404, path
