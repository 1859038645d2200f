"""Tags, the resource library, links between threads, and the story-detail vocabularies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db, now_utc

MAX_THREAD_TAGS = 3
PREFER_NOT_TO_SAY = "Prefer not to say"


class SchoolStage(StrEnum):
    PRESCHOOL = "preschool"
    ELEMENTARY_K2 = "elementary-k2"
    ELEMENTARY_3_5 = "elementary-3-5"
    MIDDLE = "middle"
    HIGH = "high"
    TRANSITION = "transition-18-21"


SCHOOL_STAGE_LABELS = {
    SchoolStage.PRESCHOOL: "Preschool",
    SchoolStage.ELEMENTARY_K2: "Elementary (K-2)",
    SchoolStage.ELEMENTARY_3_5: "Elementary (3-5)",
    SchoolStage.MIDDLE: "Middle school",
    SchoolStage.HIGH: "High school",
    SchoolStage.TRANSITION: "18-21 transition",
}


class Outcome(StrEnum):
    ONGOING = "ongoing"
    RESOLVED = "resolved-with-school"
    MEDIATION = "mediation"
    STATE_COMPLAINT = "state-complaint"
    DUE_PROCESS = "due-process"
    CHANGED_SCHOOLS = "changed-schools"
    OTHER = "other"


OUTCOME_LABELS = {
    Outcome.ONGOING: "Still ongoing",
    Outcome.RESOLVED: "Resolved with the school",
    Outcome.MEDIATION: "Went to mediation",
    Outcome.STATE_COMPLAINT: "Filed a state complaint",
    Outcome.DUE_PROCESS: "Went to due process",
    Outcome.CHANGED_SCHOOLS: "Changed schools",
    Outcome.OTHER: "Something else",
}

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}


class Verification(StrEnum):
    """How the library editors checked a link (from resources.json)."""

    CONFIRMED = "confirmed"
    CONFIRMED_VIA_CITATION = "confirmed-via-citation"
    PATTERN_INFERRED = "pattern-inferred"
    UNCONFIRMED = "unconfirmed"


VERIFICATION_LABELS = {
    Verification.CONFIRMED: "Link checked",
    Verification.CONFIRMED_VIA_CITATION: "Link checked (via a citation)",
    Verification.PATTERN_INFERRED: "Link not yet checked (address follows the publisher's pattern)",
    Verification.UNCONFIRMED: "Link not yet checked",
}


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(500), default="")
    # Legal topics show the "rules vary by state; not legal advice" footer on threads.
    legal: Mapped[bool] = mapped_column(default=False)
    # Retired tags stay on old threads but are no longer offered.
    retired: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class ThreadTag(db.Model):
    __tablename__ = "thread_tags"
    __table_args__ = (Index("ix_thread_tags_tag_thread", "tag_id", "thread_id"),)

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)


class Resource(db.Model):
    __tablename__ = "resources"

    # The starter library's own ids ("idea-site", "988"): stable links to /resources#<id>.
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    alt_url: Mapped[str | None] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[Verification] = mapped_column(String(30), default=Verification.UNCONFIRMED)
    verification_note: Mapped[str] = mapped_column(Text, default="")
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    # Written by `flask resources check-links`; nothing is hidden automatically.
    last_checked_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    last_final_url: Mapped[str | None] = mapped_column(String(1000))

    @property
    def link_checked(self) -> bool:
        return self.verification in (Verification.CONFIRMED, Verification.CONFIRMED_VIA_CITATION)

    @property
    def verification_label(self) -> str:
        return VERIFICATION_LABELS.get(
            self.verification, VERIFICATION_LABELS[Verification.UNCONFIRMED]
        )

    @property
    def check_state(self) -> str:
        """The one badge the library shows: "ok" (the last automatic check worked),
        "failed" (it did not), or "unchecked" (never checked automatically)."""
        ok = self.check_ok
        return "unchecked" if ok is None else "ok" if ok else "failed"

    @property
    def check_ok(self) -> bool | None:
        """The last automatic check: True (answered 2xx/3xx), False, or None (never checked)."""
        if self.last_checked_at is None:
            return None
        return self.last_status is not None and 200 <= self.last_status < 400


class ResourceTag(db.Model):
    """A resource listed under a topic; `position` keeps the tag's suggested order."""

    __tablename__ = "resource_tags"

    resource_id: Mapped[str] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE", onupdate="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=100)


class ThreadLink(db.Model):
    """A member's "this story is related" link from one thread to another."""

    __tablename__ = "thread_links"
    __table_args__ = (
        UniqueConstraint("from_thread_id", "to_thread_id", name="uq_thread_links_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    to_thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    # Kept for moderators' audit only; never shown (a link must not reveal an anonymous author).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


def _attach_search_schema() -> None:
    from forum.resources.search_schema import attach

    attach(db.metadata)


_attach_search_schema()
