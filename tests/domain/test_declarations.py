"""The ledger declarations against the exchange contract (LEDGERS.md).

The county bureaus read workbooks by these headers, in this order, so they are copied
here by hand from LEDGERS.md: a change to a declaration that breaks the contract fails.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from hebi_desktop.domain.fields import Field, Kind, Ledger
from hebi_desktop.domain.registry import UnknownLedger, all_ledgers, get_ledger, ledger_keys
from hebi_desktop.domain.validation import check_record, validator_for
from tests.samples import SAMPLES

PLACE = ["县区", "乡镇", "行政村"]

HEADERS = {
    "housing": [*PLACE, "户主姓名", "身份证号", "联系电话", "家庭人口", "户类别", "房屋地址",
                "房屋结构", "建成年份", "层数", "建筑面积（㎡）", "排查方式", "排查日期", "排查人",
                "安全等级", "是否纳入改造", "改造方式", "改造进度", "补助金额（元）", "竣工日期",
                "是否销号", "销号日期", "备注"],
    "water": [*PLACE, "工程名称", "工程类型", "维修项目", "问题描述", "报修日期", "维修类型",
              "受益人口", "投入资金（元）", "资金来源", "施工单位", "开工日期", "完工日期", "进度",
              "验收日期", "验收人", "管护责任人", "联系电话", "备注"],
    "education": [*PLACE, "学生姓名", "身份证号", "性别", "出生日期", "就读学校", "学段", "年级",
                  "家庭类别", "监护人姓名", "联系电话", "资助项目", "学年", "学期",
                  "资助金额（元）", "发放日期", "备注"],
}  # fmt: skip

CHOICES = {
    "housing": {
        "户类别": "农村低保户, 农村分散供养特困人员, 低保边缘家庭, 防止返贫监测对象, 脱贫户, "
        "刚性支出困难家庭, 低收入残疾人家庭, 其他",
        "房屋结构": "砖混, 砖木, 土木, 石木, 框架, 窑洞, 其他",
        "排查方式": "农户日常自查, 镇村定期排查, 区及市随机巡查, 应急预警排查, 部门数据共享",
        "安全等级": "A级, B级, C级, D级",
        "改造方式": "修缮加固, 拆除重建, 异地新建, 置换或租赁, 其他",
        "改造进度": "未开工, 施工中, 已竣工, 已验收",
    },
    "water": {
        "工程类型": "城市管网延伸工程, 千吨万人供水工程, 千人供水工程, 百人以上集中供水工程, "
        "其他集中式供水, 分散式供水",
        "维修项目": "水源工程, 水处理设施, 消毒设施, 机电设备, 自动控制及信息设备, 水质检测设施, "
        "计量水表, 输配水管网, 其他",
        "维修类型": "维修, 养护, 更新改造",
        "资金来源": "中央资金, 省级资金, 市级资金, 县级资金, 乡镇资金, 村集体, 社会资金, 其他",
        "进度": "待维修, 维修中, 已完工, 已验收",
    },
    "education": {
        "学段": "学前教育, 小学, 初中, 普通高中, 中职, 高职（专科）, 本科, 研究生",
        "家庭类别": "脱贫户, 防止返贫监测对象, 农村低保户, 农村特困供养, 孤儿, 事实无人抚养儿童, "
        "残疾学生, 其他",
        "资助项目": "学前教育资助, 义务教育生活补助, 普通高中国家助学金, 普通高中免学杂费, "
        "中职国家助学金, 中职免学费, 雨露计划, 生源地信用助学贷款, 高校国家助学金, 其他",
        "学期": "春季学期, 秋季学期, 全学年",
    },
}

NATURAL_KEYS = {
    "housing": ["身份证号", "排查日期"],
    "water": ["工程名称", "行政村", "报修日期"],
    "education": ["身份证号", "资助项目", "学年", "学期"],
}

TITLES = {
    "housing": "住房安全动态监测台账",
    "water": "农村供水工程维修养护台账",
    "education": "教育资助台账",
}

DERIVED = {"housing": [], "water": [], "education": ["性别", "出生日期"]}
YES_NO = {"housing": ["是否纳入改造", "是否销号"], "water": [], "education": []}


def test_the_three_contract_ledgers_come_first_in_order() -> None:
    assert ledger_keys()[:3] == ("housing", "water", "education")
    assert [ledger.title for ledger in all_ledgers()][:3] == list(TITLES.values())
    assert len({ledger.table_name for ledger in all_ledgers()}) == len(all_ledgers())
    assert len({ledger.key for ledger in all_ledgers()}) == len(all_ledgers())


def test_unknown_ledger_message_is_chinese() -> None:
    with pytest.raises(UnknownLedger) as caught:
        get_ledger("roads")
    assert str(caught.value) == f"没有名为“roads”的台账（可选：{'、'.join(ledger_keys())}）"
    assert str(caught.value).startswith("没有名为“roads”的台账（可选：housing、water、education")


@pytest.mark.parametrize("key", list(HEADERS))
def test_headers_match_the_contract_in_order(key: str) -> None:
    ledger = get_ledger(key)
    assert ledger.title == TITLES[key]
    assert [f.header for f in ledger.fields] == HEADERS[key]


@pytest.mark.parametrize("key", list(CHOICES))
def test_choice_lists_match_the_contract(key: str) -> None:
    ledger = get_ledger(key)
    by_header = {f.header: f for f in ledger.fields}
    declared = {f.header for f in ledger.fields if f.kind is Kind.CHOICE}
    assert declared == set(CHOICES[key])
    for header, choices in CHOICES[key].items():
        assert by_header[header].choices == tuple(choices.split(", ")), header


@pytest.mark.parametrize("key", list(NATURAL_KEYS))
def test_natural_keys(key: str) -> None:
    ledger = get_ledger(key)
    assert [ledger.field(n).header for n in ledger.natural_key] == NATURAL_KEYS[key]
    assert all(ledger.field(n).required for n in ledger.natural_key)


@pytest.mark.parametrize("key", list(DERIVED))
def test_derived_and_yes_no_columns(key: str) -> None:
    ledger = get_ledger(key)
    assert [f.header for f in ledger.fields if f.derived] == DERIVED[key]
    assert all(not f.stored for f in ledger.fields if f.derived)
    assert [f.header for f in ledger.fields if f.kind is Kind.YES_NO] == YES_NO[key]
    id_fields = [f for f in ledger.fields if f.kind is Kind.ID_NUMBER]
    assert all(f.header == "身份证号" and f.required for f in id_fields)


@pytest.mark.parametrize("key", list(HEADERS))
def test_field_names_are_identifiers_and_unique(key: str) -> None:
    ledger = get_ledger(key)
    names = [f.name for f in ledger.fields]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    assert ledger.main_date in names and ledger.field(ledger.main_date).kind is Kind.DATE


def test_a_declaration_naming_an_unknown_field_is_refused() -> None:
    field = Field("name", "姓名", Kind.TEXT)
    with pytest.raises(ValueError, match="unknown fields"):
        Ledger(
            key="x",
            title="x",
            nav_title="x",
            table_name="x",
            fields=(field,),
            rules=(),
            natural_key=("id_number",),
            main_date="name",
            name_field="name",
            search_fields=(),
            status_fields=(),
        )


def test_validators_are_built_once_per_ledger() -> None:
    for ledger in all_ledgers():
        assert validator_for(ledger) is validator_for(ledger)


def test_rule_texts_are_chinese() -> None:
    field = get_ledger("housing").field("household_size")
    assert field.rule_text() == "选填；不小于1，不大于30"
    grade = get_ledger("housing").field("safety_grade")
    assert grade.rule_text() == "必填；可选：A级、B级、C级、D级"
    method = get_ledger("housing").field("renovation_method")
    assert method.rule_text().endswith("仅在是否纳入改造为“是”时填写")
    assert get_ledger("housing").field("check_date").rule_text() == "必填；不晚于今天"


# --- every field refuses a bad value with a Chinese message naming it -----------------------

BAD_BY_KIND: dict[Kind, Any] = {
    Kind.TEXT: "字" * 201,
    Kind.ID_NUMBER: "410622195603080310",
    Kind.PHONE: "12345",
    Kind.INTEGER: "几个",
    Kind.DECIMAL: "很多",
    Kind.MONEY: "很多",
    Kind.DATE: "2024-13-45",
    Kind.CHOICE: "不在列表里",
    Kind.YES_NO: "也许",
    Kind.SCHOOL_YEAR: "2024-2026",
    Kind.COUNTY: "郑州市",
    Kind.TOWNSHIP: "不存在镇",
}
ALL_STORED = [(ledger.key, f.name) for ledger in all_ledgers() for f in ledger.fields if f.stored]


@pytest.mark.parametrize(("key", "name"), ALL_STORED)
def test_every_field_refuses_a_bad_value_naming_the_field(key: str, name: str) -> None:
    ledger = get_ledger(key)
    field = ledger.field(name)
    raw = SAMPLES[key](**{name: BAD_BY_KIND[field.kind]})
    if key == "housing" and name == "closed_date":
        raw.update(closed=True, renovation_progress="已验收")
    checked = check_record(ledger, raw)
    assert not checked.ok
    messages = [i.message for i in checked.errors if i.field == name]
    assert messages, checked.issues
    for message in messages:
        assert message.startswith(field.header + "："), message
        assert re.search(r"[\u4e00-\u9fff]", message.split("：", 1)[1]), message


@pytest.mark.parametrize("key", list(SAMPLES))
def test_every_issue_names_one_of_the_ledgers_headers(key: str) -> None:
    """Across many broken records, no message comes without the header of its field."""
    ledger = get_ledger(key)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for name, value in SAMPLES[key]().items():
        field = ledger.field(name)
        for bad in (None, BAD_BY_KIND[field.kind], tomorrow):
            if bad == value:
                continue
            for issue in check_record(ledger, SAMPLES[key](**{name: bad})).issues:
                assert issue.message.startswith(ledger.field(issue.field).header + "："), issue


def test_a_ledger_without_the_place_fields_is_refused_with_a_clear_message() -> None:
    name = Field("name", "姓名", Kind.TEXT)
    day = Field("day", "日期", Kind.DATE)
    with pytest.raises(ValueError, match=r"must include the place fields.*PLACE_FIELDS"):
        Ledger(
            key="x",
            title="x",
            nav_title="x",
            table_name="x",
            fields=(name, day),
            rules=(),
            natural_key=("name",),
            main_date="day",
            name_field="name",
            search_fields=(),
            status_fields=(),
            example=dict,
        )


@pytest.mark.parametrize("ledger", all_ledgers(), ids=lambda ledger: ledger.key)
def test_every_ledger_declares_a_valid_example_and_valid_samples(ledger: Ledger) -> None:
    from hebi_desktop.domain.samples import SampleMaker

    assert check_record(ledger, ledger.example_record()).ok
    records = list(SampleMaker(7).rows(ledger, 50))
    checked = [check_record(ledger, values) for values in records]
    assert all(c.ok for c in checked), [c.errors for c in checked if not c.ok][:1]
    keys = {tuple(c.values[n] for n in ledger.natural_key) for c in checked}
    assert len(keys) == 50


def test_a_ledger_without_its_own_sample_varies_its_example() -> None:
    from dataclasses import replace

    from hebi_desktop.domain.samples import SampleMaker

    housing = get_ledger("housing")
    plain = replace(housing, key="plain", sample=None)
    records = list(SampleMaker(3).rows(plain, 20))
    assert len({r["id_number"] for r in records}) == 20
    assert all(check_record(plain, r).ok for r in records)
