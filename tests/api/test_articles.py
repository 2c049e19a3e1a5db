"""Article ingestion and retrieval through the API (TestClient, real SQLite)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import seed_metadata, seed_text

BODY = "أكد الرئيس الروسي فلاديمير بوتين ضرورة الحفاظ على سيادة ووحدة أراضي سورية.\nوقال إن المحادثات كانت بناءة."


def test_post_get_roundtrip_keeps_text_as_received(client: TestClient) -> None:
    text = "  " + BODY + "\n\nتابعونا عبر تطبيق تيلغرام على الرابط :\nhttps://telegram.me/example\n"
    response = client.post(
        "/articles",
        json={"text": text, "title": "بوتين", "outlet": "SANA", "url": "https://sana.example/1", "published_at": "2019-05-15T10:00:00+03:00"},
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["created"] is True
    article = client.get(f"/articles/{created['article']['id']}").json()
    assert article["text"] == text  # byte for byte as received
    assert "تيلغرام" not in article["clean_text"] and "telegram.me" not in article["clean_text"]
    assert "المحادثات كانت بناءة" in article["clean_text"]
    assert article["language"] == "ar"  # detected
    assert article["outlet"] == "SANA" and article["url"] == "https://sana.example/1"
    assert article["published_at"].startswith("2019-05-15T07:00:00")  # stored in UTC


def test_reposting_same_url_or_same_clean_text_returns_the_existing_article(client: TestClient) -> None:
    first = client.post("/articles", json={"text": BODY, "url": "https://a.example/x"}).json()["article"]
    again = client.post("/articles", json={"text": BODY, "url": "https://a.example/x"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["article"]["id"] == first["id"]
    # The URL with another text is a conflict (409), never a silent drop of the new text.
    edited = client.post("/articles", json={"text": BODY + " تعديل", "url": "https://a.example/x"})
    assert edited.status_code == 409 and edited.json()["code"] == "url_conflict"
    # Same cleaned text from another URL, with extra whitespace and chrome: still one article.
    repost = client.post("/articles", json={"text": "\n" + BODY + "\n\nاشترك مجانا في القائمة البريدية\n", "url": "https://b.example/y"})
    assert repost.status_code == 200 and repost.json()["article"]["id"] == first["id"]
    assert client.get("/articles").json()["total"] == 1


def test_another_outlets_identical_text_is_its_own_article_and_a_whole_copy(client: TestClient) -> None:
    story = (BODY + " ") * 4  # long enough to hold a copied passage
    agency = client.post("/articles", json={"text": story, "outlet": "SANA", "published_at": "2019-05-15T08:00:00Z"}).json()
    paper = client.post("/articles", json={"text": story, "outlet": "Al-Thawra", "published_at": "2019-05-15T11:00:00Z"})
    assert paper.status_code == 201 and paper.json()["created"] is True
    assert paper.json()["article"]["id"] != agency["article"]["id"]
    again = client.post("/articles", json={"text": story, "outlet": "Al-Thawra"})  # the same outlet's text again
    assert again.status_code == 200 and again.json()["article"]["id"] == paper.json()["article"]["id"]
    reuse = client.get(f"/articles/{paper.json()['article']['id']}/reuse").json()
    [link] = reuse["copied_from"]
    assert link["source"]["id"] == agency["article"]["id"] and link["label"] == "wholly" and link["relation"] == "copy"
    assert link["direction"] == "known" and link["direction_basis"] == "agency"  # SANA is an agency
    assert client.get("/articles").json()["total"] == 2


def test_html_is_extracted(client: TestClient) -> None:
    html = (
        "<html><head><title>Sochi talks</title></head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<article><h1>Putin meets Pompeo in Sochi</h1>"
        "<p>Russian President Vladimir Putin met US Secretary of State Mike Pompeo in Sochi on Tuesday, "
        "the Kremlin said, in talks that covered Syria, Iran and Venezuela.</p>"
        "<p>Both sides said they wanted to restore channels of communication that had been frozen for months.</p>"
        "</article><footer>Copyright 2019 Example News. All rights reserved.</footer></body></html>"
    )
    response = client.post("/articles", json={"html": html, "outlet": "Example"})
    assert response.status_code == 201, response.json()
    article = response.json()["article"]
    assert "Putin met US Secretary of State Mike Pompeo" in article["clean_text"]
    assert "Copyright" not in article["clean_text"]
    assert article["from_html"] is True and article["language"] == "en"


def test_list_filters_and_pages(client: TestClient) -> None:
    for i, (outlet, day) in enumerate([("A", "2019-05-14"), ("A", "2019-05-15"), ("B", "2019-05-15"), ("A", "2019-05-16")]):
        assert client.post("/articles", json={"text": f"{BODY} رقم {i}", "outlet": outlet, "published_at": day}).status_code == 201
    page = client.get("/articles", params={"outlet": "A"}).json()
    assert page["total"] == 3
    assert [a["published_at"][:10] for a in page["items"]] == ["2019-05-16", "2019-05-15", "2019-05-14"]
    dated = client.get("/articles", params={"since": "2019-05-15", "until": "2019-05-15"}).json()
    assert dated["total"] == 2 and {a["outlet"] for a in dated["items"]} == {"A", "B"}
    first, second = (client.get("/articles", params={"limit": 2, "offset": o}).json() for o in (0, 2))
    assert first["total"] == second["total"] == 4
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}


def test_delete(client: TestClient) -> None:
    article_id = client.post("/articles", json={"text": BODY}).json()["article"]["id"]
    assert client.delete(f"/articles/{article_id}").json() == {"ok": True, "deleted": article_id}
    assert client.get(f"/articles/{article_id}").status_code == 404
    assert client.delete(f"/articles/{article_id}").status_code == 404
    # Once deleted, the same text can be stored again.
    assert client.post("/articles", json={"text": BODY}).status_code == 201


def test_bulk_stores_good_lines_and_reports_bad_ones(client: TestClient) -> None:
    lines = [
        '{"text": "%s", "outlet": "A"}' % "الخبر الأول عن المحادثات في سوتشي",
        "{broken json",
        '{"text": "   "}',
        '{"text": "%s", "published_at": "not a date"}' % "خبر",
        "",
        '{"text": "%s", "outlet": "B"}' % "الخبر الثاني عن لقاء بوتين وبومبيو",
        '{"text": "%s", "outlet": "A"}' % "الخبر الأول عن المحادثات في سوتشي",
    ]
    body = ("\n".join(lines) + "\n").encode() + b'{"text": "\xff"}\n'
    result = client.post("/articles/bulk", content=body, headers={"Content-Type": "application/x-ndjson"}).json()
    assert result["stored"] == 2 and result["existing"] == 1 and result["failed"] == 4
    failures = {r["line"]: r["code"] for r in result["results"] if not r["ok"]}
    assert failures == {2: "invalid_json", 3: "empty_text", 4: "invalid_date", 8: "invalid_utf8"}
    assert client.get("/articles").json()["total"] == 2


def test_failed_request_leaves_no_rows(client: TestClient) -> None:
    client.post("/articles", json={"text": BODY, "outlet": "A"})
    for bad in ({"text": "", "outlet": "A"}, {"text": BODY + " x", "published_at": "2019-13-45"}, {"text": "x", "extra": 1}):
        assert client.post("/articles", json=bad).status_code >= 400
    assert client.get("/articles").json()["total"] == 1


def test_seed_articles_are_cleaned_and_intact(client: TestClient) -> None:
    for meta in seed_metadata():
        response = client.post(
            "/articles",
            json={"text": seed_text(meta["id"]), "title": meta["title"], "outlet": meta["outlet"], "published_at": meta["published"]},
        )
        assert response.status_code == 201
        clean = response.json()["article"]["clean_text"]
        if meta["id"].startswith("001"):
            assert "آخر الأخبار" not in clean and "الرئيس الأسد يتقبل أوراق اعتماد" not in clean
        if meta["id"].startswith("003"):
            assert "نحترم خصوصية المشتركين" not in clean and "يرجى التبرع" not in clean
            assert not clean.startswith("أخبارأخبار")
            assert "وأعرب بومبيو عن أمله في أن تسفر الجهود" in clean
        if meta["id"].startswith("004"):
            assert "telegram.me" not in clean and "واتس أب" not in clean and "انظر ايضاً" not in clean
            assert "على واشنطن إن أرادت تحسين العلاقات مع موسكو إلغاء العقوبات" in clean
