"""``lanhmanh link``: any CSV, without Django, bad values listed and never fatal."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from lanhmanh.linkage.cli import main

ROOT = Path(__file__).resolve().parents[2]
ROWS = [
    ["Mã", "Họ tên", "Ngày sinh", "CCCD", "Giới"],
    ["a1", "Nguyễn Thị Hòa", "12/03/1990", "001190012345", "Nữ"],
    ["a2", "NGUYEN THI HOA", "03/12/1990", "001190012345", "F"],
    ["a3", "", "01/01/1980", "ABC123456", "nam"],
    ["a4", "Hoa", "00/00/1990", "12345", "x"],
    ["a5", "Trần Văn Bình", "31/02/1985", "012345678", "nam"],
    ["a6", "Tran Binh", "1985", "012345678", "M"],
    ["a7", "Lê Thị Mai", "05/06/1970", "", ""],
]
COLUMNS = "id=Mã,name=Họ tên,birth_date=Ngày sinh,id_number=CCCD,sex=Giới"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_links_a_small_file_and_lists_what_it_could_not_use(tmp_path, capsys):
    source = write(tmp_path / "in.csv", ROWS)
    output = tmp_path / "out.csv"
    problems = tmp_path / "problems.csv"
    assert (
        main([str(source), "--columns", COLUMNS, "--output", str(output), "--problems", str(problems)]) == 0
    )
    clusters = {row["id"]: row["cluster_id"] for row in read(output)}
    assert list(clusters) == ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    assert clusters["a1"] == clusters["a2"]  # same CCCD, swapped day/month, no diacritics
    assert clusters["a5"] == clusters["a6"]  # same CMND, Thị/Văn left out, year only
    assert len({clusters["a1"], clusters["a3"], clusters["a4"], clusters["a5"], clusters["a7"]}) == 5
    err = capsys.readouterr().err
    assert "7 dòng → 5 người (2 dòng được gộp)" in err
    assert "Không dùng được 6 giá trị:" in err
    assert "dòng a3: full_name: họ tên trống" in err
    assert "dòng a3: id_number: số giấy tờ có chữ cái hoặc ký tự lạ" in err
    assert "dòng a4: full_name: họ tên chỉ có một từ: chỉ so sánh như tên" in err
    assert "dòng a5: birth_date: ngày/tháng sinh không tồn tại, chỉ dùng năm sinh" in err
    assert [r["row"] for r in read(problems)] == ["a3", "a3", "a4", "a4", "a4", "a5"]


def test_missing_fields_are_allowed(tmp_path):
    source = write(tmp_path / "in.csv", [["Tên"], ["Nguyễn Văn An"], ["Nguyen Van An"], [""]])
    output = tmp_path / "out.csv"
    assert main([str(source), "--columns", "name=Tên", "--output", str(output)]) == 0
    assert [row["id"] for row in read(output)] == ["1", "2"]  # the blank line is skipped


def test_bad_usage_gets_a_named_message(tmp_path, capsys):
    source = write(tmp_path / "in.csv", ROWS)
    output = tmp_path / "out.csv"
    assert main([str(source), "--columns", "phone=CCCD", "--output", str(output)]) == 2
    assert "--columns: không có trường “phone”" in capsys.readouterr().err
    assert main([str(source), "--columns", "name=Tên khác", "--output", str(output)]) == 2
    assert "không có cột Tên khác" in capsys.readouterr().err
    assert main([str(tmp_path / "none.csv"), "--columns", "name=Họ tên", "--output", str(output)]) == 2
    assert "Không tìm thấy tệp" in capsys.readouterr().err
    assert not output.exists()


def test_console_command_runs_without_django(tmp_path):
    source = write(tmp_path / "in.csv", ROWS)
    output = tmp_path / "out.csv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "LANHMANH"))}
    script = (
        "import sys; from lanhmanh import cli; sys.argv = ['lanhmanh', *sys.argv[1:]]\n"
        "try:\n    cli.main()\nexcept SystemExit as end:\n"
        "    assert 'django' not in sys.modules, 'django imported'\n    raise\n"
    )
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, "link", str(source), "--columns", COLUMNS, "--output", str(output)],
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert len(read(output)) == 7


def test_help_documents_the_fields():
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from lanhmanh.linkage.cli import main; main(['--help'])"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    for field in ("full_name", "birth_date", "id_number", "residence_unit", "hometown_unit", "sex"):
        assert f"  {field}" in completed.stdout


def test_sweep_clusters_at_every_threshold_from_one_scoring(tmp_path, capsys):
    source = write(tmp_path / "in.csv", ROWS)
    plain, swept = tmp_path / "plain.csv", tmp_path / "swept.csv"
    assert main([str(source), "--columns", COLUMNS, "--output", str(plain)]) == 0
    args = [str(source), "--columns", COLUMNS, "--output", str(swept), "--sweep", "0.5, 0.999"]
    assert main(args) == 0
    rows = read(swept)
    assert list(rows[0]) == ["id", "cluster_id", "cluster_id@0.5", "cluster_id@0.999"]
    assert [(r["id"], r["cluster_id"]) for r in rows] == [(r["id"], r["cluster_id"]) for r in read(plain)]
    assert len({r["cluster_id@0.5"] for r in rows}) <= len({r["cluster_id@0.999"] for r in rows})
    capsys.readouterr()
    assert main([str(source), "--columns", COLUMNS, "--output", str(swept), "--sweep", "0.5,cao"]) == 2
    assert "--sweep: “cao” không phải là một số." in capsys.readouterr().err
    assert main([str(source), "--columns", COLUMNS, "--output", str(swept), "--sweep", "1.5"]) == 2
    assert "--sweep: ngưỡng 1.5 phải nằm trong khoảng 0 đến 1." in capsys.readouterr().err


def test_too_many_pairs_is_refused_before_scoring(tmp_path, capsys):
    source = write(tmp_path / "in.csv", ROWS)
    output = tmp_path / "out.csv"
    assert (
        main(
            [
                str(source),
                "--columns",
                COLUMNS,
                "--output",
                str(output),
                "--max-pairs",
                "1",
                "--rule-budget",
                "1000",
            ]
        )
        == 3
    )
    err = capsys.readouterr().err
    assert "Số cặp theo từng luật chặn (đếm trước khi chấm điểm):" in err
    assert "Lỗi: " in err and "Dừng trước khi chấm điểm" in err and "vượt giới hạn 1 cặp (--max-pairs)" in err
    assert not output.exists()


def test_estimated_precision_and_recall_and_a_threshold_for_a_precision(tmp_path, capsys):
    source = write(tmp_path / "in.csv", ROWS)
    output = tmp_path / "out.csv"
    assert main([str(source), "--columns", COLUMNS, "--output", str(output), "--precision", "0.99"]) == 0
    err = capsys.readouterr().err
    assert "Ngưỡng chọn cho độ chính xác 0.99:" in err
    assert "Ước tính tại ngưỡng" in err and "độ chính xác" in err and "độ phủ" in err
    assert main([str(source), "--columns", COLUMNS, "--output", str(output), "--precision", "2"]) == 2
    assert "--precision: độ chính xác phải trong khoảng" in capsys.readouterr().err


def test_a_plan_over_the_pair_target_is_tightened_not_refused(tmp_path, capsys):
    source = write(tmp_path / "in.csv", ROWS)
    output = tmp_path / "out.csv"
    assert main([str(source), "--columns", COLUMNS, "--output", str(output), "--target-pairs", "1"]) == 0
    err = capsys.readouterr().err
    assert "vượt mục tiêu 1 cặp" in err and "luật lớn nhất được siết thêm" in err
    assert output.exists()
    assert main([str(source), "--columns", COLUMNS, "--output", str(output), "--target-pairs", "0"]) == 2
    assert "--target-pairs: phải là số nguyên dương." in capsys.readouterr().err
