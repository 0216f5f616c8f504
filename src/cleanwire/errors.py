"""The cleanwire error family and the process exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the command line, documented in --help and the README."""

    SUCCESS = 0
    INPUT_ERRORS = 1  # some inputs failed; each is named on stderr, the rest were processed
    USAGE = 2  # bad options or arguments; nothing was processed
    DUPLICATES_FOUND = 3  # --fail-on-duplicates and at least one duplicate was found
    OUTPUT_FAILED = 4  # the output could not be written (disk full, read-only, a file in the way)
    OUT_OF_RESOURCES = 71  # memory, a thread or a process could not be had outside one document (EX_OSERR)
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # the reader of standard output went away (`| head`), as a Unix tool killed by SIGPIPE


class CleanwireError(Exception):
    """Base of every error cleanwire raises on purpose."""


class ConfigError(CleanwireError):
    """Options that do not fit together; raised before any input is read."""


class ResourceError(CleanwireError):
    """The run cannot go on: memory, a thread or a worker process could not be had (not one document's fault)."""
