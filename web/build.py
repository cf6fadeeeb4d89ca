"""Build the web tree (``make web``): the widget bundle, the demo pages, the schools' public configs.

    python web/build.py [--out build/web]

Writes a plain static tree (any static server can serve it; ``carepath.web_server``
adds only the Rasa URL to the pages' widget tag):

    widget.js                      the widget, bundled and minified by esbuild (web/bundle.mjs)
    size.txt                       widget.js size, raw and gzipped
    index.html, site.css           the visitor page (general assistant)
    schools/<id>.json              School.widget_config(): theme, logo, name, greeting
    schools/assets/<logo>          the schools' logos
    schools/<id>/index.html        the school's enrollment page with the widget
    schools/<id>/theme.css         the page's colours, from the school's theme

Schools come from ``carepath.schools`` (``CAREPATH_SCHOOLS_DIR``). esbuild comes
from ``web/node_modules`` (``npm ci``, run by ``make web``).
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
sys.path.insert(0, str(ROOT))

from carepath.schools import School, load_schools, schools_dir  # noqa: E402

ESBUILD = WEB / "node_modules" / "esbuild"
BROWSERS = "es2019,chrome90,edge90,firefox90,safari15"


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def bundle(out: Path) -> None:
    if not ESBUILD.exists():
        raise SystemExit(f"{ESBUILD} is missing: run `make web` (it runs `npm ci` in web/).")
    node = shutil.which("node")
    if not node:
        raise SystemExit("node is not installed: the widget is bundled with esbuild on Node.js (apt-get install nodejs).")
    subprocess.run([node, str(WEB / "bundle.mjs"), str(out / "widget.js"), BROWSERS], check=True, cwd=WEB)


def size_report(widget: Path) -> str:
    raw = widget.read_bytes()
    zipped = gzip.compress(raw, compresslevel=9, mtime=0)
    return f"widget.js {len(raw)} bytes raw, {len(zipped)} bytes gzipped (level 9)\n"


def program_card(program) -> str:
    starts = ", ".join(f"{d:%B} {d.day}, {d.year}" for d in program.next_starts) or "Ask admissions"
    rows = [
        ("Length", program.length),
        ("Cost", program.cost),
        ("Schedule", ", ".join(s.capitalize() for s in program.schedule)),
        ("Next starts", starts),
    ]
    if program.credential:
        rows.append(("Credential", program.credential))
    details = "\n".join(f"            <dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return (
        '        <article class="card">\n'
        f"          <h3>{esc(program.name)}</h3>\n"
        f"          <dl>\n{details}\n          </dl>\n"
        f'          <p><a href="{esc(program.url)}">{esc(program.name)}: full program details</a></p>\n'
        "        </article>"
    )


def advisor_block(school: School) -> str:
    a = school.advisor
    phone_href = "".join(ch for ch in a.phone if ch.isdigit() or ch == "+")
    return (
        '      <address class="advisor">\n'
        f"        <p><strong>{esc(a.name)}</strong><br>{esc(a.hours)}</p>\n"
        f'        <p>Phone: <a href="tel:{esc(phone_href)}">{esc(a.phone)}</a><br>\n'
        f'          Email: <a href="mailto:{esc(a.email)}">{esc(a.email)}</a><br>\n'
        f'          <a href="{esc(a.url)}">Book an advising appointment</a></p>\n'
        "      </address>"
    )


def theme_css(school: School) -> str:
    t = school.theme
    return (
        f"/* {school.name}: colours from schools/{school.id}.yml */\n"
        ":root {\n"
        f"  --page-bg: {t.background};\n  --page-text: {t.text};\n  --accent: {t.primary};\n"
        f"  --on-accent: {t.on_primary};\n  --soft: {t.bot_bubble};\n"
        "}\n"
    )


def school_page(school: School, template: Template) -> str:
    logo = school.widget_config()["logo"]
    logo_img = f'<img src="../assets/{esc(logo)}" alt="" width="44" height="44">' if logo else ""
    programs = "\n".join(program_card(p) for p in school.programs.values()) or (
        '        <p>Ask admissions about this year\'s programs.</p>'
    )
    return template.substitute(
        name=esc(school.name),
        school_id=esc(school.id),
        logo=logo_img,
        programs=programs,
        advisor=advisor_block(school),
    )


def build(target: Path) -> str:
    """Builds next to ``target`` and swaps it in, so a server never sees half a tree."""
    schools = load_schools()
    out = target.with_name(target.name + ".tmp")
    if out.exists():
        shutil.rmtree(out)
    (out / "schools" / "assets").mkdir(parents=True)
    bundle(out)
    pages = WEB / "pages"
    shutil.copy(pages / "site.css", out / "site.css")

    links = "\n".join(
        f'        <li><a href="/schools/{esc(s.id)}/">{esc(s.name)}</a>: enrollment page</li>' for s in schools.values()
    ) or "        <li>No schools are configured.</li>"
    index = Template((pages / "index.html").read_text(encoding="utf-8")).substitute(school_links=links)
    (out / "index.html").write_text(index, encoding="utf-8")

    template = Template((pages / "school.html").read_text(encoding="utf-8"))
    for school in schools.values():
        config = school.widget_config()
        (out / "schools" / f"{school.id}.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
        if school.theme.logo:
            shutil.copy(schools_dir() / school.theme.logo, out / "schools" / "assets" / config["logo"])
        page_dir = out / "schools" / school.id
        page_dir.mkdir()
        (page_dir / "index.html").write_text(school_page(school, template), encoding="utf-8")
        (page_dir / "theme.css").write_text(theme_css(school), encoding="utf-8")

    report = size_report(out / "widget.js")
    (out / "size.txt").write_text(report, encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    out.rename(target)
    return f"web build: {target} ({len(schools)} schools: {', '.join(schools) or 'none'}); {report.strip()}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "web")
    args = parser.parse_args(argv)
    print(build(args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
