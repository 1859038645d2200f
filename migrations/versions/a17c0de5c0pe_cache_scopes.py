"""Cache scopes: versions of parts of the site, for the page-assembly layer

Revision ID: a17c0de5c0pe
Revises: be40a895ef55
Create Date: 2026-12-06 21:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a17c0de5c0pe'
down_revision = 'be40a895ef55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cache_scopes',
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_cache_scopes')),
    )


def downgrade():
    op.drop_table('cache_scopes')
