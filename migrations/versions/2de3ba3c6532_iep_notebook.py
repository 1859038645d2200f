"""IEP notebook: notebooks, entries and their topics, promised services, logged sessions,
school breaks, dates that matter and share links (every table cascades from users)

Revision ID: 2de3ba3c6532
Revises: 5c1d7e2a9f30
Create Date: 2026-12-06 21:02:15.937878

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2de3ba3c6532'
down_revision = '5c1d7e2a9f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notebooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('school_day_minutes', sa.Integer(), nullable=False),
    sa.Column('school_weekdays', sa.String(length=7), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_notebooks_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebooks'))
    )
    with op.batch_alter_table('notebooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebooks_owner_id'), ['owner_id'], unique=False)

    op.create_table('notebook_breaks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notebook_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['notebook_id'], ['notebooks.id'], name=op.f('fk_notebook_breaks_notebook_id_notebooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebook_breaks'))
    )
    with op.batch_alter_table('notebook_breaks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebook_breaks_notebook_id'), ['notebook_id'], unique=False)

    op.create_table('notebook_dates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notebook_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=120), nullable=False),
    sa.Column('remind', sa.Boolean(), nullable=False),
    sa.Column('remind_days', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['notebook_id'], ['notebooks.id'], name=op.f('fk_notebook_dates_notebook_id_notebooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebook_dates'))
    )
    with op.batch_alter_table('notebook_dates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebook_dates_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_notebook_dates_notebook_id'), ['notebook_id'], unique=False)

    op.create_table('notebook_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notebook_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('per', sa.String(length=20), nullable=False),
    sa.Column('full_day', sa.Boolean(), nullable=False),
    sa.Column('session_minutes', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notebook_id'], ['notebooks.id'], name=op.f('fk_notebook_services_notebook_id_notebooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebook_services'))
    )
    with op.batch_alter_table('notebook_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebook_services_notebook_id'), ['notebook_id'], unique=False)

    op.create_table('notebook_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notebook_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['notebook_id'], ['notebooks.id'], name=op.f('fk_notebook_shares_notebook_id_notebooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebook_shares')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_notebook_shares_token_hash'))
    )
    with op.batch_alter_table('notebook_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebook_shares_notebook_id'), ['notebook_id'], unique=False)

    op.create_table('notebook_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notebook_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurred_at', sa.Time(), nullable=True),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notebook_id'], ['notebooks.id'], name=op.f('fk_notebook_entries_notebook_id_notebooks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['notebook_services.id'], name=op.f('fk_notebook_entries_service_id_notebook_services'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebook_entries'))
    )
    with op.batch_alter_table('notebook_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebook_entries_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_notebook_entries_timeline', ['notebook_id', 'occurred_on', 'id'], unique=False)

    op.create_table('notebook_service_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notebook_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notebook_id'], ['notebooks.id'], name=op.f('fk_notebook_service_logs_notebook_id_notebooks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['notebook_services.id'], name=op.f('fk_notebook_service_logs_service_id_notebook_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notebook_service_logs'))
    )
    with op.batch_alter_table('notebook_service_logs', schema=None) as batch_op:
        batch_op.create_index('ix_notebook_service_logs_notebook', ['notebook_id', 'starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_notebook_service_logs_service_id'), ['service_id'], unique=False)

    op.create_table('notebook_entry_tags',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['notebook_entries.id'], name=op.f('fk_notebook_entry_tags_entry_id_notebook_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_notebook_entry_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'tag_id', name=op.f('pk_notebook_entry_tags'))
    )
    with op.batch_alter_table('notebook_entry_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notebook_entry_tags_tag_id'), ['tag_id'], unique=False)



def downgrade():
    with op.batch_alter_table('notebook_entry_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebook_entry_tags_tag_id'))

    op.drop_table('notebook_entry_tags')
    with op.batch_alter_table('notebook_service_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebook_service_logs_service_id'))
        batch_op.drop_index('ix_notebook_service_logs_notebook')

    op.drop_table('notebook_service_logs')
    with op.batch_alter_table('notebook_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_notebook_entries_timeline')
        batch_op.drop_index(batch_op.f('ix_notebook_entries_service_id'))

    op.drop_table('notebook_entries')
    with op.batch_alter_table('notebook_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebook_shares_notebook_id'))

    op.drop_table('notebook_shares')
    with op.batch_alter_table('notebook_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebook_services_notebook_id'))

    op.drop_table('notebook_services')
    with op.batch_alter_table('notebook_dates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebook_dates_notebook_id'))
        batch_op.drop_index(batch_op.f('ix_notebook_dates_due_on'))

    op.drop_table('notebook_dates')
    with op.batch_alter_table('notebook_breaks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebook_breaks_notebook_id'))

    op.drop_table('notebook_breaks')
    with op.batch_alter_table('notebooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notebooks_owner_id'))

    op.drop_table('notebooks')
