"""The person's copy of their care plan as a PDF (WeasyPrint), for them, and for carers they agreed to share it with."""

from __future__ import annotations

from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from coexist.care.models import CarePlanVersion
from coexist.people.models import Person


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The PDF is built from our own template only: never fetch anything a plan's text might name.
    raise ValueError(f"Care plan PDFs load no external resources ({url[:60]}).")


def care_plan_html(*, person: Person, version: CarePlanVersion) -> str:
    return render_to_string(
        "careplans/plan_pdf.html",
        {"person": person, "version": version, "content": version.plan_content, "printed_on": timezone.localdate()},
    )


def care_plan_document(*, person: Person, version: CarePlanVersion) -> weasyprint.Document:
    """The laid-out document (pages and boxes), before it is written as PDF bytes."""
    html = weasyprint.HTML(string=care_plan_html(person=person, version=version), url_fetcher=_fetch_nothing)
    return html.render()


def care_plan_pdf(*, person: Person, version: CarePlanVersion) -> bytes:
    pdf = care_plan_document(person=person, version=version).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def care_plan_pdf_filename(*, person: Person, version: CarePlanVersion) -> str:
    name = slugify(person.full_name) or "person"
    return f"care-plan-{name}-v{version.number}.pdf"
