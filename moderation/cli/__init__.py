"""The ``moderation`` command: set up, administer, serve and demonstrate the service.

``base`` holds the group and what the commands share; ``commands`` the service's own (init, sites,
serve, demo); ``people`` those about people (bans, moderators' accounts, tokens); ``outbox``
the webhooks, Slack channels and the delivery worker; ``transfer`` import and export."""

from . import commands, outbox, people, privacy, report, transfer  # noqa: F401 - their commands join the group
from .base import main

__all__ = ["main"]
