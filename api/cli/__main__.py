"""`python -m api.cli` runs the `handoff` command line."""

from api.cli import main

main()
