"""A local stand-in for the GOV.UK Notify HTTP API, so tests drive the real client and never the real service.

A real HTTP server (http.server in a thread, on 127.0.0.1 with a free port) answering
POST /v2/notifications/sms, /email and /letter as Notify documents them
(https://docs.notifications.service.gov.uk/rest-api.html): it checks the JWT bearer token the client
signs (HS256 with the key's secret, `iss` the service id, `iat` within 30 seconds), checks the body's
shape, records every request, and answers 201 with the notification's id, reference, content,
template and uri. It can be told to fail the next requests with a 5xx or a 400 ValidationError.

    with FakeNotify() as notify:
        client = NotificationsAPIClient(notify.api_key, base_url=notify.base_url)
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import jwt

TOKEN_LEEWAY_SECONDS = 30
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MOBILE = re.compile(r"^(?:\+44|0044|44|0)7\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int


@dataclass
class _Failure:
    status: int
    payload: dict[str, Any]


@dataclass
class FakeNotify:
    """The fake service. `api_key` is what a client is configured with; `base_url` where it listens."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    requests: list[RecordedRequest] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def api_key(self) -> str:
        return f"coexist_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- telling it to fail -----------------------------------------------------------------------

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next `count` requests get `status` with Notify's error body (500: "Internal server error")."""
        message = {429: "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"}.get(
            status, "Internal server error"
        )
        error = {429: "RateLimitError"}.get(status, "Exception")
        for _ in range(count):
            self._queue_failure(status, error, message)

    def fail_next_with_validation_error(self, message: str = "phone_number Not a UK mobile number") -> None:
        """The next request gets 400 ValidationError, as Notify answers a bad number or a missing field."""
        self._queue_failure(400, "ValidationError", message)

    def fail_next_with_auth_error(self, message: str = "Invalid token: API key not found") -> None:
        self._queue_failure(403, "AuthError", message)

    def _queue_failure(self, status: int, error: str, message: str) -> None:
        with self._lock:
            self._failures.append(
                _Failure(status, {"status_code": status, "errors": [{"error": error, "message": message}]})
            )

    def _next_failure(self) -> _Failure | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    # --- running ----------------------------------------------------------------------------------

    def start(self) -> FakeNotify:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._reply(self, 404, _error(404, "ResourceNotFound", "Not found"))

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-notify", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNotify:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- the API ----------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        headers = dict(handler.headers.items())
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        status, payload = self._answer(handler.path, headers, body)
        with self._lock:
            self.requests.append(RecordedRequest(handler.path, headers, body if isinstance(body, dict) else {}, status))
        self._reply(handler, status, payload)

    def _answer(self, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        kind = {
            "/v2/notifications/sms": "sms",
            "/v2/notifications/email": "email",
            "/v2/notifications/letter": "letter",
        }
        if path not in kind:
            return 404, _error(404, "ResourceNotFound", "Not found")
        auth_problem = self._auth_problem(headers.get("Authorization", ""))
        if auth_problem:
            return 403, _error(403, "AuthError", auth_problem)
        if not isinstance(body, dict):
            return 400, _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        failure = self._next_failure()
        if failure is not None:
            return failure.status, failure.payload
        problem = _body_problem(kind[path], body)
        if problem:
            return 400, _error(400, "ValidationError", problem)
        return 201, self._created(kind[path], body)

    def _auth_problem(self, header: str) -> str:
        if not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, key=self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.InvalidSignatureError:
            return "Invalid token: API key not found"
        except jwt.PyJWTError:
            return "Invalid token: signature, api token is not valid"
        if claims.get("iss") != self.service_id:
            return "Invalid token: service not found"
        iat = claims.get("iat")
        if not isinstance(iat, int):
            return "Invalid token: iat field not provided"
        if abs(time.time() - iat) > TOKEN_LEEWAY_SECONDS:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return ""

    def _created(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        notification_id = str(uuid.uuid4())
        template_id = body["template_id"]
        personalisation = body.get("personalisation") or {}
        text = str(personalisation.get("message", ""))  # templates here are "((message))"
        content: dict[str, Any]
        if kind == "sms":
            content = {"body": text, "from_number": "Coexist"}
        elif kind == "email":
            content = {
                "subject": "Appointment reminder",
                "body": text,
                "from_email": "coexist@notifications.service.gov.uk",
                "one_click_unsubscribe_url": None,
            }
        else:
            content = {"subject": "Appointment reminder", "body": text}
        created: dict[str, Any] = {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {"id": template_id, "version": 1, "uri": f"{self.base_url}/v2/template/{template_id}"},
        }
        if kind == "letter":
            created["scheduled_for"] = None
        return created

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # --- what was sent ----------------------------------------------------------------------------

    def sent(self, kind: str | None = None) -> list[RecordedRequest]:
        """Requests the fake accepted (201), optionally only of one kind ("sms", "email", "letter")."""
        with self._lock:
            rows = [r for r in self.requests if r.status == 201]
        return [r for r in rows if kind is None or r.path.endswith("/" + kind)]


def _error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def _body_problem(kind: str, body: dict[str, Any]) -> str:
    """Notify's checks on the body, with its wording for the common ones."""
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not _UUID.match(template_id):
        return "template_id is not a valid UUID"
    personalisation = body.get("personalisation")
    if personalisation is not None and not isinstance(personalisation, dict):
        return "personalisation is not of type object"
    if "reference" in body and not isinstance(body["reference"], str):
        return "reference is not of type string"
    if kind == "sms":
        number = re.sub(r"[\s\-()]", "", str(body.get("phone_number", "")))
        if "phone_number" not in body:
            return "phone_number is a required property"
        if not _MOBILE.match(number):
            return "phone_number Not a UK mobile number"
    elif kind == "email":
        if "email_address" not in body:
            return "email_address is a required property"
        if not _EMAIL.match(str(body["email_address"])):
            return "email_address Not a valid email address"
    else:
        if not isinstance(personalisation, dict):
            return "personalisation is a required property"
        lines = [
            str(personalisation[f"address_line_{n}"]) for n in range(1, 8) if personalisation.get(f"address_line_{n}")
        ]
        if "address_line_1" not in personalisation:
            return "personalisation address_line_1 is a required property"
        if len(lines) < 3:
            return "Address must be at least 3 lines"
        if not _POSTCODE.match(lines[-1].strip()):
            return "Last line of address must be a real UK postcode or another country"
    return ""
