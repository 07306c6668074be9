"""A streaming method of a graft object (objects.py), in either mode.

The same streams as a service's streaming methods (streams.py,
wire_stream.py), with one step first: the object is made (or its
constructor's exception raised) on the first `__anext__`. In-process the
method is called under the object's lock, like any call on it; its items
then flow without the lock. Remotely the Call names the object.
"""

from typing import Any, Dict, Sequence

from .config import Settings
from .objects import ObjectState, ReleasedObjectError
from .streams import LocalStream, Stream, items_typed
from .wire import STATUS_NOT_FOUND, RemoteError
from .wire_stream import RemoteStream


class _LocalObjectStream(LocalStream):
    def __init__(self, state: ObjectState, settings: Settings, method: str, args: Sequence[Any],
                 kwargs: Dict[str, Any]) -> None:
        super().__init__(state.client.local, settings, method, args, kwargs)
        self.name = "%s.%s" % (state.service, method)
        self.state = state

    async def _invoke(self, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        state = self.state
        if state.closed:
            raise state.released()
        async with state._lock():
            await state._make()
            self.typed = items_typed(self.name, getattr(state.hosted, method, None))
            return state.client.local.invoke_on(state.hosted, method, args, kwargs)


class _RemoteObjectStream(RemoteStream):
    state: ObjectState

    async def _start(self) -> None:
        await self.state.ready()
        self.object_id = self.state.id
        await super()._start()


def object_stream(state: ObjectState, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Stream:
    """The stream of `method`'s items, called on `state`'s object; it starts on its first `__anext__`."""
    settings = state.settings or state.client.settings()
    if settings.in_memory:
        return _LocalObjectStream(state, settings, method, args, kwargs)
    remote = state.client.remote
    host = settings.route  # of replicas, the one holding the object
    stream = _RemoteObjectStream(lambda: remote.connection(host, settings.timeout, settings.tls, settings.token).home(state.id), (state.service, method, list(args), kwargs),
                                 remote.registry.types(), settings.timeout, lambda e: _exception(remote, e))
    stream.state = state
    return stream


def _exception(remote: Any, error: RemoteError) -> BaseException:
    """As for a call on the object: NotFound means it was released (its lease ran out)."""
    if error.status == STATUS_NOT_FOUND:
        return ReleasedObjectError(error.message)
    exception: BaseException = remote.exception(error)
    return exception
