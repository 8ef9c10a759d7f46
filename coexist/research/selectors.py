"""Reads for researcher extracts: the projects a researcher may use, and the record copied into plain
values for `rules` to de-identify. These read the record on the server; the researcher never sees it (the
permission function refuses them every person's record), only the de-identified file."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coexist.accounts.models import User
from coexist.care.models import EpisodeOfCare
from coexist.engagement.rules import MISSED_OUTCOMES, SEEN_OUTCOMES
from coexist.instruments.models import InstrumentResponse
from coexist.organisations.models import Membership, Role
from coexist.outcomes.rules.subgroups import PersonFacts
from coexist.people.models import Person
from coexist.people.rules import AccessDecision
from coexist.research.models import ExtractLog, ResearchProject
from coexist.research.rules import EpisodeSource

SCORE_SCALE = "quality_of_life"


def is_current_researcher(user: User, *, on: date | None = None) -> bool:
    return user.is_active and Membership.objects.current(on).filter(user=user, role=Role.RESEARCHER).exists()


def projects_for(user: User) -> QuerySet[ResearchProject]:
    """The projects this member of staff is named on (empty unless they hold a current researcher role)."""
    if not is_current_researcher(user):
        return ResearchProject.objects.none()
    # SECURITY: membership of the project AND a current researcher role; both, always.
    return ResearchProject.objects.filter(members=user)


def may_extract(user: User, project: ResearchProject) -> AccessDecision:
    """Only a named member of a current project who holds a current researcher role may take an extract."""
    if not is_current_researcher(user):
        return AccessDecision(False, "Only staff with a current researcher role may take research extracts.")
    if not project.members.filter(pk=user.pk).exists():
        return AccessDecision(False, f"You are not named on the research project {project.name}.")
    if not project.is_current():
        return AccessDecision(
            False,
            f"The research project {project.name} runs from {project.starts_on:%d %B %Y} "
            f"to {project.ends_on:%d %B %Y}.",
        )
    return AccessDecision(True, f"named researcher on {project.name} ({project.approval_reference})")


def may_read_log(user: User, project: ResearchProject) -> AccessDecision:
    """The project's members (with a current researcher role) may read its extract log, also after it ends."""
    if is_current_researcher(user) and project.members.filter(pk=user.pk).exists():
        return AccessDecision(True, "named researcher")
    return AccessDecision(False, "Only researchers named on this project may see its extract log.")


def extract_log(project: ResearchProject) -> QuerySet[ExtractLog]:
    return project.extracts.all()


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def _facts(person: Person, route: str) -> PersonFacts:
    return PersonFacts(
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        ethnic_category=person.ethnic_category,
        housing_status=person.housing_status,
        released_from_prison_on=person.released_from_prison_on,
        has_caring_responsibilities=person.has_caring_responsibilities,
        referral_route=route,
    )


def _score(response: InstrumentResponse) -> float | None:
    value = response.score.get(SCORE_SCALE) if isinstance(response.score, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def episode_sources(*, start: date, end: date) -> list[EpisodeSource]:
    """Every episode of care open at any time from start to end, as plain values (a fixed number of queries)."""
    begin, stop = _bounds(start, end)
    episodes = list(
        EpisodeOfCare.objects.filter(Q(opened_at__lt=stop), Q(finished_at__isnull=True) | Q(finished_at__gte=begin))
        .select_related("person", "team", "service", "referral")
        .annotate(
            attended=Count("appointments", filter=Q(appointments__status__in=SEEN_OUTCOMES)),
            missed=Count("appointments", filter=Q(appointments__status__in=MISSED_OUTCOMES)),
        )
        .order_by("pk")
    )
    responses: dict[tuple[int, str], list[InstrumentResponse]] = defaultdict(list)
    for response in InstrumentResponse.objects.filter(
        person_id__in={e.person_id for e in episodes}, instrument_code__in=("top", "dialog")
    ).order_by("completed_at", "pk"):
        responses[(response.person_id, response.instrument_code)].append(response)
    sources = []
    for e in episodes:
        ends = e.finished_at or stop

        def first_latest(code: str, e: EpisodeOfCare = e, ends: datetime = ends) -> tuple[float | None, float | None]:
            scores = [
                s
                for r in responses[(e.person_id, code)]
                if e.opened_at <= r.completed_at < ends and (s := _score(r)) is not None
            ]
            return (scores[0], scores[-1]) if scores else (None, None)

        top = first_latest("top")
        dialog = first_latest("dialog")
        sources.append(
            EpisodeSource(
                person_public_id=str(e.person.public_id),
                team_public_id=str(e.team.public_id),
                service_kind=e.service.kind,
                opened_on=timezone.localdate(e.opened_at),
                finished_on=timezone.localdate(e.finished_at) if e.finished_at else None,
                finish_reason=e.finish_reason,
                facts=_facts(e.person, e.referral.route if e.referral else ""),
                attended=e.attended,  # type: ignore[attr-defined]
                missed=e.missed,  # type: ignore[attr-defined]
                top_first=top[0],
                top_latest=top[1],
                dialog_first=dialog[0],
                dialog_latest=dialog[1],
            )
        )
    return sources


def people_in_period(*, start: date, end: date) -> tuple[list[str], list[PersonFacts]]:
    """Each person with an episode open in the period, once: their public ids and facts, for a counts extract."""
    begin, stop = _bounds(start, end)
    people = (
        Person.objects.filter(
            episodes__in=EpisodeOfCare.objects.filter(
                Q(opened_at__lt=stop), Q(finished_at__isnull=True) | Q(finished_at__gte=begin)
            )
        )
        .distinct()
        .order_by("pk")
    )
    found = list(people)
    return [str(p.public_id) for p in found], [_facts(p, "") for p in found]
