"""Which graft makes a call: its name and version, sent in each remote
call's metadata as `graft-version: graft-pypi-shop/1.1.0` (docs/PROTOCOL.md,
"Metadata"). A gateway whose interface changed since that version refuses
the calls it no longer answers as this graft expects, naming the method and
both versions, instead of running them with arguments or a result the graft
does not expect."""

from typing import Optional, Tuple

__all__ = ["HEADER", "REFUSED", "graft_version", "with_graft"]

HEADER = "graft-version"

# In the message of each NotFound the gateway answers for this graft's
# version (crates/graft-gateway/src/index/versions.rs): on an object such an
# error is no sign that the object was released.
REFUSED = " is not served as that graft knows it"

Pairs = Tuple[Tuple[str, str], ...]

def graft_version(distribution: str) -> str:
    """`<distribution>/<version>` of an installed graft; "" when it is not
    installed as a distribution (then its calls are not checked)."""
    try:
        from importlib import metadata
        return "%s/%s" % (distribution, metadata.version(distribution))
    except Exception:  # not installed, or no importlib.metadata
        return ""


def with_graft(metadata: Pairs, graft: str) -> Pairs:
    """`metadata` with the calling graft's version `graft` in place of any
    it carried on from the call being served."""
    if metadata:
        metadata = tuple(pair for pair in metadata if pair[0] != HEADER)
    return metadata + ((HEADER, graft),) if graft else metadata
