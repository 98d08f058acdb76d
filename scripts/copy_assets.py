"""Copy the front-end assets installed by npm into static/vendor (served locally, no CDN).

A minified file that names a source map (``sourceMappingURL=x.map``) gets that map copied beside it:
production's manifest storage (``collectstatic``) follows the reference and stops when the map is
missing. A referenced map that the package does not ship is removed from the copy's last line instead.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "lanhmanh" / "static" / "vendor"
FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
}
SOURCE_MAP = re.compile(rb"(?:/\*|//)\s*# sourceMappingURL=([^\s*]+)\s*(?:\*/)?\s*$")


def copy_with_map(source: Path, target: Path) -> int:
    """Copy one asset and the map it references; return how many files were written."""
    content = source.read_bytes()
    found = SOURCE_MAP.search(content[-1000:])
    written = 1
    if found:
        name = found.group(1).decode()
        map_source = source.parent / name
        if "/" not in name and map_source.is_file():
            shutil.copyfile(map_source, target.parent / name)
            written += 1
        else:
            start = len(content) - len(content[-1000:]) + found.start()
            content = content[:start].rstrip() + b"\n"
    target.write_bytes(content)
    return written


def main() -> int:
    missing = [src for src in FILES if not (ROOT / "node_modules" / src).is_file()]
    if missing:
        print("Thiếu tệp (hãy chạy npm ci): " + ", ".join(missing), file=sys.stderr)
        return 1
    written = 0
    for src, dst in FILES.items():
        target = VENDOR / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        written += copy_with_map(ROOT / "node_modules" / src, target)
    print(f"Copied {written} asset files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
