"""people's chat accounts move from platform columns to person_identity (platform, key)

A person row had a column per chat platform (slack_team and slack_user, teams_aad_id);
now each account is a row of `person_identity`: the platform and the key its adapter
identifies the person by, Slack's "TEAM/USER" and Teams' Entra object id, so a new
platform needs no new column. (platform, key) is the primary key: people belong to the
deployment, not to one tenant, so an account names one person across all tenants.
Downgrading puts the accounts back into the columns.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_IDENTITY = sa.table(
    "person_identity", sa.column("platform"), sa.column("key"), sa.column("person_email")
)
_PERSON = sa.table(
    "person", sa.column("email"), sa.column("slack_team"), sa.column("slack_user"),
    sa.column("teams_aad_id"),
)


def upgrade() -> None:
    op.create_table(
        "person_identity",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("person_email", sqlmodel.sql.sqltypes.AutoString(length=320),
                  nullable=False),
        sa.ForeignKeyConstraint(["person_email"], ["person.email"]),
        sa.PrimaryKeyConstraint("platform", "key"),
    )
    op.create_index(op.f("ix_person_identity_person_email"), "person_identity",
                    ["person_email"], unique=False)
    people = op.get_bind().execute(sa.select(_PERSON)).all()
    rows = [
        *({"platform": "slack", "key": f"{p.slack_team}/{p.slack_user}", "person_email": p.email}
          for p in people if p.slack_team and p.slack_user),
        *({"platform": "teams", "key": p.teams_aad_id, "person_email": p.email}
          for p in people if p.teams_aad_id),
    ]
    if rows:
        op.bulk_insert(_IDENTITY, rows)
    with op.batch_alter_table("person") as batch:
        batch.drop_index("ix_person_teams_aad_id")
        batch.drop_column("teams_aad_id")
        batch.drop_column("slack_user")
        batch.drop_column("slack_team")


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("slack_team", sqlmodel.sql.sqltypes.AutoString(length=32),
                                   nullable=True))
        batch.add_column(sa.Column("slack_user", sqlmodel.sql.sqltypes.AutoString(length=32),
                                   nullable=True))
        batch.add_column(sa.Column("teams_aad_id", sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=True))
        # PostgreSQL's name for the unnamed constraint of revision 0001
        batch.create_unique_constraint("person_slack_team_slack_user_key",
                                       ["slack_team", "slack_user"])
        batch.create_index("ix_person_teams_aad_id", ["teams_aad_id"], unique=False)
    bind = op.get_bind()
    for row in bind.execute(sa.select(_IDENTITY)).all():
        if row.platform == "slack":
            team, _, user = row.key.rpartition("/")
            values = {"slack_team": team, "slack_user": user}
        elif row.platform == "teams":
            values = {"teams_aad_id": row.key}
        else:
            continue  # a platform that had no column cannot go back into one
        bind.execute(_PERSON.update().where(_PERSON.c.email == row.person_email).values(values))
    op.drop_index(op.f("ix_person_identity_person_email"), table_name="person_identity")
    op.drop_table("person_identity")
