"""Messages posted at the same instant by several connections (PostgreSQL,
where rows are locked: SQLite serialises whole transactions anyway)."""

import threading

import pytest
from django.db import connection

from helpdesk import actions

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks: run with DATABASE_URL=postgres://…"
    ),
]

WRITERS = 8
EACH = 5


def test_simultaneous_messages_get_distinct_numbers_and_a_resend_is_stored_once(
    private_ticket, theo, marie
):
    barrier = threading.Barrier(WRITERS + 4)
    errors = []

    def write(user, client_ids):
        try:
            barrier.wait()
            for client_id in client_ids:
                actions.post_message(user, private_ticket, client_id, client_id=client_id)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=write,
            args=(marie if index % 2 else theo, [f"w{index}-{n}" for n in range(EACH)]),
        )
        for index in range(WRITERS)
    ]
    # Four connections resend the same message at the same time.
    threads += [threading.Thread(target=write, args=(theo, ["same"])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = list(private_ticket.messages.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS * EACH + 3))
    assert private_ticket.messages.filter(client_id="same").count() == 1
    private_ticket.refresh_from_db()
    assert private_ticket.last_number == WRITERS * EACH + 2
