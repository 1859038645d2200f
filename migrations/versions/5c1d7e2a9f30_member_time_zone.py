"""A member's time zone (IANA name; none: UTC)

Revision ID: 5c1d7e2a9f30
Revises: 3c1a7d52e9b4
Create Date: 2026-12-06 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1d7e2a9f30'
down_revision = '3c1a7d52e9b4'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: no batch rebuild of users.
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('time_zone')
