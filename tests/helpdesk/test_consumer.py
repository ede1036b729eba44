"""The live conversation of a ticket, through the project's real ASGI stack.

Two clients (Théo, who opened the tickets, and Léa) and a member of staff
(Marie); each test connects with a signed-in session cookie and the origin
header a browser sends.
"""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from helpdesk import actions, throttle
from helpdesk.models import Message, Participant, Ticket, TicketStatus, Visibility
from helpdesk.realtime import group_name

from .sockets import closed_with, connect, dumps, joined, receive, send_raw, until_synced

pytestmark = pytest.mark.django_db(transaction=True)

act = database_sync_to_async


@act
def stored(ticket) -> list[tuple[int, str]]:
    return list(ticket.messages.order_by("number").values_list("number", "text"))


def message(client_id: str, text: str) -> dict:
    return {"type": "message", "client_id": client_id, "text": text}


# --- Connecting -------------------------------------------------------------------------


async def test_the_author_connects_and_catches_up(theo, private_ticket):
    socket, replayed = await joined(theo, private_ticket)
    assert [(f["type"], f["number"], f["text"]) for f in replayed] == [
        ("message", 1, "Bonjour, où en est notre contrat ?")
    ]
    assert replayed[0]["author"] == {"id": theo.pk, "name": "Théo Martin"}
    await socket.disconnect()


async def test_staff_and_other_clients_where_they_may(marie, lea, private_ticket, open_ticket):
    for user, ticket in ((marie, private_ticket), (lea, open_ticket)):
        socket, accepted, _detail = await connect(user, ticket)
        assert accepted
        await socket.disconnect()


async def test_another_clients_private_ticket_is_refused(lea, private_ticket):
    socket, accepted, code = await connect(lea, private_ticket)
    assert (accepted, code) == (False, 4403)


async def test_a_ticket_that_does_not_exist_is_refused_like_a_private_one(lea):
    socket, accepted, code = await connect(lea, None, ticket_id=999_999)
    assert (accepted, code) == (False, 4403)


async def test_an_anonymous_visitor_is_refused(private_ticket):
    socket, accepted, code = await connect(None, private_ticket)
    assert (accepted, code) == (False, 4401)


@pytest.mark.parametrize("origin", [b"https://evil.example", None])
async def test_a_foreign_or_missing_origin_is_refused(theo, private_ticket, origin):
    socket, accepted, _code = await connect(theo, private_ticket, origin=origin)
    assert not accepted


# --- Messages -------------------------------------------------------------------------


async def test_a_message_is_stored_acknowledged_and_broadcast(theo, marie, private_ticket):
    theos, _replayed = await joined(theo, private_ticket, after=1)
    maries, _replayed = await joined(marie, private_ticket, after=1)
    await theos.send_json_to(message("c-1", "Voici le contrat signé."))
    assert await receive(theos) == {"type": "ack", "client_id": "c-1", "number": 2}
    own = await receive(theos)
    assert (own["type"], own["number"], own["client_id"]) == ("message", 2, "c-1")
    frame = await receive(maries)
    assert (frame["type"], frame["number"], frame["text"]) == (
        "message",
        2,
        "Voici le contrat signé.",
    )
    assert frame["author"] == {"id": theo.pk, "name": "Théo Martin"}
    assert await stored(private_ticket) == [
        (1, "Bonjour, où en est notre contrat ?"),
        (2, "Voici le contrat signé."),
    ]
    assert await maries.receive_nothing(timeout=0.3)
    await theos.disconnect()
    await maries.disconnect()


