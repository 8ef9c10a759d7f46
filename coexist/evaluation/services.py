"""Writes for programme theories and their evidence (issue 6 point 4): one function per change, validated
before saving, in a transaction; simple_history keeps every earlier version.

A programme theory is about the service, not about a person: nothing here opens a person's record, so
nothing is written to the per-person access log (``log_write`` is for person records). The history
tables record who changed what and when.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coexist.accounts.models import User
from coexist.evaluation.models import Evidence, EvidenceKind, ExpectsChoice, ProgrammeTheory, TheoryStatus
from coexist.evaluation.rules import context_refusal, refusal_to_record, text_refusal
from coexist.evaluation.selectors import proportion_measures, standing_of
from coexist.organisations.models import Service
from coexist.people.permissions import AccessRefused
from coexist.people.rules import AccessDecision

TITLE_MAX = 200
TEXT_MAX = 5000
SOURCE_MAX = 2000
EARLIEST_EVIDENCE = date(1900, 1, 1)


def _require_evaluator(user: User) -> None:
    refusal = refusal_to_record(standing_of(user))
    if refusal is not None:
        raise AccessRefused(AccessDecision(False, refusal))


def _theory_errors(
    *,
    title: str,
    context: str,
    mechanism: str,
    outcome: str,
    measure_key: str,
    expects: str,
    context_filter: object,
    status: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, value, label, limit in (
        ("title", title, "a title", TITLE_MAX),
        ("context", context, "the context in words", TEXT_MAX),
        ("mechanism", mechanism, "the mechanism in words", TEXT_MAX),
        ("outcome", outcome, "the outcome in words", TEXT_MAX),
    ):
        refusal = text_refusal(value, label=label, max_length=limit)
        if refusal:
            errors[field] = refusal
    if measure_key not in proportion_measures():
        errors["measure_key"] = "Choose the measure the outcome is bound to."
    if expects not in ExpectsChoice.values:
        errors["expects"] = "Choose whether the theory expects the outcome to be higher or lower in this context."
    refusal = context_refusal(context_filter)
    if refusal:
        errors["context_filter"] = refusal
    if status not in TheoryStatus.values:
        errors["status"] = "Choose draft or published."
    return errors


def _pairs(context_filter: Any) -> list[list[str]]:
    return [[str(cut), str(key)] for cut, key in context_filter]


@transaction.atomic
def theory_create(
    *,
    title: str,
    context: str,
    mechanism: str,
    outcome: str,
    measure_key: str,
    context_filter: list[tuple[str, str]] | list[list[str]],
    service: Service | None = None,
    expects: str = ExpectsChoice.HIGHER,
    status: str = TheoryStatus.DRAFT,
    by: User,
) -> ProgrammeTheory:
    """Record a programme theory (an evaluator only)."""
    _require_evaluator(by)
    errors = _theory_errors(
        title=title, context=context, mechanism=mechanism, outcome=outcome, measure_key=measure_key,
        expects=expects, context_filter=context_filter, status=status,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    return ProgrammeTheory.objects.create(
        title=title.strip(), context=context.strip(), mechanism=mechanism.strip(), outcome=outcome.strip(),
        measure_key=measure_key, expects=expects, context_filter=_pairs(context_filter), service=service,
        status=status, created_by=by, created_at=now, updated_at=now,
    )  # fmt: skip


@transaction.atomic
def theory_update(
    *,
    theory: ProgrammeTheory,
    title: str,
    context: str,
    mechanism: str,
    outcome: str,
    measure_key: str,
    context_filter: list[tuple[str, str]] | list[list[str]],
    service: Service | None = None,
    expects: str = ExpectsChoice.HIGHER,
    status: str = TheoryStatus.DRAFT,
    by: User,
) -> ProgrammeTheory:
    """Change a programme theory (any evaluator); the earlier version stays in its history."""
    _require_evaluator(by)
    errors = _theory_errors(
        title=title, context=context, mechanism=mechanism, outcome=outcome, measure_key=measure_key,
        expects=expects, context_filter=context_filter, status=status,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    locked = ProgrammeTheory.objects.select_for_update().get(pk=theory.pk)
    locked.title, locked.context, locked.mechanism = title.strip(), context.strip(), mechanism.strip()
    locked.outcome, locked.measure_key, locked.expects = outcome.strip(), measure_key, expects
    locked.context_filter, locked.service, locked.status = _pairs(context_filter), service, status
    locked.updated_at = timezone.now()
    locked._change_reason = f"Changed by {by.get_username()}"  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def evidence_add(
    *, theory: ProgrammeTheory, kind: str, source: str, summary: str, dated: date | None, by: User
) -> Evidence:
    """Link a piece of evidence, with its source, to a theory (an evaluator only)."""
    _require_evaluator(by)
    errors: dict[str, str] = {}
    if kind not in EvidenceKind.values:
        errors["kind"] = "Choose what kind of evidence this is."
    for field, value, label, limit in (
        ("source", source, "the source (a citation, or the event or interview and its date)", SOURCE_MAX),
        ("summary", summary, "a summary of what it says", TEXT_MAX),
    ):
        refusal = text_refusal(value, label=label, max_length=limit)
        if refusal:
            errors[field] = refusal
    latest = timezone.localdate() + timedelta(days=1)
    if dated is None:
        errors["dated"] = "Enter the date it was published or took place."
    elif not EARLIEST_EVIDENCE <= dated <= latest:
        errors["dated"] = f"Enter a date between {EARLIEST_EVIDENCE:%d %B %Y} and today."
    if errors:
        raise ValidationError(errors)
    assert dated is not None
    return Evidence.objects.create(
        theory=theory, kind=kind, source=source.strip(), summary=summary.strip(), dated=dated, added_by=by
    )
