"""API endpoints for outcome measures and dashboards, under /api/v1/outcomes: the same selectors as the pages.

Errors are problem+json: 401 without a token; 403 when the viewer may not see the service's figures; 404 for an
unknown service; 422 for a bad ?months= or ?cut=. Aggregates only: no person is named and small numbers are the
marker "[c]" (numbers hidden are null, with `suppressed` true).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from coexist.accounts.requests import staff_of
from coexist.interop.problems import ERRORS
from coexist.organisations.models import Service
from coexist.outcomes.rules.measures import Measure
from coexist.outcomes.rules.publish import PublishedFigure
from coexist.outcomes.selectors import default_measures, service_access, service_dashboard
from coexist.outcomes.views import parse_query
from coexist.people.permissions import AccessRefused

router = Router(tags=["outcome measures and dashboards"])


class MeasureOut(Schema):
    key: str
    title: str
    kind: str
    numerator: str
    denominator: str
    period: str
    polarity: str
    unit: str
    source: str


class FigureOut(Schema):
    month: str
    value: float | None
    suppressed: bool
    value_text: str
    numerator: str
    denominator: str


class CutRowOut(Schema):
    category: str
    label: str
    cells: list[str]


class CutTableOut(Schema):
    caption: str
    columns: list[str]
    rows: list[CutRowOut]
    total: CutRowOut


class MeasureFiguresOut(Schema):
    measure: MeasureOut
    latest: FigureOut | None
    series: list[FigureOut]
    months_hidden: int
    table: CutTableOut | None


class ServiceOutcomesOut(Schema):
    service: UUID
    service_name: str
    start: date
    end: date
    months: int
    cut: str | None
    threshold: int
    marker_meaning: str
    measures: list[MeasureFiguresOut]


def _measure_out(m: Measure) -> MeasureOut:
    return MeasureOut(
        key=m.key, title=m.title, kind=m.kind.value, numerator=m.numerator, denominator=m.denominator,
        period=m.period, polarity=m.polarity.value, unit=m.unit, source=m.source,
    )  # fmt: skip


def _figure_out(month: str, p: PublishedFigure) -> FigureOut:
    return FigureOut(
        month=month, value=p.value, suppressed=p.suppressed, value_text=p.value_text,
        numerator=p.numerator_text, denominator=p.denominator_text,
    )  # fmt: skip


def measures_out(measures: Mapping[str, Measure]) -> list[MeasureOut]:
    return [_measure_out(m) for m in measures.values()]


@router.get("/measures", response={200: list[MeasureOut], **ERRORS}, summary="Every outcome measure's definition")
def measures(request: HttpRequest) -> list[MeasureOut]:
    staff_of(request)
    return measures_out(default_measures())


@router.get(
    "/services/{service_id}",
    response={200: ServiceOutcomesOut, **ERRORS},
    summary="A service's outcome figures: latest month, monthly series and a table by subgroup",
)
def service_outcomes(
    request: HttpRequest,
    service_id: UUID,
    months: str = Query("", max_length=8),  # type: ignore[type-arg]
    cut: str = Query("", max_length=32),  # type: ignore[type-arg]
) -> ServiceOutcomesOut:
    service = Service.objects.filter(public_id=service_id).first()
    if service is None:
        raise Http404("No such service")
    viewer, today = staff_of(request), timezone.localdate()
    decision = service_access(viewer=viewer, service=service, today=today)
    if not decision.allowed:
        raise AccessRefused(decision)
    months_value, cut_value, errors = parse_query(months, cut)
    if errors:
        raise ValidationError(errors)
    d = service_dashboard(viewer=viewer, service=service, months=months_value, cut=cut_value, today=today)
    return ServiceOutcomesOut(
        service=service.public_id, service_name=service.name, start=d.start, end=d.end, months=d.months,
        cut=d.cut.value if d.cut else None, threshold=d.threshold, marker_meaning=d.marker_meaning,
        measures=[
            MeasureFiguresOut(
                measure=_measure_out(s.measure),
                latest=_figure_out(s.latest.month.label, s.latest.published) if s.latest else None,
                series=[_figure_out(p.month.label, p.published) for p in s.series],
                months_hidden=s.months_hidden,
                table=None if s.table is None else CutTableOut(
                    caption=s.table.caption, columns=list(s.table.columns),
                    rows=[CutRowOut(category=r.key, label=r.label, cells=list(r.cells)) for r in s.table.rows],
                    total=CutRowOut(category=s.table.total.key, label=s.table.total.label,
                                    cells=list(s.table.total.cells)),
                ),
            )
            for s in d.sections
        ],
    )  # fmt: skip
