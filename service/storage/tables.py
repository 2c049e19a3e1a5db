"""Database tables (SQLAlchemy Core). Rows, not domain values: store.py converts.

``blocks`` holds the cleaned text's map back to the original as a JSON list of
``[clean_start, original_start, length]`` triples.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# BigInteger ids on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
Id = BigInteger().with_variant(Integer, "sqlite")

articles = Table(
    "articles",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),  # as received (HTML input: the extracted text)
    Column("html", Text, nullable=True),  # the HTML as received, when HTML was sent
    Column("clean_text", Text, nullable=False),
    Column("blocks", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),  # sha256 of the normalised clean text
    Column("url", String(2048), nullable=True),
    Column("title", Text, nullable=True),
    Column("outlet", String(200), nullable=True),
    Column("outlet_key", String(200), nullable=False, server_default=""),  # the outlet, '' when unknown
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("language", String(16), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A repeat is the same outlet with the same cleaned text (or the same URL): another
    # outlet's identical text is a republication, its own article and a whole copy.
    UniqueConstraint("outlet_key", "content_hash", name="uq_articles_outlet_text"),
    UniqueConstraint("url", name="uq_articles_url"),
)
Index("ix_articles_outlet_published", articles.c.outlet, articles.c.published_at)
Index("ix_articles_published", articles.c.published_at)
Index("ix_articles_content_hash", articles.c.content_hash)

# In how many stored articles each content word occurs (service.reuse.templates): what
# tells a rare word (a name, a figure) from a common one. The row of the empty word counts
# the articles (Store.word_stats).
corpus_words = Table(
    "corpus_words",
    metadata,
    Column("word", String(64), primary_key=True),
    Column("articles", Integer, nullable=False),
)

# Ids of articles whose follow-up work (index, embeddings, stories) is done; batch jobs
# resume from here after an interruption.
article_jobs = Table(
    "article_jobs",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("job", String(40), primary_key=True),
    Column("done_at", DateTime(timezone=True), nullable=False),
)

# The last error of an article whose analysis failed for good (retries used up): its
# status reads ``failed`` until a later analysis succeeds and deletes the row.
article_failures = Table(
    "article_failures",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(60), nullable=False),
    Column("message", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
)

# MinHash signatures of overlapping passage windows (service.reuse), stored with the
# article so the passage index can be rebuilt at start without re-shingling.
passages = Table(
    "passages",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("start_char", Integer, nullable=False),  # character offsets into the article's text
    Column("end_char", Integer, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)

# Verified text reuse between two articles, oriented by publication time: ``target``
# (later) shares ``spans`` with ``source`` (earlier). ``relation`` tells copying between
# outlets from same-outlet reuse and identical reposts.
copy_links = Table(
    "copy_links",
    metadata,
    Column("target_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("relation", String(20), nullable=False),
    Column("share", Float, nullable=False),  # copied characters / characters of the target's cleaned text
    Column("credited", Boolean, nullable=False),
    Column("credit", String(200), nullable=True),  # the name the target credits, when it does
    Column("label", String(20), nullable=False),  # wholly | partially | non (METER)
    Column("spans", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("direction", String(20), nullable=False, server_default="known"),  # known | uncertain
    Column("direction_basis", String(20), nullable=True),  # dateline | credit | agency | time | id
    # The share of the more-copied article (service.reuse.shares.copied_share): the story score's.
    Column("pair_share", Float, nullable=False, server_default="0"),
)
Index("ix_copy_links_source", copy_links.c.source_id)
Index("ix_copy_links_created", copy_links.c.created_at)  # watches read the links made since they last looked

# What the story score compares, per article (vectors with the model that made them):
# kept so that clustering a new article never re-embeds the stored ones.
story_docs = Table(
    "story_docs",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("model_id", String(200), nullable=True),  # None: not embedded
    Column("dim", Integer, nullable=False),
    Column("lead", LargeBinary, nullable=True),  # float32 LE, see domain.StoredDoc
    Column("title", LargeBinary, nullable=True),
    Column("names", JSON, nullable=False),
)

# Story of each clustered article. ``published_at`` is copied from the article so that
# the time-window query of clustering reads one table.
story_members = Table(
    "story_members",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Id, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("support", Float, nullable=False),  # P(same event) with the closest member when it joined
)
Index("ix_story_members_story", story_members.c.story_id)
Index("ix_story_members_published", story_members.c.published_at)

# A story's listing fields, refreshed from its members whenever they change.
stories = Table(
    "stories",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("headline", Text, nullable=False),
    Column("article_count", Integer, nullable=False),
    Column("outlets", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=True),
    Column("last_seen", DateTime(timezone=True), nullable=True),
    Column("outlet_count", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=True),  # when its members last changed (watches)
)
Index("ix_stories_last_seen", stories.c.last_seen)
Index("ix_stories_updated", stories.c.updated_at)

# Feeds the watcher polls (service.pipeline.feeds); ``failures`` counts failed polls in a
# row, the exponent of the backoff; the last error is kept until a poll succeeds.
feeds = Table(
    "feeds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("url", String(2048), nullable=False),
    Column("outlet", String(200), nullable=False),
    Column("language", String(16), nullable=True),
    Column("every_seconds", Integer, nullable=False),
    Column("etag", Text, nullable=True),  # the last answer's validators, sent back on the next poll
    Column("last_modified", Text, nullable=True),
    Column("last_polled_at", DateTime(timezone=True), nullable=True),
    Column("next_poll_at", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("error_code", String(60), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("error_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("url", name="uq_feeds_url"),
)
Index("ix_feeds_next_poll", feeds.c.next_poll_at)

# Every entry a feed has shown, by its key (the entry's id or guid, else its link): an
# entry seen once is never fetched or stored again. ``article_id`` is null for a failed
# entry (``error_code`` says why) and once its article is deleted.
feed_entries = Table(
    "feed_entries",
    metadata,
    Column("feed_id", Id, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_key", String(2048), primary_key=True),
    Column("url", String(2048), nullable=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(20), nullable=False),  # stored | known | failed
    Column("error_code", String(60), nullable=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# Saved filters on the copy flags or the stories (``kind``), each with a webhook: every new
# match is recorded once in ``watch_matches`` and POSTed, signed with ``secret``.
# ``scanned_until``: the watch has looked at every link or story change up to then.
watches = Table(
    "watches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # flags | stories
    Column("filters", JSON, nullable=False),
    Column("webhook_url", String(2048), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("scanned_until", DateTime(timezone=True), nullable=False),
)

# One row per match of a watch (a link "target<-source", a story "story:id"), its JSON
# payload as sent, and its delivery: pending (``next_attempt_at``), delivered or failed
# (given up after the last attempt); the last attempt's HTTP status or error code kept.
watch_matches = Table(
    "watch_matches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("watch_id", Id, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("match_key", String(100), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("error_code", String(60), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("watch_id", "match_key", name="uq_watch_matches_key"),
)
Index("ix_watch_matches_due", watch_matches.c.status, watch_matches.c.next_attempt_at)
