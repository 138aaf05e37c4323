"""YouTube: the adapter, the Data API client (client), resumable uploads (upload), the video's
metadata, finding a lost upload (find), figures (metrics) and OAuth (oauth)."""

from channels.youtube.adapter import YouTube

__all__ = ["YouTube"]
