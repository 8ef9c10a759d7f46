"""The person's plain-language copy (R4): a large, printable page, and a PDF download with their own words."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from coexist.accounts.models import User
from coexist.audit.models import AccessLogEntry, Channel
from coexist.care.plans.content import PlanContent
from coexist.care.plans.pdf import care_plan_document
from coexist.care.plans.services import care_plan_save
from coexist.testing.cast import Cast
from coexist.testing.factories import complete_care_plan_content

SignIn = Callable[[User], Client]


def _save(cast: Cast, **changes: object) -> None:
    content = PlanContent.model_validate({**complete_care_plan_content(), **changes})
    care_plan_save(person=cast.ben, by=cast.coordinator, content=content, based_on_version=None, channel=Channel.PAGE)


def _text(box: object) -> str:
    """All the text laid out in a WeasyPrint box tree."""
    own = getattr(box, "text", "") or ""
    return own + "".join(_text(child) for child in getattr(box, "children", []) or [])


def test_the_plain_copy_speaks_to_the_person_and_prints_without_inline_script(cast: Cast, client_for: SignIn) -> None:
    _save(cast)
    page = client_for(cast.coordinator).get(reverse("careplans:plain", args=[cast.ben.public_id])).content.decode()
    assert "Your care plan, Ben" in page
    assert "What matters to you: your goals" in page and "Get my own flat and keep it" in page
    assert "coexist-plain-plan" in page
    assert "data-coexist-print hidden" in page and "careplans/print.js" in page
    assert "<script>" not in page and "onclick" not in page and "style=" not in page
    assert reverse("careplans:pdf", args=[cast.ben.public_id]) in page


def test_the_pdf_is_a_real_pdf_attachment_named_for_the_person_and_version(cast: Cast, client_for: SignIn) -> None:
    _save(cast, goals=[{"owner": "person", "text": "Walk the dog every morning"}])
    response = client_for(cast.coordinator).get(reverse("careplans:pdf", args=[cast.ben.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="care-plan-ben-baker-v1.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert AccessLogEntry.objects.filter(detail="care plan PDF", actor_username="coordinator").exists()


def test_the_pdf_holds_the_persons_goal_in_their_words(cast: Cast) -> None:
    _save(cast, goals=[{"owner": "person", "text": "Walk the dog every morning"}])
    version = cast.ben.care_plan.versions.get()
    document = care_plan_document(person=cast.ben, version=version)
    text = " ".join(_text(page._page_box) for page in document.pages)
    assert "Walk the dog every morning" in text
    assert "If there is a risk of overdose" in text


def test_r4_a_consent_reader_may_read_and_download_the_plain_copy(cast: Cast, client_for: SignIn) -> None:
    _save(cast)
    client = client_for(cast.da_worker)
    assert client.get(reverse("careplans:plain", args=[cast.ben.public_id])).status_code == 200
    assert client.get(reverse("careplans:pdf", args=[cast.ben.public_id])).content.startswith(b"%PDF-")


def test_no_plan_means_no_pdf(cast: Cast, client_for: SignIn) -> None:
    response = client_for(cast.coordinator).get(reverse("careplans:pdf", args=[cast.ann.public_id]))
    assert response.status_code == 404
