"""What a timeline entry shows, as plain rows (no ORM objects, no identity map).

A page shows 30 entries and reads each one's few shown columns; building a mapped object per
entry and per person named in it (with its relationships) was most of the page's CPU. The
attribute names are the models' (`t.summary`, `t.interview.stage_label`, `i.opportunity.company.name`,
`f.contact.full_name`), so templates read them alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tracker.models.interviews import STAGES, InterviewLabels
from tracker.models.touchpoints import TouchpointLabels


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str


@dataclass(frozen=True)
class CompanyRef:
    id: int | None
    name: str


@dataclass(frozen=True)
class OpportunityRef:
    id: int
    title: str
    company: CompanyRef | None = None


@dataclass(frozen=True)
class InterviewRef:
    id: int
    stage: str

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)


@dataclass(frozen=True)
class TouchpointRow(TouchpointLabels):
    id: int
    summary: str
    channel: str
    inbound: bool
    external_id: str | None
    interview: InterviewRef | None
    opportunity: OpportunityRef | None
    contacts: list[Person] = field(default_factory=list)  # by sort name



@dataclass(frozen=True)
class InterviewRow(InterviewLabels):
    id: int
    stage: str
    outcome: str
    opportunity: OpportunityRef
    interviewers: list[Person] = field(default_factory=list)  # by sort name



@dataclass(frozen=True)
class FollowUpRow:
    id: int
    title: str
    status: str
    contact: Person | None


@dataclass(frozen=True)
class StatusRow:
    id: int
    opportunity_id: int
    from_status: str | None
    to_status: str


@dataclass(frozen=True)
class AddedRow:
    id: int
    full_name: str
    source: str
