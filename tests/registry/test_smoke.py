async def test_standards_first_page(registry):
    data = await registry.data("{ standards(first: 5) { totalCount edges { node { code title level } } } }")
    assert data["standards"]["totalCount"] == 21
    assert [e["node"]["code"] for e in data["standards"]["edges"]][:2] == ["EC0011", "EC0038"]
