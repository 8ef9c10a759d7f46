"""The access log is append-only at every layer: model, queryset and the database itself."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from coexist.audit.models import AccessLogEntry, AppendOnlyError, Channel, Outcome
from coexist.audit.services import access_log_append
from coexist.testing.factories import UserFactory


@pytest.fixture
def entry(db: None) -> AccessLogEntry:
    user = UserFactory(username="coordinator")
    access_log_append(
        actor=user, person_ids=[uuid.uuid4()], action="read", parts=["identity"], outcome=Outcome.ALLOWED,
        basis="care team", channel=Channel.PAGE, detail="person page",
    )  # fmt: skip
    return AccessLogEntry.objects.get()


def test_an_entry_cannot_be_changed_through_the_model(entry: AccessLogEntry) -> None:
    entry.basis = "something else"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_an_entry_cannot_be_deleted_through_the_model(entry: AccessLogEntry) -> None:
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_entries_cannot_be_changed_or_deleted_in_bulk(entry: AccessLogEntry) -> None:
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.update(basis="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accesslogentry SET basis = 'tampered'",
        "DELETE FROM audit_accesslogentry",
    ],
)
def test_the_database_refuses_changes_even_in_raw_sql(entry: AccessLogEntry, sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AccessLogEntry.objects.get().basis == "care team"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_the_database_refuses_truncate(entry: AccessLogEntry) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_accesslogentry")


def test_an_entry_keeps_who_after_the_user_is_deleted(entry: AccessLogEntry) -> None:
    from coexist.accounts.models import User

    User.objects.filter(username="coordinator").delete()
    kept = AccessLogEntry.objects.get()
    assert kept.actor_username == "coordinator"
    assert kept.actor_public_id is not None


def test_an_entry_without_its_context_is_refused(db: None) -> None:
    user = UserFactory()
    with pytest.raises(ValueError, match="purpose"):
        access_log_append(
            actor=user, person_ids=[uuid.uuid4()], action="read", parts=[], outcome=Outcome.ALLOWED,
            basis="care team", channel=Channel.PAGE, detail="person page", purpose="",
        )  # fmt: skip
    with pytest.raises(ValueError, match="actor_username"):
        AccessLogEntry(person_public_id=uuid.uuid4(), purpose="x", channel="page", detail="x", basis="x").save()


def test_a_list_of_people_is_logged_in_one_insert(db: None, django_assert_num_queries) -> None:
    user = UserFactory()
    with django_assert_num_queries(1):
        count = access_log_append(
            actor=user, person_ids=[uuid.uuid4() for _ in range(30)], action="read", parts=["identity"],
            outcome=Outcome.ALLOWED, basis="listed", channel=Channel.PAGE, detail="caseload list",
        )  # fmt: skip
    assert count == 30
