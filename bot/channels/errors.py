"""Exceptions of the channel layer; webhooks turn them into 4xx answers."""

from __future__ import annotations


class ChannelError(Exception):
    """Base class for every error a channel raises on purpose."""


class RequestRejected(ChannelError):
    """An incoming request is not acceptable; nothing of it is processed."""

    status = 400


class SignatureInvalid(RequestRejected):
    """The signature does not match or the timestamp is outside the window."""

    status = 403


class ReceiverMismatch(RequestRejected):
    """A WeCom message decrypted for another CorpID."""

    status = 403


class MalformedMessage(RequestRejected):
    """The body cannot be decrypted or parsed."""


class TooLarge(RequestRejected):
    status = 413


class DeliveryError(ChannelError):
    """One attempt to deliver a reply failed; it may be retried."""


class SendFailed(ChannelError):
    """A reply could not be delivered: retries exhausted or no longer possible."""


class NotConfigured(ChannelError):
    """The channel's credentials are missing from the environment."""
