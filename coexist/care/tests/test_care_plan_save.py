"""care_plan_save (R4): each save a new numbered version; saving over a version you did not load is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.models import CarePlan, CarePlanVersion
from coexist.care.plans.content import PlanContent
from coexist.care.plans.services import CarePlanConflict, care_plan_save
from coexist.organisations.models import Role
from coexist.people.permissions import AccessRefused
from coexist.testing.cast import Cast
from coexist.testing.factories import CarerFactory, CareTeamMemberFactory, EpisodeFactory, complete_care_plan_content


def content(**changes: object) -> PlanContent:
    return PlanContent.model_validate({**complete_care_plan_content(), **changes})


def test_r4_first_save_is_version_one_with_every_filled_section_changed(cast: Cast) -> None:
    version = care_plan_save(
        person=cast.ann, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE
    )
    assert version.number == 1
    assert version.plan.person == cast.ann
    assert version.created_by == cast.coordinator
    assert "person_goals" in version.changed_sections and "crisis_plan" in version.changed_sections
    assert version.plan_content == content()
    entry = AccessLogEntry.objects.get(detail__startswith="saved care plan version 1")
    assert (entry.action, entry.outcome, entry.parts) == ("write", "allowed", ["care_plan"])


def test_r4_each_save_is_a_new_version_and_earlier_ones_are_kept(cast: Cast) -> None:
    first = care_plan_save(
        person=cast.ann, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE
    )
    second = care_plan_save(
        person=cast.ann,
        by=cast.coordinator,
        content=content(crisis_plan="Call the crisis line"),
        based_on_version=1,
        channel=Channel.PAGE,
    )
    assert second.number == 2 and second.changed_sections == ["crisis_plan"]
    first.refresh_from_db()
    assert first.plan_content.crisis_plan == "Call Alex in the day, the crisis line at night."
    assert CarePlan.objects.count() == 1 and CarePlanVersion.objects.count() == 2


def test_a_saved_version_is_never_updated_in_place(cast: Cast) -> None:
    version = care_plan_save(
        person=cast.ann, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE
    )
    version.content = {}
    with pytest.raises(ValueError, match="cannot be changed"):
        version.save()


def test_r4_two_people_editing_at_once_get_a_conflict_not_an_overwrite(cast: Cast) -> None:
    """Both load version 1; the first saves version 2; the second, still based on 1, is refused with the
    latest version and what changed, and version 2 is untouched (real database, sequential saves)."""
    CareTeamMemberFactory(person=cast.ben, user=cast.psychiatrist, role=Role.PSYCHIATRIST)
    care_plan_save(person=cast.ben, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE)
    care_plan_save(
        person=cast.ben,
        by=cast.psychiatrist,
        content=content(contingency_overdose="Naloxone at home and with his sister."),
        based_on_version=1,
        channel=Channel.PAGE,
    )
    with pytest.raises(CarePlanConflict) as refused:
        care_plan_save(
            person=cast.ben,
            by=cast.coordinator,
            content=content(strengths="Cooks for friends."),
            based_on_version=1,
            channel=Channel.API,
        )
    assert refused.value.latest.number == 2
    assert refused.value.based_on == 1
    assert refused.value.changed == ["contingency_overdose"]
    assert CarePlanVersion.objects.filter(plan__person=cast.ben).count() == 2
    latest = CarePlanVersion.objects.get(plan__person=cast.ben, number=2)
    assert latest.plan_content.contingency_overdose == "Naloxone at home and with his sister."
    assert latest.created_by == cast.psychiatrist


def test_r4_a_new_plan_started_while_someone_else_wrote_one_is_a_conflict(cast: Cast) -> None:
    CareTeamMemberFactory(person=cast.ann, user=cast.psychiatrist, role=Role.PSYCHIATRIST)
    care_plan_save(person=cast.ann, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE)
    with pytest.raises(CarePlanConflict):
        care_plan_save(
            person=cast.ann, by=cast.psychiatrist, content=content(), based_on_version=None, channel=Channel.PAGE
        )


def test_based_on_a_version_that_does_not_exist_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        care_plan_save(person=cast.ann, by=cast.coordinator, content=content(), based_on_version=4, channel=Channel.API)
    assert "based_on_version" in refused.value.message_dict


def test_saving_with_nothing_changed_makes_no_new_version(cast: Cast) -> None:
    care_plan_save(person=cast.ann, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE)
    with pytest.raises(ValidationError) as refused:
        care_plan_save(
            person=cast.ann, by=cast.coordinator, content=content(), based_on_version=1, channel=Channel.PAGE
        )
    assert refused.value.code == "unchanged"
    assert CarePlanVersion.objects.count() == 1


def test_r4_an_incomplete_plan_saves_as_a_draft(cast: Cast) -> None:
    version = care_plan_save(
        person=cast.ann,
        by=cast.coordinator,
        content=PlanContent(goals=[{"owner": "person", "text": "Sleep better"}]),  # type: ignore[list-item]
        based_on_version=None,
        channel=Channel.PAGE,
    )
    assert version.number == 1


def test_r4_consent_to_read_is_not_permission_to_change_and_the_refusal_is_logged(cast: Cast) -> None:
    with pytest.raises(AccessRefused):
        care_plan_save(
            person=cast.ben, by=cast.da_worker, content=content(), based_on_version=None, channel=Channel.API
        )
    assert not CarePlan.objects.exists()
    entry = AccessLogEntry.objects.get(detail="save care plan")
    assert (entry.actor_username, entry.outcome, entry.action) == ("da_worker", "refused", "write")


def test_carers_in_the_plan_must_be_this_persons_and_keep_their_name(cast: Cast) -> None:
    sister = CarerFactory(person=cast.ann, name="Sue Abbott")
    someone_elses = CarerFactory(person=cast.ben)
    with pytest.raises(ValidationError) as refused:
        care_plan_save(
            person=cast.ann,
            by=cast.coordinator,
            content=content(carers=[{"carer": str(someone_elses.public_id), "support": "Visits"}]),
            based_on_version=None,
            channel=Channel.PAGE,
        )
    assert "carers" in refused.value.message_dict
    version = care_plan_save(
        person=cast.ann,
        by=cast.coordinator,
        content=content(carers=[{"carer": str(sister.public_id), "support": "Daily phone call"}]),
        based_on_version=None,
        channel=Channel.PAGE,
    )
    assert [(c.name, c.support) for c in version.plan_content.carers] == [("Sue Abbott", "Daily phone call")]


def test_a_version_records_the_episode_open_when_it_was_saved(cast: Cast) -> None:
    episode = EpisodeFactory(person=cast.ann, team=cast.north, opened_by=cast.coordinator)
    version = care_plan_save(
        person=cast.ann, by=cast.coordinator, content=content(), based_on_version=None, channel=Channel.PAGE
    )
    assert version.episode == episode
