"""Messaging platforms: one module per platform (input channel, sender, pure checks).

``render`` turns the bot's messages into what a chat platform shows,
``inbox`` is what every chat platform does with an accepted message,
``dedup`` remembers which platform messages were already taken.
"""