async def test_a_message_sent_again_is_stored_once(theo, marie, private_ticket):
    theos, _replayed = await joined(theo, private_ticket, after=1)
    maries, _replayed = await joined(marie, private_ticket, after=1)
    await theos.send_json_to(message("c-1", "Relance"))
    assert (await receive(theos))["type"] == "ack"
    assert (await receive(theos))["number"] == 2
    assert (await receive(maries))["number"] == 2
    # The page did not see the acknowledgement and sends it again.
    await theos.send_json_to(message("c-1", "Relance"))
    assert await receive(theos) == {"type": "ack", "client_id": "c-1", "number": 2}
    assert await theos.receive_nothing(timeout=0.3)
    assert await maries.receive_nothing(timeout=0.3)
    assert await stored(private_ticket) == [
        (1, "Bonjour, où en est notre contrat ?"),
        (2, "Relance"),
    ]
    await theos.disconnect()
    await maries.disconnect()


async def test_a_client_answers_in_a_ticket_open_to_all(lea, theo, open_ticket):
    leas, _replayed = await joined(lea, open_ticket, after=1)
    theos, _replayed = await joined(theo, open_ticket, after=1)
    await leas.send_json_to(message("l-1", "Même question"))
    assert (await receive(leas))["type"] == "ack"
    frame = await receive(theos)
    assert frame["author"]["name"] == "Léa Roux" and frame["number"] == 2
    await leas.disconnect()
    await theos.disconnect()


async def test_a_message_in_a_closed_ticket_gets_an_error(theo, private_ticket):
    await act(actions.change_status)(theo, private_ticket, TicketStatus.CLOSED)
    socket, _replayed = await joined(theo, private_ticket, after=1)
    await socket.send_json_to(message("c-1", "Encore une chose"))
    error = await receive(socket)
    assert error["type"] == "error" and error["client_id"] == "c-1"
    assert "fermé" in error["message"]
    assert len(await stored(private_ticket)) == 1
    await socket.disconnect()


# --- Reconnecting: nothing lost, nothing doubled -----------------------------------------


async def test_a_page_that_reconnects_gets_what_it_missed_in_order_once(
    theo, marie, private_ticket
):
    theos, replayed = await joined(theo, private_ticket)
    assert [f["number"] for f in replayed] == [1]
    await theos.disconnect()
    maries, _replayed = await joined(marie, private_ticket, after=1)
    for index, text in enumerate(("deux", "trois", "quatre")):
        await maries.send_json_to(message(f"m-{index}", text))
        assert (await receive(maries))["type"] == "ack"
        assert (await receive(maries))["type"] == "message"
    theos, replayed = await joined(theo, private_ticket, after=1)
    assert [(f["number"], f["text"]) for f in replayed] == [
        (2, "deux"),
        (3, "trois"),
        (4, "quatre"),
    ]
    await maries.send_json_to(message("m-9", "cinq"))
    frame = await receive(theos)
    assert (frame["number"], frame["text"]) == (5, "cinq")
    assert await theos.receive_nothing(timeout=0.3)
    # A second hello with an older number replays from there, nothing else.
    await theos.send_json_to({"type": "hello", "after": 3})
    assert [f["number"] for f in await until_synced(theos)] == [4, 5]
    await theos.disconnect()
    await maries.disconnect()


async def test_a_page_claiming_more_than_there_is_still_gets_what_comes(
    theo, marie, private_ticket
):
    theos, replayed = await joined(theo, private_ticket, after=50)
    assert replayed == []
    await act(actions.post_message)(marie, private_ticket, "deux")
    assert (await receive(theos))["number"] == 2
    await theos.disconnect()


async def test_events_lost_by_the_channel_layer_are_read_from_the_database(
    theo, marie, private_ticket
):
    theos, _replayed = await joined(theo, private_ticket, after=1)

    @act
    def stored_without_events():
        # Two messages whose broadcasts never arrived (a full channel drops them).
        for number, text in ((2, "perdu"), (3, "arrivé")):
            Message.objects.create(ticket=private_ticket, number=number, author=marie, text=text)
        Ticket.objects.filter(pk=private_ticket.pk).update(last_number=3)

    await stored_without_events()
    layer = get_channel_layer()
    await layer.group_send(group_name(private_ticket.pk), {"type": "helpdesk.message", "number": 3})
    first, second = await receive(theos), await receive(theos)
    assert [(first["number"], first["text"]), (second["number"], second["text"])] == [
        (2, "perdu"),
        (3, "arrivé"),
    ]
    await layer.group_send(group_name(private_ticket.pk), {"type": "helpdesk.message", "number": 3})
    assert await theos.receive_nothing(timeout=0.3)
    await theos.disconnect()


