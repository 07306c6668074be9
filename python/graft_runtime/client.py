"""The client of one graft, and the `GraftConfig` class a graft exports.

A generated graft makes one `GraftClient` for its service and routes every
method through `GraftClient.call`. The configuration is resolved on the
first call (see `sources`), and again after `set_config` or `reload`; it
decides whether the call runs in this process (`local`) or on another
gateway over TCP (`remote`). Both give the caller the graft's own classes
and exceptions. A streaming method goes through `GraftClient.stream`
instead, which returns its items as an async iterator (`streams`).
"""

import asyncio
import inspect
import uuid
import weakref
from typing import Any, Awaitable, Callable, ClassVar, ContextManager, Dict, List, Mapping, Optional, Sequence, Tuple, Type

from . import broker as _broker, headers as _headers, sources
from .classes import NOT_GIVEN, Registry
from .config import Settings, parse
from .errors import UNMAPPED, Timeout
from .local import Local
from .objects import GraftObject, ObjectState
from .object_streams import object_stream
from .plans import MISS, PLAIN
from .remote import Remote, within
from .streams import LocalStream, Stream


_DEADLINE = getattr(_headers.context, "_deadline", None)  # graft_context's deadline variable
_INCOMING = _headers.context._incoming  # graft_context's variable of the incoming metadata
_incoming = _headers.incoming


def _serving_within() -> bool:
    """Whether the call being served has a deadline (a call made now must keep to it)."""
    return _DEADLINE is not None and _headers.context.deadline() is not None


