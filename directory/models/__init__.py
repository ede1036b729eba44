from .activities import Activity, ActivityKind
from .comments import Comment
from .consents import ConsentChange, ConsentChannel, ConsentSource
from .duplicates import DuplicateKind, DuplicatePair, DuplicateScan, Merge, NotDuplicate
from .imports import ImportJob, ImportPolicy, ImportStatus, RememberedMapping
from .interest_centres import InterestCentre
from .lists import Function, OrganisationKind
from .organisations import Organisation
from .people import Civility, Consent, Person
from .positions import Position

__all__ = [
    "Activity",
    "ActivityKind",
    "Civility",
    "Comment",
    "Consent",
    "ConsentChange",
    "ConsentChannel",
    "ConsentSource",
    "DuplicateKind",
    "DuplicatePair",
    "DuplicateScan",
    "Function",
    "ImportJob",
    "ImportPolicy",
    "ImportStatus",
    "InterestCentre",
    "Merge",
    "NotDuplicate",
    "Organisation",
    "OrganisationKind",
    "Person",
    "Position",
    "RememberedMapping",
]
