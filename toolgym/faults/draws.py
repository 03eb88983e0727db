"""Where every fault's randomness comes from: numbered streams of one seeded generator.

Each episode seeds one PCG64 generator with numpy's ``SeedSequence(episode seed)`` and reads
it at numbered places: stream ``(region, index)`` starts ``2**64 * region + 2**32 * index``
draws in (PCG64 jumps there in logarithmic time), so streams never overlap and opening one
costs a jump, not a seeding.

- Regions 0, 1 and 2 hold the *gates*: the reset, each turn, and each call of the episode
  (numbered in order) get a block with ``RESERVED`` draws per fault that may fire there; the
  first is the fault's probability draw, the rest its quick picks. Blocks are read a few at a
  time, and the probability draws of a chunk are compared in one vectorised step, so a call
  where no fault fires costs a list lookup, not a generator call or a loop over faults; a
  fault that fires reads its quick picks as Python floats.
- Region ``3 + i`` is fault ``i``'s own stream, indexed by step and call position, for faults
  that need more than their reserved draws.

Same seed, same actions: same draws, in any process; nothing here reads global ``random``
or the clock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["CALL", "RESERVED", "RESET", "TURN", "Gates", "Streams"]

RESERVED = 6  # draws per fault in a gate block: its gate, then quick picks
RESET, TURN, CALL = 0, 1, 2  # the gate regions


class Streams:
    """The numbered streams of one episode."""

    __slots__ = ("_bits", "_cursor", "_generator", "_start")

    def __init__(self, seed: int) -> None:
        self._bits = np.random.PCG64(np.random.SeedSequence(seed))
        self._start = self._bits.state
        self._generator = np.random.Generator(self._bits)
        self._cursor = 0  # draws consumed so far: a jump forward needs no rewind

    def draw(self, region: int, index: int, count: int, skip: int = 0) -> list[float]:
        """``count`` floats in [0, 1): draws ``skip``.. of stream ``(region, index)``."""
        return self.draw_array(region, index, count, skip).tolist()

    def draw_array(self, region: int, index: int, count: int, skip: int = 0) -> np.ndarray:
        """:meth:`draw` as a numpy array."""
        offset = (region << 64) + (index << 32) + skip
        if offset < self._cursor:
            self._bits.state = self._start
            self._cursor = 0
        if offset > self._cursor:
            self._bits.advance(offset - self._cursor)
        self._cursor = offset + count
        return self._generator.random(count)

    def own(self, fault: int, step: int, position: int, count: int, skip: int) -> list[float]:
        """Draws of fault ``fault``'s own stream at a step and call position."""
        return self.draw(3 + fault, (step << 16) + position, count, skip)


class Gates:
    """The gate blocks of one region (reset, turns or calls), read a chunk at a time.

    ``probabilities`` holds each gate's firing probability, in gate order; a block comes with
    the gates whose probability draw let them through (``open``), found for the whole chunk
    at once.
    """

    __slots__ = ("_chunk", "_number", "_open", "_per_chunk", "_probabilities", "_region",
                 "_words", "size", "streams")  # fmt: skip

    def __init__(
        self, streams: Streams, region: int, probabilities: Sequence[float], per_chunk: int = 4
    ) -> None:
        self.streams = streams
        self.size = RESERVED * len(probabilities)
        self._probabilities = np.asarray(probabilities, dtype=np.float64)
        self._region = region
        self._per_chunk = per_chunk
        self._number = -1
        self._words = np.zeros(0)
        self._open: list[list[int]] = []

    def block(self, number: int) -> tuple[np.ndarray, int, list[int]]:
        """Block ``number``: the array that holds it, where it starts, and its open gates."""
        chunk, place = divmod(number, self._per_chunk)
        if chunk != self._number:
            draws = self.streams.draw_array(self._region, chunk, self.size * self._per_chunk)
            shape = (self._per_chunk, len(self._probabilities), RESERVED)
            blocks, slots = np.nonzero(draws.reshape(shape)[:, :, 0] < self._probabilities)
            self._open = [[] for _ in range(self._per_chunk)]
            for block, slot in zip(blocks.tolist(), slots.tolist(), strict=True):
                self._open[block].append(slot)
            self._words = draws
            self._number = chunk
        return self._words, place * self.size, self._open[place]
