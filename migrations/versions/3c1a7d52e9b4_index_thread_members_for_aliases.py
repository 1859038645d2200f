"""Index a thread's members in first-post order for anonymous aliases

Aliases are probed in the order members first posted in a thread at all (named
or anonymous), so the partial index over anonymous posts gives way to a full one.

Revision ID: 3c1a7d52e9b4
Revises: 1944b3280222
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c1a7d52e9b4'
down_revision = "1944b3280222"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE/DROP INDEX: no batch table rebuild, so the search triggers on posts stay.
    op.create_index('ix_posts_thread_authors', 'posts', ['thread_id', 'author_id', 'id'],
                    unique=False)
    op.drop_index('ix_posts_anonymous_authors', table_name='posts')


def downgrade():
    op.create_index('ix_posts_anonymous_authors', 'posts', ['thread_id', 'author_id', 'id'],
                    unique=False, sqlite_where=sa.text('hide_author IS 1'),
                    postgresql_where=sa.text('hide_author IS true'))
    op.drop_index('ix_posts_thread_authors', table_name='posts')
