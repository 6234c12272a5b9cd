"""Process-level settings the pipeline runs under."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a corpus is read, mapped and written.

    The pipeline makes millions of small acyclic objects (terms, triples,
    lines), which reference counting frees; the collector would re-scan the
    growing heap again and again for cycles that are not there. Measured on
    10,000 records: load + map + validate + Turtle export 19.1 s with it,
    14.8 s without. It is switched back on, as it
    was, afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def chunk_collector() -> Iterator[Callable[[], object]]:
    """A collection to call after each chunk of a chunked loop run while the collector is paused.

    Some chunks build objects with reference cycles (an rdflib Graph and
    its namespace manager), which reference counting never frees: with the
    collector paused, every chunk's graph would stay in memory to the end.
    What exists before the loop is frozen, so each call scans only what
    the chunks made, not the whole heap.
    """
    gc.freeze()
    try:
        yield gc.collect
    finally:
        gc.unfreeze()


__all__ = ["chunk_collector", "collector_paused"]
