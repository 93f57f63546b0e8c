"""The shipped village list: checking, suggesting and completing village names."""

from __future__ import annotations

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.villages import core, known_villages

BEIYANG = "410622102"  # 淇县北阳镇


def test_every_listed_village_belongs_to_a_shipped_township() -> None:
    villages = known_villages()
    assert len(villages.all) == 1041
    townships = {t.code for t in divisions().townships}
    assert {v.township_code for v in villages.all} <= townships
    assert all(v.code.startswith(v.township_code) and len(v.code) == 12 for v in villages.all)


def test_the_usual_spellings_of_a_village_are_known() -> None:
    villages = known_villages()
    assert "黄堆村" in villages.names(BEIYANG)
    for spelling in ("黄堆村", "黄堆", "黄堆村民委员会", " 黄堆村 "):
        assert villages.is_known(BEIYANG, spelling), spelling
    assert core("西一巷社区居民委员会") == "西一巷"


def test_a_typo_is_a_hint_with_the_nearest_name() -> None:
    villages = known_villages()
    assert not villages.is_known(BEIYANG, "黄对村")
    assert villages.suggest(BEIYANG, "黄对村") == "黄堆村"  # same sound
    assert villages.suggest(BEIYANG, "骑河王庄村") == "骑河黄庄村"  # one character off
    assert villages.suggest(BEIYANG, "完全不相干") is None
    assert villages.suggest(BEIYANG, "黄堆村") is None  # known: nothing to suggest


def test_a_village_of_another_township_is_not_known_here() -> None:
    villages = known_villages()
    here = {core(name) for name in villages.names(BEIYANG)}
    other = next(v for v in villages.all if core(v.short_name) not in here)
    assert not villages.is_known(BEIYANG, other.short_name)
    assert villages.is_known(other.township_code, other.short_name)


def test_the_hint_names_the_nearest_village_or_only_says_it_is_unlisted() -> None:
    villages = known_villages()
    assert villages.hint(BEIYANG, "黄推村") == "不在本乡镇的村名单中，是否为“黄堆村”？"
    assert villages.hint(BEIYANG, "新建村") == "不在本乡镇的村名单中"  # nothing near
    assert villages.hint(BEIYANG, "黄堆村民委员会") is None
    assert villages.hint(BEIYANG, None) is None
