"""The busiest requests' reads and writes, each one statement composed once (ADR 0004).

Today, logging an exercise and the caseload keep what they draw under a *change stamp*: the id
of the latest audit entry naming the patient (or the clinic) that is not a read. Every write of
care data goes through care/actions.py, which writes such an entry in the same transaction, so
a stamp that has not moved means nothing those pages show has changed; it is found by one seek
in a partial index (``audit_patient_change``, ``audit_clinic_change``).

Why SQL by hand: on the machine the benchmarks ran on, Django's query builder spends 0.4-1.5 ms
composing one of these queries, as long as everything else a kept page does. The statements
below are composed once per process from the models' own table and column names; rows are
loaded into ordinary model instances through the fields' own converters, and values are
prepared by the fields as the ORM would, so callers cannot tell them from the ORM's. They use
joins, a correlated subquery, COUNT and ``INSERT ... RETURNING``, which SQLite (3.35 and later)
and PostgreSQL both run (tests/web/test_stamps.py compares them with the ORM on both).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from .models import AuditEntry, Clinic, Episode, ExerciseLog, Patient, PlanRecord

M = TypeVar("M", bound=models.Model)

# Read only when a page asks for it (a deferred field): the clinic's licensed questionnaire
# wording can be tens of kilobytes and only the intake pages show it.
_CLINIC_DEFERRED = frozenset({"licensed_wording"})


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # a concrete field has a column
    return field.column


def _columns(model: type[models.Model], alias: str, skip: frozenset[str] = frozenset()) -> str:
    quote = connection.ops.quote_name
    return ", ".join(
        f"{alias}.{quote(_column(f))}" for f in model._meta.concrete_fields if f.attname not in skip
    )


def _loader(
    model: type[M], skip: frozenset[str] = frozenset()
) -> tuple[int, Callable[[Sequence[Any], BaseDatabaseWrapper], M]]:
    """How many columns ``model`` takes (all concrete fields but ``skip``, in the model's order),
    and a function making an instance from them with the fields' converters applied (SQLite
    hands back dates, times and booleans as text and numbers)."""
    fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
    names = [f.attname for f in fields]
    converters = []
    for position, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((position, column, found))

    def load(values: Sequence[Any], db: BaseDatabaseWrapper) -> M:
        row = list(values)
        for position, column, convert in converters:
            for converter in convert:
                row[position] = converter(row[position], column, db)
        return model.from_db(db.alias, names, row)

    return len(fields), load


def _latest_change(table_alias: str, column: str) -> str:
    """The id of the latest audit entry naming ``table_alias``'s row that is not a read (the
    condition matches the partial indexes' own, so the planner seeks them)."""
    quote = connection.ops.quote_name
    audit = quote(AuditEntry._meta.db_table)
    return (
        f"(SELECT a.{quote('id')} FROM {audit} a WHERE a.{quote(column)} = "
        f"{table_alias}.{quote('id')} AND NOT (a.{quote('action')} = "
        f"'{AuditEntry.Action.READ.value}') ORDER BY a.{quote('id')} DESC LIMIT 1)"
    )


_NO_DOCUMENT = frozenset({"plan"})


def _db() -> BaseDatabaseWrapper:
    """The default database's connection of this thread, looked up once per call (each use of
    ``django.db.connection`` looks it up again)."""
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def _patient_query(
    with_clinic: bool, with_plan: bool
) -> tuple[str, list[tuple[str, int, int, Callable[..., Any]]]]:
    """The statement, and for each model read: its name, where its columns are in a row, and
    its loader."""
    quote = connection.ops.quote_name
    models_read: list[tuple[type[models.Model], str, frozenset[str]]] = [
        (Patient, "p", frozenset())
    ]
    joins = [f"FROM {quote(Patient._meta.db_table)} p"]
    if with_clinic:
        models_read.append((Clinic, "c", _CLINIC_DEFERRED))
        joins.append(
            f"JOIN {quote(Clinic._meta.db_table)} c ON c.{quote('id')} = p.{quote('clinic_id')}"
        )
    if with_plan:
        # At most one row each: constraints one_active_episode and one_published_plan.
        models_read += [(PlanRecord, "r", _NO_DOCUMENT), (Episode, "e", frozenset())]
        joins.append(
            f"LEFT JOIN {quote(Episode._meta.db_table)} e ON e.{quote('patient_id')} = "
            f"p.{quote('id')} AND e.{quote('status')} = '{Episode.Status.ACTIVE.value}' "
            f"LEFT JOIN {quote(PlanRecord._meta.db_table)} r ON r.{quote('episode_id')} = "
            f"e.{quote('id')} AND r.{quote('status')} = '{PlanRecord.Status.PUBLISHED.value}'"
        )
    parts, columns, start = [], [], 1  # column 0: the change stamp
    for model, alias, skip in models_read:
        width, load = _loader(model, skip)
        parts.append((model._meta.model_name or "", start, start + width, load))
        columns.append(_columns(model, alias, skip))
        start += width
    sql = (
        f"SELECT {_latest_change('p', 'patient_id')}, {', '.join(columns)} {' '.join(joins)} "
        f"WHERE p.{quote('user_id')} = %s"
    )
    return sql, parts


