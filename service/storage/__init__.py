"""Persistence: SQLAlchemy tables, the ``Store`` repository of articles, passages, copy
links and word counts, the ``StoryStore`` of stories, the ``FeedStore`` of watched feeds
and their entries, and the migrations (Alembic).
Imports the domain only."""
