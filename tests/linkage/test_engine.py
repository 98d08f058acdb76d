"""The linkage engine on plain records: preparation, training, explanation, save/load, evaluation."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from lanhmanh.core.text import fold_name
from lanhmanh.linkage import engine, evaluation, synthetic

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12/03/1990", (dt.date(1990, 3, 12), 1990, "")),
        ("1990-03-12", (dt.date(1990, 3, 12), 1990, "")),
        ("1/2/1990", (dt.date(1990, 2, 1), 1990, "")),
        ("1990", (None, 1990, "")),
        ("00/00/1990", (None, 1990, "")),
        ("31/02/1985", (None, 1985, "ngày/tháng sinh không tồn tại, chỉ dùng năm sinh")),
        ("12/03/2090", (None, None, "năm sinh ngoài khoảng 1900 đến nay")),
        ("hôm qua", (None, None, "ngày sinh không đọc được")),
        ("", (None, None, "")),
        (None, (None, None, "")),
    ],
)
def test_parse_birth(value, expected):
    assert engine.parse_birth(value, TODAY) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("001 190-012.345", ("001190012345", "")),
        ("012345678", ("012345678", "")),
        ("B12345678", (None, "số giấy tờ có chữ cái hoặc ký tự lạ")),
        ("12345", (None, "số giấy tờ không phải 9 (CMND) hoặc 12 (CCCD) chữ số")),
        ("000000000", (None, "số giấy tờ toàn một chữ số")),
        ("", (None, "")),
    ],
)
def test_parse_id_number(value, expected):
    assert engine.parse_id_number(value) == expected


def test_prepare_uses_what_it_can_and_lists_the_rest():
    prepared = engine.prepare(
        {
            "id": ["a", "b", "c", "d", "a"],
            "full_name": ["NGUYỄN THỊ HÒA", "", "Hoa", "NguyenThiHoa", "Lê Văn Tám"],
            "birth_date": ["00/00/1990", "01/01/1980", "31/02/1985", "12/03/1990", "x"],
            "id_number": ["001190012345", "ABC", "", "12345", ""],
            "sex": ["Nữ", "nam", "?", "", "M"],
        },
        today=TODAY,
    )
    rows = prepared.table.to_pylist()
    assert [r["unique_id"] for r in rows] == ["a", "b", "c", "d", "#5"]
    first = rows[0]
    assert (first["surname_f"], first["middle_f"], first["given_f"], first["name_concat"]) == (
        "nguyen",
        "thi",
        "hoa",
        "nguyenthihoa",
    )
    assert (first["dob"], first["dob_year"], first["id_number"], first["sex"]) == (
        None,
        1990,
        "001190012345",
        "female",
    )
    assert rows[3]["name_concat"] == "nguyenthihoa"  # camel case split, same key
    assert rows[2]["given_f"] == "hoa" and rows[2]["surname_f"] is None
    assert [(p.row, p.field, p.reason) for p in prepared.problems] == [
        ("b", "full_name", "họ tên trống"),
        ("b", "id_number", "số giấy tờ có chữ cái hoặc ký tự lạ"),
        ("c", "full_name", "họ tên chỉ có một từ: chỉ so sánh như tên"),
        ("c", "birth_date", "ngày/tháng sinh không tồn tại, chỉ dùng năm sinh"),
        ("c", "sex", "giới tính không đọc được"),
        ("d", "id_number", "số giấy tờ không phải 9 (CMND) hoặc 12 (CCCD) chữ số"),
        ("a", "id", "mã dòng trống hoặc trùng, dùng số thứ tự dòng"),
        ("#5", "birth_date", "ngày sinh không đọc được"),
    ]


def test_prepare_refuses_unknown_fields():
    with pytest.raises(ValueError, match="Trường không được hỗ trợ: phone"):
        engine.prepare({"phone": ["1"]})


def test_evaluation_counts_pairs_and_exact_people():
    ids = ["1", "2", "3", "4", "5"]
    truth = ["A", "A", "A", "B", "C"]
    scores = evaluation.score(ids, truth, {"1": "x", "2": "x", "3": "y", "4": "y", "5": "z"})
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (3, 2, 1)
    assert (scores.people, scores.clusters, scores.exact_clusters) == (3, 3, 1)
    assert scores.precision == 0.5
    assert scores.recall == pytest.approx(1 / 3)


def test_synthetic_registry_is_reproducible_with_known_truth():
    first = synthetic.generate(3000, seed=5)
    assert first == synthetic.generate(3000, seed=5)
    assert len(first["id"]) == len(set(first["id"])) == 3000
    people = {}
    for person in first["person"]:
        people[person] = people.get(person, 0) + 1
    repeated = sum(1 for n in people.values() if n > 1) / len(people)
    assert 0.15 < repeated < 0.25
    surnames = [name.split()[0] for name in first["full_name"] if " " in name]
    nguyen = sum(1 for s in surnames if s.lower() in ("nguyễn", "nguyen", "nguyễn".upper().lower()))
    assert 0.30 < nguyen / len(surnames) < 0.45


@pytest.fixture(scope="module")
def trained():
    data = synthetic.generate(6000, seed=11)
    truth = data.pop("person")
    model = engine.LinkageModel(engine.prepare(data)).train()
    yield model, data, truth
    model.close()


def test_trained_model_links_with_high_precision(trained):
    model, data, truth = trained
    predictions = model.predict()
    clusters = model.cluster(predictions, threshold=engine.LINK_THRESHOLD)
    scores = evaluation.score(data["id"], truth, clusters)
    assert scores.precision >= 0.99
    assert scores.recall >= 0.90


def test_u_of_the_full_birth_date_is_counted_exactly_and_kept_through_em(trained):
    """Random sampling sees only a handful of pairs born the same day: u is counted from the values,
    among the pairs that both have a birth year and do not share the core name, and EM keeps it."""
    import itertools

    model, _, _ = trained
    rows = [r for r in model.table.to_pylist() if r["dob_year"] is not None]
    same = apart = 0
    for a, b in itertools.combinations(rows, 2):
        if a["name_core"] is not None and a["name_core"] == b["name_core"]:
            continue
        apart += 1
        same += a["dob"] is not None and a["dob"] == b["dob"]
    [birth] = [c for c in model.linker._settings_obj.comparisons if c.output_column_name == "birth"]
    exact = next(level for level in birth.comparison_levels if not level.is_null_level)
    assert exact.label_for_charts == "trùng ngày sinh"
    assert exact.u_probability == pytest.approx(same / apart, rel=1e-9)
    assert engine.LinkageModel.load(model.table, model.to_dict()).linker._settings_obj.comparisons[
        1
    ].comparison_levels[1].u_probability == pytest.approx(same / apart, rel=1e-9)


def test_model_spills_into_its_own_capped_temporary_directory_removed_on_close():
    from pathlib import Path

    model = engine.LinkageModel(engine.prepare({"id": ["1", "2"], "full_name": ["Lê Lan", "Lê Lan"]}).table)
    directory = Path(model.temp_directory)
    assert directory.is_dir()
    [(setting, limit)] = model.connection.execute(
        "SELECT current_setting('temp_directory'), current_setting('max_temp_directory_size')"
    ).fetchall()
    assert setting == str(directory) and limit == "9.3 GiB"  # 10 GB (10^10 bytes), shown in GiB
    model.close()
    assert not directory.exists()


def test_explanation_names_every_field_and_sums_to_the_match_weight(trained):
    model, _, _ = trained
    pairs = model.pairs(model.predict(), threshold=0.99)
    assert pairs
    pair = pairs[0]
    assert [f.comparison for f in pair.fields] == [
        "name",
        "birth",
        "id_number",
        "residence",
        "hometown",
        "sex",
    ]
    assert all(f.level != "?" for f in pair.fields)
    prior = model.to_dict()["probability_two_random_records_match"]
    import math

    prior_weight = math.log2(prior / (1 - prior))
    assert sum(f.weight for f in pair.fields) + prior_weight == pytest.approx(pair.match_weight, abs=1e-6)


def test_saved_model_loads_and_scores_the_same(trained, tmp_path):
    model, data, _ = trained
    path = tmp_path / "model.json"
    model.save(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert [c["output_column_name"] for c in saved["comparisons"]] == [
        "name",
        "birth",
        "id_number",
        "residence",
        "hometown",
        "sex",
    ]
    assert all(
        "m_probability" in level
        for comparison in saved["comparisons"]
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    )
    loaded = engine.LinkageModel.load(engine.prepare(data), path)
    before = {(p.left, p.right): round(p.match_weight, 6) for p in model.pairs(model.predict())}
    after = {(p.left, p.right): round(p.match_weight, 6) for p in loaded.pairs(loaded.predict())}
    assert before == after
    loaded.close()


def test_synthetic_names_are_diverse_like_a_real_registry():
    assert len(synthetic._tiered(synthetic.FEMALE_GIVEN_TIERS)) >= 200
    assert len(synthetic._tiered(synthetic.MALE_GIVEN_TIERS)) >= 120
    data = synthetic.generate(20000, seed=3)
    names = [fold_name(n).split() for n in data["full_name"]]
    given = {words[-1] for words in names if len(words) >= 3}
    assert len(given) >= 200
    thi = sum(1 for words in names if len(words) >= 3 and words[1] == "thi") / len(names)
    assert 0.25 < thi < 0.55  # "Thị" declines with the year of birth; 15 % of records drop it


def test_blocking_plan_counts_exactly_tightens_or_drops_and_refuses():
    """Issue #19 item 6: hometowns as provinces make "same core name and hometown" explode."""
    import itertools

    from lanhmanh.linkage import synthetic

    data = synthetic.generate(3000, seed=11)
    data.pop("person")
    data["hometown_unit"] = [h.split(".")[0] if h else "" for h in data["hometown_unit"]]  # "Nam Định"
    prepared = engine.prepare(data)
    rows = prepared.table.to_pylist()
    rule = "l.name_core = r.name_core AND l.hometown = r.hometown"
    brute = sum(
        1
        for a, b in itertools.combinations(rows, 2)
        if a["name_core"]
        and a["hometown"]
        and a["name_core"] == b["name_core"]
        and a["hometown"] == b["hometown"]
    )
    plan = engine.blocking_plan(prepared)
    assert [c.pairs for c in plan.counts if c.rule == rule] == [brute]
    tight = engine.blocking_plan(prepared, rule_budget=brute - 1)
    changed = {c.original or c.rule: c for c in tight.counts if c.action != "giữ"}
    assert changed[rule].action in ("siết", "bỏ")
    assert "vượt ngân sách" in changed[rule].reason
    assert all(c.pairs <= brute - 1 for c in tight.counts if c.action != "bỏ")
    assert rule not in tight.rules
    with pytest.raises(engine.BlockingTooLarge) as refused:
        engine.blocking_plan(prepared, max_pairs=10)
    assert "Dừng trước khi chấm điểm" in str(refused.value)


