"""How the bot talks HTTP to the Bot API: python-telegram-bot's request interface on aiohttp.

Why not PTB's default (httpx): measured in bench/e2e.py, httpx with httpcore and anyio cost about
3.5 ms of CPU per Bot API call on this machine, aiohttp about 0.8 ms. An answer of ours is two or
three messages, so with httpx the HTTP client, not the bot, was what limited how many questions a
second the bot could answer. `BaseRequest` is PTB's documented extension point for this; PTB still
does everything above the HTTP call (parameters, error mapping, RetryAfter, the rate limiter).

Timeouts mean what they mean in PTB: connect (TCP connect), read (waiting for the answer; PTB adds
the long-poll time for getUpdates), pool (waiting for a free connection). aiohttp has no separate
write timeout: a stalled upload is caught by the read timeout.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """One pool of keep-alive connections to the Bot API (PTB uses one for calls, one for getUpdates)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_read_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_read_timeout = media_read_timeout  # uploads (a report, a flyer) take longer
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        default_read = self._media_read_timeout if files else self._read_timeout
        read = default_read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,  # waiting for a connection
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=_body(request_data, files), timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _body(request_data: RequestData | None, files: dict | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields as PTB prepares them; with files, a multipart form (like httpx's `files=`)."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
