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
    NOT_DUPLICATES = 5  # explain: the two documents are not duplicates (0 when they are)
    INTERNAL_ERROR = 70  # a bug in cleanwire (EX_SOFTWARE): one line on stderr, the traceback with CLEANWIRE_DEBUG=1
    OUT_OF_RESOURCES = 71  # memory, a thread or a process could not be had outside one document (EX_OSERR)
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # the reader of standard output went away (`| head`), as a Unix tool killed by SIGPIPE


class CleanwireError(Exception):
    """Base of every error cleanwire raises on purpose."""


class ConfigError(CleanwireError):
    """Options that do not fit together; raised before any input is read."""


class ResourceError(CleanwireError):
    """The run cannot go on: memory, a thread or a worker process could not be had (not one document's fault)."""


# What --help says of each code: what a user of each command can meet
_EXIT_CODE_LINES = [
    (ExitCode.SUCCESS, "success"),
    (ExitCode.INPUT_ERRORS, "some inputs failed (each named on stderr; the rest were processed)"),
    (ExitCode.USAGE, "usage error (bad option or argument; nothing was processed)"),
    (ExitCode.DUPLICATES_FOUND, "duplicates found, with --fail-on-duplicates (input errors take precedence)"),
    (ExitCode.OUTPUT_FAILED, "output could not be written (disk full, read-only, a file in the way); named on stderr"),
    (ExitCode.INTERNAL_ERROR, "internal error (a bug), in one line; CLEANWIRE_DEBUG=1 shows the traceback"),
    (ExitCode.OUT_OF_RESOURCES, "out of memory or threads outside one document (one line; the run cannot go on)"),
    (ExitCode.INTERRUPTED, "interrupted (SIGINT/SIGTERM); no half-written output file is left"),
    (ExitCode.BROKEN_PIPE, "the reader of standard output went away (e.g. `| head`); nothing is printed"),
]


def exit_codes_help(*, duplicates: bool = False) -> str:
    """The exit codes for --help; code 3 only for a command with --fail-on-duplicates."""
    lines = [f"  {code.value}  {meaning}" for code, meaning in _EXIT_CODE_LINES
             if duplicates or code != ExitCode.DUPLICATES_FOUND]
    return "\n\b\nExit codes:\n" + "\n".join(lines) + "\n"


EXIT_CODES_HELP = exit_codes_help()


EXPLAIN_EXIT_CODES_HELP = f"""
\b
Exit codes:
  {ExitCode.SUCCESS.value}  the two documents are duplicates
  {ExitCode.INPUT_ERRORS.value}  some inputs failed: one of the two documents could not be read (named on stderr)
  {ExitCode.USAGE.value}  usage error (bad option, or an id not in the inputs: close ids are suggested)
  {ExitCode.OUTPUT_FAILED.value}  the output could not be written
  {ExitCode.NOT_DUPLICATES.value}  the two documents are not duplicates
  {ExitCode.INTERNAL_ERROR.value}  internal error (a bug), in one line; CLEANWIRE_DEBUG=1 shows the traceback
  {ExitCode.OUT_OF_RESOURCES.value}  out of memory or threads outside one document (one line)
  {ExitCode.INTERRUPTED.value}  interrupted (SIGINT/SIGTERM)
  {ExitCode.BROKEN_PIPE.value}  the reader of standard output went away (e.g. `| head`); nothing is printed
"""
