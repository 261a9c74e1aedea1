"""The error classes: each carries its status and code, each code once, each described."""

from __future__ import annotations

from moderation.errors import (
    ApiError,
    ArticleClosed,
    Forbidden,
    ValidationError,
    error_classes,
)


def test_every_code_is_one_class_with_a_status_and_words():
    classes = error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert 400 <= cls.status < 600, cls
        assert cls.describe() and not cls.describe().startswith("A request the service"), cls


def test_an_error_is_the_contracts_shape():
    error = ValidationError("author_name", "Please fill in the name.")
    assert (error.status, error.code) == (400, "validation_error")
    assert error.to_dict() == {
        "error": {
            "code": "validation_error",
            "message": "Please fill in the name.",
            "field": "author_name",
        }
    }


def test_a_specific_refusal_is_also_its_general_kind():
    assert issubclass(ArticleClosed, Forbidden) and ArticleClosed.status == 403
    assert ArticleClosed().message == "Comments are closed on this article."
    assert isinstance(ArticleClosed(), ApiError)
