"""Two administrators demoting (or deactivating) each other at the same time:
exactly one of them succeeds (PostgreSQL, two real transactions).

Each transaction counts the administrators, then waits up to a second for
the other one to have counted too before changing anything: without a lock,
both count two administrators, both go on, and none is left. With the lock
of `crmsite.roles.lock_administrators` the second one cannot count before
the first one commits, then counts afresh and is refused.
"""

import contextlib
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

import crmsite.roles
from crmsite.roles import ADMINISTRATORS, LastAdministratorError, active_administrator_ids
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers: no two transactions write at once",
    ),
]


def demote(actor, target):
    target.groups.remove(Group.objects.get(name=ADMINISTRATORS))


def deactivate(actor, target):
    target.is_active = False
    target.save()


@pytest.mark.parametrize("change", [demote, deactivate], ids=["demote", "deactivate"])
def test_two_administrators_removing_each_other_at_once_leave_one(change, monkeypatch):
    first = factories.administrator(username="anne")
    second = factories.administrator(username="bruno")
    counted = threading.Barrier(2, timeout=1)
    original = crmsite.roles.active_administrator_ids

    def counting_then_waiting(using="default"):
        ids = original(using)
        # A broken barrier: the other transaction is waiting for our lock.
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait()
        return ids

    monkeypatch.setattr(crmsite.roles, "active_administrator_ids", counting_then_waiting)
    outcomes = {}

    def run(actor, target):
        try:
            with transaction.atomic():
                change(actor, target)
            outcomes[actor.username] = "done"
        except LastAdministratorError:
            outcomes[actor.username] = "refused"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[actor.username] = repr(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(first, second)),
        threading.Thread(target=run, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.undo()

    assert sorted(outcomes.values()) == ["done", "refused"], outcomes
    assert len(active_administrator_ids()) == 1
