"""``lanhmanh link``: link the rows of any CSV file into people, without the web app or its database."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

from lanhmanh.linkage import engine

ALIASES = {"name": "full_name", "ho_ten": "full_name", "dob": "birth_date", "id_card": "id_number"}
SHOWN_PROBLEMS = 50


def _fields_help() -> str:
    lines = ["Các trường của bộ máy liên kết (tên trường=tên cột trong tệp):"]
    lines += [f"  {name:<15} {description}" for name, description in engine.FIELDS.items()]
    lines.append("  (bí danh: name=full_name, dob=birth_date)")
    lines.append("Trường nào thiếu thì bỏ qua; giá trị hỏng được liệt kê, không làm dừng chương trình.")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lanhmanh link",
        description=(
            "Liên kết các dòng của một tệp CSV thành từng người (Splink + DuckDB, không cần cơ sở dữ liệu "
            "của ứng dụng). Kết quả: mỗi dòng vào một dòng ra gồm mã dòng và mã cụm (cluster_id)."
        ),
        epilog=_fields_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", type=Path, help="tệp CSV đầu vào (UTF-8, có dòng tiêu đề)")
    parser.add_argument(
        "--columns",
        required=True,
        help="ánh xạ trường=cột, cách nhau bằng dấu phẩy, ví dụ name=Họ tên,birth_date=Ngày sinh,id_number=CCCD",
    )
    parser.add_argument("--output", type=Path, required=True, help="tệp CSV kết quả (id, cluster_id)")
    parser.add_argument(
        "--model", type=Path, help="mô hình đã huấn luyện (JSON); không có thì huấn luyện bằng EM"
    )
    parser.add_argument("--save-model", type=Path, help="lưu mô hình đã huấn luyện ra tệp JSON")
    parser.add_argument(
        "--threshold",
        type=float,
        default=engine.LINK_THRESHOLD,
        help=f"ngưỡng xác suất để coi hai dòng là một người (mặc định {engine.LINK_THRESHOLD})",
    )
    parser.add_argument(
        "--sweep",
        help=(
            "các ngưỡng khác, cách nhau bằng dấu phẩy (ví dụ 0.5,0.8,0.95): thêm một cột cluster_id@NGƯỠNG "
            "cho mỗi ngưỡng, tính từ cùng một lần chấm điểm"
        ),
    )
    parser.add_argument(
        "--precision",
        type=float,
        help=(
            "độ chính xác mong muốn (ví dụ 0.99): chọn ngưỡng thấp nhất mà độ chính xác ước tính đạt mức này "
            "(thay cho --threshold)"
        ),
    )
    parser.add_argument(
        "--max-pairs",
        type=int,
        default=engine.MAX_PAIRS,
        help=(
            f"số cặp tối đa được chấm điểm (mặc định {engine.MAX_PAIRS:,}); vượt quá thì dừng ngay trước khi "
            "chấm, không làm đầy đĩa".replace(",", ".")
        ),
    )
    parser.add_argument(
        "--rule-budget",
        type=int,
        help="số cặp tối đa của một luật chặn (mặc định 40%% của --max-pairs); vượt thì siết hoặc bỏ luật",
    )
    parser.add_argument(
        "--target-pairs",
        type=int,
        default=engine.TARGET_PAIRS,
        help=(
            f"số cặp nhắm tới để chấm điểm trong khoảng 5 phút trên 2 nhân (mặc định {engine.TARGET_PAIRS:,}); "
            "vượt thì siết thêm các luật lớn nhất trước, không dừng".replace(",", ".")
        ),
    )
    parser.add_argument("--problems", type=Path, help="ghi toàn bộ danh sách giá trị không dùng được ra CSV")
    parser.add_argument("--delimiter", default=",", help="ký tự phân cách cột (mặc định dấu phẩy)")
    return parser


class UsageError(Exception):
    pass


def parse_columns(text: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        if "=" not in item:
            raise UsageError(f"--columns: “{item}” phải có dạng trường=cột.")
        field, column = (s.strip() for s in item.split("=", 1))
        field = ALIASES.get(field, field)
        if field not in engine.FIELDS:
            raise UsageError(f"--columns: không có trường “{field}”. Các trường: {', '.join(engine.FIELDS)}.")
        if not column:
            raise UsageError(f"--columns: trường “{field}” chưa có tên cột.")
        mapping[field] = column
    if not mapping:
        raise UsageError("--columns: cần ít nhất một trường.")
    return mapping


def parse_sweep(text: str) -> list[float]:
    thresholds = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            value = float(item)
        except ValueError:
            raise UsageError(f"--sweep: “{item}” không phải là một số.") from None
        if not 0.0 <= value <= 1.0:
            raise UsageError(f"--sweep: ngưỡng {item} phải nằm trong khoảng 0 đến 1.")
        thresholds.append(value)
    return thresholds


def read_columns(path: Path, mapping: dict[str, str], delimiter: str) -> dict[str, list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise UsageError(f"{path}: tệp rỗng.")
        header = [h.strip() for h in header]
        missing = [column for column in mapping.values() if column not in header]
        if missing:
            raise UsageError(f"{path}: không có cột {', '.join(missing)}. Các cột: {', '.join(header)}.")
        positions = {field: header.index(column) for field, column in mapping.items()}
        data: dict[str, list[str]] = {field: [] for field in mapping}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            for field, position in positions.items():
                data[field].append(row[position] if position < len(row) else "")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        mapping = parse_columns(args.columns)
        if not args.input.is_file():
            raise UsageError(f"Không tìm thấy tệp {args.input}.")
        data = read_columns(args.input, mapping, args.delimiter)
        if args.model and not args.model.is_file():
            raise UsageError(f"Không tìm thấy mô hình {args.model}.")
        sweep = parse_sweep(args.sweep or "")
        if args.precision is not None and not 0.5 <= args.precision < 1.0:
            raise UsageError("--precision: độ chính xác phải trong khoảng 0.5 đến dưới 1 (ví dụ 0.99).")
        if args.max_pairs <= 0:
            raise UsageError("--max-pairs: phải là số nguyên dương.")
        if args.target_pairs <= 0:
            raise UsageError("--target-pairs: phải là số nguyên dương.")
    except UsageError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 2
    count = len(next(iter(data.values()), []))
    print(f"Đọc {count} dòng từ {args.input}.", file=sys.stderr)
    result = link_with_plan(args, data, sweep)
    if isinstance(result, int):
        return result
    clusterings, problems, model = result
    clusters = clusterings[0]
    if args.save_model:
        model.save(args.save_model)
    ids = data.get("id") or [str(i + 1) for i in range(count)]
    prepared_ids = model.table.column("unique_id").to_pylist()
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "cluster_id", *(f"cluster_id@{t:g}" for t in sweep)])
        for original, uid in zip(ids, prepared_ids, strict=True):
            writer.writerow([original, *(c.get(uid, uid) for c in clusterings)])
    model.close()
    people = len(set(clusters.values())) if clusters else count
    print(
        f"{count} dòng → {people} người ({count - people} dòng được gộp), "
        f"{time.perf_counter() - started:.1f} giây. Kết quả: {args.output}",
        file=sys.stderr,
    )
    report_problems(problems, args.problems)
    return 0


def link_with_plan(args, data: dict[str, list[str]], sweep: list[float]):
    """Count the blocking rules' pairs first (refuse within seconds when over ``--max-pairs``), score,
    print the estimated precision and recall, choose the threshold (``--precision``), cluster."""
    prepared = engine.prepare(data)
    if prepared.table.num_rows < 2:
        return engine.link_sweep(data, [args.threshold, *sweep], model=args.model)
    try:
        plan = engine.blocking_plan(
            prepared, max_pairs=args.max_pairs, rule_budget=args.rule_budget, target_pairs=args.target_pairs
        )
    except engine.BlockingTooLarge as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 3
    for line in plan.lines():
        print(line, file=sys.stderr)
    model = engine.build_model(prepared, args.model, blocking_rules=plan.rules)
    predictions = model.predict(threshold=0.0)
    threshold = args.threshold
    if args.precision is not None:
        chosen = engine.choose_threshold(engine.estimates_of(model, predictions), args.precision)
        if chosen is None:
            threshold = max(engine.THRESHOLD_GRID)
            print(
                f"Không ngưỡng nào đạt độ chính xác ước tính {args.precision:g}: dùng ngưỡng cao nhất {threshold:g}.",
                file=sys.stderr,
            )
        else:
            threshold = chosen.threshold
            print(f"Ngưỡng chọn cho độ chính xác {args.precision:g}: {threshold:g}.", file=sys.stderr)
    [at] = engine.estimates_of(model, predictions, thresholds=[threshold])
    print(
        f"Ước tính tại ngưỡng {threshold:g} (từ xác suất trùng của mô hình, không cần dữ liệu đúng): "
        f"độ chính xác {at.precision:.4f}, độ phủ {at.recall:.4f}, {at.pairs} cặp đạt ngưỡng.",
        file=sys.stderr,
    )
    clusterings = [model.cluster(predictions, threshold=t) for t in [threshold, *sweep]]
    return clusterings, prepared.problems, model


def report_problems(problems: list[engine.Problem], path: Path | None) -> None:
    if not problems:
        print("Mọi giá trị đều dùng được.", file=sys.stderr)
        return
    print(f"Không dùng được {len(problems)} giá trị:", file=sys.stderr)
    for (field, reason), n in Counter((p.field, p.reason) for p in problems).most_common():
        print(f"  {n:>7} × {field}: {reason}", file=sys.stderr)
    for problem in problems[:SHOWN_PROBLEMS]:
        print(f"  dòng {problem.row}: {problem.field}: {problem.reason}", file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        more = f"ghi đủ vào {path}" if path else "dùng --problems TỆP.csv để ghi đủ"
        print(f"  … và {len(problems) - SHOWN_PROBLEMS} giá trị khác ({more}).", file=sys.stderr)
    if path:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["row", "field", "reason"])
            writer.writerows((p.row, p.field, p.reason) for p in problems)
