"""What users send, turned into ``ArticleInput``: fields, JSON bodies and lines checked
(``fields``), files, seeds and pasted forms read (``files``), feed documents and feed
requests read (``feeds``). Pure: nothing here is stored, cleaned, embedded or fetched."""
