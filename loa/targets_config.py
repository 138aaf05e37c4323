"""`targets:` in config.yaml: what the plan expects each reporting year, set by administrators.

    targets:
      posts_per_month: 4          # every department, unless named under departments
      departments: {SDL: 6}       # department code -> posts a month
      topic_min_per_quarter: 1    # each topic (a-i) at least this often, province-wide
      pillar_min_share: 0.15      # each pillar's least share of the posts
      channels: [fb-asean-hue]    # the channels expected in use (default: every channel)
      years:                      # a reporting year's own figures (it ends on 1 November)
        2027: {posts_per_month: 6}

Without the section, content.targets' defaults apply.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from content.targets import (
    DEFAULT_PILLAR_MIN_SHARE,
    DEFAULT_POSTS_PER_MONTH,
    DEFAULT_TOPIC_MIN_PER_QUARTER,
    Targets,
)

PerMonth = Annotated[int, Field(ge=0, le=1000)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class YearTargets(BaseModel):
    """One reporting year's figures; what is not set comes from the section's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    posts_per_month: PerMonth | None = None
    departments: dict[str, PerMonth] | None = None
    topic_min_per_quarter: PerMonth | None = None
    pillar_min_share: Share | None = None
    channels: tuple[str, ...] | None = None


class TargetsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    posts_per_month: PerMonth = DEFAULT_POSTS_PER_MONTH
    departments: dict[str, PerMonth] = Field(default_factory=dict)
    topic_min_per_quarter: PerMonth = DEFAULT_TOPIC_MIN_PER_QUARTER
    pillar_min_share: Share = DEFAULT_PILLAR_MIN_SHARE
    channels: tuple[str, ...] | None = None
    years: dict[Annotated[int, Field(ge=2000, le=2099)], YearTargets] = Field(default_factory=dict)

    def for_year(self, year: int) -> Targets:
        """The targets of the reporting year that ends on 1 November `year`."""
        own = self.years.get(year, YearTargets())
        departments = dict(self.departments)
        departments.update(own.departments or {})
        return Targets(
            posts_per_month=_first(own.posts_per_month, self.posts_per_month),
            department_posts_per_month=departments,
            topic_min_per_quarter=_first(own.topic_min_per_quarter, self.topic_min_per_quarter),
            pillar_min_share=_first(own.pillar_min_share, self.pillar_min_share),
            channels=own.channels if own.channels is not None else self.channels,
        )

    def codes(self) -> tuple[set[str], set[str]]:
        """Every department code and channel id the section names (for the config's cross-check)."""
        departments = set(self.departments)
        channels = set(self.channels or ())
        for year in self.years.values():
            departments |= set(year.departments or {})
            channels |= set(year.channels or ())
        return departments, channels


T = TypeVar("T")


def _first(value: T | None, default: T) -> T:
    return default if value is None else value
