"""Demo tickets for `manage.py seed_demo`: the demo client (Théo Bernard,
administrator of the Compagnie Lumière) linked to his directory record, and
three tickets between him and the team. Idempotent: a ticket whose subject
exists already is not opened again, and an account already linked keeps its
link. Notification e-mails are not sent while seeding."""

from django.contrib.auth import get_user_model
from django.test.utils import override_settings

from directory.models import Function, Organisation, OrganisationKind, Person, Position
from helpdesk import actions
from helpdesk.models import Ticket, TicketPriority, TicketStatus, Visibility

COMPANY = "Compagnie Lumière"
QUIET_MAIL = "django.core.mail.backends.dummy.EmailBackend"


def _client_person(user):
    """The client's directory record, made once, with his current position."""
    if user.person_id:
        return user.person
    kind, _new = OrganisationKind.objects.get_or_create(
        name_key=OrganisationKind.key_for("Compagnie"), defaults={"name": "Compagnie"}
    )
    company = Organisation.objects.filter(name=COMPANY).first() or Organisation.objects.create(
        name=COMPANY,
        kind=kind,
        email="contact@compagnie-lumiere.example",
        city="Strasbourg",
        postcode="67000",
    )
    person, _new = Person.objects.get_or_create(
        first_name=user.first_name, last_name=user.last_name, defaults={"email": user.email}
    )
    function, _new = Function.objects.get_or_create(
        name_key=Function.key_for("Administrateur·rice"),
        defaults={"name": "Administrateur·rice"},
    )
    Position.objects.get_or_create(
        person=person,
        organisation=company,
        function=function,
        defaults={"email": user.email, "start_date": "2021-09-01"},
    )
    user.person = person
    user.save(update_fields=["person"])
    return person


def _conversation(ticket, lines):
    for author, text in lines:
        actions.post_message(author, ticket, text)


def add_helpdesk(usernames: dict[str, str]) -> int:
    """`usernames`: {"client": …, "staff": …, "admin": …}. Returns the tickets opened."""
    users = get_user_model().objects.filter(username__in=usernames.values())
    by_name = {user.username: user for user in users}
    client = by_name.get(usernames["client"])
    staff = by_name.get(usernames["staff"])
    admin = by_name.get(usernames["admin"])
    if not (client and staff and admin):
        return 0
    _client_person(client)
    client.refresh_from_db()
    opened = 0
    with override_settings(EMAIL_BACKEND=QUIET_MAIL):
        subject = "Dossier de demande d’aide à la création 2027"
        if not Ticket.objects.filter(subject=subject).exists():
            ticket = actions.open_ticket(
                client,
                subject=subject,
                text="Bonjour,\n\nNous déposons notre dossier pour la création de « La Nuit "
                "des lucioles ». Quelles pièces faut-il joindre au budget prévisionnel ?\n\n"
                "Merci d’avance,\nThéo",
                priority=TicketPriority.HIGH,
            )
            actions.assign(staff, ticket, staff)
            _conversation(
                ticket,
                [
                    (
                        staff,
                        "Bonjour Théo,\n\nIl faut le budget signé, le calendrier des "
                        "répétitions et les lettres d’engagement des lieux. Le modèle de "
                        "budget est ici : https://example.org/aides/budget-creation.xlsx",
                    ),
                    (client, "Parfait, merci ! Nous vous envoyons tout cela d’ici vendredi."),
                ],
            )
            opened += 1
        subject = "Horaires d’été de l’agence"
        if not Ticket.objects.filter(subject=subject).exists():
            ticket = actions.open_ticket(
                client,
                subject=subject,
                text="Bonjour, l’agence reste-t-elle ouverte au mois d’août ?",
                visibility=Visibility.CLIENTS,
            )
            _conversation(
                ticket,
                [
                    (
                        admin,
                        "Bonjour, l’agence est fermée du 4 au 22 août. Le reste de l’été, "
                        "nous vous accueillons du lundi au jeudi, de 9 h à 17 h.",
                    )
                ],
            )
            actions.change_status(admin, ticket, TicketStatus.WAITING)
            opened += 1
        subject = "Mise à jour des coordonnées de La Comète"
        if not Ticket.objects.filter(subject=subject).exists():
            comete = Organisation.objects.filter(name="La Comète").first()
            actions.open_ticket(
                admin,
                subject=subject,
                text="La Comète a changé de standard : qui peut vérifier les fiches de "
                "l’équipe de direction ?",
                organisation=comete,
            )
            opened += 1
    return opened
