"""``python -m redroute`` runs the command line."""

from redroute.cli import main

main()
