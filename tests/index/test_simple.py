"""Reading and writing simple-index pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from depvet.errors import IndexReplyError
from depvet.index.simple import (
    HTML_LEGACY,
    HTML_V1,
    JSON_V1,
    IndexFile,
    ProjectPage,
    negotiate,
    parse_filename,
    parse_project_page,
    render_html,
    render_json,
)

# The shape of PyPI's PEP 691 reply (trimmed).
PYPI_JSON = {
    "meta": {"api-version": "1.4", "_last-serial": 1},
    "name": "six",
    "files": [
        {
            "filename": "six-1.17.0-py2.py3-none-any.whl",
            "url": "https://files.pythonhosted.org/packages/six-1.17.0-py2.py3-none-any.whl",
            "hashes": {
                "sha256": "4721F391ED90541FDDACAB5ACF947AA0D3DC7D27B2E1E8EDA2BE8970586C3274"
            },
            "requires-python": "!=3.0.*,>=2.7",
            "core-metadata": {"sha256": "ab" * 32},
            "data-dist-info-metadata": {"sha256": "ab" * 32},
            "upload-time": "2024-12-04T17:35:26.475468Z",
            "size": 11050,
            "yanked": False,
        },
        {
            "filename": "six-1.16.0.tar.gz",
            "url": "../../packages/six-1.16.0.tar.gz",
            "hashes": {"sha256": "1e" * 32},
            "yanked": "broken",
            "upload-time": "2021-05-05T14:18:18.379365Z",
        },
    ],
    "versions": ["1.16.0", "1.17.0"],
}

_META = "sha256=" + "ab" * 32
_WHEEL_HREF = (
    "https://files.pythonhosted.org/packages/six-1.17.0-py2.py3-none-any.whl"
    "#sha256=4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"
)
PYPI_HTML = f"""<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.4"><title>Links for six</title></head>
<body><h1>Links for six</h1>
<a href="{_WHEEL_HREF}" data-requires-python="!=3.0.*,&gt;=2.7"
 data-dist-info-metadata="{_META}" data-core-metadata="{_META}"
 >six-1.17.0-py2.py3-none-any.whl</a><br />
<a href="../../packages/six-1.16.0.tar.gz#sha256={"1e" * 32}" data-yanked="broken"
 >six-1.16.0.tar.gz</a><br />
