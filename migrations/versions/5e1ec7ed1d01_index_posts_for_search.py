"""Index posts for search: a match's thread and status without reading the post's row

Revision ID: 5e1ec7ed1d01
Revises: fec99ff9d915
Create Date: 2026-12-07 04:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e1ec7ed1d01'
down_revision = 'fec99ff9d915'
branch_labels = None
depends_on = None


def upgrade():
    # A plain CREATE INDEX: no batch table rebuild, so the search triggers on posts stay.
    op.create_index('ix_posts_search', 'posts', ['id', 'thread_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_posts_search', table_name='posts')
