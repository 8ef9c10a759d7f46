"""Reading what a member of staff typed into the search box: an NHS number, a date of birth, or a name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from coexist.people.models import normalise_nhs_number

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %m %Y", "%d %B %Y", "%d %b %Y")


@dataclass(frozen=True)
class SearchTerms:
    nhs_number: str | None = None
    date_of_birth: date | None = None
    name_words: tuple[str, ...] = ()

    def as_q(self) -> Q:
        if self.nhs_number:
            return Q(nhs_number=self.nhs_number)
        if self.date_of_birth:
            return Q(date_of_birth=self.date_of_birth)
        q = Q()
        for word in self.name_words:
            q &= Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(preferred_name__icontains=word)
        return q


def parse_search(raw: str) -> SearchTerms:
    """'943 476 5919' is an NHS number; '14/03/1985' or '14 March 1985' a date of birth; anything else a name."""
    text = raw.strip()
    if not text:
        return SearchTerms()
    digits = normalise_nhs_number(text)
    if re.fullmatch(r"[\d\s-]+", text) and len(digits) == 10 and digits.isdigit():
        return SearchTerms(nhs_number=digits)
    for fmt in _DATE_FORMATS:
        try:
            return SearchTerms(date_of_birth=datetime.strptime(text, fmt).date())  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return SearchTerms(name_words=tuple(text.split()[:4]))