# --- Typing, read marks, ticket changes ----------------------------------------------------


async def test_typing_reaches_the_others_only(theo, marie, private_ticket):
    theos, _replayed = await joined(theo, private_ticket, after=1)
    maries, _replayed = await joined(marie, private_ticket, after=1)
    await theos.send_json_to({"type": "typing"})
    assert await receive(maries) == {
        "type": "typing",
        "user": {"id": theo.pk, "name": "Théo Martin"},
        "text": "Théo Martin est en train d’écrire…",
    }
    assert await theos.receive_nothing(timeout=0.3)
    assert len(await stored(private_ticket)) == 1
    await theos.disconnect()
    await maries.disconnect()


async def test_a_read_mark_is_stored_and_shown(theo, marie, private_ticket):
    await act(actions.post_message)(marie, private_ticket, "Nous regardons.")
    theos, _replayed = await joined(theo, private_ticket, after=1)
    maries, _replayed = await joined(marie, private_ticket, after=2)
    await theos.send_json_to({"type": "read", "number": 2})
    assert await receive(maries) == {
        "type": "read",
        "user": {"id": theo.pk, "name": "Théo Martin"},
        "number": 2,
    }
    mark = await act(
        lambda: Participant.objects.get(ticket=private_ticket, user=theo).last_read_number
    )()
    assert mark == 2
    await theos.disconnect()
    await maries.disconnect()


async def test_a_status_change_and_an_assignment_are_shown_live(theo, marie, paul, private_ticket):
    theos, _replayed = await joined(theo, private_ticket, after=1)
    await act(actions.change_status)(marie, private_ticket, TicketStatus.WAITING)
    frame = await receive(theos)
    assert (frame["type"], frame["status"], frame["assignee"]) == ("ticket", "waiting", None)
    await act(actions.assign)(marie, private_ticket, paul)
    frame = await receive(theos)
    assert (frame["assignee"], frame["assignee_name"]) == (paul.pk, "Paul Bernard")
    await theos.disconnect()


