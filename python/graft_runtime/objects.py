"""Remote objects: graft classes whose instances are hosted objects.

A hosted class with instance methods is a service with a constructor. Its
graft class derives from `GraftObject`: `Cart("ann", currency="EUR")`
keeps the constructor's arguments, and each instance method sends its call
to that one hosted object, in this process (`host=inMemory`) or on the
gateway (remote).

When the hosted object is made: at the first await on the graft object,
its first method call or `async with`, since `__init__` cannot await. So a
constructor's exception (a ValueError, an argument outside a Literal)
raises there, in both modes, and again from every later call on that
object. An object never awaited is never made, and passing one as an
argument before it is made is a TypeError.

Calls on one object run one at a time in order of arrival, calls on
different objects concurrently: in-process, each object has an
asyncio.Lock (FIFO); remotely the gateway does the same. A streaming
method holds the lock only while it is called, not while its items flow.

Release: `close()`, leaving `async with`, or the graft object being
garbage-collected (`weakref.finalize`) runs the hosted object's `close()`
(or `aclose()`, `__exit__`, `__aexit__`, the first it has); remotely it
sends a release and the gateway runs it, or its idle lease runs out. A call
on a released object raises `ReleasedObjectError`, the same in both modes.

A method annotated `Any` that returns a hosted object gives the same in
both modes: the graft object when the graft has its class, else an
`ObjectRef` (service and id), which passed back as an argument is the
hosted object again (`References`; remotely the gateway's table).
"""

import asyncio
import uuid
import weakref
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Set, Tuple, TypeVar

from .errors import UNMAPPED

_T = TypeVar("_T", bound="GraftObject")
_RELEASING: Set["asyncio.Future[Any]"] = set()  # release tasks started by a finalizer, kept until done


class ReleasedObjectError(LookupError):
    """A call on an object that was released (closed, garbage-collected, or
    its lease ran out on the gateway): the message names the object."""


class GraftObject:
    """The base of a graft class whose instances are hosted objects."""

    __graft_object__: ClassVar[bool] = True
    __graft_module__: ClassVar[str]  # the hosted module of the class
    _graft_client: ClassVar[Any]  # the graft's GraftClient
    _graft_state: "ObjectState"

    async def close(self) -> None:
        """Releases the hosted object (its own `close()` runs, if it has one);
        later calls raise ReleasedObjectError. Closing twice does nothing."""
        await self._graft_state.close()

    async def __aenter__(self: _T) -> _T:
        await self._graft_state.ready()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._graft_state.close()

    @classmethod
    def _graft_adopt(cls, object_id: str, hosted: Any = None) -> Any:
        """The graft object for a hosted object a method returned (a factory's
        result): the one already held for it, if any, else a new one."""
        return cls._graft_client.adopt(cls, object_id, hosted)

    def _graft_reference(self) -> Tuple[str, str]:
        """(service, id), to send this object as an argument."""
        return self._graft_state.reference()

    def __repr__(self) -> str:
        return "<%s>" % self._graft_state.name


def is_graft_object(value: Any) -> bool:
    return getattr(type(value), "__graft_object__", False) is True


