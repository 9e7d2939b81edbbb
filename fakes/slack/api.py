"""A fake Slack Web API on 127.0.0.1 (ephemeral port), speaking Slack's wire format.

It implements the methods Tandem uses with realistic bodies ({"ok": true, "ts": ...,
"channel": ...}), keeps the channels' messages (cards, thread replies, metadata)
so tests can assert on what Slack would show, records every call, and can answer
429 with Retry-After or 500 on demand, for a number of calls or for a while.
Slash-command and interaction answers posted to a response_url land here too, and so
do files shared through the external upload flow (files.getUploadURLExternal, a POST
of the bytes to the upload URL it gives, files.completeUploadExternal): `shared` and
`file_bytes` tell tests what reached which channel, byte for byte.
"""

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

TOKEN = "xoxb-test-token"
BOT_USER, BOT_ID = "U0BOT", "B0BOT"


@dataclass
class Call:
    method: str
    args: dict
    at: float  # time.monotonic() when it arrived
    status: int = 200


@dataclass
class Failure:
    status: int
    start: float = 0.0  # monotonic time it begins
    until: float | None = None  # monotonic deadline, or
    times: int | None = None  # a number of calls
    retry_after: int = 1
    methods: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    accept_first: bool = False  # do the work, then fail: the caller cannot know it happened

    def applies(self, method: str, channel: str, now: float) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.channels is not None and channel not in self.channels:
            return False
        if now < self.start:
            return False
        return (self.until is not None and now < self.until) or bool(self.times)


