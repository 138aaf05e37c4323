"""The website through the WordPress REST API: the adapter, the client (api), the media library
(library) and figures (metrics)."""

from channels.wordpress.adapter import WordPress

__all__ = ["WordPress"]
