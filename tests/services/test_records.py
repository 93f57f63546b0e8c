"""RecordService: one transaction per write with its audit entry, soft delete and restore,
stale edits and duplicates refused, warnings saved but flagged, and the queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from hebi_desktop.domain import resident_id
from hebi_desktop.domain.registry import get_ledger
from hebi_desktop.errors import (
    ConflictError,
    DuplicateRecord,
    RecordNotFound,
    StaleRecord,
    ValidationFailed,
)
from hebi_desktop.services import audit, villages
from hebi_desktop.services.book import Book
from hebi_desktop.services.querying import RecordQuery
from hebi_desktop.storage.models import AuditEntry, Village
from tests.samples import HOUSEHOLD_HEAD_ID, SAMPLES, education, housing, water

NOT_RENOVATED = {
    "safety_grade": "C级",
    "in_renovation": False,
    "renovation_method": None,
    "renovation_progress": None,
    "completion_date": None,
    "subsidy_amount": None,
}


def audit_rows(book: Book) -> list[tuple[str, int, str]]:
    with book.reading() as connection:
        return list(
            connection.execute(
                select(AuditEntry.ledger, AuditEntry.record_id, AuditEntry.action).order_by(
                    AuditEntry.id
                )
            )
        )


def id_with_x() -> str:
    for sequence in range(1000):
        number = resident_id.make("410622", dt.date(1960, 7, 1), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError


# --- create -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_created_record_reads_back_typed_with_its_audit_entry(book: Book, key: str) -> None:
    service = book.records(key)
    result = service.create(SAMPLES[key]())
    record = service.get(result.record.id)
    assert record.version == 1
    assert record.created_by == record.updated_by == "测试员"
    assert not record.flagged and record.warnings == [] and not record.deleted
    assert record.values["township_code"] == "410622102"
    assert service.count() == 1
    assert audit_rows(book) == [(key, record.id, "create")]
    assert book.count_all()[key] == 1


def test_values_are_stored_typed_and_exact(book: Book) -> None:
    record = book.records("housing").create(housing(floor_area="86.5")).record
    assert record.values["floor_area"] == Decimal("86.50")
    assert record.values["subsidy_amount"] == Decimal("15000.00")
    assert record.values["check_date"] == dt.date(2024, 5, 9)
    assert record.values["in_renovation"] is True and record.values["closed"] is False


def test_id_number_with_lower_case_x_and_spaces_is_stored_upper_case(book: Book) -> None:
    number = id_with_x()
    service = book.records("housing")
    record = service.create(housing(id_number=f"  {number.lower()} ")).record
    assert record.values["id_number"] == number
    # ... and found again however it is typed
    assert service.ids(RecordQuery(text=number[-6:].lower())) == [record.id]
    with pytest.raises(DuplicateRecord):
        service.create(housing(id_number=number.lower()))


def test_derived_columns_come_with_the_record(book: Book) -> None:
    record = book.records("education").create(education()).record
    assert record.values["gender"] == "女"
    assert record.values["birth_date"] == dt.date(2012, 9, 15)


def test_invalid_record_is_refused_with_chinese_messages_and_nothing_stored(book: Book) -> None:
    service = book.records("housing")
    wrong_id = HOUSEHOLD_HEAD_ID[:17] + ("0" if HOUSEHOLD_HEAD_ID[17] != "0" else "1")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        service.create(housing(id_number=wrong_id, check_date=tomorrow, structure="钢结构"))
    message = str(caught.value)
    assert "身份证号：校验位错误" in message
    assert "排查日期：不能晚于今天" in message
    assert "房屋结构：“钢结构”不在可选值中" in message
    assert {i.field for i in caught.value.issues} == {"id_number", "check_date", "structure"}
    assert service.count() == 0
    assert audit_rows(book) == []


def test_numbers_beyond_the_columns_are_refused_before_saving(book: Book) -> None:
    service = book.records("water")
    with pytest.raises(ValidationFailed, match="受益人口：应不大于2147483647"):
        service.create(water(beneficiaries="99999999999999999999"))
    with pytest.raises(ValidationFailed, match=r"投入资金（元）：应不大于999999999999\.99"):
        service.create(water(investment="1" + "0" * 20))
    assert service.count() == 0


def test_warnings_are_saved_but_the_record_is_flagged(book: Book) -> None:
    service = book.records("housing")
    result = service.create(housing(**NOT_RENOVATED))
    assert [w.message for w in result.warnings] == ["是否纳入改造：C级房屋未纳入改造，已标记待核实"]
    record = service.get(result.record.id)
    assert record.flagged
    assert record.warnings == ["是否纳入改造：C级房屋未纳入改造，已标记待核实"]
    assert service.ids(RecordQuery(flagged=True)) == [record.id]
    assert service.ids(RecordQuery(flagged=False)) == []

    fixed = service.update(record.id, housing(), record.version).record
    assert not fixed.flagged and fixed.warnings == []
    assert service.ids(RecordQuery(flagged=True)) == []


def test_student_far_older_than_the_stage_is_saved_and_flagged(book: Book) -> None:
    adult = resident_id.make("410621", dt.date(1990, 1, 1), 7)
    record = book.records("education").create(education(id_number=adult, stage="小学")).record
    assert record.flagged
    assert record.warnings[0].startswith("学段：学生在2024-2025学年初为34岁")


# --- duplicates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("housing", f"身份证号“{HOUSEHOLD_HEAD_ID}”，排查日期“2024-05-09”"),
        ("water", "工程名称“王庄村供水站”，行政村“王庄村”，报修日期“2024-03-02”"),
        ("education", "资助项目“义务教育生活补助”，学年“2024-2025”，学期“秋季学期”"),
    ],
)
def test_duplicate_natural_key_is_refused_naming_the_fields(
    book: Book, key: str, words: str
) -> None:
    service = book.records(key)
    first = service.create(SAMPLES[key]()).record
    changed_elsewhere: dict[str, Any] = {"remarks": "第二次录入"}
    with pytest.raises(DuplicateRecord) as caught:
        service.create(SAMPLES[key](**changed_elsewhere))
    assert caught.value.existing_id == first.id
    message = str(caught.value)
    assert words in message
    assert message.startswith("重复记录：") and message.endswith("不能重复录入")
    assert f"记录编号{first.id}" in message
    assert service.count() == 1
    assert len(audit_rows(book)) == 1


def test_same_person_on_another_day_is_not_a_duplicate(book: Book) -> None:
    service = book.records("housing")
    service.create(housing())
    service.create(housing(check_date=dt.date(2024, 6, 1), completion_date=dt.date(2024, 9, 1)))
    assert service.count() == 2


def test_same_student_other_semester_is_not_a_duplicate_payment(book: Book) -> None:
    service = book.records("education")
    service.create(education())
    service.create(education(semester="春季学期"))
    with pytest.raises(DuplicateRecord):
        service.create(education(semester="春季学期", amount="500"))
    assert service.count() == 2


def test_update_into_an_existing_key_is_refused(book: Book) -> None:
    service = book.records("housing")
    service.create(housing())
    other = service.create(housing(check_date=dt.date(2024, 6, 1))).record
    with pytest.raises(DuplicateRecord):
        service.update(other.id, housing(), other.version)
    assert service.get(other.id).values["check_date"] == dt.date(2024, 6, 1)
    assert service.get(other.id).version == 1


def test_unique_index_backs_up_the_duplicate_check(book: Book) -> None:
    service = book.records("housing")
    service.create(housing())
    rows = [service.check(housing(check_date=dt.date(2024, 6, 1))), service.check(housing())]
    with pytest.raises(ConflictError), book.writing() as connection:
        service.insert_checked(connection, rows, "测试员", dt.datetime.now())
    assert service.count() == 1  # the whole batch rolled back, not just the duplicate row
    assert len(audit_rows(book)) == 1


def test_find_duplicate(book: Book) -> None:
    service = book.records("water")
    record = service.create(water()).record
    values = service.check(water()).values
    assert service.find_duplicate(values).id == record.id
    assert service.find_duplicate(values, exclude_id=record.id) is None
    assert service.find_duplicate({**values, "village": "李庄村"}) is None


# --- update and stale edits ---------------------------------------------------------------


def test_update_bumps_the_version_and_audits_only_what_changed(book: Book) -> None:
    service = book.records("housing")
    record = service.create(housing()).record
    updated = service.update(
        record.id, housing(household_size=4, subsidy_amount="16000"), record.version
    ).record
    assert updated.version == 2
    assert updated.values["household_size"] == 4
    history = service.history(record.id)
    assert [h.action_label for h in history] == ["新建", "修改"]
    assert history[1].operator == "测试员"
    assert history[1].changes == {
        "household_size": [3, 4],
        "subsidy_amount": ["15000.00", "16000.00"],
    }
    created = history[0].changes
    assert created["check_date"] == [None, "2024-05-09"]
    assert created["id_number"] == [None, HOUSEHOLD_HEAD_ID]


def test_stale_edit_is_refused_and_changes_nothing(book: Book, db_path) -> None:
    service = book.records("housing")
    record = service.create(housing()).record
    # Another window (another connection) saves first.
    other = Book.open(db_path)
    try:
        other.records("housing").update(record.id, housing(household_size=5), record.version)
    finally:
        other.close()
    with pytest.raises(StaleRecord) as caught:
        service.update(record.id, housing(household_size=6), record.version)
    assert str(caught.value) == (
        f"记录编号{record.id}在您打开后已被修改或删除，本次修改未保存；请重新打开该记录后再改"
    )
    again = service.get(record.id)
    assert again.values["household_size"] == 5 and again.version == 2
    assert [h.action for h in service.history(record.id)] == ["create", "update"]


def test_edit_of_a_deleted_record_is_refused(book: Book) -> None:
    service = book.records("housing")
    record = service.create(housing()).record
    service.delete(record.id, record.version)
    with pytest.raises(StaleRecord):
        service.update(record.id, housing(household_size=5), record.version + 1)


def test_unknown_record(book: Book) -> None:
    service = book.records("housing")
    with pytest.raises(RecordNotFound, match="找不到记录编号99"):
        service.get(99)
    with pytest.raises(RecordNotFound):
        service.update(99, housing(), 1)
    with pytest.raises(RecordNotFound):
        service.delete(99)


# --- soft delete and restore --------------------------------------------------------------


def test_soft_delete_and_restore(book: Book) -> None:
    service = book.records("housing")
    record = service.create(housing()).record

    deleted = service.delete(record.id, record.version)
    assert deleted.deleted and deleted.version == 2
    assert service.count() == 0 and service.ids() == [] and service.list() == []
    assert service.ids(RecordQuery(deleted=True)) == [record.id]
    assert book.count_all()["housing"] == 0
    assert service.get(record.id).values["head_name"] == "张秀英"  # still there

    restored = service.restore(record.id)
    assert not restored.deleted and restored.version == 3
    assert service.ids() == [record.id]
    assert [h.action_label for h in service.history(record.id)] == ["新建", "删除", "恢复"]


def test_delete_from_a_stale_copy_or_twice_is_refused(book: Book) -> None:
    service = book.records("housing")
    record = service.create(housing()).record
    service.update(record.id, housing(household_size=4), record.version)
    with pytest.raises(StaleRecord):
        service.delete(record.id, record.version)
    service.delete(record.id, record.version + 1)
    with pytest.raises(StaleRecord):
        service.delete(record.id)
    with pytest.raises(StaleRecord):  # restoring a live record
        service.restore(service.create(housing(check_date=dt.date(2024, 1, 2))).record.id)


def test_key_of_a_deleted_record_is_free_but_restoring_it_then_is_refused(book: Book) -> None:
    service = book.records("housing")
    old = service.create(housing()).record
    service.delete(old.id)
    new = service.create(housing(remarks="重新录入")).record
    with pytest.raises(DuplicateRecord) as caught:
        service.restore(old.id)
    assert caught.value.existing_id == new.id
    assert service.get(old.id).deleted


# --- one transaction per write ------------------------------------------------------------


def fail(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("disk full")


def test_failure_inside_create_leaves_nothing(book: Book, monkeypatch) -> None:
    service = book.records("housing")
    monkeypatch.setattr(audit, "write_entry", fail)
    with pytest.raises(RuntimeError):
        service.create(housing())
    monkeypatch.undo()
    assert service.count() == 0
    assert book.villages.names("410622102") == []
    service.create(housing())  # and the database is usable afterwards
    assert service.count() == 1


def test_failure_after_the_audit_entry_leaves_nothing(book: Book, monkeypatch) -> None:
    service = book.records("housing")
    monkeypatch.setattr(villages, "remember", fail)
    with pytest.raises(RuntimeError):
        service.create(housing())
    assert service.count() == 0
    assert audit_rows(book) == []


def test_failure_inside_update_and_delete_changes_nothing(book: Book, monkeypatch) -> None:
    service = book.records("housing")
    record = service.create(housing()).record
    monkeypatch.setattr(audit, "write_entry", fail)
    with pytest.raises(RuntimeError):
        service.update(record.id, housing(household_size=9), record.version)
    with pytest.raises(RuntimeError):
        service.delete(record.id, record.version)
    again = service.get(record.id)
    assert again.version == 1 and again.values["household_size"] == 3 and not again.deleted


def test_failure_inside_a_bulk_insert_leaves_nothing(book: Book) -> None:
    service = book.records("water")
    rows = [service.check(water(report_date=dt.date(2024, 1, day))) for day in range(1, 21)]
    with pytest.raises(RuntimeError), book.writing() as connection:
        service.insert_checked(connection, rows, "测试员", dt.datetime.now())
        raise RuntimeError("cancelled half-way")
    assert service.count() == 0 and audit_rows(book) == []


def test_bulk_insert_returns_ids_in_row_order(book: Book) -> None:
    service = book.records("water")
    service.create(water(project_name="先录的一条"))
    days = [5, 1, 20, 3, 11]
    rows = [service.check(water(report_date=dt.date(2024, 1, day))) for day in days]
    with book.writing() as connection:
        ids = service.insert_checked(connection, rows, "导入员", dt.datetime.now())
    assert [r.values["report_date"].day for r in service.fetch(ids)] == days
    assert [r.created_by for r in service.fetch(ids)] == ["导入员"] * 5
    assert [a for _l, _i, a in audit_rows(book)] == ["create"] + ["import"] * 5
    assert book.villages.names("410622102") == ["王庄村"]


# --- villages and queries -----------------------------------------------------------------


def test_villages_are_remembered_most_used_first(book: Book) -> None:
    service = book.records("water")
    service.create(water(village="李庄村", project_name="甲"))
    for day in (1, 2):
        service.create(
            water(village="赵庄村", project_name="乙", report_date=dt.date(2024, 1, day))
        )
    with book.reading() as connection:
        uses = dict(connection.execute(select(Village.name, Village.use_count)).all())
    assert uses == {"李庄村": 1, "赵庄村": 2}
    assert book.villages.names("410622102") == ["赵庄村", "李庄村"]
    assert book.villages.names("410621001") == []


@pytest.fixture
def filled(book: Book) -> Book:
    service = book.records("housing")
    service.create(housing(head_name="张秀英"))
    service.create(
        housing(
            head_name="李建国",
            id_number=resident_id.make("410621", dt.date(1950, 1, 1), 11),
            county_code="410621",
            township_code="410621001",
            village="东李村",
            check_date=dt.date(2024, 1, 15),
            safety_grade="A级",
            in_renovation=False,
            renovation_method=None,
            renovation_progress=None,
            completion_date=None,
            subsidy_amount=None,
        )
    )
    dangerous = {**NOT_RENOVATED, "safety_grade": "D级"}
    service.create(housing(head_name="王秀兰", check_date=dt.date(2024, 8, 1), **dangerous))
    return book


def names(book: Book, query: RecordQuery) -> list[str]:
    return [r.values["head_name"] for r in book.records("housing").list(query)]


def test_queries(filled: Book) -> None:
    assert names(filled, RecordQuery()) == ["王秀兰", "李建国", "张秀英"]  # newest first
    assert names(filled, RecordQuery(text="秀")) == ["王秀兰", "张秀英"]
    assert names(filled, RecordQuery(township_code="410621001")) == ["李建国"]
    assert names(filled, RecordQuery(county_code="410622")) == ["王秀兰", "张秀英"]
    assert names(filled, RecordQuery(village="东李村")) == ["李建国"]
    between = RecordQuery(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 31))
    assert names(filled, between) == ["张秀英"]
    assert names(filled, RecordQuery(status={"safety_grade": "A级"})) == ["李建国"]
    assert names(filled, RecordQuery(flagged=True)) == ["王秀兰"]
    assert names(filled, RecordQuery(sort="check_date")) == ["李建国", "张秀英", "王秀兰"]
    by_name = RecordQuery(sort="head_name", descending=True)  # pinyin: zhang > wang > li
    assert names(filled, by_name) == ["张秀英", "王秀兰", "李建国"]
    watch = get_ledger("housing").watches[0]  # C/D级未纳入改造
    assert names(filled, RecordQuery(conditions=watch.conditions)) == ["王秀兰"]
    assert names(filled, RecordQuery(text="%")) == []  # LIKE wildcards are literal


def test_ids_fetch_list_pages_and_streaming(filled: Book) -> None:
    service = filled.records("housing")
    ids = service.ids()
    assert len(ids) == 3 == service.count()
    assert [r.id for r in service.fetch([*reversed(ids), 999])] == list(reversed(ids))
    assert [r.id for r in service.list(offset=1, limit=1)] == [ids[1]]
    streamed = list(service.iter_items(batch=1))
    assert [i for i, _v in streamed] == ids
    assert streamed[0][1]["head_name"] == "王秀兰"
    assert list(service.iter_items(cancelled=lambda: True)) == []
    assert service.sums() == {"subsidy_amount": Decimal("15000.00")}
    since = service.get(ids[0]).updated_at
    service.update(ids[1], service.get(ids[1]).values, 1)
    assert service.ids(RecordQuery(changed_since=since)) == [ids[1]]


def test_settings(book: Book) -> None:
    assert book.settings.is_configured
    assert book.operator == "测试员"
    book.settings.set("operator", None)
    assert not book.settings.is_configured
    assert book.operator == "未署名"
    book.settings.set("backup_keep", "10")
    book.settings.set("backup_keep", "12")
    assert book.settings.get("backup_keep") == "12"
    assert book.settings.get("missing", "默认") == "默认"


def test_audit_count_matches_writes(book: Book) -> None:
    service = book.records("housing")
    record = service.create(housing()).record
    service.update(record.id, housing(household_size=2), 1)
    service.delete(record.id)
    service.restore(record.id)
    with book.reading() as connection:
        assert connection.scalar(select(func.count()).select_from(AuditEntry)) == 4


# Written once for a server: partial unique index, upserts, aggregates, soft deletes.
@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_record_life_cycle_in_portable_sql(book: Book, key: str) -> None:
    service = book.records(key)
    saved = service.create(SAMPLES[key]()).record
    with pytest.raises(DuplicateRecord):
        service.create(SAMPLES[key]())
    changed = service.update(saved.id, {**saved.values, "remarks": "复核"}, saved.version).record
    with pytest.raises(StaleRecord):
        service.update(saved.id, saved.values, saved.version)
    service.delete(changed.id)
    assert service.count() == 0
    service.create(SAMPLES[key]())  # the natural key is free again while the first is deleted
    with pytest.raises(DuplicateRecord):
        service.restore(saved.id)
    assert [entry.action for entry in service.history(saved.id)] == ["create", "update", "delete"]
    assert book.villages.names("410622102") == ["王庄村"]
    ledger = service.ledger
    assert book.stats.headline(ledger).figures[0].value == 1


def test_bulk_delete_and_restore_are_one_transaction_each(book: Book) -> None:
    service = book.records("housing")
    ids = [
        service.create(
            housing(id_number=resident_id.make("410622", dt.date(1960, 1, n), n))
        ).record.id
        for n in range(1, 4)
    ]
    deleted = service.delete_many(dict.fromkeys(ids))
    assert [r.id for r in deleted] == ids and all(r.deleted for r in deleted)
    assert service.count() == 0
    assert [e.action for e in service.history(ids[0])][-1:] == ["delete"]

    # One of them was restored elsewhere meanwhile: restoring all of them again changes none.
    service.restore(ids[1])
    with pytest.raises(StaleRecord):
        service.restore_many(ids)
    assert [service.get(i).deleted for i in ids] == [True, False, True]

    service.restore_many([ids[0], ids[2]])
    assert service.count() == 3
    # A stale version on one record keeps every record of the batch.
    stale = {ids[0]: 1, ids[1]: service.get(ids[1]).version, ids[2]: None}
    with pytest.raises(StaleRecord):
        service.delete_many(stale)
    assert service.count() == 3
