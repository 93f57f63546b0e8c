"""rosters, hint confirmations and second keying

Reference rosters (比对名单) with their people, the hints of the last roster check (so 待核实
lists those records), the 已核实 marks on roster hints, and the
second keying (复核录入): each verification, and who verified each record and when.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-04 22:47:18
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
# Written beside 0006; chained after it (merged first) so there is one head.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hint_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hint_confirmations")),
    )
    with op.batch_alter_table("hint_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hint_confirmations_ledger_record_id"),
            ["ledger", "record_id"],
            unique=False,
        )

    op.create_table(
        "rosters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=40), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rosters")),
    )
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rosters_kind_area_code"), ["kind", "area_code"], unique=False
        )

    op.create_table(
        "roster_hints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_hints")),
    )
    with op.batch_alter_table("roster_hints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roster_hints_ledger_record_id"), ["ledger", "record_id"], unique=False
        )

    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("keyer", sa.String(length=40), nullable=False),
        sa.Column("verifier", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("fields", sa.Integer(), nullable=False),
        sa.Column("mismatched", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verifications_keyer"), ["keyer"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_verifications_ledger_record_id"), ["ledger", "record_id"], unique=False
        )

    op.create_table(
        "roster_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roster_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("head_id_number", sa.String(length=18), nullable=True),
        sa.Column("head_name", sa.String(length=40), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["roster_id"], ["rosters.id"], name=op.f("fk_roster_people_roster_id_rosters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_people")),
    )
    with op.batch_alter_table("roster_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roster_people_roster_id_id_number"),
            ["roster_id", "id_number"],
            unique=False,
        )

    with op.batch_alter_table("education_subsidies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.String(length=40), nullable=True))

    with op.batch_alter_table("housing_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.String(length=40), nullable=True))

    with op.batch_alter_table("water_repairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("water_repairs", schema=None) as batch_op:
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verified_at")

    with op.batch_alter_table("housing_checks", schema=None) as batch_op:
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verified_at")

    with op.batch_alter_table("education_subsidies", schema=None) as batch_op:
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verified_at")

    with op.batch_alter_table("roster_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_people_roster_id_id_number"))

    op.drop_table("roster_people")
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_ledger_record_id"))
        batch_op.drop_index(batch_op.f("ix_verifications_keyer"))

    op.drop_table("verifications")
    with op.batch_alter_table("roster_hints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_hints_ledger_record_id"))

    op.drop_table("roster_hints")
    with op.batch_alter_table("rosters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rosters_kind_area_code"))

    op.drop_table("rosters")
    with op.batch_alter_table("hint_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hint_confirmations_ledger_record_id"))

    op.drop_table("hint_confirmations")
