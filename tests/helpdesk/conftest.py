"""Two clients of the agency, two members of staff, and tickets between them.

Théo (client) is linked to his directory record, director of the Théâtre
de Metz; Léa is another client; Marie and Paul are staff. Théo's private
ticket is his alone (and staff's); his open ticket is open to all clients.
"""

import threading
import time

import pytest
from django.core.cache import cache

from helpdesk import actions, presence, throttle
from helpdesk.models import Visibility
from tests import factories


@pytest.fixture(autouse=True)
def eager_tasks(tasks_at_once):
    """Notification tasks run at once, in the test, with Redis configured too."""


def forget_cache(users, tickets=()):
    """Drop what a previous run on the same Redis left under these ids."""
    now = int(time.time() // throttle.WINDOW_SECONDS)
    keys = [
        f"helpdesk:frames:{user.pk}:{window}"
        for user in users
        for window in range(now - 2, now + 3)
    ]
    keys += [presence._key(ticket.pk, user.pk) for ticket in tickets for user in users]
    cache.delete_many(keys)


@pytest.fixture
def theatre():
    return factories.OrganisationFactory(name="Théâtre de Metz")


@pytest.fixture
def theo(theatre):
    position = factories.PositionFactory(
        person__first_name="Théo", person__last_name="Martin", organisation=theatre
    )
    user = factories.client(
        username="theo", first_name="Théo", last_name="Martin", person=position.person
    )
    forget_cache([user])
    return user


@pytest.fixture
def lea():
    user = factories.client(username="lea", first_name="Léa", last_name="Roux")
    forget_cache([user])
    return user


@pytest.fixture
def marie():
    user = factories.staff(username="marie", first_name="Marie", last_name="Dupont")
    forget_cache([user])
    return user


@pytest.fixture
def paul():
    user = factories.staff(username="paul", first_name="Paul", last_name="Bernard")
    forget_cache([user])
    return user


@pytest.fixture
def private_ticket(theo, lea, marie):
    ticket = actions.open_ticket(
        theo, subject="Contrat de cession", text="Bonjour, où en est notre contrat ?"
    )
    forget_cache([theo, lea, marie], [ticket])
    return ticket


@pytest.fixture
def open_ticket(theo, lea, marie):
    ticket = actions.open_ticket(
        theo,
        subject="Horaires de l’agence",
        text="Quels sont vos horaires d’été ?",
        visibility=Visibility.CLIENTS,
    )
    forget_cache([theo, lea, marie], [ticket])
    return ticket


@pytest.fixture(scope="session", autouse=True)
def consumer_threads_hand_back_their_connections(django_db_setup):
    """Channels' test communicator turns `close_old_connections` off while it
    waits, so the threads that ran the consumers' database work may still
    hold a connection (from the pool, on PostgreSQL): close them before the
    test database is dropped."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connection

    from helpdesk import consumers

    threads = consumers.DATABASE_THREADS if consumers._executor is not None else 0
    barrier = threading.Barrier(threads, timeout=10) if threads else None

    def close():
        barrier.wait()  # one call in each thread
        connection.close()

    done = [consumers._executor.submit(close) for _thread in range(threads)]
    done.append(SyncToAsync.single_thread_executor.submit(lambda: connection.close()))
    for future in done:
        future.result()