def patient_of_user(
    user_id: int, *, with_clinic: bool = True, with_plan: bool = False
) -> Patient | None:
    """The patient record of the account ``user_id`` (None if it has none) with
    ``change_stamp`` set: the patient's latest change (None before the first).

    ``with_clinic``: the clinic in hand (else read when first used). ``with_plan``: also
    ``active_plan``, the published plan of the patient's open episode (or None) with its
    episode, as ``active_plan_of`` gives it without the document."""
    sql, parts = _patient_query(with_clinic, with_plan)
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    read = {name: (start, end, load) for name, start, end, load in parts}
    start, end, load = read["patient"]
    patient: Patient = load(row[start:end], db)
    patient.change_stamp = row[0]  # type: ignore[attr-defined]
    if with_clinic:
        start, end, load = read["clinic"]
        patient.clinic = load(row[start:end], db)
    if with_plan:
        plan: PlanRecord | None = None
        start, end, load = read["planrecord"]
        if row[start] is not None:  # the plan's id: there is one
            plan = load(row[start:end], db)
            start, end, load = read["episode"]
            plan.episode = load(row[start:end], db)
        patient.active_plan = plan  # type: ignore[attr-defined]
    return patient


@functools.cache
def _clinic_query() -> tuple[str, Callable[..., Clinic]]:
    quote = connection.ops.quote_name
    _, load_clinic = _loader(Clinic, _CLINIC_DEFERRED)
    sql = (
        f"SELECT {_columns(Clinic, 'c', _CLINIC_DEFERRED)}, {_latest_change('c', 'clinic_id')} "
        f"FROM {quote(Clinic._meta.db_table)} c WHERE c.{quote('id')} = %s"
    )
    return sql, load_clinic


def clinic_of_staff(clinic_id: int) -> Clinic | None:
    """The clinic ``clinic_id`` (None if there is none) with ``change_stamp`` set: the latest
    change to anything of the clinic's (None before the first)."""
    sql, load_clinic = _clinic_query()
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(sql, [clinic_id])
        row = cursor.fetchone()
    if row is None:
        return None
    clinic = load_clinic(row[:-1], db)
    clinic.change_stamp = row[-1]  # type: ignore[attr-defined]
    return clinic


@functools.cache
def _active_plan_query(
    with_document: bool,
) -> tuple[str, int, Callable[..., PlanRecord], Callable[..., Episode]]:
    quote = connection.ops.quote_name
    skip = frozenset() if with_document else _NO_DOCUMENT
    width, load_plan = _loader(PlanRecord, skip)
    _, load_episode = _loader(Episode)
    sql = (
        f"SELECT {_columns(PlanRecord, 'r', skip)}, {_columns(Episode, 'e')} "
        f"FROM {quote(PlanRecord._meta.db_table)} r "
        f"JOIN {quote(Episode._meta.db_table)} e ON e.{quote('id')} = r.{quote('episode_id')} "
        f"WHERE e.{quote('patient_id')} = %s AND e.{quote('status')} = %s "
        f"AND r.{quote('status')} = %s"
    )
    return sql, width, load_plan, load_episode


def active_plan_of(patient_id: int, *, with_document: bool) -> PlanRecord | None:
    """The published plan of the patient's open episode (there is at most one: constraints
    ``one_active_episode`` and ``one_published_plan``), with its episode in hand; the document
    itself (about 15 KB of JSON) only ``with_document``, else read when first used."""
    sql, width, load_plan, load_episode = _active_plan_query(with_document)
    params: list[Any] = [patient_id, Episode.Status.ACTIVE.value, PlanRecord.Status.PUBLISHED.value]
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    record = load_plan(row[:width], db)
    record.episode = load_episode(row[width:], db)
    return record


@functools.cache
def _day_count_query() -> str:
    quote = connection.ops.quote_name
    done = quote("done")
    return (
        f"SELECT COUNT(*), SUM(CASE WHEN {done} THEN 1 ELSE 0 END) "
        f"FROM {quote(ExerciseLog._meta.db_table)} WHERE {quote('patient_id')} = %s "
        f"AND {quote('day')} = %s AND {quote('exercise_id')} = %s"
    )


def sessions_on(patient_id: int, day: dt.date, exercise_id: str) -> tuple[int, int]:
    """How many sessions of the exercise the patient logged on ``day``, and how many of them
    were done (one seek in the covering index ``log_patient_day``)."""
    db = _db()
    day_value = ExerciseLog._meta.get_field("day").get_db_prep_value(day, db)
    with db.cursor() as cursor:
        cursor.execute(_day_count_query(), [patient_id, day_value, exercise_id])
        sessions, done = cursor.fetchone()
    return sessions, done or 0


@functools.cache
def _insert(model: type[models.Model]) -> tuple[str, list[models.Field[Any, Any]]]:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(_column(f)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote('id')}"
    )
    return sql, fields


def insert_row(model: type[M], values: dict[str, Any]) -> M:
    """``model(**values)`` written with one INSERT composed once (``Model.objects.create``
    composes it anew each time): ``values`` by attribute name, every concrete field but the
    key, each prepared by its field as the ORM would (time zone, JSON). For rows written on
    every request (audit entries, exercise logs) by models without save() logic or signals."""
    pk = _insert_values(model, values)
    fields = model._meta.concrete_fields
    row = [pk if f.primary_key else values[f.attname] for f in fields]
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], row)


def insert_audit_entry(values: dict[str, Any]) -> None:
    """One audit entry, one INSERT (``insert_row``): ``values`` by attribute name (``who_id``,
    ``clinic_id``, ``patient_id``, ``at``, ``action``, ``object_type``, ``object_id``,
    ``detail``)."""
    _insert_values(AuditEntry, values)


def _insert_values(model: type[models.Model], values: dict[str, Any]) -> int:
    sql, fields = _insert(model)
    db = _db()
    params = [f.get_db_prep_save(values[f.attname], db) for f in fields]
    # On SQLite, a write outside a transaction (a page's audit entry) queues for the write
    # lock like a transaction does (backcare/db/sqlite3/base.py).
    lock = getattr(db, "write_lock", contextlib.nullcontext)
    with lock(), db.cursor() as cursor:
        cursor.execute(sql, params)
        (pk,) = cursor.fetchone()  # RETURNING: stepped to the end, the new key
    return int(pk)
