"""Live updates: Server-Sent Events of an article's thread for its readers, and of a site's
queue for its moderators.

The outbox is the source: every change that readers or moderators could see is an event
committed with it (``outbox.events``), so a stream tells of exactly the changes that happened,
numbered by their event ids (the ids a browser sends back as ``Last-Event-ID``). ``routes``
says which stream an event reaches, ``feed`` reads events and renders them, ``bus`` wakes each
process when events are committed, and ``hub`` holds the connections of one process in its
event loop, so that an idle reader costs a few kilobytes and never a thread.
"""
