"""OpenAPI generation: every operation documents the problem-details error responses."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

from api.problems import PROBLEM_CONTENT_TYPE
from api.serializers import ProblemSerializer, ValidationProblemSerializer


class AutoSchema(SpectacularAutoSchema):
    def _error_responses(self) -> dict[str, object]:
        errors: dict[str, object] = {}
        has_input = (
            self.method in ("POST", "PUT", "PATCH")
            or (self.method == "DELETE" and getattr(self.view, "documents_delete_body", False))
            or bool(
                getattr(self.view, "filterset_class", None)
                or getattr(self.view, "pagination_class", None)
                or self.get_override_parameters()  # documented query parameters
            )
        )
        if has_input:
            errors["400"] = ValidationProblemSerializer
        permissions = getattr(self.view, "permission_classes", [])
        if not all(p is AllowAny for p in permissions):
            errors["401"] = ProblemSerializer
            errors["403"] = ProblemSerializer
        if "{" in self.path:
            errors["404"] = ProblemSerializer
        if getattr(self.view, "throttle_classes", None):
            errors["429"] = ProblemSerializer
        # Any other failure (406, 415, 5xx, ...) has the same shape.
        errors["default"] = ProblemSerializer
        return errors

    def _get_request_body(self, direction="request"):
        # DELETE bodies are unusual; a view that takes one (account deletion takes the
        # password) says so with ``documents_delete_body = True``.
        if self.method == "DELETE" and getattr(self.view, "documents_delete_body", False):
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if self.method == "GET" and getattr(self.view, "conditional_get", False):
            # Views answering through api.conditional.conditional_response say so.
            responses["304"] = {
                "description": "Not Modified: the copy named by `If-None-Match` (or "
                "`If-Modified-Since`) is current; no body."
            }
        errors = self._error_responses()
        for code, serializer in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    serializer, code, media_types=[PROBLEM_CONTENT_TYPE], direction=direction
                )
        for code, response in responses.items():
            # An error a view documents by its description alone (`409: OpenApiResponse(
            # description=...)`) still answers with the problem body; every 400 lists
            # `errors` (see api.exceptions).
            if code[0] in "45" and not response.get("content"):
                problem = self._get_response_for_code(
                    ValidationProblemSerializer if code == "400" else ProblemSerializer,
                    code,
                    media_types=[PROBLEM_CONTENT_TYPE],
                    direction=direction,
                )
                responses[code] = {**problem, "description": response.get("description", "")}
        return responses


def only_public_api(endpoints):
    """Preprocessing hook: document the versioned public API only (not Wagtail's admin API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v")]


STREAM_PATH = "/api/v2/assistant/conversations/{conversation_id}/messages/stream/"


def document_message_stream(result, generator, request, public):
    """Postprocessing hook: the tutor's streaming variant of sending a message is a plain
    async Django view (Server-Sent Events, see :mod:`api.assistant.streaming`), which
    drf-spectacular cannot see. It takes the same body and refuses with the same problems as
    ``POST …/messages/``; the events are documented in its description."""
    from api.assistant import streaming

    sibling = result["paths"].get(STREAM_PATH.replace("stream/", ""), {}).get("post")
    if sibling is None:
        return result
    responses = {code: r for code, r in sibling["responses"].items() if code[0] in "45d"}
    operation = {
        **sibling,
        "operationId": "assistant_conversations_messages_stream",
        "summary": "Send a message and stream the answer (Server-Sent Events)",
        "description": streaming.__doc__,
        "responses": {
            "200": {
                "description": "`text/event-stream`: `start`, `delta`…, then `done` or `error`.",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            **responses,
        },
    }
    result["paths"][STREAM_PATH] = {"post": operation}
    return result
