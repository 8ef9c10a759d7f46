"""Pages for validated measures: the catalogue, a person's measures, completing one, and its result."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coexist.accounts.requests import staff_of
from coexist.assessments.models import JointAssessment, RiskKind
from coexist.audit.models import Channel
from coexist.forms import add_service_errors
from coexist.instruments import selectors, services
from coexist.instruments.definitions import DEFINITIONS
from coexist.instruments.forms import measure_form
from coexist.instruments.models import InstrumentResponse
from coexist.instruments.rules import Instrument, alerts_fired
from coexist.people.models import Person
from coexist.people.permissions import AccessRefused, decide_parts
from coexist.people.rules import AccessDecision, Action, RecordPart
from coexist.people.selectors import person_open


def _instrument(code: str) -> Instrument:
    instrument = DEFINITIONS.get(code)
    if instrument is None:
        raise Http404("No such measure")
    return instrument


def _person(public_id: UUID) -> Person:
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise Http404("No such person")
    return person


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    """The measures in use, with what each is for. No one's record is shown, so any member of staff may look."""
    return render(request, "instruments/instrument_list.html", {"instruments": list(DEFINITIONS.values())})


@login_required
def instrument_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A measure's questions, scoring, bands, version, licence and source."""
    return render(request, "instruments/instrument_detail.html", {"instrument": _instrument(code)})


@login_required
def person_measures(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A person's recorded measures the viewer may read, and the measures they may record."""
    user = staff_of(request)
    person = _person(public_id)
    responses = selectors.instrument_responses_for(viewer=user, person=person, channel=Channel.PAGE)
    writable = {
        part
        for part, decision in decide_parts(
            user, person, Action.WRITE, [RecordPart.SUBSTANCE_USE, RecordPart.MENTAL_HEALTH]
        ).items()
        if decision.allowed
    }
    rows = [(response, DEFINITIONS.get(response.instrument_code)) for response in responses]
    can_record = [instrument for instrument in DEFINITIONS.values() if instrument.record_part in writable]
    return render(
        request,
        "instruments/person_measures.html",
        {"person": person, "rows": rows, "can_record": can_record},
    )


def _assessment(request: HttpRequest, person: Person) -> JointAssessment | None:
    """`?assessment=<id>` attaches the measure to a joint assessment (R2), which must be this person's."""
    raw = request.GET.get("assessment", "").strip()
    if not raw:
        return None
    try:
        public_id = UUID(raw)
    except ValueError as exc:
        raise Http404("No such joint assessment") from exc
    assessment = JointAssessment.objects.filter(public_id=public_id, person=person).first()
    if assessment is None:
        raise Http404("No such joint assessment for this person")
    return assessment


@login_required
def response_new(request: HttpRequest, public_id: UUID, code: str) -> HttpResponse:
    """Complete a measure for a person. The form comes from the measure's definition."""
    instrument = _instrument(code)
    try:
        record = person_open(
            viewer=staff_of(request), public_id=public_id, channel=Channel.PAGE, detail=f"{instrument.short_name} form"
        )
    except Person.DoesNotExist as exc:
        raise Http404("No such person") from exc
    person = record.person
    if not record.can_write(services.record_part_for(instrument)):
        raise AccessRefused(AccessDecision(False, "You may read this record but not record measures in it."))
    assessment = _assessment(request, person)
    context = {"person": person, "instrument": instrument, "assessment": assessment}
    if request.method != "POST":
        return render(request, "instruments/response_new.html", {**context, "form": measure_form(instrument)})
    form = measure_form(instrument, request.POST)
    if form.is_valid():
        try:
            recorded = services.instrument_response_record_with_alerts(
                person=person,
                instrument_code=instrument.code,
                answers=form.answers(),
                by=staff_of(request),
                channel=Channel.PAGE,
                assessment=assessment,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("instruments:result", response_id=recorded.response.public_id)
    return render(request, "instruments/response_new.html", {**context, "form": form}, status=400)


@login_required
def response_result(request: HttpRequest, response_id: UUID) -> HttpResponse:
    """A recorded measure: its scores, band and version, and a warning if it raised a risk flag (R15)."""
    try:
        response: InstrumentResponse = selectors.instrument_response_open(
            viewer=staff_of(request), public_id=response_id, channel=Channel.PAGE
        )
    except InstrumentResponse.DoesNotExist as exc:
        raise Http404("No such measure") from exc
    instrument = _instrument(response.instrument_code)
    answers = {code: value for code, value in response.answers.items() if isinstance(value, int)}
    answered = [
        (item.text, item.label_for(answers[item.code]) if item.code in answers else "Not answered")
        for item in instrument.items
    ]
    scales = [(scale.label, response.score.get(scale.code), scale) for scale in instrument.scales]
    alerts = [(RiskKind(alert.risk).label, alert) for alert in alerts_fired(instrument, answers)]
    return render(
        request,
        "instruments/response_result.html",
        {
            "response": response,
            "person": response.person,
            "instrument": instrument,
            "answered": answered,
            "scales": scales,
            "alerts": alerts,
        },
    )
