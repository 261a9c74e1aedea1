"""The business of comments, with no Flask request in sight: every function takes plain
arguments and a session, and never commits (the caller, a request or a command, owns the
transaction, so a submission or a bulk decision is stored whole or not at all).

- ``submit``: a reader's new comment, checked, sanitized, screened and stored
- ``edit``: the author's own comment, edited or deleted within the window
- ``reports``: readers' reports, and the withholding they cause
- ``decide``: moderators' decisions and what the spam score learns from them
- ``status``: every later change of status, with its log entry, counts and versions
- ``listing``: the moderation queue, its counts and what a card shows
- ``articles``: articles opened, closed and their moderation mode
- ``bans``: authors who may not comment
- ``screening``: what the rules need from the database
- ``writes``: the writes done on the driver (new comments, the log, counters)
- ``cursors``: the opaque cursors of paged lists
"""
