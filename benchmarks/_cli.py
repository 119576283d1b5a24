"""Argument types shared by the benchmarks' command lines (not a benchmark).

A value out of range is refused by argparse in one line (exit status 2) before any work.
The benchmarks are run as scripts (``python benchmarks/X.py``), so this module is found
next to them.
"""
from __future__ import annotations

import argparse
import math


def _number(kind, low: float, strict: bool, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value) or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value
    parse.__name__ = what  # argparse names the type in its messages
    return parse


#: an integer >= 1
positive_int = _number(int, 0, True, "a positive integer")
#: an integer >= 0
nonnegative_int = _number(int, 0, False, "an integer >= 0")
#: a finite number > 0
positive_float = _number(float, 0.0, True, "a number > 0")


def one_of(choices, what: str):
    """A comma-separated list of names, each among ``choices``."""
    def parse(text: str) -> tuple:
        names = tuple(x for x in text.split(",") if x)
        bad = [x for x in names if x not in choices]
        if bad or not names:
            raise argparse.ArgumentTypeError(f"{text!r}: {what} are among {', '.join(choices)}")
        return names
    return parse
