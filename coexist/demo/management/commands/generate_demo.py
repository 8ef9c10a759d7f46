"""`python manage.py generate_demo --people N --seed S [--history-people H]`: load the synthetic demo population
once, and with `--history-people`, Eastbrook: a generated area of H people with three years of history, so that
the outcome dashboards have months to chart (the demo's own people are too few: most monthly counts would be
hidden as small numbers, and their history is laid out before the demo's anchor date)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coexist.demo.generate import generate
from coexist.outcomes.population import generate_outcomes_population

HISTORY_AREA = "Eastbrook"


class Command(BaseCommand):
    help = "Load a synthetic, deterministic demo population. Running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=120, help="How many people (default 120).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--history-people",
            type=int,
            default=0,
            help=f"People in {HISTORY_AREA}, a generated area with three years of history for the outcome "
            "dashboards (default 0: none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["people"] <= 1_000_000:
            raise CommandError("--people must be between 1 and 1,000,000.")
        if not 0 <= options["history_people"] <= 1_000_000:
            raise CommandError("--history-people must be between 0 and 1,000,000.")
        summary = generate(people=options["people"], seed=options["seed"])
        if summary.skipped:
            self.stdout.write("Demo data is already loaded; nothing changed.")
            return
        if options["history_people"]:
            history = generate_outcomes_population(
                people=options["history_people"], seed=options["seed"], prefix="eastbrook", areas=((HISTORY_AREA, 1),)
            )
            self.stdout.write(
                f"{HISTORY_AREA}: {history.people} generated people with three years of history in "
                f"{', '.join(s.name for s in history.services.values())}, for the outcome dashboards."
            )
        self.stdout.write(
            f"Demo data loaded: {summary.people} people, {summary.staff} staff, "
            f"{summary.care_team_members} care team places, {summary.consents} consents, {summary.carers} carers.\n"
            f"  Referrals: {summary.accepted_referrals} accepted, {summary.referrals} open for triage; "
            f"{summary.drop_in_visits} drop-in visits.\n"
            f"  Episodes of care: {summary.episodes} open, {summary.episodes_without_coordinator} "
            "waiting for a care coordinator (team leader's list).\n"
            f"  Measures: {summary.instrument_responses} scored; {summary.risk_flags} risk flags; "
            f"{summary.joint_assessments} joint assessments.\n"
            f"  Care plans: {summary.care_plans} ({summary.care_plan_versions} versions, "
            f"{summary.draft_care_plans} incomplete drafts); {summary.carer_assessments} carers' assessment offers.\n"
            f"  Appointments: {summary.appointments}; {summary.follow_ups} missed and followed up (R6), "
            f"{summary.open_follow_ups} follow-ups open; {summary.case_reviews} case reviews (R7); "
            f"{summary.group_sessions} group and drop-in sessions.\n"
            f"  Ward stays: {summary.ward_stays} ({summary.discharges} discharged through the R8/R9 checklist); "
            f"{summary.advice_requests} advice requests to the addictions consultant; a contract ending in 60 days "
            "(R10).\n"
            f"  Tasks: {summary.tasks} ({summary.open_tasks} open)."
        )
