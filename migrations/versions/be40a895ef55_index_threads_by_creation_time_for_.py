"""Index threads by creation time for feeds and digests

Revision ID: be40a895ef55
Revises: fc6e5989f921
Create Date: 2026-11-28 02:08:33.240279

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'be40a895ef55'
down_revision = 'fc6e5989f921'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: no batch table rebuild, so the search triggers on threads stay.
    op.create_index('ix_threads_created', 'threads', ['created_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_threads_created', table_name='threads')
