"""The service talks back: events written to an outbox in the transaction of the change that
causes them, then delivered by a worker as signed webhooks, Slack messages and mail.

``events`` writes the outbox (the core calls it; nothing here is sent inside a request);
``routing`` turns an event into deliveries; ``worker`` leases, sends and retries them;
``webhooks``, ``slack`` and ``mail`` send one delivery each; ``targets`` decides which addresses a
delivery may reach; ``endpoints``, ``deliveries``, ``subscriptions`` and ``notices`` are what the
faces (CLI, dashboard, API) call.
"""
