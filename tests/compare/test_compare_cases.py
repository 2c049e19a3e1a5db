"""Ten comparisons on development data (skipped where ../shared/data is absent).

SaudiNewsNet: five newspaper articles and the Saudi Press Agency (SPA) dispatch each
reused, hand-checked in the session's review of agency flags (README: "Wire copy on
SaudiNewsNet"): the comparison must show the copy and call them one story.
SemEval-2022 Task 8 (fr dev): the first three pairs the annotators rated the same story
(Overall <= 1.5) and the first two they rated unrelated (Overall >= 3.75), in file order:
the same-story verdict must order them as the annotators did.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.compare import compare
from service.config import Settings
from service.domain import ArticleInput
from service.eval.corpora import saudinewsnet_articles
from service.eval.semeval import read_pairs
from service.pipeline.prepare import preview
from service.pipeline.stories import StoryDesk
from service.storage.store import Store
from tests.conftest import ROOT, SHARED_DATA

pytestmark = [pytest.mark.model, pytest.mark.data, pytest.mark.slow]

SNN = SHARED_DATA / "saudinewsnet"
SEMEVAL_FR = SHARED_DATA / "semeval2022-t8-dev" / "train_fr_fr_72.csv"
# (newspaper url, agency url): execution statement, Kafif courses, oil and the yuan,
# GCC chambers' export strategy, electoral districts.
SNN_PAIRS = [
    ("http://www.al-jazirah.com/2015/20150811/ln62.htm", "http://www.spa.gov.sa/details.php?id=1386673"),
    ("http://www.3alyoum.com/news/local/a/كفيف-تدرّب-منسوبيها-على-استخدام-جهاز/", "http://www.spa.gov.sa/details.php?id=1386910"),
    ("http://www.alyaum.com/article/4083002", "http://www.spa.gov.sa/details.php?id=1387003"),
    ("http://www.alyaum.com/article/4082867", "http://www.spa.gov.sa/details.php?id=1386775"),
    ("http://www.aleqt.com/2015/08/11/article_980893.html", "http://www.spa.gov.sa/details.php?id=1387123"),
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> StoryDesk:
    db = tmp_path_factory.mktemp("cases") / "db.sqlite"
    settings = Settings(database_url=f"sqlite:///{db}", models_dir=ROOT / "models", redis_url=None)
    return StoryDesk(settings, Store.open(settings.database_url))


def _snn_articles() -> dict[str, ArticleInput]:
    if not SNN.is_dir():
        pytest.skip(f"no SaudiNewsNet at {SNN}")
    wanted = {url for pair in SNN_PAIRS for url in pair}
    found = {}
    for article in saudinewsnet_articles(SNN):
        if article.url in wanted and article.published_at and article.published_at >= datetime(2015, 8, 10, tzinfo=UTC):
            found[article.url] = article
    return found


def test_newspaper_and_the_agency_copy_it_reused(desk: StoryDesk) -> None:
    articles = _snn_articles()
    for paper_url, agency_url in SNN_PAIRS:
        paper, agency = preview(articles[paper_url]), preview(articles[agency_url])
        result = compare(paper, agency, encoder=desk.docs.cached_encoder, same_story=desk.similarity(paper, agency)).as_dict()
        copied = sum(s["a_end"] - s["a_start"] for s in result["copied_spans"]) / len(paper.text)
        assert copied >= 0.5, (paper_url, copied)
        assert result["same_story"]["probability"] > 0.5, paper_url
        assert {p["kind"] for p in result["aligned"]} & {"verbatim", "edited"}, paper_url


def test_semeval_same_story_pairs_score_below_unrelated_ones(desk: StoryDesk) -> None:
    if not SEMEVAL_FR.is_file():
        pytest.skip(f"no SemEval dev pairs at {SEMEVAL_FR}")
    pairs = [p for p in read_pairs(SEMEVAL_FR) if p.overall is not None and p.text1.strip() and p.text2.strip()]
    same = [p for p in pairs if p.overall <= 1.5][:3]
    unrelated = [p for p in pairs if p.overall >= 3.75][:2]
    assert len(same) == 3 and len(unrelated) == 2

    def verdict(pair) -> dict:  # type: ignore[no-untyped-def,type-arg]
        a = preview(ArticleInput(text=pair.text1, title=pair.title1 or None, language="fr"))
        b = preview(ArticleInput(text=pair.text2, title=pair.title2 or None, language="fr"))
        result = compare(a, b, encoder=desk.docs.cached_encoder, same_story=desk.similarity(a, b)).as_dict()
        for item in result["aligned"]:
            assert item["a_end"] <= len(a.text) and item["b_end"] <= len(b.text)
        return result

    same_scores = [verdict(p)["same_story"]["score"] for p in same]
    unrelated_results = [verdict(p) for p in unrelated]
    assert max(same_scores) < min(r["same_story"]["score"] for r in unrelated_results), same_scores
    for result in unrelated_results:
        assert not [q for q in result["quotes"] if q["a"] and q["b"]]
