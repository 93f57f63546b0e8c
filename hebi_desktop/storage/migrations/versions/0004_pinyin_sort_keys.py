"""pinyin sort keys and initials beside names and places

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:30:00

Existing rows get their keys here, so an upgraded database sorts and finds by pinyin at once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hebi_desktop.domain.pinyin import initials, sort_key

revision: str = "0004"
# Written after 0001; chained after 0003 (merged to main first) so there is one head.
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table → (column, its declared max_length, also searched by initials)
COLUMNS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "housing_checks": (("head_name", 20, True), ("village", 40, False)),
    "water_repairs": (
        ("project_name", 60, True),
        ("village", 40, False),
        ("caretaker", 20, True),
    ),
    "education_subsidies": (("student_name", 20, True), ("village", 40, False)),
}
# table → the columns the search box reads (search fields, then their initials)
SEARCH_INDEX: dict[str, tuple[str, ...]] = {
    "housing_checks": ("head_name", "id_number", "head_name_initials"),
    "water_repairs": ("project_name", "caretaker", "project_name_initials", "caretaker_initials"),
    "education_subsidies": ("student_name", "id_number", "student_name_initials"),
}
LIVE = sa.text("deleted_at IS NULL")
BATCH = 2000


def _key_type(max_length: int) -> sa.types.TypeEngine:
    length = 8 * max_length + 8
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _backfill(table_name: str, columns: tuple[tuple[str, int, bool], ...]) -> None:
    connection = op.get_bind()
    names = [name for name, _, _ in columns]
    table = sa.table(
        table_name,
        sa.column("id"),
        *(sa.column(n) for n in names),
        *(sa.column(f"{n}_pinyin") for n in names),
        *(sa.column(f"{n}_initials") for n, _, searched in columns if searched),
    )
    rows = connection.execute(sa.select(table.c.id, *(table.c[n] for n in names))).all()
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(
            {f"{n}_pinyin": sa.bindparam(f"{n}_pinyin") for n in names}
            | {
                f"{n}_initials": sa.bindparam(f"{n}_initials")
                for n, _, searched in columns
                if searched
            }
        )
    )
    for start in range(0, len(rows), BATCH):
        params = []
        for row in rows[start : start + BATCH]:
            values = dict(zip(names, row[1:], strict=True))
            param: dict[str, object] = {"row_id": row[0]}
            for name, _, searched in columns:
                text = values[name]
                param[f"{name}_pinyin"] = sort_key(text) if text else None
                if searched:
                    param[f"{name}_initials"] = initials(text) if text else None
            params.append(param)
        connection.execute(statement, params)


def upgrade() -> None:
    for table_name, columns in COLUMNS.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name, max_length, searched in columns:
                batch_op.add_column(sa.Column(f"{name}_pinyin", _key_type(max_length)))
                if searched:
                    batch_op.add_column(sa.Column(f"{name}_initials", sa.String(max_length)))
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name, _, _ in columns:
                batch_op.create_index(
                    batch_op.f(f"ix_{table_name}_{name}_pinyin_id"),
                    [f"{name}_pinyin", "id"],
                    unique=False,
                    sqlite_where=LIVE,
                    postgresql_where=LIVE,
                )
            batch_op.create_index(
                f"ix_{table_name}_search",
                ["deleted_at", *SEARCH_INDEX[table_name]],
                unique=False,
            )
        _backfill(table_name, columns)


def downgrade() -> None:
    for table_name, columns in COLUMNS.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table_name}_search")
            for name, _, searched in columns:
                batch_op.drop_index(batch_op.f(f"ix_{table_name}_{name}_pinyin_id"))
                batch_op.drop_column(f"{name}_pinyin")
                if searched:
                    batch_op.drop_column(f"{name}_initials")
