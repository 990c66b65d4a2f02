"""A fake UiTdatabank Search API v3 on 127.0.0.1 for the sync tests.

It answers `GET /events/` as the documentation describes it (cultuurnet apidocs: search-api/embedding.md,
pagination with `start` and `limit`, client identification with the `x-client-id` header or an `x-api-key`),
from a list of events the test changes between syncs. Without credentials it answers 401 with an RFC 7807
problem, as publiq's APIs do. `fail_from_page` makes a later page fail, to test a partial fetch.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.helpers import free_port
from tests.offers.uitdatabank_examples import response


class FakeSearchApi:
    def __init__(self, events: list[dict[str, Any]], *, client_id: str = "test-client") -> None:
        self.events = events
        self.client_id = client_id
        self.requests: list[dict[str, str]] = []
        self.fail_from_page: int | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeSearchApi:
        app = web.Application()
        app.router.add_get("/events/", self._events)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _events(self, request: web.Request) -> web.Response:
        self.requests.append({**request.query, "x-client-id": request.headers.get("x-client-id", "")})
        if request.headers.get("x-client-id") != self.client_id:
            problem = {"type": "https://api.publiq.be/probs/auth/unauthorized", "title": "Unauthorized", "status": 401}
            return web.json_response(problem, status=401, content_type="application/problem+json")
        start, limit = int(request.query.get("start", "0")), int(request.query.get("limit", "30"))
        if self.fail_from_page is not None and start >= self.fail_from_page * limit:
            return web.json_response({"title": "Internal Server Error", "status": 500}, status=500)
        page = self.events[start : start + limit]
        return web.json_response(response(page, total=len(self.events), per_page=limit))
