"""engage (issue 18): reactions, a thread's most helpful reply, saved items and drafts
(every table is per member or derived from reactions, and cascades)

Revision ID: 1ffe89bd0a99
Revises: 7c0a11e5c0de
Create Date: 2026-12-07 00:19:24.505205

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1ffe89bd0a99'
down_revision = '7c0a11e5c0de'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=40), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('category_slug', sa.String(length=60), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('hide_author', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_drafts_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    sa.UniqueConstraint('user_id', 'place', name='uq_drafts_user_place')
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index('ix_drafts_updated', ['updated_at'], unique=False)

    op.create_table('reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('me_too', 'strength', 'helped')", name=op.f('ck_reactions_kind')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_reactions_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reactions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reactions')),
    sa.UniqueConstraint('post_id', 'user_id', 'kind', name='uq_reactions_post_user_kind')
    )
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.create_index('ix_reactions_user', ['user_id'], unique=False)

    op.create_table('saved_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(thread_id IS NULL) <> (post_id IS NULL)', name=op.f('ck_saved_items_one_target')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_saved_items_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_saved_items_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_items_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_items')),
    sa.UniqueConstraint('user_id', 'post_id', name='uq_saved_items_user_post'),
    sa.UniqueConstraint('user_id', 'thread_id', name='uq_saved_items_user_thread')
    )
    with op.batch_alter_table('saved_items', schema=None) as batch_op:
        batch_op.create_index('ix_saved_items_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('thread_helpful',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('marks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_thread_helpful_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_helpful_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_thread_helpful'))
    )
    with op.batch_alter_table('thread_helpful', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_helpful_post_id'), ['post_id'], unique=False)



def downgrade():
    with op.batch_alter_table('thread_helpful', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_helpful_post_id'))

    op.drop_table('thread_helpful')
    with op.batch_alter_table('saved_items', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_items_user_created')

    op.drop_table('saved_items')
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.drop_index('ix_reactions_user')

    op.drop_table('reactions')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_updated')
        batch_op.drop_index(batch_op.f('ix_drafts_thread_id'))

    op.drop_table('drafts')
