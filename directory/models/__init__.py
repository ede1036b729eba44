from .comments import Comment
from .interest_centres import InterestCentre
from .lists import Function, OrganisationKind
from .organisations import Organisation
from .people import Civility, Consent, Person
from .positions import Position

__all__ = [
    "Civility",
    "Comment",
    "Consent",
    "Function",
    "InterestCentre",
    "Organisation",
    "OrganisationKind",
    "Person",
    "Position",
]
