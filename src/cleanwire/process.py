"""Process-level behaviour of a command: interrupts, broken pipes, errors as exit codes, the fast exit.

SIGTERM and SIGHUP become KeyboardInterrupt as SIGINT already is, so cleanup code runs; writes that must not
be cut in half hold the signals back for a moment; the reader of standard output going away ends the run
quietly; and the command's own process leaves without the interpreter's teardown once its outputs are written.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, NoReturn

import click

from cleanwire.errors import ConfigError, ExitCode, ResourceError

_INTERRUPTS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
# set in click's root context object by run_as_process: the command runs in its own process and may end it
_OWN_PROCESS = "hard_exit"


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP until the block ends, so a write is never cut in half (POSIX main thread)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def install_signal_handlers() -> None:
    """Turn SIGTERM (and SIGHUP) into KeyboardInterrupt, as SIGINT already is, so cleanup code runs."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_interrupt)


def _in_own_process() -> bool:
    """Whether the running click command was started by run_as_process (not by a library caller or a test)."""
    context = click.get_current_context(silent=True)
    return context is not None and bool((context.find_root().obj or {}).get(_OWN_PROCESS))


def _block_late_interrupts() -> None:
    """Block SIGINT/SIGTERM/SIGHUP for good: the run is over and its outputs are complete."""
    if hasattr(signal, "pthread_sigmask") and _in_own_process():
        # a signal from now on (a process-group SIGTERM that came a moment late) must not turn the exit
        # into a death by signal while the interpreter shuts down, after its handlers are gone. Only in the
        # command's own process: a blocked mask would pass on to whatever a library caller starts next.
        signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)


def _exit_interrupted() -> NoReturn:
    """Say so on stderr and exit with code 130."""
    click.echo("cleanwire: interrupted", err=True)
    if _in_own_process():
        # outputs are closed by now; a worker killed mid-message can leave the pool's manager
        # thread waiting forever, and the interpreter's exit would wait for that thread
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.INTERRUPTED)
    sys.exit(ExitCode.INTERRUPTED)


def _exit_broken_pipe() -> NoReturn:
    """The reader went away (`| head`): stop quietly, as a Unix tool killed by SIGPIPE does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(ExitCode.BROKEN_PIPE)


THREAD_START_FAILED = "can't start new thread"  # CPython's RuntimeError when pthread_create fails


def is_thread_start_failure(exc: BaseException) -> bool:
    """Whether `exc` is a thread that could not be started (out of memory, or of threads)."""
    return isinstance(exc, RuntimeError) and THREAD_START_FAILED in str(exc)


def _out_of_resources(exc: BaseException) -> NoReturn:
    """Memory or threads ran out outside one document: one line and exit code 71 (EX_OSERR), never a hang."""
    if isinstance(exc, ResourceError):
        reason = str(exc)
    elif isinstance(exc, MemoryError):
        reason = f"out of memory ({exc})" if str(exc) else "out of memory"
    else:
        reason = "cannot start a thread (out of memory or of threads)"
    click.echo(f"error: cannot go on: {reason}", err=True)
    sys.exit(ExitCode.OUT_OF_RESOURCES)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command with library errors as usage errors and interrupts as exit code 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        install_signal_handlers()
        try:
            return fn(*args, **kwargs)
        except SystemExit:
            _block_late_interrupts()
            raise
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc
        except KeyboardInterrupt:
            _exit_interrupted()
        except BrokenPipeError:
            _exit_broken_pipe()
        except OSError as exc:  # the output could not be written: disk full, read-only, a file in the way
            click.echo(f"error: cannot write output: {exc}", err=True)
            sys.exit(ExitCode.OUTPUT_FAILED)
        except (MemoryError, ResourceError) as exc:  # the machine's limits, not an input's fault nor a bug
            _out_of_resources(exc)
        except RuntimeError as exc:
            if not is_thread_start_failure(exc):
                raise
            _out_of_resources(exc)

    return wrapper


def run_as_process(command: click.Command, prog_name: str) -> None:
    """Run a click command as the whole process, then leave at once with its exit code."""
    try:
        command(prog_name=prog_name, obj={_OWN_PROCESS: True})
    except MemoryError:  # outside the command's guard: click itself, parsing the arguments
        print("error: cannot go on: out of memory", file=sys.stderr)
        _exit_now(ExitCode.OUT_OF_RESOURCES)
    except SystemExit as done:
        # the command is over: its outputs are written and closed, its workers and temporary files
        # gone. Leave without the interpreter's teardown, which would free a heap of fingerprints and
        # ids object by object for nothing (0.2 s per 100k documents). Not under a profiler or a
        # tracer (cProfile, coverage): they write their results at exit
        if sys.getprofile() is not None or sys.gettrace() is not None:
            raise
        _exit_now(done.code)


def _exit_now(code: str | int | None) -> NoReturn:
    """End the process with `code` as sys.exit would, flushing what is left but skipping the teardown."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream closed: nothing to keep
            pass
    os._exit(code or 0)
