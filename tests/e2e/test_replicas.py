"""A graft over three real gg replicas (127.0.0.2-4, one port): the
idempotence its author declared reaches /libraries, OpenAPI and the graft;
calls spread over the replicas; a circuit opens, half-opens and closes."""

import asyncio
import collections
import re
import time

import pytest

from gateway import request
from replicas import Replica, configure, install_graft, ports, start

IPS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.fixture(scope="module")
def three():
    replicas = start(IPS)
    yield replicas
    for replica in replicas:
        replica.stop()


@pytest.fixture(scope="module")
def graft(three, tmp_path_factory):
    return install_graft(three[0], tmp_path_factory.mktemp("lib"))


def test_idempotent_methods_are_declared_in_the_interface_and_the_graft(three, graft):
    web = "http://%s:%d" % (three[0].ip, three[0].ports["http"])
    libraries = request(web + "/libraries").json()
    methods = {m["name"]: m for s in libraries["services"] if s["name"] == "Inventory" for m in s["methods"]}
    assert methods["where"]["idempotent"] is True and methods["add"]["idempotent"] is True
    assert "idempotent" not in methods["take"], "not declared: false, left out"
    paths = request(web + "/openapi.json").json()["paths"]
    assert paths["/call/Inventory/where"]["post"]["x-graft-idempotent"] is True
    assert "x-graft-idempotent" not in paths["/call/Inventory/take"]["post"]
    assert graft._client.remote.idempotent == {"Inventory.where", "Inventory.add"}


def test_calls_spread_over_three_replicas(three, graft):
    configure(graft, [r.address for r in three])

    async def main():
        async def some(n):
            return [await graft.Inventory.where(0.002) for _ in range(n)]

        return [who for batch in await asyncio.gather(*(some(30) for _ in range(8))) for who in batch]

    seen = collections.Counter(who.split("/")[0] for who in asyncio.run(asyncio.wait_for(main(), 60)))
    assert set(seen) == set(IPS), seen
    # Least outstanding calls: a replica slower here (2 cores, busy) takes fewer, but each takes some.
    assert min(seen.values()) >= 240 * 0.05, "each replica takes a share: %s" % seen
    assert asyncio.run(graft.Inventory.add(2, 3)) == 5

    configure(graft, [r.address for r in three], balance="round_robin")

    async def in_turn():
        return [await graft.Inventory.where() for _ in range(90)]

    turns = collections.Counter(who.split("/")[0] for who in asyncio.run(asyncio.wait_for(in_turn(), 60)))
    assert turns == {ip: 30 for ip in IPS}, turns


def test_objects_and_streams_stay_on_their_replica(three, graft):
    configure(graft, [r.address for r in three])

    async def main():
        shelves = [await graft.Inventory.open_shelf() for _ in range(9)]
        homes = set()
        for shelf in shelves:
            counts = [await shelf.put("x%d" % i) for i in range(6)]
            assert counts == [1, 2, 3, 4, 5, 6], "every call reached the one object"
            assert len({await shelf.where() for _ in range(6)}) == 1
            homes.add(await shelf.where())
            await shelf.close()
        assert len(homes) > 1, "objects are made on several replicas"
        streams = []
        for _ in range(6):
            items = [item async for item in graft.Inventory.count(50)]
            assert [i.split("/")[1] for i in items] == [str(n) for n in range(50)]
            assert len({i.split("/")[0] for i in items}) == 1, "a stream stays on its replica"
            streams.append(items[0].split("/")[0])
        assert len(set(streams)) > 1, "streams start on several replicas"

    asyncio.run(asyncio.wait_for(main(), 60))


def test_a_circuit_opens_half_opens_and_closes(graft):
    shared = ports()
    down, gone = Replica("127.0.0.5", shared), Replica("127.0.0.6", shared)
    configure(graft, [down.address, gone.address], breaker=3, breaker_cooldown=1.5, eject=0.2)

    async def attempt():
        started = time.monotonic()
        try:
            await graft.Inventory.add(1, 1)
            return "ok", time.monotonic() - started
        except graft.CircuitOpen as e:
            return e, time.monotonic() - started
        except graft.Unavailable as e:
            return e, time.monotonic() - started

    async def main():
        refused = [await attempt() for _ in range(3)]  # each tries both replicas
        assert all(type(e) is graft.Unavailable and ":%d: cannot connect" % shared["tcp"] in str(e) for e, _ in refused), refused
        fast = [await attempt() for _ in range(20)]
        assert all(type(e) is graft.CircuitOpen for e, _ in fast), fast
        assert re.fullmatch(r"Graft gateway at 127\.0\.0\.[56]:%d: every replica's circuit is open \(2\); circuit open "
                            r"after 3 failures in a row; next probe in 1\.\d s" % shared["tcp"], str(fast[0][0])), fast[0]
        assert max(t for _, t in fast) < 0.05, "an open circuit fails at once"
        await asyncio.sleep(1.6)
        probe, _ = await attempt()  # half-open: probes go to both, are refused, and the circuits open again
        assert type(probe) is graft.Unavailable, probe
        again, _ = await attempt()
        assert type(again) is graft.CircuitOpen, again
        down.start()
        try:
            await asyncio.sleep(1.6)
            assert (await attempt())[0] == "ok", "the half-open probe succeeds"
            assert [(await attempt())[0] for _ in range(5)] == ["ok"] * 5, "closed again"
        finally:
            down.stop()

    asyncio.run(asyncio.wait_for(main(), 60))
