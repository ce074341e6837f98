"""Live push-voting workshops: rounds per strand or element, anonymous participants, votes.

Votes are one row per (round, participant) under a UNIQUE constraint and written as an upsert,
so a resent or changed vote never counts twice; tallies are always counted from the rows.
Every change to a workshop bumps `Workshop.revision` in the same transaction, which is what
the live pages watch (DESIGN.md section 6).
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from maturity.core.vocabulary import ORGANISATION_TYPES
from maturity.extensions import db
from maturity.models.accounts import User
from maturity.models.assessments import Assessment
from maturity.models.base import utcnow
from maturity.models.framework import Element, Strand

WORKSHOP_STATUSES = {"setup": "Not started", "live": "Live", "closed": "Ended"}
ROUND_STATES = {"pending": "Not opened yet", "open": "Voting open", "closed": "Voting closed"}


class Workshop(db.Model):
    """A partnership workshop voting on the strands of one assessment."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date | None]
    #: participants may answer "don't know" (counted and shown, never averaged)
    offer_dont_know: Mapped[bool] = mapped_column(default=True)
    #: participants may change their vote while the round is open
    allow_changes: Mapped[bool] = mapped_column(default=True)
    #: participants are asked which kind of organisation they are from
    ask_org_type: Mapped[bool] = mapped_column(default=True)
    #: participants' phones show a round's result too once the facilitator reveals it
    results_visible: Mapped[bool] = mapped_column(default=True)
    #: short code from an unambiguous alphabet (maturity.workshops.codes)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: one of WORKSHOP_STATUSES
    status: Mapped[str] = mapped_column(String(10), default="setup")
    #: bumped in the same transaction as every change; live pages compare it (ETag, SSE)
    revision: Mapped[int] = mapped_column(default=0)
    #: the round on screen. A plain id, not a foreign key: rounds point at their workshop, and a
    #: cycle of foreign keys would complicate creating and dropping the tables.
    current_round_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    assessment: Mapped[Assessment] = relationship()
    created_by: Mapped[User | None] = relationship()
    rounds: Mapped[list["Round"]] = relationship(
        back_populates="workshop", order_by="Round.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )
    participants: WriteOnlyMapped["Participant"] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def area_id(self) -> int:
        return self.assessment.area_id

    @property
    def status_label(self) -> str:
        return WORKSHOP_STATUSES.get(self.status, self.status)

    @property
    def current_round(self) -> "Round | None":
        return next((r for r in self.rounds if r.id == self.current_round_id), None)

    @property
    def display_code(self) -> str:
        """The join code in two groups of four for reading aloud: "ABCD-EFGH"."""
        code = self.join_code
        return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code

    def __repr__(self) -> str:
        return f"<Workshop {self.id} {self.title!r}>"


class Round(db.Model):
    """One vote of the workshop: a whole strand, or one element of it (as delivery often is)."""

    __tablename__ = "workshop_rounds"
    __table_args__ = (UniqueConstraint("workshop_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    strand_id: Mapped[int] = mapped_column(ForeignKey("strands.id"), index=True)
    #: set when the round votes on one element of the strand rather than the whole strand
    element_id: Mapped[int | None] = mapped_column(ForeignKey("elements.id"), index=True)
    position: Mapped[int]
    #: one of ROUND_STATES
    state: Mapped[str] = mapped_column(String(10), default="pending")
    #: the facilitator has shown the result; until then only the count of votes leaves the server
    revealed: Mapped[bool] = mapped_column(default=False)
    #: when the result was first shown: from then on the round never takes votes again (its
    #: published result would change); the facilitator votes again as a new round instead
    revealed_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: set on a revote: the round of the same strand this one votes on again after discussion.
    #: The earlier round stays as it was published; the shift compares the two.
    revote_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_rounds.id", ondelete="CASCADE"), index=True
    )

    workshop: Mapped[Workshop] = relationship(back_populates="rounds")
    revote_of: Mapped["Round | None"] = relationship(remote_side=[id], foreign_keys=[revote_of_id])
    strand: Mapped[Strand] = relationship(lazy="joined")
    element: Mapped[Element | None] = relationship(lazy="joined")
    votes: WriteOnlyMapped["Vote"] = relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True
    )
    manual_tallies: Mapped[list["ManualTally"]] = relationship(
        back_populates="round", order_by="ManualTally.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def area_id(self) -> int:
        return self.workshop.area_id

    @property
    def title(self) -> str:
        """What the room votes on: the element's name, or the strand's."""
        return self.element.name if self.element is not None else self.strand.name

    @property
    def subject_key(self) -> str:
        return f"e:{self.element.key}" if self.element is not None else f"s:{self.strand.key}"

    @property
    def state_label(self) -> str:
        return ROUND_STATES.get(self.state, self.state)

    @property
    def is_revote(self) -> bool:
        return self.revote_of_id is not None

    @property
    def first_vote(self) -> "Round":
        """The first round of this one's strand in its chain of revotes (itself when none)."""
        found = self
        while found.revote_of is not None:
            found = found.revote_of
        return found

    @property
    def earlier_votes(self) -> list["Round"]:
        """The rounds this one votes on again, first first (empty when it is no revote)."""
        found: list[Round] = []
        current = self.revote_of
        while current is not None:
            found.insert(0, current)
            current = current.revote_of
        return found


class Participant(db.Model):
    """An anonymous person in the room: a random token in their browser's signed cookie."""

    __tablename__ = "workshop_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: one of core.vocabulary.ORGANISATION_TYPES, or None when not asked or not given
    org_type: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="participants")

    @property
    def org_type_label(self) -> str | None:
        return ORGANISATION_TYPES.get(self.org_type) if self.org_type else None


class Vote(db.Model):
    """One participant's vote in one round: a stage 1-4, or NULL for "don't know"."""

    __tablename__ = "workshop_votes"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id"),
        CheckConstraint("stage IS NULL OR (stage >= 1 AND stage <= 4)", name="stage_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("workshop_rounds.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[int | None]
    #: 1 when cast, plus one for every change: a round's sum is its count of vote writes.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="votes")
    participant: Mapped[Participant] = relationship()


class ManualTally(db.Model):
    """Votes counted by hand (paper cards, a show of hands), merged into the round's count."""

    __tablename__ = "workshop_manual_tallies"
    __table_args__ = (
        CheckConstraint("stage IS NULL OR (stage >= 1 AND stage <= 4)", name="stage_range"),
        CheckConstraint("count >= 1", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_rounds.id", ondelete="CASCADE"), index=True
    )
    #: a stage 1-4, or NULL for "don't know"
    stage: Mapped[int | None]
    count: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship(back_populates="manual_tallies")
    created_by: Mapped[User | None] = relationship()
