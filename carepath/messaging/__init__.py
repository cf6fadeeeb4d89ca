"""CarePath on messaging channels: SMS and WhatsApp (Twilio), Telegram, Slack, Facebook Messenger.

Each module subclasses Rasa's own channel; ``carepath.credentials`` writes
them into the credentials file from the environment.

- ``text_only``: buttons as numbered options, sources as short links, SMS splitting
- ``handling``: what every channel does around Rasa (option replies, rate limit, apology)
- ``options``, ``opt_out``: the numbered options shown and the STOP list, in the database
- ``keywords``: STOP/START/HELP and their replies (``knowledge_base/messaging.yml``)
- ``twilio``, ``telegram``, ``slack``, ``facebook``: the channels
"""
