"""Every outcome measure (issue 6 point 1), each defined once: what is counted, over what, in which period.

The words here are the words on the page. `coexist/outcomes/observations.py` reads the record into
observations for each key; `rules.measures.figure` reduces them. Dates are local (Europe/London) days;
a period runs from its first day to its last day, both included.

Three kinds of period:
- EVENT measures place each unit on the day something happened (a referral received, an episode
  opened, a discharge). Where the outcome needs time to happen (28 days, 12 weeks, 7 days, 72 hours),
  a unit whose window has not yet closed today is left out of the period (neither success nor
  failure yet), so the latest month is not pulled down by people who still have time.
- SNAPSHOT measures (`SNAPSHOT_MEASURES`) look at the record as it stood at the end of the period
  (episodes open on its last day); each unit is placed on that last day.
- Score change measures place a person on the day of their latest measurement in the period.
"""

from __future__ import annotations

from datetime import timedelta

from coexist.outcomes.rules.measures import Kind, Measure
from coexist.outcomes.rules.spc import Polarity

UPTAKE_WINDOW = timedelta(days=28)
ENGAGEMENT_WINDOW = timedelta(weeks=12)
RETENTION_FROM = timedelta(weeks=8)  # weeks 9 to 12
REENGAGEMENT_WINDOW = timedelta(days=7)

# Which score of each instrument a change is measured on (coexist/instruments/definitions/*.json).
# TOP has no total: its "quality of life" rating (0 to 20) is its one overall score. DIALOG's
# "quality of life" is the mean satisfaction with 8 life areas (1 to 7). Higher is better on both.
SCORE_KEYS: dict[str, tuple[str, str]] = {
    "top_change": ("top", "quality_of_life"),
    "dialog_change": ("dialog", "quality_of_life"),
}

_M = Measure

MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        _M(
            key="referrals_by_route",
            title="Referrals by route",
            kind=Kind.COUNT,
            numerator="Referrals received (cut by route: self, staff, drop-in, ward, GP, criminal justice).",
            denominator="Not a share: the number of referrals.",
            period="The day the referral was received.",
            polarity=Polarity.NEITHER,
            unit="referrals",
            source="Issue 6 point 1; PRODUCT.md outcomes (seeds 001, 002)",
        ),
        _M(
            key="uptake",
            title="Uptake: first appointment attended within 28 days of acceptance",
            kind=Kind.PROPORTION,
            numerator=(
                "Of those, referrals whose person was seen (attended on time, or late but seen) at an appointment "
                "with the service they were referred to, no later than 28 days after the referral was accepted."
            ),
            denominator=(
                "Referrals accepted in the period, at least 28 days ago (the 28 days must have passed to know)."
            ),
            period="The day the referral was accepted.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="Issue 6 point 1; PRODUCT.md outcomes (uptake)",
        ),
        _M(
            key="days_to_assessment",
            title="Days from referral to joint assessment",
            kind=Kind.MEDIAN,
            numerator="Median days from the day a referral was received to the day the person's first joint "
            "assessment after it was completed (0 = the same day).",
            denominator="Referrals whose joint assessment was completed in the period.",
            period="The day the joint assessment was completed.",
            polarity=Polarity.LOWER_IS_BETTER,
            unit="days",
            source="Issue 6 point 1; NG58 1.3 (joint assessment)",
        ),
        _M(
            key="engagement_12_weeks",
            title="Engagement: seen within 12 weeks of starting",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes whose person was seen at least once by the episode's service within "
            "12 weeks (84 days) of the episode opening.",
            denominator="Episodes of care opened in the period, at least 12 weeks ago.",
            period="The day the episode opened.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="Issue 6 point 1 (engagement at 12 weeks)",
        ),
        _M(
            key="retention_12_weeks",
            title="Retention: still with the service and seen in weeks 9 to 12",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes not finished within 12 weeks of opening whose person was seen by the "
            "episode's service in weeks 9 to 12 (days 56 to 83 after opening).",
            denominator="Episodes of care opened in the period, at least 12 weeks ago.",
            period="The day the episode opened.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="Issue 6 point 1 (retention at 12 weeks)",
        ),
        _M(
            key="unplanned_endings",
            title="Unplanned endings",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes whose discharge reason was 'The person chose to leave the service'.",
            denominator="Episodes of care finished in the period (any reason, including transfers).",
            period="The day the episode finished.",
            polarity=Polarity.LOWER_IS_BETTER,
            unit="%",
            source="Issue 6 point 1; R6 (no discharge for not attending: there is no such reason)",
        ),
        _M(
            key="loss_of_contact",
            title="Loss of contact",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes whose person had a loss of contact (R6) marked and not yet resolved "
            "on that day.",
            denominator="Episodes of care open on the last day of the period.",
            period="The last day of the period (a snapshot).",
            polarity=Polarity.LOWER_IS_BETTER,
            unit="%",
            source="Issue 6 point 1; R6",
        ),
        _M(
            key="qs188_1",
            title="QS188 statement 1: asked about alcohol and drug use",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes whose person had, by that day, a completed substance-use screen "
            "(a validated measure that screens substance use, e.g. AUDIT, DUDIT, TOP) or a completed joint "
            "assessment.",
            denominator="Episodes in secondary mental health care (community mental health teams and wards) open "
            "on the last day of the period.",
            period="The last day of the period (a snapshot).",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="NICE QS188 statement 1; R15",
        ),
        _M(
            key="qs188_2",
            title="QS188 statement 2: referrals declined because of the coexisting condition",
            kind=Kind.PROPORTION,
            numerator="Of those, referrals declined for the coexisting condition: substance use by a mental health "
            "service, or mental illness by a drug and alcohol, housing or primary care service. Target 0: R1 "
            "refuses such a decline, so anything above 0 means the rule was got round.",
            denominator="Referrals decided (accepted, declined or redirected) in the period.",
            period="The day the referral was decided.",
            polarity=Polarity.LOWER_IS_BETTER,
            unit="%",
            source="NICE QS188 statement 2; R1",
        ),
        _M(
            key="qs188_3",
            title="QS188 statement 3: named care coordinator",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes with a named care coordinator on that day (named since a day no later "
            "than it).",
            denominator="Episodes in secondary mental health care (community mental health teams and wards) open "
            "on the last day of the period.",
            period="The last day of the period (a snapshot).",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="NICE QS188 statement 3; R3",
        ),
        _M(
            key="qs188_4",
            title="QS188 statement 4: missed appointments followed up on time",
            kind=Kind.PROPORTION,
            numerator="Of those, follow-ups completed by their deadline (the R6 due time plus its escalation grace).",
            denominator="Follow-ups of missed appointments created in the period whose outcome is known: "
            "completed, or past their deadline today. One still open and not yet due is left out.",
            period="The day the follow-up was created (the appointment was missed).",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="NICE QS188 statement 4; R6 (as coexist.care.rules.qs188_statement_4)",
        ),
        _M(
            key="case_reviews_on_time",
            title="Multi-agency case reviews on time",
            kind=Kind.PROPORTION,
            numerator="Of those, episodes whose next review was not overdue on that day: a review held since the "
            "episode opened set a next date on or after it, or, with none held, the episode opened less than "
            "12 months before.",
            denominator="Episodes in community mental health teams, wards and drug and alcohol services open on the "
            "last day of the period.",
            period="The last day of the period (a snapshot).",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="R7 (as coexist.care.reviews.rules.review_due_on)",
        ),
        _M(
            key="discharge_ost_continuity",
            title="Ward discharges on opiate substitution with continuity",
            kind=Kind.PROPORTION,
            numerator="Of those, discharges whose prescribing handover the community prescriber had accepted (an "
            "override does not count).",
            denominator="Discharges from a ward completed in the period where the person was on opiate "
            "substitution (as the checklist stood at completion).",
            period="The day the discharge was completed.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="R9; NG58 (as coexist.transitions.rules.discharge_figures)",
        ),
        _M(
            key="discharge_naloxone",
            title="Ward discharges offered naloxone",
            kind=Kind.PROPORTION,
            numerator="Of those, discharges where naloxone was offered.",
            denominator="Discharges from a ward completed in the period where the person uses opioids or is on "
            "opiate substitution (as the checklist stood at completion).",
            period="The day the discharge was completed.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="R9 (as coexist.transitions.rules.discharge_figures)",
        ),
        _M(
            key="discharge_follow_up_72h",
            title="Ward discharges followed up within 72 hours",
            kind=Kind.PROPORTION,
            numerator="Of those, discharges after which the person was seen by a community mental health team or "
            "drug and alcohol service within 72 hours.",
            denominator="Discharges from a ward completed in the period, at least 72 hours ago.",
            period="The day the discharge was completed.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="R8; NG53 (as coexist.transitions.rules.followed_up_within_72_hours)",
        ),
        _M(
            key="days_to_first_community_dose",
            title="Days from ward discharge to first community dose",
            kind=Kind.MEDIAN,
            numerator="Median days from the discharge day to the first community dose (a dose given after "
            "discharge, else the accepted handover's first community dose date; 0 = the same day).",
            denominator="Discharges from a ward completed in the period where the person was on opiate "
            "substitution and a first community dose is known.",
            period="The day the discharge was completed.",
            polarity=Polarity.LOWER_IS_BETTER,
            unit="days",
            source="R9 (as coexist.transitions.rules.discharge_figures)",
        ),
        _M(
            key="reengagement_7_days",
            title="Re-engagement with drug and alcohol services within 7 days of discharge",
            kind=Kind.PROPORTION,
            numerator="Of those, discharges after which the person was seen by a drug and alcohol service within "
            "7 days.",
            denominator="Discharges from a ward completed in the period, at least 7 days ago.",
            period="The day the discharge was completed.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="%",
            source="Issue 6 point 1; PRODUCT.md outcomes",
        ),
        _M(
            key="top_change",
            title="Change in Treatment Outcomes Profile quality of life",
            kind=Kind.MEAN,
            numerator="Mean of each person's latest minus first TOP quality of life rating (0 to 20; a rise is "
            "better).",
            denominator="People with at least two TOP measurements whose latest (up to the end of the period) "
            "was in the period.",
            period="The day of the person's latest measurement.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="points",
            source="Issue 6 point 1; TOP (Marsden 2008)",
        ),
        _M(
            key="dialog_change",
            title="Change in DIALOG quality of life",
            kind=Kind.MEAN,
            numerator="Mean of each person's latest minus first DIALOG quality of life score (mean of 8 life "
            "areas, 1 to 7; a rise is better).",
            denominator="People with at least two DIALOG measurements whose latest (up to the end of the period) "
            "was in the period.",
            period="The day of the person's latest measurement.",
            polarity=Polarity.HIGHER_IS_BETTER,
            unit="points",
            source="Issue 6 point 1; DIALOG (Priebe 2007)",
        ),
    )
}

# Measures of the record as it stood on the period's last day: a monthly series computes each month apart.
SNAPSHOT_MEASURES: frozenset[str] = frozenset({"loss_of_contact", "qs188_1", "qs188_3", "case_reviews_on_time"})
