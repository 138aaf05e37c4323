"""How a post on a platform is recognised as ours: a marker unique to the installation, post and
channel.

Reconciling after a lost answer asks the platform whether the post is there. Matching by title or
slug alone records someone else's post as ours (a second Loa database on the same site numbers
its posts from 1 again), so `find` accepts a post only if it carries `Publication.marker`:

- where the platform keeps a field of ours that readers do not see (a WordPress slug, a YouTube
  tag), the marker goes there as it is;
- where it keeps only the text people read (a Facebook message, a Zalo article), `invisible`
  appends a digest of the marker spelt in zero-width characters, which `carries` reads back.
"""

from __future__ import annotations

import hashlib

PREFIX = "loa"
# Four zero-width characters: two bits each. U+2063 (invisible separator) opens the run, so a
# digest is never confused with zero-width joiners that the text itself contains (emoji, Indic).
_DIGITS = ("\u200b", "\u200c", "\u200d", "\u2060")
_OPEN = "\u2063"
_DIGEST_BYTES = 8  # 64 bits: a collision between two markers is not a practical concern


def marker_for(installation: str, post_id: int, channel_id: str) -> str:
    """`loa-<installation>-<post>-<channel>`: lower-case letters, digits and hyphens (a slug)."""
    return f"{PREFIX}-{installation}-{post_id}-{channel_id}".lower()


def invisible(marker: str) -> str:
    """The marker's digest in zero-width characters (33 characters, none of them visible)."""
    digest = hashlib.sha256(marker.encode()).digest()[:_DIGEST_BYTES]
    spelt = "".join(_DIGITS[(byte >> shift) & 3] for byte in digest for shift in (6, 4, 2, 0))
    return _OPEN + spelt


def carries(text: str | None, marker: str) -> bool:
    """Whether a text read back from the platform carries this marker (visibly or not)."""
    if not text or not marker:
        return False
    return invisible(marker) in text or marker in text


def strip_invisible(text: str) -> str:
    """The text without any marker digest, for comparing what people see."""
    start = text.find(_OPEN)
    while start != -1:
        end = start + 1
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        text = text[:start] + text[end:]
        start = text.find(_OPEN)
    return text
