"""Webhooks: posts signed per the Standard Webhooks specification, for any system that takes
them over HTTP (the HueS app, a district radio). See channels.webhook.adapter and
docs/channels/webhook.md."""

from channels.webhook.adapter import Webhook

__all__ = ["Webhook"]
