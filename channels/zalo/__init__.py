"""Zalo Official Account: the adapter (oa), the OpenAPI client (api), articles (article), errors,
figures (metrics) and connecting an account (connect)."""

from channels.zalo.oa import ZaloOA

__all__ = ["ZaloOA"]