class GraftClient:
    """Routes one graft's calls by its configuration.

    `name` is the distribution name (`graft-pypi-energypricecalculator`),
    `service` and `module` name the hosted service and its module, `kind`
    is `class` or `module` (a module's functions), `default_config` is
    the package default, if the graft was built with one, and `idempotent`
    names the methods (`"Service.method"`) declared idempotent, which a call
    that may have run retries on another replica (balancer.py).
    """

    def __init__(
        self,
        name: str,
        service: str,
        module: str,
        kind: str = "class",
        default_config: Optional[str] = None,
        idempotent: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.service = service
        self.default_config = default_config
        self.registry = Registry()
        self.local = Local(self.registry, service, module, kind)
        self.remote = Remote(self.registry)
        self.remote.idempotent = frozenset(idempotent)
        self._code: Optional[str] = None
        self._settings: Optional[Settings] = None
        # Per method, its plan's `fast` while the settings in force call it
        # in this process without a timeout; emptied with the settings.
        self._fast: Dict[str, Callable[[Dict[str, Any]], Any]] = {}
        # The graft objects whose hosted objects are made, by id (in-process,
        # by the hosted object's identity), so a method returning one of them
        # gives back the same graft object.
        self.objects: "weakref.WeakValueDictionary[str, GraftObject]" = weakref.WeakValueDictionary()

    def register(self, *classes: type) -> None:
        """The graft's dataclasses, enums and exception classes."""
        self.registry.add(classes)

    def set_config(self, text: Optional[str]) -> None:
        """The configuration set in code; checked now, applied on the next call."""
        if text is not None and text.strip():
            parse(text, "GraftConfig.set_config")
        self._code = text
        self.reload()

    def reload(self) -> None:
        """Forgets the resolved configuration: the next call reads the sources again."""
        self._settings = None
        self._fast = {}

    def settings(self) -> Settings:
        """The configuration in force, resolved now if need be."""
        if self._settings is None:
            self._settings = sources.resolve(self.name, self._code, self.default_config)
        return self._settings

    async def call(self, service: str, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        """Calls `service.method`, here or remotely, as the configuration says."""
        fast = None if args else self._fast.get(method)
        if fast is not None:  # the fast path (plans.py): see _fast_result
            metadata = _incoming()
            token = _INCOMING.set(metadata)
            try:
                result = fast(kwargs)
            except UNMAPPED:
                raise
            except BaseException as exc:  # noqa: BLE001 - mapped as a remote call would map it
                raise self.local.exception(exc).with_traceback(exc.__traceback__) from None
            finally:
                _INCOMING.reset(token)
            if type(result) in PLAIN:
                return result
            if result is not MISS:
                return await self._fast_result(service, method, metadata, result)
        settings = self.settings()
        positional, named = _given(service, method, args, kwargs)
        if not settings.in_memory:
            return await self.remote.call(settings, service, method, positional, named)
        if settings.timeout is None and method not in self._fast:
            plan = self.local.plan(settings, method)
            if plan.fast is not None:
                self._fast[method] = plan.fast  # from the next call on
        work = self.local.call(settings, method, positional, named)
        timeout = within(settings.timeout)
        if timeout is None:
            return await work
        return await self.timed(settings, service, method, work, timeout)

    async def _fast_result(self, service: str, method: str, metadata: Mapping[str, str], result: Any) -> Any:
        """A fast call's result, awaited if need be, as the graft's classes.

        On the fast path (plans.py) the method's target is called at once
        when every value needs no conversion (a NOT_GIVEN never is one), else
        it answers MISS. Its hosted code reads the call's `metadata` as on the
        general path (headers.incoming), a coroutine's steps too (`_kept`);
        its deadline is the served call's, if any (no fast path with a
        configured timeout)."""
        try:
            if inspect.isawaitable(result):
                result = _kept(metadata, result)
                if _serving_within():  # no longer than the call being served has left
                    result = self.timed(self.settings(), service, method, result, within(None))
                result = await result
        except UNMAPPED:
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped as a remote call would map it
            raise self.local.exception(exc).with_traceback(exc.__traceback__) from None
        return self.local.to_graft(result, self.local.plans[method].returns)

    async def timed(self, settings: Settings, service: str, method: str, work: Awaitable[Any],
                    timeout: Optional[float] = None) -> Any:
        """An in-process call's result, within `timeout` (the configuration's by default)."""
        limit = settings.timeout if timeout is None else timeout
        if limit is None:
            return await work
        try:
            return await asyncio.wait_for(work, limit)
        except asyncio.TimeoutError:
            source = settings.source if limit == settings.timeout else "the deadline of the call being served"
            raise Timeout("%s.%s did not finish within %g s (timeout from %s)" % (service, method, limit, source)) from None

    def stream(self, service: str, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Stream:
        """Calls the streaming method `service.method`, here or remotely: the
        stream of its items (streams.py), which starts on its first `__anext__`."""
        settings = self.settings()
        positional, named = _given(service, method, args, kwargs)
        if not settings.in_memory:
            return self.remote.stream(settings, service, method, positional, named)
        return LocalStream(self.local, settings, method, positional, named)

    # -- objects (objects.py): the methods a generated GraftObject class calls

    def new(self, obj: GraftObject, service: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> None:
        """A new graft object: its constructor's arguments kept; made at its first await."""
        _attach(obj, ObjectState(self, service, type(obj).__graft_module__, _given(service, "__init__", args, kwargs)))

    def adopt(self, cls: Type[GraftObject], object_id: str, hosted: Any) -> GraftObject:
        """The graft object of class `cls` for a hosted object a method returned:
        the one this client holds for it, else a new one."""
        found = self.objects.get(object_id or "in-process %d" % id(hosted))
        if type(found) is cls:
            return found
        obj = cls.__new__(cls)
        state = _attach(obj, ObjectState(self, cls.__name__, cls.__graft_module__, None))
        state.made(self.settings(), object_id or uuid.uuid4().hex, hosted)
        return obj

    async def call_on(self, obj: GraftObject, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        """Calls the instance method `method` of `obj`'s hosted object."""
        state = obj._graft_state
        positional, named = _given(state.service, method, args, kwargs)
        return await state.call(method, positional, named)

    def stream_on(self, obj: GraftObject, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Stream:
        """Calls the streaming instance method `method` of `obj`'s hosted object."""
        state = obj._graft_state
        positional, named = _given(state.service, method, args, kwargs)
        return object_stream(state, method, positional, named)


async def _kept(metadata: Mapping[str, str], work: Awaitable[Any]) -> Any:
    """`work` (a hosted coroutine) awaited with `metadata` as its incoming metadata."""
    token = _INCOMING.set(metadata)
    try:
        return await work
    finally:
        _INCOMING.reset(token)


def _attach(obj: GraftObject, state: ObjectState) -> ObjectState:
    obj._graft_state = state
    state.owner = weakref.ref(obj)
    weakref.finalize(obj, state.finalize)
    return state


def _given(service: str, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Tuple[List[Any], Dict[str, Any]]:
    """The arguments to send: those left to the hosted default (NOT_GIVEN) left out."""
    positional = list(args)
    while positional and positional[-1] is NOT_GIVEN:
        positional.pop()
    named = kwargs
    for value in kwargs.values():
        if value is NOT_GIVEN:
            named = {k: v for k, v in kwargs.items() if v is not NOT_GIVEN}
            break
    if positional and any(a is NOT_GIVEN for a in positional):
        name = "%s.%s" % (service, method)
        raise TypeError("%s: a positional argument left to its hosted default is followed by one that is given" % name)
    return positional, named


class GraftConfig:
    """Where this graft's calls run: `GraftConfig.set_config(text)`.

    `text` is a connection string such as
    `name=graft-pypi-x;host=calc:9092;runtime=python;modules=/app/src`,
    or several, one a line; `None` or `""` means no configuration set in
    code. Environment variables and files take precedence (docs/CONFIG.md).
    """

    _graft_client: ClassVar[GraftClient]

    @classmethod
    def set_config(cls, text: Optional[str]) -> None:
        cls._graft_client.set_config(text)

    @classmethod
    def get_config(cls) -> Settings:
        """The configuration in force and where it came from (`.source`)."""
        return cls._graft_client.settings()

    @classmethod
    def set_headers(cls, headers: Optional[Mapping[str, str]]) -> None:
        """Metadata (str names and values) every call of this graft carries; None for none."""
        _headers.set_headers(headers)

    @staticmethod
    def headers(headers: Mapping[str, str]) -> ContextManager[None]:
        """`with GraftConfig.headers({...}):` adds metadata to the calls made inside the block."""
        return _headers.block(headers)

    @classmethod
    def reload(cls) -> None:
        """Reads the environment variables and files again on the next call."""
        cls._graft_client.reload()

    @staticmethod
    async def send(method: Callable[..., Awaitable[None]], *args: Any, **kwargs: Any) -> None:
        """`await GraftConfig.send(Svc.notify, ...)`: queues a `-> None` call
        through the broker (host=redis://...) without waiting for it to run."""
        await _broker.sending(method, args, kwargs)
