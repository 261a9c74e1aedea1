"""The OpenAPI 3.1 document of the service, served at ``/api/v1/openapi.json``.

Written by hand from small pieces so it reads like the API; ``tests/test_openapi.py`` checks that
every route the app serves is here and everything here is served.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..models import FLAG_REASONS, Action, Reason, Status
from ..threads import DEFAULT_LIMIT, MAX_COUNT_KEYS, MAX_LIMIT

JSON = "application/json"

#: Every error code the API answers with, and when.
ERROR_CODES = {
    "validation_error": "A field is missing, of the wrong type or out of range (see `field`).",
    "unsupported_media_type": "The body is not sent as application/json.",
    "payload_too_large": "The request body is larger than the service accepts.",
    "unauthorized": "No moderation token, or an unknown or revoked one.",
    "forbidden": "Not allowed: another site's queue, or a page on an origin not allowed.",
    "invalid_edit_token": "The X-Edit-Token does not match the comment.",
    "edit_window_closed": "The author's edit window is over.",
    "article_closed": "Comments are closed on this article (or the whole site).",
    "banned": "The author may not comment on this site.",
    "not_found": "No such site, article, comment or ban (or one of another site).",
    "method_not_allowed": "The path does not accept this method.",
    "conflict": "The request conflicts with the comment's state.",
    "already_reported": "This reader has already reported the comment.",
    "already_decided": "A moderator has rejected the comment; it can no longer be edited.",
    "invalid_transition": "The action does not apply to the comment's status (e.g. approving an"
    " approved comment).",
    "rate_limited": "Too many requests; `Retry-After` says when to try again.",
    "bad_request": "The request could not be understood.",
    "internal_error": "A fault on the service's side; nothing the client sent was at fault.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _string(description: str = "", **extra: Any) -> dict[str, Any]:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


TIME = _string(format="date-time")
PATH_SITE = {
    "name": "site",
    "in": "path",
    "required": True,
    "description": "The site's slug.",
    "schema": _string(pattern="^[a-z0-9-]{1,64}$"),
}
PATH_ARTICLE = {
    "name": "article",
    "in": "path",
    "required": True,
    "description": "The site's own key for the article, URL-encoded (`%2F` for `/`): 1 to 512"
    " printable characters.",
    "schema": _string(minLength=1, maxLength=512),
}
PATH_COMMENT = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
PATH_BAN = {"name": "ban_id", "in": "path", "required": True, "schema": {"type": "integer"}}
EDIT_TOKEN = {
    "name": "X-Edit-Token",
    "in": "header",
    "required": True,
    "description": "The `edit_token` handed out when the comment was posted.",
    "schema": _string(),
}
CURSOR = {
    "name": "cursor",
    "in": "query",
    "description": "`next_cursor` of the previous page.",
    "schema": _string(),
}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
COMMON_ERRORS = {
    "400": _error("Invalid request (`validation_error`)."),
    "429": _error("Rate limited (`rate_limited`); see `Retry-After`."),
}


def _schemas() -> dict[str, Any]:
    public_comment = _object(
        {
            "id": {"type": "integer"},
            "parent_id": _nullable({"type": "integer"}),
            "depth": {"type": "integer", "description": "0 for a top-level comment."},
            "author_name": _string("Plain text: render it as text, never as HTML."),
            "avatar": _string("A seed for an identicon drawn by the client; reveals nothing."),
            "html": _string("Sanitized HTML: the only rendering of the body."),
            "created_at": TIME,
            "edited_at": _nullable(TIME),
        },
        ["id", "parent_id", "author_name", "html", "created_at"],
    )
    thread_comment = {
        "allOf": [
            _ref("PublicComment"),
            _object(
                {
                    "replies": {"type": "array", "items": _ref("ThreadComment")},
                    "more_replies": {
                        "type": "boolean",
                        "description": "Only on a thread cut short; fetch the rest with"
                        " `replies_to`.",
                    },
                }
            ),
        ]
    }
    held = {"type": "array", "items": _string(), "description": "The rules that held it."}
    author_comment = {
        "allOf": [
            _ref("PublicComment"),
            _object(
                {
                    "status": _string(enum=[s.value for s in Status]),
                    "held_because": held,
                    "author_email": _nullable(_string()),
                    "body_text": _string("The author's own text, for editing (as text)."),
                    "editable_until": TIME,
                }
            ),
        ]
    }
    flag = _object(
        {
            "reason": _string(enum=[r.value for r in FLAG_REASONS]),
            "note": _nullable(_string()),
            "created_at": TIME,
            "resolved": {"type": "boolean"},
        }
    )
    decision = _object(
        {
            "id": {"type": "integer"},
            "comment_id": {"type": "integer"},
            "actor": _string("`token:<label>`, `moderator:<email>`, `author` or `system:<rule>`."),
            "action": _string(enum=[a.value for a in Action]),
            "from_status": _nullable(_string(enum=[s.value for s in Status])),
            "to_status": _string(enum=[s.value for s in Status]),
            "reason": _nullable(_string(enum=[r.value for r in Reason])),
            "explanation": _nullable(_string()),
            "created_at": TIME,
        }
    )
    moderator_comment = {
        "allOf": [
            _ref("PublicComment"),
            _object(
                {
                    "status": _string(enum=[s.value for s in Status]),
                    "held_because": held,
                    "spam_score": _nullable({"type": "number"}),
                    "author_email": _nullable(_string()),
                    "author_key": _string("Stable keyed hash of the author's identity."),
                    "body_text": _string("What the author typed: show it as text only."),
                    "decided_at": _nullable(TIME),
                    "open_flag_count": {"type": "integer"},
                    "article": _object(
                        {
                            "key": _string(),
                            "title": _nullable(_string()),
                            "url": _nullable(_string()),
                        }
                    ),
                    "flags": {"type": "array", "items": _ref("Flag")},
                    "history": {"type": "array", "items": _ref("Decision")},
                }
            ),
        ]
    }
    rule_settings = _object(
        {
            "min_length": {"type": "integer"},
            "max_length": {"type": "integer"},
            "blocked_words": {"type": "array", "items": _string()},
            "suspect_words": {"type": "array", "items": _string()},
            "max_links": {"type": "integer"},
            "hold_links_from_new": {"type": "boolean"},
            "repeat_window_minutes": {"type": "integer"},
            "hold_first_comments": {"type": "integer"},
            "auto_approve_trusted": {"type": "boolean"},
            "trusted_min_approved": {"type": "integer"},
            "trusted_clean_days": {"type": "integer"},
            "rejection_rate_threshold": {"type": "number"},
            "rejection_min_decisions": {"type": "integer"},
            "rejection_window_days": {"type": "integer"},
            "report_threshold": {"type": "integer"},
            "spam_threshold": {"type": "number"},
            "akismet": {"type": "boolean"},
        }
    )
    ban = _object(
        {
            "id": {"type": "integer"},
            "kind": _string(enum=["email", "author", "ip"]),
            "label": _string(),
            "reason": _nullable(_string()),
            "comment_id": _nullable({"type": "integer"}),
            "created_by": _string(),
            "created_at": TIME,
            "expires_at": _nullable(TIME),
        }
    )
    error = _object(
        {
            "error": _object(
                {
                    "code": _string(enum=sorted(ERROR_CODES)),
                    "message": _string("For a person: what went wrong and what to do."),
                    "field": _string("The request field at fault, when there is one."),
                },
                ["code", "message"],
            )
        },
        ["error"],
    )
    return {
        "PublicComment": public_comment,
        "ThreadComment": thread_comment,
        "AuthorComment": author_comment,
        "ModeratorComment": moderator_comment,
        "Flag": flag,
        "Decision": decision,
        "RuleSettings": rule_settings,
        "Ban": ban,
        "Error": error,
    }


def _thread_paths() -> dict[str, Any]:
    submit = _object(
        {
            "body": _string("The comment, plain text with light formatting.", maxLength=5000),
            "author_name": _string(maxLength=100),
            "author_email": _string("Never shown publicly.", maxLength=254),
            "parent_id": {"type": "integer", "description": "A public comment of this article."},
            "article_url": _string("Under one of the site's origins.", maxLength=2048),
            "article_title": _string(maxLength=300),
            "form_token": _string("`X-Form-Token` from the thread read (the widget sends it)."),
            "website": _string("Leave empty: a field for bots."),
        },
        ["body", "author_name"],
    )
    return {
        "/api/v1/sites/{site}/articles/{article}/comments": {
            "parameters": [PATH_SITE, PATH_ARTICLE],
            "get": {
                "operationId": "getThread",
                "tags": ["widget"],
                "summary": "The public comments of one article, replies attached to parents.",
                "parameters": [
                    {
                        "name": "sort",
                        "in": "query",
                        "schema": _string(enum=["oldest", "newest"], default="oldest"),
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "description": "Top-level comments per page.",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_LIMIT,
                            "default": DEFAULT_LIMIT,
                        },
                    },
                    CURSOR,
                    {
                        "name": "replies_to",
                        "in": "query",
                        "description": "The rest of one thread marked `more_replies`, flat.",
                        "schema": {"type": "integer"},
                    },
                    {"name": "If-None-Match", "in": "header", "schema": _string()},
                ],
                "responses": {
                    "200": {
                        **_json(
                            _object(
                                {
                                    "article": _object(
                                        {
                                            "key": _string(),
                                            "title": _nullable(_string()),
                                            "url": _nullable(_string()),
                                            "closed": {"type": "boolean"},
                                        }
                                    ),
                                    "comments": {
                                        "type": "array",
                                        "items": _ref("ThreadComment"),
                                    },
                                    "total": {"type": "integer"},
                                    "next_cursor": _nullable(_string()),
                                },
                                ["article", "comments", "total", "next_cursor"],
                            ),
                            "The thread (empty for an article nobody has commented on yet).",
                        ),
                        "headers": {
                            "ETag": {"schema": _string()},
                            "Cache-Control": {"schema": _string()},
                            "X-Form-Token": {
                                "description": "Send back as `form_token` with a comment.",
                                "schema": _string(),
                            },
                        },
                    },
                    "304": {"description": "Unchanged since the `If-None-Match` ETag."},
                    "400": COMMON_ERRORS["400"],
                    "404": _error("No such site."),
                },
            },
            "post": {
                "operationId": "submitComment",
                "tags": ["widget"],
                "summary": "Submit a comment; it is sanitized, screened and queued.",
                "requestBody": _body(submit),
                "responses": {
                    "201": _json(
                        _object(
                            {"comment": _ref("AuthorComment"), "edit_token": _string()},
                            ["comment", "edit_token"],
                        ),
                        "Stored; `status` says whether it is public yet.",
                    ),
                    **COMMON_ERRORS,
                    "403": _error("`forbidden` origin, `article_closed` or `banned`."),
                    "404": _error("No such site."),
                    "413": _error("Body too large."),
                    "415": _error("Not JSON."),
                },
            },
        },
        "/api/v1/sites/{site}/counts": {
            "parameters": [PATH_SITE],
            "get": {
                "operationId": "getCounts",
                "tags": ["widget"],
                "summary": f"Public comment counts of up to {MAX_COUNT_KEYS} articles.",
                "parameters": [
                    {
                        "name": "article",
                        "in": "query",
                        "required": True,
                        "style": "form",
                        "explode": True,
                        "schema": {"type": "array", "items": _string(), "maxItems": MAX_COUNT_KEYS},
                    }
                ],
                "responses": {
                    "200": _json(
                        _object(
                            {
                                "counts": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer"},
                                }
                            },
                            ["counts"],
                        ),
                        "A count for every key asked (0 for unknown articles).",
                    ),
                    "400": COMMON_ERRORS["400"],
                    "404": _error("No such site."),
                },
            },
        },
    }


def _author_paths() -> dict[str, Any]:
    return {
        "/api/v1/comments/{id}": {
            "parameters": [PATH_COMMENT, EDIT_TOKEN],
            "get": {
                "operationId": "getOwnComment",
                "tags": ["widget"],
                "summary": "The author's own comment, whatever its status.",
                "responses": {
                    "200": _json(_object({"comment": _ref("AuthorComment")}), "The comment."),
                    "403": _error("`invalid_edit_token`."),
                    "404": _error("No such comment."),
                },
            },
            "patch": {
                "operationId": "editComment",
                "tags": ["widget"],
                "summary": "The author edits within the edit window; screened again.",
                "requestBody": _body(_object({"body": _string(maxLength=5000)}, ["body"])),
                "responses": {
                    "200": _json(_object({"comment": _ref("AuthorComment")}), "Edited."),
                    **COMMON_ERRORS,
                    "403": _error("`invalid_edit_token`, `edit_window_closed`, `article_closed`."),
                    "404": _error("No such comment."),
                    "409": _error("`already_decided`."),
                },
            },
            "delete": {
                "operationId": "deleteComment",
                "tags": ["widget"],
                "summary": "The author deletes within the edit window.",
                "responses": {
                    "204": {"description": "Deleted."},
                    "403": _error("`invalid_edit_token` or `edit_window_closed`."),
                    "404": _error("No such comment."),
                    "429": COMMON_ERRORS["429"],
                },
            },
        },
        "/api/v1/comments/{id}/flags": {
            "parameters": [PATH_COMMENT],
            "post": {
                "operationId": "reportComment",
                "tags": ["widget"],
                "summary": "A reader reports a public comment.",
                "requestBody": _body(
                    _object(
                        {
                            "reason": _string(enum=[r.value for r in FLAG_REASONS]),
                            "note": _string(maxLength=500),
                        },
                        ["reason"],
                    )
                ),
                "responses": {
                    "201": _json(
                        _object({"flag": _object({"comment_id": {"type": "integer"}})}),
                        "Reported.",
                    ),
                    **COMMON_ERRORS,
                    "404": _error("No such public comment."),
                    "409": _error("`already_reported`."),
                },
            },
        },
    }


def _moderation_paths() -> dict[str, Any]:
    decision = _object(
        {
            "action": _string(enum=[a.value for a in (Action.APPROVE, Action.REJECT, Action.SPAM,
                                                      Action.RESTORE)]),
            "reason": _string(enum=[r.value for r in Reason]),
            "explanation": _string("Ready to be shown to the author.", maxLength=2000),
        },
        ["action"],
    )  # fmt: skip
    bulk = {
        "allOf": [
            decision,
            _object({"ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 200}}),
        ],
        "required": ["ids", "action"],
    }
    auth_errors = {
        "401": _error("`unauthorized`."),
        "403": _error("`forbidden`: the token belongs to another site."),
    }
    return {
        "/api/v1/sites/{site}/queue": {
            "parameters": [PATH_SITE],
            "get": {
                "operationId": "getQueue",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "A page of one queue view, oldest first.",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": _string(
                            enum=[
                                "pending",
                                "flagged",
                                "unreviewed",
                                "approved",
                                "rejected",
                                "spam",
                            ],
                            default="pending",
                        ),
                    },
                    {"name": "article", "in": "query", "schema": _string()},
                    {
                        "name": "order",
                        "in": "query",
                        "description": "`spam`: highest spam score first.",
                        "schema": _string(enum=["oldest", "newest", "spam"], default="oldest"),
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                    },
                    CURSOR,
                ],
                "responses": {
                    "200": _json(
                        _object(
                            {
                                "comments": {"type": "array", "items": _ref("ModeratorComment")},
                                "next_cursor": _nullable(_string()),
                            }
                        ),
                        "The page. Its ETag changes with anything the page shows (a new comment, "
                        "an edit, a report, a decision), so a tool polling the queue can send "
                        "`If-None-Match` and get a 304 until then.",
                    )
                    | {
                        "headers": {
                            "ETag": {"schema": _string()},
                            "Cache-Control": {"schema": _string()},
                        }
                    },
                    "304": {"description": "Unchanged since the `If-None-Match` ETag."},
                    "400": COMMON_ERRORS["400"],
                    **auth_errors,
                },
            },
        },
        "/api/v1/comments/{id}/decision": {
            "parameters": [PATH_COMMENT],
            "post": {
                "operationId": "decide",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "Approve, reject, mark spam or restore one comment.",
                "requestBody": _body(decision),
                "responses": {
                    "200": _json(_object({"comment": _ref("ModeratorComment")}), "Decided."),
                    "400": COMMON_ERRORS["400"],
                    "401": auth_errors["401"],
                    "404": _error("No such comment on the token's site."),
                    "409": _error("`invalid_transition`."),
                },
            },
        },
        "/api/v1/sites/{site}/decisions": {
            "parameters": [PATH_SITE],
            "post": {
                "operationId": "decideMany",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "The same decision for many comments: all of them or none.",
                "requestBody": _body(bulk),
                "responses": {
                    "200": _json(
                        _object({"comments": {"type": "array", "items": _ref("ModeratorComment")}}),
                        "Decided.",
                    ),
                    "400": COMMON_ERRORS["400"],
                    **auth_errors,
                    "404": _error("Some ids are not comments of this site (listed in `ids`)."),
                    "409": _error("`invalid_transition` for some comment."),
                },
            },
        },
        "/api/v1/sites/{site}/bans": {
            "parameters": [PATH_SITE],
            "get": {
                "operationId": "listBans",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "Bans in force.",
                "responses": {
                    "200": _json(
                        _object({"bans": {"type": "array", "items": _ref("Ban")}}), "The bans."
                    ),
                    **auth_errors,
                },
            },
            "post": {
                "operationId": "createBan",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "Ban an author by email, identity or address (of a named comment).",
                "requestBody": _body(
                    _object(
                        {
                            "kind": _string(enum=["email", "author", "ip"]),
                            "comment_id": {"type": "integer"},
                            "email": _string(),
                            "reason": _string(),
                            "expires_at": TIME,
                        },
                        ["kind"],
                    )
                ),
                "responses": {
                    "201": _json(_object({"ban": _ref("Ban")}), "Banned."),
                    "400": COMMON_ERRORS["400"],
                    **auth_errors,
                    "404": _error("No such comment."),
                },
            },
        },
        "/api/v1/sites/{site}/bans/{ban_id}": {
            "parameters": [PATH_SITE, PATH_BAN],
            "delete": {
                "operationId": "liftBan",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "Lift a ban.",
                "responses": {
                    "204": {"description": "Lifted."},
                    **auth_errors,
                    "404": _error("No such ban."),
                },
            },
        },
        "/api/v1/sites/{site}/rules": {
            "parameters": [PATH_SITE],
            "get": {
                "operationId": "getRules",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "The site's screening rules: effective settings and overrides.",
                "responses": {
                    "200": _json(
                        _object({"rules": _ref("RuleSettings"), "overrides": {"type": "object"}}),
                        "The settings.",
                    ),
                    **auth_errors,
                },
            },
            "patch": {
                "operationId": "updateRules",
                "tags": ["moderation"],
                "security": BEARER,
                "summary": "Override rule settings; `null` returns one to the default.",
                "requestBody": _body(_ref("RuleSettings")),
                "responses": {
                    "200": _json(
                        _object({"rules": _ref("RuleSettings"), "overrides": {"type": "object"}}),
                        "The new settings.",
                    ),
                    "400": COMMON_ERRORS["400"],
                    **auth_errors,
                },
            },
        },
    }


def _service_paths() -> dict[str, Any]:
    return {
        "/healthz": {
            "get": {
                "operationId": "health",
                "tags": ["service"],
                "summary": "200 when the database answers, 503 otherwise.",
                "responses": {
                    "200": _json(_object({"status": _string(enum=["ok"])}), "Healthy."),
                    "503": _json(_object({"status": _string()}), "The database does not answer."),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "tags": ["service"],
                "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.1."}},
            }
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once per process)."""
    error_list = "\n".join(f"- `{code}`: {text}" for code, text in ERROR_CODES.items())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "moderation",
            "version": "1",
            "description": "A reader-comment service: the public widget API, the moderation API"
            " (bearer tokens, one site each) and service endpoints.\n\nEvery 4xx and 5xx is"
            ' `{"error": {"code", "message", "field"?}}`. Codes:\n\n' + error_list,
        },
        "tags": [
            {"name": "widget", "description": "Public; CORS for the site's allowed origins."},
            {"name": "moderation", "description": "Bearer token of one site."},
            {"name": "service"},
        ],
        "paths": {
            **_thread_paths(),
            **_author_paths(),
            **_moderation_paths(),
            **_service_paths(),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