@dataclass
class FakeSlack:
    channels: set[str] = field(default_factory=lambda: {"C0OPS", "C0ALERTS"})
    users: dict[str, dict] = field(default_factory=dict)  # user id -> users.info "user"
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict]] = field(default_factory=dict)  # channel -> oldest first
    ephemeral: list[dict] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)  # bodies posted to response_url
    views: list[dict] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    stall: asyncio.Event | None = None  # when set up, accepted posts wait for it to answer
    token: str = TOKEN  # the bot token Slack accepts (change it to revoke the app's)
    files: dict[str, dict] = field(default_factory=dict)  # file id -> the upload's state

    def __post_init__(self) -> None:
        self._last_ts = 0.0
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- test controls ---------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_post("/upload/v1/{key}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def response_url(self) -> str:
        return self.url.replace("/api/", "/response/hook")

    def fail(self, status: int, *, seconds: float | None = None, times: int | None = None,
             after: float = 0.0, retry_after: int = 1, methods: tuple[str, ...] | None = None,
             channels: tuple[str, ...] | None = None, accept_first: bool = False) -> None:
        """Answer `status` for `times` calls, or for `seconds` starting `after` seconds on."""
        start = time.monotonic() + after
        self.failures.append(Failure(
            status, start, start + seconds if seconds is not None else None, times, retry_after,
            frozenset(methods) if methods else None, frozenset(channels) if channels else None,
            accept_first))

    def calls_to(self, method: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def cards(self, channel: str) -> list[dict]:
        """Top-level messages carrying Tandem's alert metadata."""
        return [m for m in self.messages.get(channel, [])
                if "thread_ts" not in m and (m.get("metadata") or {}).get("event_payload")]

    def card_for(self, channel: str, short_id: str) -> list[dict]:
        return [m for m in self.cards(channel)
                if m["metadata"]["event_payload"].get("alert") == short_id]

    def shared(self, channel: str) -> list[dict]:
        """Files shared in the channel, oldest first: id, name, title, length, comment."""
        return [{k: f[k] for k in ("id", "name", "title", "length", "comment")}
                for f in self.files.values() if channel in f["channels"]]

    def file_bytes(self, file_id: str) -> bytes | None:
        """What was uploaded for the file, None before its upload."""
        return self.files[file_id]["content"]

    def thread(self, channel: str, ts: str) -> list[str]:
        return [m["text"] for m in self.messages.get(channel, []) if m.get("thread_ts") == ts]

    async def wait_for(self, check: Callable[[], object], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"fake Slack: condition not met within {timeout}s")
            await asyncio.sleep(0.01)

    # -- the wire ----------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict:
        args: dict = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(dict(await request.post()))
        for key in ("blocks", "metadata", "view"):
            if isinstance(args.get(key), str) and args[key]:
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        call = Call(method, args, time.monotonic())
        self.calls.append(call)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        failure = self._failure(method, str(args.get("channel") or args.get("channel_id") or ""),
                                call.at)
        if failure is not None and not failure.accept_first:
            return self._failed(call, failure)
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        body = handler(args)
        if self.stall is not None and body.get("ok") and method == "chat.postMessage":
            await self.stall.wait()
        return self._failed(call, failure) if failure else web.json_response(body)

    def _failure(self, method: str, channel: str, now: float) -> Failure | None:
        failure = next((f for f in self.failures if f.applies(method, channel, now)), None)
        if failure is not None and failure.times:
            failure.times -= 1
        return failure

    @staticmethod
    def _failed(call: Call, failure: Failure) -> web.Response:
        call.status = failure.status
        if failure.status == 429:
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": str(failure.retry_after)})
        return web.Response(status=failure.status, text="Internal Server Error")

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """An upload URL: the raw bytes (or a multipart form's "file"), no token needed, as
        Slack's. Failures set up for method "upload" apply here."""
        found = next((f for f in self.files.values() if f["key"] == request.match_info["key"]),
                     None)
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = form.get("file")
            body = part.file.read() if isinstance(part, web.FileField) else b""
        else:
            body = await request.read()
        call = Call("upload", {"file_id": found["id"] if found else None, "length": len(body)},
                    time.monotonic())
        self.calls.append(call)
        failure = self._failure("upload", "", call.at)
        if failure is not None:
            return self._failed(call, failure)
        if found is None:
            call.status = 404
            return web.Response(status=404, text="Not Found")
        found["content"] = body
        return web.Response(text=f"OK - {len(body)}")

    def _next_ts(self) -> str:
        """Like Slack's: the wall clock in seconds with microseconds, unique and rising."""
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def chatter(self, channel: str, count: int, user: str = "U0HUMAN") -> None:
        """`count` messages from people (not Tandem) land in the channel now."""
        self.messages.setdefault(channel, []).extend(
            {"type": "message", "user": user, "ts": self._next_ts(), "text": f"chatter {n}"}
            for n in range(count))

    def _find(self, channel: str, ts: str) -> dict | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    def _known(self, channel: str) -> bool:
        return channel in self.channels or channel[:1] in ("D", "U")

    # -- methods (named m_<method with dots as underscores>) ---------------------------

    def m_auth_test(self, _args: dict) -> dict:
        return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "tandem",
                "team_id": "T0ACME", "user_id": BOT_USER, "bot_id": BOT_ID,
                "is_enterprise_install": False}

    def m_chat_postMessage(self, args: dict) -> dict:
        channel = str(args.get("channel", ""))
        if not self._known(channel):
            return {"ok": False, "error": "channel_not_found"}
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": self._next_ts(),
                   "text": args.get("text", ""), "blocks": args.get("blocks") or []}
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        if args.get("thread_ts"):
            parent = self._find(channel, str(args["thread_ts"]))
            if parent is None:
                return {"ok": False, "error": "thread_not_found"}
            message["thread_ts"] = parent["ts"]
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def m_chat_update(self, args: dict) -> dict:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if not self._known(channel):
            return {"ok": False, "error": "channel_not_found"}
        message = self._find(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.update(text=args.get("text", ""), blocks=args.get("blocks") or [])
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        message["edited"] = {"user": BOT_USER, "ts": self._next_ts()}
        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"],
                "message": message}

    def m_chat_postEphemeral(self, args: dict) -> dict:
        if not self._known(str(args.get("channel", ""))):
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        self.ephemeral.append({**args, "message_ts": ts})
        return {"ok": True, "message_ts": ts}

    def m_conversations_history(self, args: dict) -> dict:
        """Top-level messages between `oldest` and `latest` (exclusive unless `inclusive`),
        newest first, `limit` a page (default 100, at most 999); `cursor` continues from
        the previous page's `response_metadata.next_cursor`, as Slack's does."""
        channel = str(args.get("channel", ""))
        if not self._known(channel):
            return {"ok": False, "error": "channel_not_found"}
        try:
            limit = min(int(args.get("limit") or 100), 999)
            oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
            if args.get("cursor"):
                latest = float(base64.b64decode(str(args["cursor"])).decode().split(":")[1])
        except (TypeError, ValueError, IndexError):
            return {"ok": False, "error": "invalid_arguments"}
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        resumed = bool(args.get("cursor"))  # a cursor names the page's first message
        top = [m for m in reversed(self.messages.get(channel, [])) if "thread_ts" not in m
               and _within(float(m["ts"]), oldest, latest, inclusive, inclusive or resumed)]
        page = [m if with_meta else {k: v for k, v in m.items() if k != "metadata"}
                for m in top[:limit]]
        more = len(top) > limit
        cursor = base64.b64encode(f"next_ts:{top[limit]['ts']}".encode()).decode() if more else ""
        return {"ok": True, "messages": page, "has_more": more, "pin_count": 0,
                "response_metadata": {"next_cursor": cursor}}

    def m_conversations_open(self, args: dict) -> dict:
        user = str(args.get("users", "")).split(",")[0]
        if not user:
            return {"ok": False, "error": "users_list_not_supplied"}
        self.channels.add("D" + user)
        return {"ok": True, "channel": {"id": "D" + user}}

    def m_files_getUploadURLExternal(self, args: dict) -> dict:
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        name = str(args.get("filename") or "")
        if not name or length <= 0:  # Slack: length 0 is a missing argument
            return {"ok": False, "error": "missing_argument"}
        file_id, key = f"F{len(self.files) + 1:010d}", secrets.token_urlsafe(12)
        self.files[file_id] = {"id": file_id, "key": key, "name": name, "length": length,
                               "title": name, "content": None, "channels": [], "comment": None}
        upload_url = self.url.replace("/api/", f"/upload/v1/{key}")
        return {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def m_files_completeUploadExternal(self, args: dict) -> dict:
        """Every file named must have been uploaded; the channel, when given, must exist.
        Shares them there (one message with the comment), else keeps them private."""
        given = args.get("files") or "[]"
        try:
            wanted = json.loads(given) if isinstance(given, str) else list(given)
            ids = [(str(f["id"]), f.get("title")) for f in wanted]
        except (KeyError, TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        if not ids or any(self.files.get(i, {}).get("content") is None for i, _ in ids):
            return {"ok": False, "error": "file_not_found"}
        channel = str(args.get("channel_id") or "")
        if channel and not self._known(channel):
            return {"ok": False, "error": "channel_not_found"}
        for file_id, title in ids:
            found = self.files[file_id]
            found.update(title=title or found["name"], comment=args.get("initial_comment"))
            found["channels"] += [channel] if channel else []
        if channel:
            shared = [{k: self.files[i][k] for k in ("id", "name", "title")} for i, _ in ids]
            self.messages.setdefault(channel, []).append({
                "type": "message", "user": BOT_USER, "ts": self._next_ts(), "upload": True,
                "text": args.get("initial_comment") or "", "files": shared})
        return {"ok": True, "files": [{"id": i, "title": self.files[i]["title"]} for i, _ in ids]}

    def m_users_info(self, args: dict) -> dict:
        user = self.users.get(str(args.get("user", "")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def m_users_lookupByEmail(self, args: dict) -> dict:
        email = str(args.get("email", "")).lower()
        for user in self.users.values():
            if (user.get("profile") or {}).get("email", "").lower() == email:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def m_views_open(self, args: dict) -> dict:
        view = args.get("view") or {}
        self.views.append({"trigger_id": args.get("trigger_id"), "view": view})
        return {"ok": True, "view": {"id": f"V{len(self.views):08d}", **view}}


def _within(ts: float, oldest: float, latest: float, with_oldest: bool,
            with_latest: bool) -> bool:
    above = ts >= oldest if with_oldest else ts > oldest
    return above and (ts <= latest if with_latest else ts < latest)
