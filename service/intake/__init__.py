"""What users send, turned into ``ArticleInput``: fields, JSON bodies and lines checked
(``fields``), files, seeds and pasted forms read (``files``). Pure: nothing here is
stored, cleaned or embedded. A new input source (a feed) belongs here."""