def test_blocking_plan_tightens_the_largest_rules_to_the_pair_target():
    """Province-level hometowns: over the target, the largest rules are tightened first (never into a
    subset of another rule), until the plan fits; under it, nothing changes."""
    from lanhmanh.linkage import synthetic

    data = synthetic.generate(3000, seed=11)
    data.pop("person")
    data["hometown_unit"] = [h.split(".")[0] if h else "" for h in data["hometown_unit"]]
    prepared = engine.prepare(data)
    free = engine.blocking_plan(prepared)
    assert all(c.action == "giữ" for c in free.counts) and free.rules == engine.BLOCKING_RULES
    largest = max(free.counts, key=lambda c: c.pairs)
    target = free.total - largest.pairs // 2
    plan = engine.blocking_plan(prepared, target_pairs=target)
    assert plan.total <= target
    changed = [c for c in plan.counts if c.action == "siết"]
    assert changed[0].original == largest.rule and "vượt mục tiêu" in changed[0].reason
    assert all(engine.rule_keys(c.original)[0] in engine.rule_keys(c.rule) for c in changed)
    for count in changed:  # never made redundant with another kept rule
        assert not any(
            set(engine.rule_keys(k)) <= set(engine.rule_keys(count.rule))
            for k in plan.rules
            if k != count.rule
        )
    untouched = {c.rule for c in plan.counts if c.action == "giữ"}
    assert untouched == {c.rule for c in free.counts} - {c.original for c in changed}


