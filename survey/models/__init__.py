from .campaigns import Campaign, CampaignClosed, CampaignStatus, InvalidTransition
from .imports import ImportJob
from .organisations import Membership, Organisation, Role, Site
from .questionnaires import (
    CHOICE_KINDS,
    SCALE_KINDS,
    Channel,
    Choice,
    Polarity,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
)
from .reference import Arrondissement, Commune, Engagement, Epci, Framework, fold
from .responses import Answer, DeviceQueue, EntryMode, Response
from .tallies import TALLY_KEY, TALLY_SUMMARY, AnswerTally

__all__ = [
    "CHOICE_KINDS",
    "SCALE_KINDS",
    "TALLY_KEY",
    "TALLY_SUMMARY",
    "Answer",
    "AnswerTally",
    "Arrondissement",
    "Campaign",
    "CampaignClosed",
    "CampaignStatus",
    "Channel",
    "Choice",
    "Commune",
    "DeviceQueue",
    "Engagement",
    "EntryMode",
    "Epci",
    "Framework",
    "ImportJob",
    "InvalidTransition",
    "Membership",
    "Organisation",
    "Polarity",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "Response",
    "Role",
    "Section",
    "Site",
    "fold",
]
