"""Start `handoff worker` processes fast enough for the chaos test: this process imports what a
worker imports, once, then for each line read on stdin ("worker --concurrency 1", ...) forks a child
that runs the real CLI entry, `api.cli.main(args)`, and prints the child's pid. Nothing is opened
before the fork (no connection, no thread): each child starts its runtime, pool and job worker itself,
exactly as `handoff worker` does, and can be killed with SIGKILL like one."""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    import api.cli
    import agents.wiring  # noqa: F401 (every agent module, as a worker loads them)
    # What the graph's nodes and the model registry import on first use (skops alone takes seconds).
    import langgraph.checkpoint.postgres  # noqa: F401
    import skops.io  # noqa: F401
    import tools.intake.classifier  # noqa: F401
    from tools.intake import extract, injection, sensitivity, summarize  # noqa: F401
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they die
    print("ready", flush=True)
    for line in sys.stdin:
        args = line.split()
        if not args:
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                api.cli.main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
