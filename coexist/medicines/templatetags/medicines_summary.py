"""The "Medicines continuity" part of a person's page: the opiate substitution in force, the last dose given
and any handover waiting (R9). The page has opened the record and logged the read, medicines included."""

from __future__ import annotations

from typing import Any

from django import template

from coexist.medicines.rules import describe_dose
from coexist.medicines.selectors import current_dose, current_opiate_substitution, last_dose_given, open_handover
from coexist.people.rules import RecordPart
from coexist.people.selectors import OpenedRecord

register = template.Library()


@register.inclusion_tag("medicines/_person_section.html")
def medicines_section(record: OpenedRecord) -> dict[str, Any]:
    if not record.can_read(RecordPart.MEDICINES):
        return {"show": False}
    course = current_opiate_substitution(record.person)
    dose = current_dose(course) if course else None
    return {
        "show": True,
        "person": record.person,
        "can_change": record.can_write(RecordPart.MEDICINES),
        "course": course,
        "figure": describe_dose(
            drug=course.drug, dose_mg=dose.daily_dose_mg, supervised=dose.supervised, pharmacy=dose.pharmacy
        )
        if course and dose
        else "",
        "last_given": last_dose_given(course) if course else None,
        "waiting": open_handover(course) if course else None,
    }
