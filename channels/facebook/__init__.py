"""Facebook Page: the adapter (page), the Graph client (graph), its errors, corrections (edit),
video uploads (video), figures (metrics) and connecting a page (connect)."""

from channels.facebook.page import FacebookPage

__all__ = ["FacebookPage"]