# --- Bad frames: an error, and nothing changes ---------------------------------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("{pas du json", "Cette trame n’est pas du JSON valide."),
        ("[" * 50_000 + "]" * 50_000, "Cette trame n’est pas du JSON valide."),
        ("[1, 2]", "Une trame est un objet JSON avec un « type »."),
        (dumps({"text": "sans type"}), "Une trame est un objet JSON avec un « type »."),
        (dumps({"type": "dance"}), "Type de trame inconnu : « dance »."),
        (dumps({"type": "message", "text": "sans id"}), "client_id"),
        (dumps({"type": "message", "client_id": "c-1"}), "text"),
        (dumps({"type": "message", "client_id": "c 1!", "text": "x"}), "identifiant"),
        (dumps({"type": "hello"}), "after"),
        (dumps({"type": "hello", "after": -1}), "after"),
        (dumps({"type": "read", "number": "2"}), "number"),
        (dumps(message("c-1", "x" * 10_001)), "10 000"),
        (dumps(message("c-1", "   ")), "Écrivez"),
        ("x" * 200_000, "trop grande"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_changes_nothing(theo, private_ticket, frame, expected):
    socket, _replayed = await joined(theo, private_ticket, after=1)
    await send_raw(socket, frame)
    error = await receive(socket)
    assert error["type"] == "error"
    assert expected in error["message"].replace("\xa0", " ")
    assert await stored(private_ticket) == [(1, "Bonjour, où en est notre contrat ?")]
    # The connection stays usable.
    await socket.send_json_to({"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await socket.disconnect()


async def test_a_binary_frame_gets_an_error(theo, private_ticket):
    socket, _replayed = await joined(theo, private_ticket, after=1)
    await socket.send_to(bytes_data=b'{"type": "ping"}')
    assert (await receive(socket))["type"] == "error"
    await socket.disconnect()


async def test_a_message_at_the_limit_is_stored(theo, private_ticket):
    socket, _replayed = await joined(theo, private_ticket, after=1)
    await socket.send_json_to(message("c-1", "x" * 10_000))
    assert (await receive(socket))["type"] == "ack"
    await socket.disconnect()


async def test_a_flood_of_frames_is_refused_beyond_the_rate(theo, private_ticket):
    socket, _replayed = await joined(theo, private_ticket, after=1)

    # Theo has used up his frames: in this window and the next, so that the
    # test holds whenever a window ends (a loaded machine may cross one).
    def flood():
        now = time.time()
        for _frame in range(throttle.FRAMES):
            throttle.allow_frame(theo.pk, now)
            throttle.allow_frame(theo.pk, now + throttle.WINDOW_SECONDS)

    await act(flood)()
    await socket.send_json_to(message("c-1", "Un de trop"))
    error = await receive(socket)
    assert (error["type"], error["client_id"]) == ("error", "c-1")
    assert error["message"].replace("\xa0", " ") == (
        "Trop de messages à la fois : attendez quelques secondes."
    )
    assert len(await stored(private_ticket)) == 1
    await socket.disconnect()


async def test_a_hello_beyond_the_rate_joins_nothing(theo, marie, private_ticket):
    socket, accepted, _detail = await connect(theo, private_ticket)
    assert accepted

    def flood():
        now = time.time()
        for _frame in range(throttle.FRAMES):
            throttle.allow_frame(theo.pk, now)
            throttle.allow_frame(theo.pk, now + throttle.WINDOW_SECONDS)

    await act(flood)()
    await socket.send_json_to({"type": "hello", "after": 0})
    assert (await receive(socket))["type"] == "error"
    await act(actions.post_message)(marie, private_ticket, "Personne ne l’entend")
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


# --- Access lost while connected ---------------------------------------------------------


async def test_a_participant_taken_out_is_closed_at_once(lea, marie, private_ticket):
    await act(actions.add_participant)(marie, private_ticket, lea)
    leas, replayed = await joined(lea, private_ticket)
    assert [f["number"] for f in replayed] == [1]
    await act(actions.remove_participant)(marie, private_ticket, lea)
    assert await closed_with(leas) == 4403
    await leas.disconnect()


async def test_a_participant_taken_out_behind_its_back_is_closed_on_the_next_frame(
    lea, marie, private_ticket
):
    await act(actions.add_participant)(marie, private_ticket, lea)
    leas, _replayed = await joined(lea, private_ticket, after=1)
    await act(lambda: Participant.objects.filter(user=lea).delete())()
    await leas.send_json_to(message("l-1", "Je suis encore là ?"))
    assert await closed_with(leas) == 4403
    assert len(await stored(private_ticket)) == 1
    await leas.disconnect()


async def test_a_closed_account_is_closed_on_the_next_frame(theo, private_ticket):
    socket, _replayed = await joined(theo, private_ticket, after=1)
    await act(lambda: get_user_model().objects.filter(pk=theo.pk).update(is_active=False))()
    await socket.send_json_to({"type": "ping"})
    assert await closed_with(socket) == 4403
    await socket.disconnect()


async def test_a_ticket_made_private_by_staff_closes_other_clients_at_once(lea, marie, open_ticket):
    leas, _replayed = await joined(lea, open_ticket, after=1)
    await act(actions.update_ticket)(marie, open_ticket, visibility=Visibility.PRIVATE)
    output = await leas.receive_output(timeout=3)
    if output["type"] == "websocket.send":  # the ticket change, sent before the access check
        output = await leas.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4403}
    await leas.disconnect()


def test_the_channel_layer_group_names_are_valid():
    layer = get_channel_layer()
    async_to_sync(layer.group_add)(group_name(123), "helpdesk.test!abc")
    async_to_sync(layer.group_discard)(group_name(123), "helpdesk.test!abc")
