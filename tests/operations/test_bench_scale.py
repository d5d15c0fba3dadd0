"""The scaled bundle `make bench-scale` refreshes: deterministic, consistent, and marked synthetic.

Generated here at 2x from the real bundle; every property is checked against the real files.
"""

import csv
import json
from pathlib import Path

import pytest

from orchestration.ingest.sources.ons_els import ELS_COLUMNS, parse_els_csv
from tests.helpers import BUNDLED_DIR, import_script

bench_scale = import_script("bench_scale")

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "area_code_types.csv"


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    return bench_scale.scale_bundle(2, tmp_path_factory.mktemp("scale") / "bundled")


def els_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def key(row: dict[str, str]) -> tuple[str, str, str]:
    return row["areacd"].strip(), row["indicator"].strip(), row["period"].strip()


def test_the_els_files_grow_by_the_factor_and_the_rest_is_untouched(scaled):
    metadata = json.loads((BUNDLED_DIR / "ons_geography" / "geo-metadata.json").read_text(encoding="utf-8"))
    authorities = {code for code, area in metadata.items() if "ltla" in area["level"]}
    real = authority_keys = 0
    for path in (BUNDLED_DIR / "ons_els").glob("*.csv"):
        rows = els_rows(path)
        real += len(rows)
        authority_keys += len({key(r) for r in rows if r["areacd"].strip() in authorities})
    grown = sum(len(els_rows(path)) for path in (scaled.path / "ons_els").glob("*.csv"))
    assert (scaled.real_els_rows, scaled.els_rows) == (real, grown)
    # one copy of each authority row per synthetic area, that count being the nearest to 2x the rows
    assert grown == real + scaled.areas_per_authority * authority_keys
    assert scaled.areas_per_authority == round(real / authority_keys) >= 1
    for path in BUNDLED_DIR.rglob("*"):
        copy = scaled.path / path.relative_to(BUNDLED_DIR)
        if path.is_file() and path.parent.name != "ons_els" and path.name != "geo-metadata.json":
            assert copy.read_bytes() == path.read_bytes(), path
        elif path.suffix == ".csv" and path.parent.name == "ons_els":
            assert copy.read_bytes().startswith(path.read_bytes()), "the real rows come first, unchanged"


def test_synthetic_areas_sit_in_the_hierarchy_under_their_authority_and_say_so(scaled):
    real = json.loads((BUNDLED_DIR / "ons_geography" / "geo-metadata.json").read_text(encoding="utf-8"))
    grown = json.loads((scaled.path / "ons_geography" / "geo-metadata.json").read_text(encoding="utf-8"))
    added = {code: area for code, area in grown.items() if code not in real}
    authorities = [code for code, area in real.items() if "ltla" in area["level"]]
    assert len(added) == scaled.synthetic_areas == scaled.areas_per_authority * len(authorities) > 0
    small_area_types = {
        row["code_type"] for row in csv.DictReader(SEED.open()) if row["area_level"] == "small_area"
    }
    for code, area in added.items():
        authority = area["parents"][0]
        assert code[:3] in small_area_types and code[3] == "9" and len(code) == 9
        assert area["parents"] == [authority, *real[authority]["parents"]]
        assert code in grown[authority]["children"] and "synthetic" in area["areanm"]


def test_each_synthetic_row_is_its_authoritys_row_scaled_down_by_under_ten_percent(scaled):
    grown = json.loads((scaled.path / "ons_geography" / "geo-metadata.json").read_text(encoding="utf-8"))
    name = "healthy-life-expectancy.csv"
    real = {(r["areacd"], r["indicator"], r["period"]): r for r in els_rows(BUNDLED_DIR / "ons_els" / name)}
    synthetic = [r for r in els_rows(scaled.path / "ons_els" / name) if r["areacd"][3:4] == "9"]
    assert synthetic
    for row in synthetic:
        assert row["geography"] == bench_scale.SYNTHETIC_GEOGRAPHY and "not official" in row["geography"]
        source = real[(grown[row["areacd"]]["parents"][0], row["indicator"], row["period"])]
        for column in ("observation", "lci_95", "uci_95"):
            if source[column].strip() in ("", "[x]", "[c]", "x", "c", "[z]", "[u]", ".."):
                assert row[column] == source[column]
            else:
                ratio = float(row[column]) / float(source[column])
                assert 0.8999 <= ratio < 1.0001, (row, source)
    # and the file stays one both readers parse, with no conflicting repeats
    frame, report = parse_els_csv(scaled.path / "ons_els" / name, ELS_COLUMNS)
    assert len(frame) == report.rows_read - report.duplicates_dropped


def test_generation_is_deterministic(scaled, tmp_path):
    again = bench_scale.scale_bundle(2, tmp_path / "again")
    for path in (scaled.path / "ons_els").glob("*.csv"):
        assert (again.path / "ons_els" / path.name).read_bytes() == path.read_bytes(), path.name
    geo = Path("ons_geography") / "geo-metadata.json"
    assert (again.path / geo).read_bytes() == (scaled.path / geo).read_bytes()
