"""Story clusters: the same-event score of two articles and the online clustering built on it.

evidence (StoryDoc, pair features) -> score (calibrated 1-4 scale, P(same event)) -> cluster.
"""

from __future__ import annotations

from service.stories.cluster import Assignment, StoryClusters, recluster
from service.stories.evidence import Evidence, StoryDoc, describe, is_covered, pair_evidence
from service.stories.score import SameStory, StoryScorer

__all__ = [
    "Assignment",
    "Evidence",
    "SameStory",
    "StoryClusters",
    "StoryDoc",
    "StoryScorer",
    "describe",
    "is_covered",
    "pair_evidence",
    "recluster",
]
