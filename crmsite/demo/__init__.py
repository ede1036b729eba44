"""Demo accounts, one per role, for `manage.py seed_demo`."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password

from ..roles import ADMINISTRATORS, CLIENTS, STAFF


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    phone: str
    group: str
    label: str


DEMO_ACCOUNTS = [
    DemoAccount(
        "admin",
        "Lavande-Theatre-2026",
        "Camille",
        "Martin",
        "camille.martin@agence-culture.example",
        "Responsable du système d'information",
        "+33388000001",
        ADMINISTRATORS,
        "administrateur",
    ),
    DemoAccount(
        "equipe",
        "Violon-Festival-2026",
        "Marie",
        "Dupont",
        "marie.dupont@agence-culture.example",
        "Chargée de développement des publics",
        "+33388000002",
        STAFF,
        "équipe",
    ),
    DemoAccount(
        "client",
        "Papillon-Scene-2026",
        "Théo",
        "Bernard",
        "theo.bernard@compagnie-lumiere.example",
        "Administrateur de compagnie",
        "+33612345678",
        CLIENTS,
        "client",
    ),
]


def seed_accounts() -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing; never touch existing ones."""
    user_model = get_user_model()
    results = []
    for account in DEMO_ACCOUNTS:
        user = user_model.objects.filter(username=account.username).first()
        created = user is None
        if created:
            user = user_model(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=account.email,
                job_title=account.job_title,
                phone=account.phone,
            )
            validate_password(account.password, user)
            user.set_password(account.password)
            user.save()
            user.groups.add(Group.objects.get(name=account.group))
        results.append((account, created))
    return results
