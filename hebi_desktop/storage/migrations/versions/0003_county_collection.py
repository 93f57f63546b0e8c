"""county collection: received submissions, each record's source, natural keys per township

A county desk holds every township's records, so the same natural key may now be live
once per township (a double payment must be stored to be reported).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 03:25:07.816225
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "received_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("ledger", sa.String(length=30), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=True),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("filters", sa.Text(), nullable=True),
        sa.Column("exported_at", sa.DateTime(), nullable=True),
        sa.Column("program_version", sa.String(length=20), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_submissions")),
    )
    with op.batch_alter_table("received_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_submissions_ledger_township_code"),
            ["ledger", "township_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_received_submissions_sha256"), ["sha256"], unique=False
        )

    with op.batch_alter_table("education_subsidies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_submission_id", sa.Integer(), nullable=True))
        batch_op.drop_index(
            batch_op.f("uq_education_subsidies_natural_key"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "uq_education_subsidies_natural_key",
            ["township_code", "id_number", "aid_project", "school_year", "semester"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    with op.batch_alter_table("housing_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_submission_id", sa.Integer(), nullable=True))
        batch_op.drop_index(
            batch_op.f("uq_housing_checks_natural_key"), sqlite_where=sa.text("deleted_at IS NULL")
        )
        batch_op.create_index(
            "uq_housing_checks_natural_key",
            ["township_code", "id_number", "check_date"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    with op.batch_alter_table("water_repairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_submission_id", sa.Integer(), nullable=True))
        batch_op.drop_index(
            batch_op.f("uq_water_repairs_natural_key"), sqlite_where=sa.text("deleted_at IS NULL")
        )
        batch_op.create_index(
            "uq_water_repairs_natural_key",
            ["township_code", "project_name", "village", "report_date"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("water_repairs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_water_repairs_natural_key",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("uq_water_repairs_natural_key"),
            ["project_name", "village", "report_date"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_column("source_submission_id")

    with op.batch_alter_table("housing_checks", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_housing_checks_natural_key",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("uq_housing_checks_natural_key"),
            ["id_number", "check_date"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_column("source_submission_id")

    with op.batch_alter_table("education_subsidies", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_education_subsidies_natural_key",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("uq_education_subsidies_natural_key"),
            ["id_number", "aid_project", "school_year", "semester"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_column("source_submission_id")

    with op.batch_alter_table("received_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_submissions_sha256"))
        batch_op.drop_index(batch_op.f("ix_received_submissions_ledger_township_code"))

    op.drop_table("received_submissions")
