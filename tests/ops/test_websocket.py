import asyncio
import json

import pytest
import websockets
from channels.testing import WebsocketCommunicator

from config.asgi import application

ORIGIN = [(b"origin", b"http://localhost")]


def run(coro):
    return asyncio.run(coro)


def test_ping_answers_pong_through_the_channel_layer():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/ping/", headers=ORIGIN)
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(text_data=json.dumps({"type": "ping", "echo": "hello"}))
        reply = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return reply

    assert run(scenario()) == {"type": "pong", "echo": "hello", "authenticated": False}


def test_garbage_gets_an_error_and_the_socket_stays_open():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/ping/", headers=ORIGIN)
        await communicator.connect()
        await communicator.send_to(text_data="not json")
        error = json.loads(await communicator.receive_from(timeout=5))
        await communicator.send_to(text_data=json.dumps({"type": "ping"}))
        pong = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return error, pong

    error, pong = run(scenario())
    assert error["type"] == "error"
    assert error["code"] == "invalid_message"
    assert pong["type"] == "pong"


def test_foreign_origin_is_refused():
    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run(scenario()) is False


def test_ping_over_a_real_server_and_websocket_client(live_asgi_url):
    ws_url = live_asgi_url.replace("http://", "ws://") + "/ws/ping/"

    async def scenario():
        async with websockets.connect(ws_url, origin="http://127.0.0.1", open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "ping", "echo": 42}))
            return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))

    assert run(scenario()) == {"type": "pong", "echo": 42, "authenticated": False}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["query", "subprotocol"])
def test_websocket_accepts_the_api_access_token(how, as_user):
    from tests.factories import UserFactory

    client = as_user(UserFactory())
    token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    path, subprotocols = "/ws/ping/", None
    if how == "query":
        path += f"?access_token={token}"
    else:
        subprotocols = ["bearer", token]

    async def scenario():
        communicator = WebsocketCommunicator(
            application, path, headers=ORIGIN, subprotocols=subprotocols
        )
        connected, subprotocol = await communicator.connect()
        assert connected
        await communicator.send_to(text_data=json.dumps({"type": "ping"}))
        reply = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return reply, subprotocol

    reply, subprotocol = run(scenario())
    assert reply["authenticated"] is True
    assert subprotocol == ("bearer" if how == "subprotocol" else None)


@pytest.mark.django_db(transaction=True)
def test_websocket_token_of_a_revoked_session_is_anonymous(as_user):
    from learning.accounts import services
    from tests.factories import UserFactory

    user = UserFactory()
    client = as_user(user)
    token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    services.session_revoke(user=user, session_id=client.session_id)

    async def scenario():
        communicator = WebsocketCommunicator(
            application, f"/ws/ping/?access_token={token}", headers=ORIGIN
        )
        await communicator.connect()
        await communicator.send_to(text_data=json.dumps({"type": "ping"}))
        reply = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return reply

    assert run(scenario())["authenticated"] is False
