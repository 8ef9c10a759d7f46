"""Shared input types for API schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it as bad input rather than fail on save.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text32 = Annotated[str, Field(max_length=32), AfterValidator(_no_nul)]
Text100 = Annotated[str, Field(max_length=100), AfterValidator(_no_nul)]
Text200 = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Text254 = Annotated[str, Field(max_length=254), AfterValidator(_no_nul)]
Text2000 = Annotated[str, Field(max_length=2000), AfterValidator(_no_nul)]
Postcode = Annotated[str, Field(max_length=10), AfterValidator(_no_nul)]
