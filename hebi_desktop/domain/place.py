"""The place every record belongs to: 县区, 乡镇 and 行政村, common to all ledgers."""

from __future__ import annotations

from hebi_desktop.domain.divisions import divisions
from hebi_desktop.domain.fields import Field, Kind, Rule, Values

COUNTY = Field(
    "county_code",
    "县区",
    Kind.COUNTY,
    required=True,
    aliases=("县(区)", "县市区", "区县"),
    width=10,
)
TOWNSHIP = Field(
    "township_code",
    "乡镇",
    Kind.TOWNSHIP,
    required=True,
    aliases=("乡镇(街道)", "乡(镇)", "乡镇街道", "镇(乡)", "乡镇名称"),
    width=12,
)
VILLAGE = Field(
    "village",
    "行政村",
    Kind.TEXT,
    required=True,
    max_length=40,
    aliases=("村", "村(社区)", "行政村(社区)", "村名", "所在村", "村委会"),
    width=12,
    is_name=True,
)

PLACE_FIELDS: tuple[Field, ...] = (COUNTY, TOWNSHIP, VILLAGE)


def _township_in_county(values: Values) -> str | None:
    county, township = values.get("county_code"), values.get("township_code")
    if county is None or township is None:
        return None
    table = divisions()
    if table.by_code[township].parent_code != county:
        return (
            f"乡镇：“{table.name(township)}”不属于“{table.name(county)}”，"
            f"属于“{table.name(table.by_code[township].parent_code)}”"
        )
    return None


PLACE_RULES: tuple[Rule, ...] = (
    Rule("township_in_county", ("township_code", "county_code"), _township_in_county),
)
