"""Sanctions given through a post; a marker revision for a moderator's redaction

Revision ID: 1944b3280222
Revises: a17c0de5c0pe
Create Date: 2026-12-06 21:30:00

Suspensions and bans now belong to the post (and audit entry) they were given
through, so that moderators see them there and nowhere else. Accounts suspended or
banned before this revision get one sanction each, linked to the latest matching
audit entry on one of their posts when there is one (else to no post: the state
still holds, and an admin lifts it from the audit entry, or it runs out).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1944b3280222"
down_revision = "a17c0de5c0pe"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["audit_entries.id"],
            name=op.f("fk_sanctions_entry_id_audit_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_sanctions_post_id_posts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sanctions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sanctions")),
    )
    op.create_index("ix_sanctions_user_open", "sanctions", ["user_id", "lifted_at"], unique=False)
    op.create_index("ix_sanctions_post", "sanctions", ["post_id"], unique=False)
    op.create_index("ix_sanctions_entry", "sanctions", ["entry_id"], unique=False)
    # A plain ADD COLUMN (no batch table rebuild) works on both databases.
    op.add_column(
        "post_revisions",
        sa.Column("redacted", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _carry_over_account_states()


def _carry_over_account_states() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    for kind, action, state, reason, until in (
        ("suspension", "suspend", "suspended_until", "suspension_reason", "u.suspended_until"),
        ("ban", "ban", "banned_at", "ban_reason", "NULL"),
    ):
        latest = (
            "SELECT a.{col} FROM audit_entries a JOIN posts p ON p.id = a.post_id "
            f"WHERE a.action = '{action}' AND p.author_id = u.id ORDER BY a.id DESC LIMIT 1"
        )
        op.get_bind().execute(
            sa.text(
                "INSERT INTO sanctions "
                "(user_id, post_id, entry_id, kind, until, reason, created_at) "
                f"SELECT u.id, ({latest.format(col='post_id')}), ({latest.format(col='id')}), "
                f"'{kind}', {until}, coalesce(u.{reason}, ''), :now "
                f"FROM users u WHERE u.{state} IS NOT NULL"
            ),
            {"now": now},
        )


def downgrade():
    op.drop_column("post_revisions", "redacted")
    op.drop_index("ix_sanctions_entry", table_name="sanctions")
    op.drop_index("ix_sanctions_post", table_name="sanctions")
    op.drop_index("ix_sanctions_user_open", table_name="sanctions")
    op.drop_table("sanctions")
