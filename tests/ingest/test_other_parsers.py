"""The Open SDG, Ipsos and synthetic-sample formats: what they keep and what they refuse."""

from pathlib import Path

import pytest

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.ipsos import parse_ipsos_csv
from orchestration.ingest.sources.open_sdg import parse_open_sdg_csv
from orchestration.ingest.sources.synthetic import generate_sample

SDG_HEADER = "Year,Series,Units,Sex,Region,Observation status,GeoCode,Value"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_open_sdg_keeps_headline_and_geography_rows_only(tmp_path):
    text = "\n".join(
        [
            SDG_HEADER,
            "2020,Share (%),Percentage,,,Normal value,,15.0",  # headline -> England
            "2020,Share (%),Percentage,Female,,Normal value,,14.0",  # disaggregated by sex: dropped
            "2020,Share (%),Percentage,,London,Normal value,E12000007,12.0",  # region row
            "2019/20,Share (%),Percentage,,,Missing value,,",  # financial year, missing -> NULL + x
        ]
    )
    frame, report = parse_open_sdg_csv(
        write(tmp_path, "sdg.csv", text), headline_area_code="E92000001", headline_area_name="England"
    )
    assert report.rows_read == 4
    records = frame[["area_code", "area_name", "period_label", "year", "value", "status"]].to_dict("records")
    assert records[0] == {
        "area_code": "E92000001",
        "area_name": "England",
        "period_label": "2020",
        "year": 2020,
        "value": 15.0,
        "status": None,
    }
    assert records[1]["area_code"] == "E12000007" and records[1]["value"] == 12.0
    assert records[2]["period_label"] == "2019-20" and records[2]["status"] == "x"
    assert records[2]["value"] is None or records[2]["value"] != records[2]["value"]


def test_open_sdg_refuses_another_year_format(tmp_path):
    with pytest.raises(SourceFormatError, match="financial year") as caught:
        parse_open_sdg_csv(
            write(tmp_path, "sdg.csv", f"{SDG_HEADER}\nQ1 2020,Share (%),Percentage,,,Normal value,,1\n")
        )
    assert caught.value.column == "Year" and caught.value.line == 2


def test_ipsos_refuses_a_score_outside_the_index_range(tmp_path):
    text = "group_type,group_name,mission_no,mission_key,index_score\nall,All UK,1,pay,250\n"
    with pytest.raises(SourceFormatError, match=r"-200\.\.200") as caught:
        parse_ipsos_csv(write(tmp_path, "ipsos.csv", text))
    assert caught.value.column == "index_score"


def test_ipsos_refuses_an_unknown_mission(tmp_path):
    text = "group_type,group_name,mission_no,mission_key,index_score\nall,All UK,13,x,10\n"
    with pytest.raises(SourceFormatError, match="mission_no"):
        parse_ipsos_csv(write(tmp_path, "ipsos.csv", text))


def test_synthetic_sample_shape_and_marking(tmp_path):
    areas = write(
        tmp_path, "areas.csv", "areacd,areanm\nE12000001,North East\nE12000007,London\nW92000004,Wales\n"
    )
    spec = write(
        tmp_path,
        "spec.yml",
        f"""seed: 1
indicator: Thing
unit: "%"
imitates: a real table
areas: {{from: {areas.name}, prefixes: [E12]}}
periods: {{template: "{{year}}-04-01/P1Y", first_year: 2020, last_year: 2022}}
value: {{mean: 50, area_sd: 5, noise_sd: 1, min: 0, max: 100, decimals: 1}}
aggregates: {{E92000001: England}}
""",
    )
    frame, _ = generate_sample(spec)
    assert len(frame) == 3 * 3  # two regions + England, three years
    assert set(frame.area_code) == {"E12000001", "E12000007", "E92000001"}
    assert list(frame.period_label.unique()) == ["2020-21", "2021-22", "2022-23"]
    assert frame.value.between(0, 100).all()
    assert frame.notes.str.startswith("SYNTHETIC SAMPLE, not official statistics").all()
    for label, group in frame.groupby("period_label"):
        regions = group[group.area_code != "E92000001"].value
        england = group[group.area_code == "E92000001"].value.item()
        assert england == pytest.approx(regions.mean(), abs=0.051), label  # rounded to 1 dp


def test_synthetic_spec_missing_a_key_names_it(tmp_path):
    with pytest.raises(SourceFormatError, match="lacks key") as caught:
        generate_sample(write(tmp_path, "spec.yml", "seed: 1\n"))
    assert caught.value.column == "indicator"