def test_estimates_take_the_more_cautious_of_two_match_rates():
    connection = duckdb.connect()
    sql = "SELECT * FROM (VALUES (0.99, 0.995), (0.97, 0.98), (0.6, 0.7), (0.4, 0.6)) t(p, q)"
    [at] = engine.estimates(sql, connection, [0.9])
    assert at.pairs == 2
    assert at.precision == pytest.approx(1.96 / 2)  # under p: lower than under q (1.975 / 2)
    assert at.recall == pytest.approx(1.975 / 3.275)  # under q: lower than under p (1.96 / 2.96)


def test_fixed_point_match_rate_is_self_consistent(trained):
    import math

    model, _, _ = trained
    predictions = model.predict(threshold=0.0)
    name = predictions.physical_name
    source = f"SELECT match_weight AS mw, CAST(NULL AS DOUBLE) AS y FROM {name}"  # noqa: S608
    lam0 = model.linker._settings_obj.core_model_settings.probability_two_random_records_match
    lam = engine.fixed_point_match_rate(model, source)
    shift = math.log2(lam / (1 - lam)) - math.log2(lam0 / (1 - lam0))
    rows = model.table.num_rows
    expected = model.connection.execute(
        f"SELECT sum(1 / (1 + pow(2, -(match_weight + {shift})))) FROM {name}"  # noqa: S608
    ).fetchall()[0][0]
    assert expected / (rows * (rows - 1) / 2) == pytest.approx(lam, rel=1e-3)
    relation = predictions.as_duckdbpyrelation().filter("match_probability > 0.5")
    decided = {(str(a), str(b)): 0.0 for a, b in relation.select("unique_id_l, unique_id_r").fetchall()}
    labelled = engine.estimates_of(model, predictions, decided, thresholds=[0.5])[0]
    # every pair above 0.5 decided different by a reviewer: none is linked any more
    assert labelled.pairs == 0 and labelled.recall == 0.0
    assert engine.estimates_of(model, predictions, thresholds=[0.5])[0].pairs == len(decided) > 0


def test_estimates_and_threshold_choice():
    connection = duckdb.connect()
    sql = "SELECT * FROM (VALUES (0.99), (0.97), (0.6), (0.4)) t(p)"
    found = {e.threshold: e for e in engine.estimates(sql, connection, [0.5, 0.9, 0.98])}
    assert found[0.9].pairs == 2 and found[0.9].precision == pytest.approx(0.98)
    assert found[0.9].recall == pytest.approx(1.96 / 2.96)
    assert engine.choose_threshold(list(found.values()), 0.98).threshold == 0.9
    assert engine.choose_threshold(list(found.values()), 0.999) is None