<a href="https://example.invalid/readme.txt">readme.txt</a>
</body></html>""".encode()

URL = "https://pypi.org/simple/six/"


def test_json_page() -> None:
    page = parse_project_page(json.dumps(PYPI_JSON).encode(), JSON_V1, url=URL, project="six")
    wheel, sdist = page.files
    assert wheel.sha256 == "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"
    assert wheel.requires_python == "!=3.0.*,>=2.7"
    assert wheel.core_metadata and wheel.core_metadata_hashes == (("sha256", "ab" * 32),)
    assert wheel.upload_time == dt.datetime(2024, 12, 4, 17, 35, 26, 475468, tzinfo=dt.UTC)
    assert wheel.size == 11050 and not wheel.yanked
    assert sdist.url == "https://pypi.org/packages/six-1.16.0.tar.gz"
    assert sdist.yanked and sdist.yanked_reason == "broken"
    assert page.versions == ("1.16.0", "1.17.0")


def test_html_page_gives_the_same_files_without_times() -> None:
    from_json = parse_project_page(json.dumps(PYPI_JSON).encode(), JSON_V1, url=URL, project="six")
    from_html = parse_project_page(PYPI_HTML, "text/html; charset=utf-8", url=URL, project="six")
    assert [f.filename for f in from_html.files] == [f.filename for f in from_json.files]
    for a, b in zip(from_html.files, from_json.files, strict=True):
        assert (a.url, a.sha256, a.requires_python, a.yanked, a.yanked_reason, a.core_metadata) == (
            b.url,
            b.sha256,
            b.requires_python,
            b.yanked,
            b.yanked_reason,
            b.core_metadata,
        )
        assert a.upload_time is None


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"files": [', JSON_V1, "not valid JSON"),
        (b'{"name": "six"}', JSON_V1, "no 'files' list"),
        (
            b'{"meta": {"api-version": "2.0"}, "files": []}',
            JSON_V1,
            "unsupported simple API version",
        ),
        (b'{"files": [{"filename": "six-1.0.tar.gz"}]}', JSON_V1, "needs a 'filename' and a 'url'"),
        (
            b'{"files": [{"filename": "six-1.0.tar.gz", "url": "x", "hashes": {"sha256": "zz"}}]}',
            JSON_V1,
            "not a hex digest",
        ),
        (b"\x89PNG\r\n\x1a\n\xff\xfe", "text/html", "not UTF-8"),
        (b"just some text", "text/html", "not an HTML simple-index page"),
        (b"{}", "image/png", "not a simple-index page"),
    ],
)
def test_bad_replies_name_the_project(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(IndexReplyError) as caught:
        parse_project_page(body, content_type, url=URL, project="six")
    assert caught.value.message.startswith("six: ")
    assert message in caught.value.message


def test_render_round_trips_through_both_formats() -> None:
    page = parse_project_page(json.dumps(PYPI_JSON).encode(), JSON_V1, url=URL, project="six")
    links = {f.filename: f"../../files/{f.sha256}/{f.filename}" for f in page.files}
    again_json = parse_project_page(
        render_json(page, links), JSON_V1, url="http://proxy/simple/six/", project="six"
    )
    again_html = parse_project_page(
        render_html(page, links), HTML_V1, url="http://proxy/simple/six/", project="six"
    )
    for again in (again_json, again_html):
        for before, after in zip(page.files, again.files, strict=True):
            assert after.url == f"http://proxy/files/{before.sha256}/{before.filename}"
            assert (after.sha256, after.requires_python, after.yanked, after.yanked_reason) == (
                before.sha256,
                before.requires_python,
                before.yanked,
                before.yanked_reason,
            )
            assert after.core_metadata_hashes == before.core_metadata_hashes
    assert [f.upload_time for f in again_json.files] == [f.upload_time for f in page.files]


def test_html_escapes_hostile_names() -> None:
    page = ProjectPage(
        name="x",
        files=(IndexFile(filename='x-1.0.tar.gz"><script>', url="u", requires_python="<4"),),
    )
    body = render_html(page, {page.files[0].filename: 'a"b'}).decode()
    assert "<script>" not in body and 'href="a&quot;b"' in body and "&lt;4" in body


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        (None, None, HTML_LEGACY),
        (
            "application/vnd.pypi.simple.v1+json, "
            "application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
            None,
            JSON_V1,
        ),
        ("text/html", None, HTML_LEGACY),
        ("application/vnd.pypi.simple.v1+html", None, HTML_V1),
        ("application/vnd.pypi.simple.latest+json", None, JSON_V1),
        ("application/vnd.pypi.simple.v1+json;q=0.1, text/html", None, HTML_LEGACY),
        ("*/*", None, HTML_LEGACY),
        (None, "application/vnd.pypi.simple.v1+json", JSON_V1),
    ],
)
def test_negotiation(accept: str | None, fmt: str | None, media: str) -> None:
    assert negotiate(accept, fmt) == media


@pytest.mark.parametrize(
    ("filename", "parsed"),
    [
        ("Six-1.17.0-py2.py3-none-any.whl", ("six", "1.17.0")),
        ("zope.interface-6.0.tar.gz", ("zope-interface", "6.0")),
        ("pywin32-306-cp311-cp311-win_amd64.whl", ("pywin32", "306")),
        ("Django-1.0.zip", ("django", "1.0")),
        ("readme.txt", None),
    ],
)
def test_file_names(filename: str, parsed: tuple[str, str] | None) -> None:
    assert parse_filename(filename) == parsed


def test_the_json_api_is_asked_only_of_pypi() -> None:
    from depvet.index.client import json_api_url

    assert (
        json_api_url("https://pypi.org/simple/", "Foo_Bar") == "https://pypi.org/pypi/foo-bar/json"
    )
    assert json_api_url("https://mirror.example.invalid/simple/", "six") is None