class ObjectState:
    """One graft object's hosted object: where it lives, made or not, released or not.

    Holds no reference to the graft object, so that its finalizer can run.
    """

    def __init__(self, client: Any, service: str, module: str, args: Optional[Tuple[List[Any], Dict[str, Any]]]) -> None:
        self.client = client  # client.GraftClient: settings, local and remote calls
        self.service = service
        self.module = module
        self.args = args  # the constructor's arguments until the object is made
        self.id = ""  # the gateway's id; in-process, one of the same form, for messages
        self.settings: Any = None  # the configuration it was made under (its mode, for good)
        self.hosted: Any = None  # in-process: the hosted object
        self.error: Optional[BaseException] = None  # the constructor's exception
        self.closed = False
        self.lock: Optional[asyncio.Lock] = None  # construction (in-process: every call)
        self.loop: Optional[asyncio.AbstractEventLoop] = None  # where it was made (release on GC)
        self.owner: Optional["weakref.ref[GraftObject]"] = None  # the graft object, while it lives

    @property
    def name(self) -> str:
        return "%s object %s" % (self.service, self.id or "(not made yet)")

    def released(self) -> ReleasedObjectError:
        return ReleasedObjectError("%s was released" % self.name)

    @property
    def key(self) -> str:
        """What identifies the hosted object among those the client holds."""
        return "in-process %d" % id(self.hosted) if self.hosted is not None else self.id

    def made(self, settings: Any, object_id: str, hosted: Any) -> None:
        self.settings, self.id, self.hosted, self.args = settings, object_id, hosted, None
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        owner = self.owner() if self.owner is not None else None
        if owner is not None:
            self.client.objects[self.key] = owner

    def reference(self) -> Tuple[str, str]:
        if self.closed:
            raise self.released()
        if self.args is not None or self.error is not None:
            raise TypeError("%s object is not made yet: await one of its methods (or `async with` it) "
                            "before passing it as an argument" % self.service)
        return self.service, self.id

    def _lock(self) -> asyncio.Lock:
        if self.lock is None:
            self.lock = asyncio.Lock()
        return self.lock

    async def ready(self) -> None:
        """Makes the hosted object unless it is made (raises what its constructor raised)."""
        if self.closed:
            raise self.released()
        if self.args is not None or self.error is not None:
            async with self._lock():
                await self._make()

    async def _make(self) -> None:
        """Under the lock: the constructor's call, once."""
        if self.closed:
            raise self.released()
        if self.error is not None:
            raise self.error
        if self.args is None:
            return
        args, kwargs = self.args
        settings = self.client.settings()
        try:
            if settings.in_memory:
                hosted = self.client.local.construct(settings, self.service, self.module, args, kwargs)
                self.made(settings, uuid.uuid4().hex, hosted)
            else:
                ref = await self.client.remote.call(settings, self.service, "__init__", args, kwargs, types={})
                self.made(settings, ref.id, None)
        except UNMAPPED:
            raise
        except BaseException as exc:  # noqa: BLE001 - kept: every later call raises it too
            self.error, self.args = exc, None
            raise

    async def call(self, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        if self.closed:
            raise self.released()
        settings = self.settings or self.client.settings()
        if settings.in_memory:
            async with self._lock():
                if self.args is not None or self.error is not None or self.closed:
                    await self._make()
                from .remote import within  # noqa: PLC0415 - remote imports this module

                timeout = within(settings.timeout)  # no longer than the call being served has left
                work = self.client.local.call_on(self.hosted, method, args, kwargs, timeout)
                if timeout is None:
                    return await work
                return await self.client.timed(settings, self.service, method, work, timeout)
        if self.args is not None or self.error is not None:
            await self.ready()
        return await self.client.remote.call(self.settings, self.service, method, args, kwargs, obj=self.id)

    async def close(self) -> None:
        """Releases the hosted object, once; after calls already queued on it in-process."""
        if self.closed:
            return
        async with self._lock():
            if self.closed:
                return
            self.closed = True
            if self.args is not None or self.error is not None:
                return  # never made: nothing to release
            self.client.objects.pop(self.key, None)
            if self.settings.in_memory:
                hosted, self.hosted = self.hosted, None
                await self.client.local.release(hosted)
            else:
                await self.client.remote.release(self.settings, self.service, self.id)

    def finalize(self) -> None:
        """The graft object was garbage-collected: releases what was made (any thread)."""
        if self.closed or self.args is not None or self.error is not None:
            return
        self.closed = True
        try:
            if self.settings.in_memory:
                hosted, self.hosted = self.hosted, None
                _run_soon(self.client.local.run_closer(hosted), self.loop)
            else:
                loop = self.loop
                if loop is not None and not loop.is_closed():
                    loop.call_soon_threadsafe(_start_release, self)
                # else: no loop to send it on; the gateway's lease releases it
        except Exception:  # noqa: BLE001, S110 - a finalizer must not raise; the lease is left
            pass


def _start_release(state: ObjectState) -> None:
    task = asyncio.ensure_future(state.client.remote.release(state.settings, state.service, state.id))
    _RELEASING.add(task)
    task.add_done_callback(_released)


def _released(task: "asyncio.Future[Any]") -> None:
    _RELEASING.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed release (connection gone) is left to the lease


def _run_soon(result: Any, loop: Optional[asyncio.AbstractEventLoop]) -> None:
    """Finishes a hosted closer's result: a coroutine on a running loop, or on a loop of its own."""
    if not asyncio.iscoroutine(result):
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        task = running.create_task(result)
        _RELEASING.add(task)
        task.add_done_callback(_released)
    elif loop is not None and loop.is_running():
        asyncio.run_coroutine_threadsafe(result, loop)
    else:
        own = asyncio.new_event_loop()
        try:
            own.run_until_complete(result)
        finally:
            own.close()


class References:
    """In-process objects of hosted service classes the graft has no class
    for (a method annotated `Any` returned one): each is given back as the
    `ObjectRef` a gateway answers, with an id of its own, and an `ObjectRef`
    passed back as an argument is the hosted object again. They are kept as
    long as the graft's client is (a gateway keeps them for their lease)."""

    def __init__(self) -> None:
        self.hosted: Dict[str, Any] = {}
        self.ids: Dict[int, str] = {}

    def adopt(self, hosted: Any) -> Any:
        from .values import ObjectRef  # noqa: PLC0415 - values imports nothing of this module; kept local

        object_id = self.ids.get(id(hosted))
        if object_id is None or self.hosted.get(object_id) is not hosted:
            object_id = uuid.uuid4().hex
            self.hosted[object_id], self.ids[id(hosted)] = hosted, object_id
        return ObjectRef(type(hosted).__name__, object_id)

    def resolve(self, ref: Any) -> Any:
        found = self.hosted.get(ref.id)
        if found is None or type(found).__name__ != ref.service:
            raise LookupError("%s object %s is not on this gateway (released, expired, or made by another)"
                              % (ref.service, ref.id))
        return found


def is_service_class(cls: type) -> bool:
    """Whether instances of `cls` are objects of a hosted service (as
    discovery sees it): a plain class with a public method of its own."""
    if issubclass(cls, BaseException) or hasattr(cls, "__dataclass_fields__") or hasattr(cls, "_fields"):
        return False
    if hasattr(cls, "__pydantic_fields__") or isinstance(getattr(cls, "__members__", None), dict):
        return False
    return any(not name.startswith("_") and callable(attr) and not isinstance(attr, (staticmethod, classmethod))
               for klass in cls.__mro__[:-1] for name, attr in vars(klass).items())
