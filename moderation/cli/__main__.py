"""``python -m moderation.cli``: the ``moderation`` command."""

from . import main

main()
