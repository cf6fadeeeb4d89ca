"""The deployment files, checked without a Docker engine (none runs here):

- Dockerfiles (docker/*.Dockerfile), parsed with dockerfile-parse: official base
  images at the versions requirements.lock pins; every COPY source exists and is
  in the build context (.dockerignore); the images run the scripts `make run`
  runs; every package the code in an image imports is installed there, pinned by
  the lock; nothing is trained or downloaded when a container starts.
- docker-compose.yml, validated by Debian's docker-compose 1.29 (`config` needs
  no engine) and checked for health checks, start order, volumes, secrets, CORS.
- deploy/nginx/nginx.conf, checked by a real nginx (`nginx -t`), then run in front
  of two real Rasa servers: pages, security headers, gzip, the REST webhook and
  socket.io over WebSocket and over long-polling (which needs sticky sessions).
- deploy/k8s/*.yaml, validated against the Kubernetes 1.28 schemas in strict
  mode (kubernetes-validate) and checked against the Dockerfiles and compose file
  (commands, ports, images, probes, sizing); the schools ConfigMap holds exactly
  the current school files, and its init step lays them out as the servers expect.

scripts/test_services.sh installs docker-compose and nginx when missing.
"""
from __future__ import annotations

import ast
import asyncio
import base64
import io
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

import kubernetes_validate
import pytest
import requests
import socketio
import yaml
from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from carepath.credentials import CHANNELS  # noqa: E402
from carepath.schools import load_schools  # noqa: E402
from carepath.servers import Servers, free_port, stop  # noqa: E402

DOCKER = ROOT / "docker"
DOCKERFILES = {
    "rasa": DOCKER / "rasa.Dockerfile",
    "actions": DOCKER / "actions.Dockerfile",
    "web": DOCKER / "web.Dockerfile",
}
COMPOSE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx" / "nginx.conf"
K8S = ROOT / "deploy" / "k8s"
EXAMPLES = ROOT / "deploy" / "examples"
SECRET_EXAMPLE = EXAMPLES / "carepath-secrets.yaml"
CHANNELS_EXAMPLE = EXAMPLES / "carepath-channels.yaml"
KUBERNETES_VERSION = "1.28"
# Measured resident memory per process (bench/make bench): the pods' requests must cover it.
MEASURED_RSS_MIB = {"rasa": 620, "actions": 130}
# Installed by pip itself, left out of requirements.lock by `make lock`.
PACKAGING_TOOLS = {"pip", "setuptools", "wheel"}


# --------------------------------------------------------------------------- helpers


def lock_pins() -> Dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def dockerfile(name: str) -> DockerfileParser:
    return DockerfileParser(fileobj=io.BytesIO(DOCKERFILES[name].read_bytes()))


def instructions(name: str) -> List[Tuple[str, str]]:
    return [(i["instruction"], i["value"]) for i in dockerfile(name).structure if i["instruction"] != "COMMENT"]


def stages(name: str) -> List[List[Tuple[str, str]]]:
    result: List[List[Tuple[str, str]]] = []
    for instruction, value in instructions(name):
        if instruction == "FROM":
            result.append([])
        result[-1].append((instruction, value))
    return result


def final_stage(name: str) -> List[Tuple[str, str]]:
    return stages(name)[-1]


def exec_form(value: str) -> List[str]:
    assert value.strip().startswith("["), f"use the exec (JSON) form, not the shell form: {value}"
    return json.loads(value)


def last(stage: List[Tuple[str, str]], instruction: str) -> Optional[str]:
    values = [v for i, v in stage if i == instruction]
    return values[-1] if values else None


def entry_command(name: str) -> List[str]:
    stage = final_stage(name)
    return exec_form(last(stage, "ENTRYPOINT") or "[]") + exec_form(last(stage, "CMD") or "[]")


def exposed_ports(name: str) -> Set[int]:
    return {int(p.split("/")[0]) for v in (v for i, v in final_stage(name) if i == "EXPOSE") for p in v.split()}


# .dockerignore: Docker's matching (Go filepath.Match plus **), on the path and its parents.
def _pattern(glob: str) -> "re.Pattern[str]":
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


def dockerignore() -> List[Tuple[bool, "re.Pattern[str]"]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern(line.lstrip("!").strip().strip("/"))))
    return rules


def ignored(relative: str, rules=None) -> bool:
    rules = dockerignore() if rules is None else rules
    parts = relative.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for negated, pattern in rules:
        if any(pattern.match(c) for c in candidates):
            result = not negated
    return result


def context_files(source: Path, rules) -> List[Path]:
    """The files of ``source`` (a file or a folder) that the build context holds."""
    paths = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    return [p for p in paths if not ignored(p.relative_to(ROOT).as_posix(), rules)]


def copies(stage: List[Tuple[str, str]]) -> Iterator[Tuple[List[str], str, Dict[str, str]]]:
    """(sources, destination, flags) of every COPY/ADD in a stage, destination absolute."""
    workdir = "/"
    for instruction, value in stage:
        if instruction == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, value))
        if instruction in ("COPY", "ADD"):
            words = json.loads(value) if value.strip().startswith("[") else shlex.split(value)
            flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
            args = [w for w in words if not w.startswith("--")]
            destination = posixpath.normpath(posixpath.join(workdir, args[-1]))
            if args[-1].endswith("/") or args[-1] == ".":
                destination = destination.rstrip("/") + "/"
            yield args[:-1], destination, flags


def image_files(stage: List[Tuple[str, str]]) -> Dict[str, str]:
    """Path in the image -> path in the repository, for the files a stage copies in."""
    rules, files = dockerignore(), {}
    for sources, destination, flags in copies(stage):
        if "from" in flags:
            continue
        for source in sources:
            for match in sorted(ROOT.glob(source)) or [ROOT / source]:
                for path in context_files(match, rules) if match.exists() else []:
                    if match.is_dir():
                        target = destination.rstrip("/") + "/" + path.relative_to(match).as_posix()
                    elif destination.endswith("/") or len(sources) > 1:
                        target = destination + path.name
                    else:
                        target = destination
                    files[target] = path.relative_to(ROOT).as_posix()
    return files


def k8s_documents(path: Path) -> List[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s_objects() -> Dict[Tuple[str, str], dict]:
    objects = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in k8s_documents(path):
            objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def container(deployment: dict, name: Optional[str] = None) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if name is None or c["name"] == name)


def env_of(container_spec: dict) -> Dict[str, object]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container_spec.get("env", [])}


def compose_config(**env: str) -> subprocess.CompletedProcess:
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is missing: scripts/test_services.sh installs it (apt-get install docker-compose)"
    passed = {"POSTGRES_PASSWORD", "RASA_API_TOKEN", "CORS_ORIGINS", "WEB_PORT"}
    passed |= {name for channel in CHANNELS for name in channel.required + channel.optional}
    clean = {k: v for k, v in os.environ.items() if k not in passed}
    return subprocess.run(
        [compose, "-f", str(COMPOSE), "config"], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def resolved_compose() -> dict:
    result = compose_config(POSTGRES_PASSWORD="compose-test-password")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    assert found, "nginx is missing: scripts/test_services.sh installs it (apt-get install nginx-light)"
    return found


def nginx_conf_for(tmp: Path, rasa_ports: List[int], listen_port: int, root: Path) -> Path:
    """nginx.conf with the container's names and paths replaced by local ones;
    every replaced piece must be found, so the test follows the real file."""
    text = NGINX_CONF.read_text()
    servers = "\n        ".join(f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in rasa_ports)
    for original, replacement in [
        ("/tmp/", f"{tmp}/"),  # first: tmp itself may be under /tmp
        ("server rasa:5005 max_fails=3 fail_timeout=10s;", servers),
        ("listen 8080;", f"listen 127.0.0.1:{listen_port};"),
        ("root /usr/share/nginx/html;", f"root {root};"),
    ]:
        assert original in text, f"{NGINX_CONF}: {original!r} not found"
        text = text.replace(original, replacement)
    conf = tmp / "nginx.conf"
    conf.write_text(text)
    return conf


# --------------------------------------------------------------------------- the pins


def test_deployment_test_tools_are_pinned_and_installed():
    pins = lock_pins()
    for name in ("kubernetes-validate", "dockerfile-parse"):
        assert name in pins, f"{name} is not pinned in requirements.lock"
        assert metadata.version(name) == pins[name]


# --------------------------------------------------------------------------- Dockerfiles


def test_base_images_are_the_official_ones_at_the_locked_versions():
    pins = lock_pins()
    assert [v for i, v in instructions("rasa") if i == "FROM"] == [f"rasa/rasa:{pins['rasa']}"]
    assert [v for i, v in instructions("actions") if i == "FROM"] == [f"rasa/rasa-sdk:{pins['rasa-sdk']}"]
    web = [v.split()[0] for i, v in instructions("web") if i == "FROM"]
    assert len(web) == 2
    assert re.fullmatch(r"node:22-bookworm-slim", web[0]), web  # a maintained Node LTS (20 is end of life)
    assert re.fullmatch(r"nginx:\d+\.\d+-alpine", web[1]), web  # Docker's official nginx image
    for name in DOCKERFILES:
        for image in (v.split()[0] for i, v in instructions(name) if i == "FROM"):
            assert ":" in image and not image.endswith(":latest"), f"{name}: pin a tag, not {image}"


def test_every_copy_source_exists_and_is_in_the_build_context():
    rules = dockerignore()
    for name in DOCKERFILES:
        for instruction, value in instructions(name):
            assert instruction != "ADD", f"{name}: use COPY (ADD fetches URLs and unpacks archives)"
        for stage in stages(name):
            for sources, _destination, flags in copies(stage):
                if "from" in flags:
                    continue
                for source in sources:
                    matches = sorted(ROOT.glob(source))
                    assert matches, f"{DOCKERFILES[name].name}: COPY {source}: no such file in the repository"
                    for match in matches:
                        assert not ignored(match.relative_to(ROOT).as_posix(), rules), (
                            f"{DOCKERFILES[name].name}: COPY {source}: excluded by .dockerignore"
                        )
                        assert context_files(match, rules), f"{DOCKERFILES[name].name}: COPY {source}: nothing to copy"


def test_dockerignore_keeps_generated_files_and_secrets_out_of_the_context():
    for path in (".venv/bin/python", "build/web/widget.js", "models/carepath.tar.gz", "web/node_modules/x/y.js",
                 ".git/config", ".env", "deploy/prod.env", "build/trackers.db", "carepath/__pycache__/x.pyc",
                 "tests/test_actions.py"):
        assert ignored(path), f"{path} would be sent to the Docker build"
    for path in ("carepath/schools.py", "schools/example-tech.yml", "web/src/widget.js", "deploy/nginx/nginx.conf",
                 "requirements.lock", "docker/rasa.requirements.txt", "scripts/serve_rasa.sh"):
        assert not ignored(path), f"{path} is needed by a Docker build"


def test_images_run_the_scripts_make_run_runs():
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    for name, script in (("rasa", "scripts/serve_rasa.sh"), ("actions", "scripts/serve_actions.sh")):
        assert re.search(rf"^{re.escape(script)} &", run_sh, re.M), f"scripts/run.sh does not start {script}"
        command = entry_command(name)
        files = image_files(final_stage(name))
        assert command and files.get(command[0]) == script, f"{name}: the container runs {command}, not {script}"
        assert os.access(ROOT / script, os.X_OK), f"{script} must be executable (COPY keeps the mode)"
        # The script does `cd "$(dirname "$0")/.."`: the project root in the image is the WORKDIR.
        assert command[0] == f"{last(final_stage(name), 'WORKDIR')}/{script}"
        env = dockerfile(name).envs
        assert env.get("CAREPATH_PYTHON") == "python", f"{name}: set CAREPATH_PYTHON=python (no .venv in the image)"
        user = last(final_stage(name), "USER")
        assert user == "1001", f"{name}: the official images run as 1001; the final USER is {user}"
    assert last(final_stage("web"), "USER") == "101", "web: nginx runs unprivileged (user nginx, 101)"


def test_the_rasa_image_builds_the_pipeline_and_model_at_build_time():
    runs = [v for i, v in final_stage("rasa") if i == "RUN"]
    build = next((r for r in runs if "rasa train" in r), "")
    assert "python -m carepath.spacy_pipeline" in build, "the spaCy pipeline must be built in the image"
    makefile = (ROOT / "Makefile").read_text()
    train = re.search(r"\$\(RASA\) (train [^\n]+)", makefile).group(1)
    assert f"rasa {train}" in build, f"the image must train as `make train` does ({train})"
    model = re.search(r'MODEL="\$\{MODEL:-([^}]+)\}"', (ROOT / "scripts" / "serve_rasa.sh").read_text()).group(1)
    assert model == "models/carepath.tar.gz" and "--fixed-model-name carepath --out models" in build
    spacy_model = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    path = next(c["model"] for c in spacy_model if c["name"] == "SpacyNLP")
    assert path == "build/spacy/carepath_en"  # built under the WORKDIR by the RUN above


NETWORK_AT_START = re.compile(
    r"rasa\s+train|pip\s+install|spacy\s+download|npm\s|npx\s|curl\s|wget\s|git\s+clone|apt-get"
    r"|https?://(?!localhost[:/]|127\.0\.0\.1[:/])"
)


def test_containers_need_no_network_when_they_start():
    for name, script in (("rasa", "scripts/serve_rasa.sh"), ("actions", "scripts/serve_actions.sh")):
        command = " ".join(entry_command(name))
        assert not NETWORK_AT_START.search(command), f"{name}: {command}"
        body = "\n".join(l for l in (ROOT / script).read_text().splitlines() if not l.lstrip().startswith("#"))
        assert not NETWORK_AT_START.search(body), f"{script} downloads or trains at start"
    assert re.search(r"rasa\s+train", " ".join(v for i, v in final_stage("rasa") if i == "RUN"))
    # The web image serves a finished tree: nginx's own entry point, no build steps at start.
    assert last(final_stage("web"), "ENTRYPOINT") is None and last(final_stage("web"), "CMD") is None
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    commands = [json.dumps(s.get("command", "")) + json.dumps(s.get("entrypoint", "")) for s in compose.values()]
    for k8s in k8s_objects().values():
        if k8s["kind"] == "Deployment":
            for c in k8s["spec"]["template"]["spec"]["containers"] + k8s["spec"]["template"]["spec"].get(
                "initContainers", []
            ):
                commands.append(json.dumps(c.get("command", [])) + json.dumps(c.get("args", [])))
    for command in commands:
        assert not NETWORK_AT_START.search(command), command


def test_serve_scripts_run_modules_the_image_holds():
    for name, script in (("rasa", "scripts/serve_rasa.sh"), ("actions", "scripts/serve_actions.sh")):
        files = set(image_files(final_stage(name)).values())
        for module in re.findall(r'"\$PY" -m ([\w.]+)', (ROOT / script).read_text()):
            if module.split(".")[0] in ("rasa", "rasa_sdk"):
                continue
            path = module.replace(".", "/")
            assert f"{path}.py" in files or f"{path}/__main__.py" in files, f"{script}: -m {module} is not in the {name} image"


# The packages each image's code imports must be installed in it (and pinned).

LOCAL = ("carepath", "actions")


def _module_file(name: str) -> Optional[Path]:
    base = ROOT / name.replace(".", "/")
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


class _Imports(ast.NodeVisitor):
    """Absolute module names imported by a file, except optional ones
    (under ``try: ... except ImportError``) and ``if TYPE_CHECKING:`` ones."""

    def __init__(self, package: str) -> None:
        self.package, self.found, self.optional = package, set(), 0

    def visit_Try(self, node: ast.Try) -> None:
        catches = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
        optional = bool(catches & {"ImportError", "ModuleNotFoundError", "(ImportError, ModuleNotFoundError)"})
        self.optional += optional
        for child in node.body:
            self.visit(child)
        self.optional -= optional
        for child in node.handlers + node.orelse + node.finalbody:
            self.visit(child)

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        if not self.optional:
            self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self.optional:
            return
        if node.level:
            base = self.package.split(".")[: len(self.package.split(".")) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        self.found.add(module)
        self.found.update(f"{module}.{alias.name}" for alias in node.names)


def imports_of(roots: List[str]) -> Tuple[Set[Path], Set[str]]:
    """(local files, third-party top-level names) reachable from local modules ``roots``."""
    todo, files, external = list(roots), set(), set()
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or path in files:
            continue
        files.add(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        visitor = _Imports(package)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        for imported in visitor.found:
            top = imported.split(".")[0]
            if top in LOCAL:
                parts = imported.split(".")
                todo.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
            elif top and top not in sys.stdlib_module_names:
                external.add(top)
    return files, external


def dependency_closure(requirements: List[str]) -> Dict[str, str]:
    """Every distribution ``requirements`` install (with extras, this platform), from
    the installed metadata, which is requirements.lock: name -> installed version."""
    seen: Set[Tuple[str, Tuple[str, ...]]] = set()
    closure: Dict[str, str] = {}
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        key = (name, tuple(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(name)
        closure[name] = dist.version
        for line in dist.requires or []:
            child = Requirement(line)
            environments = [{"extra": e} for e in (sorted(requirement.extras) or [""])] + [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in environments):
                todo.append(child)
    return closure


def import_providers() -> Dict[str, Set[str]]:
    """Top-level import name -> the distributions providing it (top_level.txt, or the
    files a distribution installed: poetry-built wheels such as rasa's have no top_level.txt)."""
    providers: Dict[str, Set[str]] = {}
    for dist in metadata.distributions():
        names = set((dist.read_text("top_level.txt") or "").split())
        for file in dist.files or []:
            parts = file.parts
            if len(parts) > 1 and parts[0] != ".." and not parts[0].endswith((".dist-info", ".egg-info", ".data")):
                names.add(parts[0])
            elif len(parts) == 1 and parts[0].endswith((".py", ".so")):
                names.add(parts[0].split(".")[0])
        for name in names:
            providers.setdefault(name, set()).add(canonicalize_name(dist.metadata["Name"]))
    return providers


def image_requirements(name: str) -> List[str]:
    lines = (DOCKER / f"{name}.requirements.txt").read_text().splitlines()
    return [l.split("#", 1)[0].strip() for l in lines if l.split("#", 1)[0].strip()]


def base_package(image: str) -> List[str]:
    """What the official base image already holds: rasa/rasa:X has rasa==X, rasa/rasa-sdk:X rasa-sdk==X."""
    repository, tag = last(stages(image)[0], "FROM").split()[0].split(":")
    return [f"{repository.split('/')[-1]}=={tag}"]


IMAGES = {
    # image: (what the official base image already holds, the code's entry modules)
    "rasa": (base_package("rasa"), sorted(
        p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
        for p in (ROOT / "carepath").rglob("*.py")
    )),
    # rasa_sdk imports every module of the actions package (--actions actions).
    "actions": (base_package("actions"), sorted(
        p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
        for p in (ROOT / "actions").rglob("*.py")
    ) + [
        m for m in re.findall(r'"\$PY" -m ([\w.]+)', (ROOT / "scripts" / "serve_actions.sh").read_text())
        if m.split(".")[0] in LOCAL
    ]),
}


@pytest.mark.parametrize("image", ["rasa", "actions", "web"])
def test_each_image_installs_what_its_code_imports_at_the_locked_versions(image):
    pins = lock_pins()
    requested = image_requirements(image)
    for line in requested:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"docker/{image}.requirements.txt: {name} is not in requirements.lock"
        assert not requirement.specifier or pins[name] in requirement.specifier, (
            f"docker/{image}.requirements.txt: {line} disagrees with requirements.lock ({pins[name]})"
        )
    if image == "web":
        base, roots = [], []
        build_py = ROOT / "web" / "build.py"
        assert build_py.is_file(), "web/build.py (make web) is missing"
        tree = ast.parse(build_py.read_text())
        visitor = _Imports("web")
        visitor.visit(tree)
        roots = [m for m in visitor.found if m.split(".")[0] in LOCAL]
        external = {m.split(".")[0] for m in visitor.found} - set(LOCAL) - set(sys.stdlib_module_names) - {""}
    else:
        base, roots = IMAGES[image]
        external = set()
    files, imported = imports_of(roots)
    imported |= external
    closure = dependency_closure(base + requested)
    unpinned = sorted(set(closure) - set(pins) - PACKAGING_TOOLS)
    assert not unpinned, f"{image}: installed but not pinned in requirements.lock: {unpinned}"
    assert all(pins[n] == v for n, v in closure.items() if n in pins), "the venv differs from requirements.lock"
    providers = import_providers()
    missing = sorted(top for top in imported if not providers.get(top, set()) & set(closure))
    assert not missing, f"the {image} image's code imports {missing}, which docker/{image}.requirements.txt does not install"
    # The local modules are copied to where `python -m` from the WORKDIR finds them.
    stage = final_stage(image) if image != "web" else stages("web")[0]
    workdir = last(stage, "WORKDIR")
    copied = image_files(stage)
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        assert copied.get(f"{workdir}/{relative}") == relative, f"{image}: {relative} is not copied to {workdir}/"


def test_images_hold_the_data_files_the_servers_read():
    needed = {
        "rasa": ["config.yml", "domain.yml", "credentials.yml", "endpoints.yml", "carepath.yml", "data", "knowledge_base",
                 "schools", "scripts/serve_rasa.sh"],
        "actions": ["carepath.yml", "knowledge_base", "schools", "scripts/serve_actions.sh"],
        "web": ["carepath.yml", "knowledge_base", "schools", "web/build.py", "web/bundle.mjs", "web/src", "web/pages",
                "web/package.json", "web/package-lock.json"],
    }
    rules = dockerignore()
    for image, paths in needed.items():
        stage = final_stage(image) if image != "web" else stages("web")[0]
        workdir, copied = last(stage, "WORKDIR"), image_files(stage)
        for relative in paths:
            for path in context_files(ROOT / relative, rules):
                rel = path.relative_to(ROOT).as_posix()
                assert copied.get(f"{workdir}/{rel}") == rel, f"{image}: {rel} is not in the image at {workdir}/{rel}"


def test_the_web_image_builds_like_make_web_and_serves_the_tree_with_the_nginx_config():
    build, serve = stages("web")
    runs = " && ".join(v for i, v in build if i == "RUN")
    assert "npm ci" in runs, "npm ci (exact versions from web/package-lock.json)"
    out = re.search(r"python web/build\.py --out (\S+)", runs)
    assert out, "the build stage must run web/build.py, as `make web` does"
    copies_from_build = [(s, d) for s, d, f in copies(serve) if f.get("from") == build[0][1].split()[-1]]
    assert copies_from_build == [([out.group(1)], "/usr/share/nginx/html")]
    assert ("COPY", "deploy/nginx/nginx.conf /etc/nginx/nginx.conf") in serve
    assert re.search(r"root /usr/share/nginx/html;", NGINX_CONF.read_text())
    makefile = (ROOT / "Makefile").read_text()
    if re.search(r"^web:", makefile, re.M):
        assert re.search(r"web/build\.py", makefile), "make web and the web image must build the same way"


# --------------------------------------------------------------------------- docker-compose


def test_compose_file_is_valid_for_docker_compose_and_needs_a_database_password():
    result = compose_config(POSTGRES_PASSWORD="compose-test-password")
    assert result.returncode == 0, result.stderr
    missing = compose_config()
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr, "no default database password"


def test_compose_services_health_checks_and_start_order():
    services = resolved_compose()["services"]
    assert set(services) == {"postgres", "redis", "actions", "rasa", "web"}
    checks = {name: " ".join(s["healthcheck"]["test"]) for name, s in services.items()}
    assert "pg_isready" in checks["postgres"]
    assert "redis-cli ping" in checks["redis"]
    assert "http://localhost:5055/health" in checks["actions"]
    assert "curl" in checks["rasa"] and "http://localhost:5005/" in checks["rasa"]
    assert "http://127.0.0.1:8080/" in checks["web"]
    healthy = {n: {d: c["condition"] for d, c in s.get("depends_on", {}).items()} for n, s in services.items()}
    assert healthy["actions"] == {"postgres": "service_healthy"}
    assert healthy["rasa"] == {"postgres": "service_healthy", "redis": "service_healthy", "actions": "service_healthy"}
    assert healthy["web"] == {"rasa": "service_healthy"}
    for name in ("actions", "rasa"):
        assert services[name]["build"]["dockerfile"] == f"docker/{name}.Dockerfile"
        # The images' own entry points (the serve scripts), not overridden here.
        assert "command" not in services[name] and "entrypoint" not in services[name]
    assert services["web"]["build"]["dockerfile"] == "docker/web.Dockerfile"


def test_compose_environment_volumes_ports_and_secrets():
    config = resolved_compose()
    services = config["services"]
    rasa, actions = services["rasa"]["environment"], services["actions"]["environment"]
    assert rasa["ACTIONS_URL"] == "http://actions:5055/webhook"
    assert rasa["REDIS_URL"] == "redis://redis:6379/0"
    assert rasa["RASA_PORT"] == "5005" and actions["ACTIONS_PORT"] == "5055"
    assert exposed_ports("rasa") == {5005} and exposed_ports("actions") == {5055} and exposed_ports("web") == {8080}
    for env in (rasa, actions):
        assert env["TRACKER_DB_URL"] == "postgresql://carepath:compose-test-password@postgres:5432/carepath"
        assert env["CAREPATH_SCHOOLS_DIR"] == "/etc/carepath/schools"
    assert rasa["SANIC_WORKERS"] == "1"
    # The messaging channels' variables reach Rasa when set (and only then).
    for channel in CHANNELS:
        for variable in channel.required + channel.optional:
            assert variable in rasa and rasa[variable] is None, f"{variable} is not passed to rasa"
    for name in ("rasa", "actions"):
        mounts = services[name]["volumes"]
        assert f"{ROOT}/schools:/etc/carepath/schools:ro" in mounts, mounts
    assert services["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql/data:rw"]
    assert "pgdata" in config["volumes"]
    # Several Rasa replicas need the shared lock store and sticky sessions (nginx ip_hash).
    assert services["rasa"]["deploy"]["replicas"] >= 2 and rasa["REDIS_URL"]
    assert re.search(r"upstream rasa \{\s*ip_hash;", NGINX_CONF.read_text())
    # Only nginx is published.
    assert [n for n, s in services.items() if s.get("ports")] == ["web"]
    assert services["web"]["ports"][0]["target"] == 8080
    raw = COMPOSE.read_text()
    assert "*" not in (rasa.get("CORS_ORIGINS") or "") and not re.search(r"CORS_ORIGINS:.*\*", raw)
    assert re.search(r"POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?", raw), "the password comes from the environment"
    assert "compose-test-password" not in raw
    assert services["rasa"]["image"] == "carepath/rasa:dev" and services["actions"]["image"] == "carepath/actions:dev"


# --------------------------------------------------------------------------- nginx


def test_nginx_config_passes_nginx_t(tmp_path):
    tmp_path.chmod(0o755)
    conf = nginx_conf_for(tmp_path, [free_port()], free_port(), tmp_path)
    result = subprocess.run([nginx_binary(), "-t", "-c", str(conf)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    broken = tmp_path / "broken.conf"
    broken.write_text(conf.read_text().replace("proxy_http_version 1.1;", "proxy_http_version 1.1", 1))
    result = subprocess.run([nginx_binary(), "-t", "-c", str(broken)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0, "nginx -t must reject a broken file"


def test_nginx_config_proxies_only_the_chat_and_never_lets_every_origin_chat():
    text = re.sub(r"#[^\n]*", "", NGINX_CONF.read_text())  # directives only
    assert re.search(r"location \^~ /socket\.io/ \{[^}]*proxy_pass http://rasa;[^}]*Upgrade \$http_upgrade", text, re.S)
    assert re.search(r"location \^~ /webhooks/ \{[^}]*proxy_pass http://rasa;", text, re.S)
    assert len(re.findall(r"proxy_pass", text)) == 2, "only socket.io and the webhooks go to Rasa"
    # "*" only for the public static files, from a map that gives the chat paths nothing.
    assert re.findall(r"Access-Control-Allow-Origin[^;]*;", text) == ["Access-Control-Allow-Origin $public_cors always;"]
    cors_map = re.search(r"map \$uri \$public_cors \{([^}]*)\}", text).group(1)
    rules = re.findall(r"^\s*(\S+)\s+\"([^\"]*)\";", cors_map, re.M)
    assert rules[0] == ("default", "") and rules[1] == ("~^/(socket\\.io|webhooks)/", "")
    assert re.search(r"^\s*listen 8080;", text, re.M) and re.search(r"server rasa:5005\b", text)
    assert re.search(r"^\s*gzip on;", text, re.M)


class Proxied:
    """nginx (deploy/nginx/nginx.conf) serving a real `make web` build, in front of
    two real Rasa servers and the action server. The schools are a copy whose
    allowed origin is nginx's own (http://127.0.0.1:<port>), as on a real host."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.base = self.origin = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        schools = workdir / "schools"
        shutil.copytree(ROOT / "schools", schools)
        for path in schools.glob("*.yml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            data["allowed_origins"] = [self.origin]
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        self.env = {"CAREPATH_SCHOOLS_DIR": str(schools), "CORS_ORIGINS": self.origin}
        self.servers = Servers(workdir, env=self.env)
        self.second: Optional[subprocess.Popen] = None
        self.nginx: Optional[subprocess.Popen] = None
        # nginx's workers run as nobody: a world-readable folder outside pytest's private tmp.
        self.dir = Path(tempfile.mkdtemp(prefix="carepath-nginx-"))
        self.dir.chmod(0o755)
        self.root = self.dir / "html"

    def start(self) -> None:
        build = subprocess.run(
            [sys.executable, str(ROOT / "web" / "build.py"), "--out", str(self.root)],
            env={**os.environ, **self.env}, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )
        assert build.returncode == 0, f"web/build.py (make web) failed:\n{build.stdout}\n{build.stderr}"
        for path in [self.root, *self.root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.servers.start_actions()
        self.servers.start_rasa()
        second_port = free_port()
        self.second = self.servers.start_rasa_instance(second_port, "rasa-2.log")
        conf = nginx_conf_for(self.dir, [self.servers.rasa_port, second_port], self.port, self.root)
        log = (self.workdir / "nginx.log").open("w")
        self.nginx = subprocess.Popen([nginx_binary(), "-c", str(conf), "-g", "daemon off;"], stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            assert self.nginx.poll() is None, (self.workdir / "nginx.log").read_text()
            try:
                requests.get(self.base + "/", timeout=2)
                return
            except requests.RequestException:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.2)

    def stop(self) -> None:
        stop(self.nginx)
        stop(self.second)
        self.servers.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    model = ROOT / "models" / "carepath.tar.gz"
    assert model.exists(), f"{model} is missing: run `make train` (make test does it for you)"
    stack = Proxied(tmp_path_factory.mktemp("nginx-proxy"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def test_nginx_serves_the_pages_with_security_headers_and_gzip(proxied):
    page = requests.get(proxied.base + "/", timeout=10)
    assert page.status_code == 200 and '<script src="/widget.js"' in page.text
    headers = page.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self';", "connect-src 'self'"):
        assert directive in csp
    assert "unsafe" not in csp
    assert headers["Cache-Control"] == "no-cache"
    assert "Access-Control-Allow-Origin" not in headers
    assert headers["Server"] == "nginx", "no version in the Server header"
    school_page = requests.get(proxied.base + "/schools/example-tech/", timeout=10)
    assert school_page.status_code == 200 and 'data-school="example-tech"' in school_page.text
    widget = requests.get(proxied.base + "/widget.js", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert widget.status_code == 200 and widget.headers["Content-Encoding"] == "gzip"
    assert widget.headers["Cache-Control"] == "no-cache" and widget.headers["ETag"]
    assert widget.headers["X-Content-Type-Options"] == "nosniff"
    # Schools' own sites load the widget and its config cross-origin.
    config = requests.get(proxied.base + "/schools/example-tech.json", headers={"Origin": "https://www.school.example"},
                          timeout=10)
    assert config.json()["id"] == "example-tech" and config.headers["Access-Control-Allow-Origin"] == "*"
    assert widget.headers["Access-Control-Allow-Origin"] == "*"


def test_nginx_does_not_expose_rasas_http_api(proxied):
    for path in ("/status", "/version", "/model/parse", "/conversations/x/tracker"):
        reply = requests.get(proxied.base + path, timeout=10)
        assert reply.status_code == 404, path
        assert "rasa" not in reply.text.lower()


def test_nginx_proxies_the_rest_webhook(proxied):
    reply = requests.post(
        proxied.base + "/webhooks/rest/webhook",
        json={"sender": uuid.uuid4().hex, "message": "what certifications do medical assistants need?"},
        headers={"Origin": proxied.origin},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()[-1]["custom"]["answer_id"] == "medical_assistant.certification"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers.get("Access-Control-Allow-Origin") in (None, proxied.origin)
    # The page's Origin reaches Rasa: one no school lists is refused, and never given "*".
    refused = requests.post(
        proxied.base + "/webhooks/rest/webhook", json={"sender": "x", "message": "hi"},
        headers={"Origin": "https://evil.example"}, timeout=30,
    )
    assert refused.status_code == 403
    assert refused.headers.get("Access-Control-Allow-Origin") != "*"


async def _chat_through(base: str, transport: str, origin: str, school: Optional[str]) -> dict:
    client = socketio.AsyncClient(reconnection=False)
    done, received = asyncio.Event(), []

    @client.on("bot_uttered")
    async def on_bot(data):
        received.append(data)
        if "custom" in data:
            done.set()

    try:
        await client.connect(
            base, socketio_path="/socket.io", transports=[transport], headers={"Origin": origin},
            auth={"school_id": school} if school else None, wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        if client.eio.http is not None:  # the refused connection's HTTP session
            await client.eio.http.close()
        raise
    try:
        assert client.transport() == transport
        session = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session})
        # Several turns: with long-polling, each is several HTTP requests through nginx.
        for message in ("hello", "what certifications do medical assistants need?"):
            done.clear()
            metadata = {"school_id": school} if school else {}
            await client.emit("user_uttered", {"message": message, "session_id": session, "metadata": metadata})
            await asyncio.wait_for(done.wait(), 30)
        return received[-1]["custom"]
    finally:
        await client.disconnect()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_nginx_proxies_socketio_with_sticky_sessions(proxied, transport):
    # Long-polling across two Rasa servers works only if every request of the
    # session reaches the same one (ip_hash): the engine.io session lives there.
    payload = asyncio.run(_chat_through(proxied.base, transport, proxied.origin, "example-tech"))
    assert payload["topic"] == "certification" and payload["role"] == "medical_assistant"
    assert payload["school"] == "example-tech"
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(_chat_through(proxied.base, transport, "https://evil.example", "example-tech"))


def test_the_widget_works_in_a_browser_behind_nginx_and_its_policy(proxied):
    """A school's demo page from nginx, in headless Chromium: the widget loads under
    nginx's Content-Security-Policy and chats over socket.io through the proxy."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS, TURN_DONE_JS
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: List[str] = []
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            socket_urls: List[str] = []
            page.on("websocket", lambda ws: socket_urls.append(ws.url))
            page.goto(proxied.base + "/schools/example-tech/")
            expect(page.locator(".cp-launcher")).to_be_visible(timeout=10000)
            page.locator(".cp-launcher").click()
            expect(page.locator(".cp-input")).to_be_focused(timeout=10000)
            before = page.locator(".cp-bot").count()
            page.locator(".cp-input").fill("what certifications do medical assistants need?")
            page.locator(".cp-input").press("Enter")
            page.wait_for_function(TURN_DONE_JS, arg=before, timeout=30000)
            answer = page.locator(".cp-bot").last.text_content()
            assert "certif" in answer.lower(), answer
            assert socket_urls and all(u.startswith(f"ws://127.0.0.1:{proxied.port}/socket.io/") for u in socket_urls)
            assert not errors, f"console errors (a Content-Security-Policy violation?): {errors}"
        finally:
            browser.close()


# --------------------------------------------------------------------------- Kubernetes


def test_k8s_manifests_validate_against_kubernetes_1_28_strict():
    paths = sorted(K8S.glob("*.yaml")) + sorted(EXAMPLES.glob("*.yaml"))
    assert len(paths) >= 5
    kinds = set()
    for path in paths:
        docs = k8s_documents(path)
        assert docs, f"{path}: empty"
        for doc in docs:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                location = ".".join(str(p) for p in error.path)
                pytest.fail(f"{path.name}: {doc['kind']}/{doc['metadata']['name']}: {location}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                pytest.fail(f"{path.name}: {error.message}")
            kinds.add(doc["kind"])
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "ConfigMap", "Ingress", "Secret"} <= kinds


def test_k8s_strict_validation_catches_a_misspelt_field():
    deployment = json.loads(json.dumps(k8s_objects()[("Deployment", "rasa")]))
    container(deployment)["readinessProbe"]["periodSecond"] = 10
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def _port(c: dict, name_or_number) -> int:
    if isinstance(name_or_number, int):
        return name_or_number
    return next(p["containerPort"] for p in c["ports"] if p["name"] == name_or_number)


def test_k8s_commands_ports_images_and_probes_agree_with_the_images():
    objects = k8s_objects()
    compose = resolved_compose()["services"]
    expected = {  # component: (container port, probe path)
        "rasa": (5005, "/"),
        "actions": (5055, "/health"),
        "web": (8080, "/"),
    }
    for name, (port, probe) in expected.items():
        deployment = objects[("Deployment", name)]
        c = container(deployment, name)
        if name == "web":
            assert "command" not in c and "args" not in c  # nginx's own entry point
        else:
            assert c["command"] + c.get("args", []) == entry_command(name), f"{name}: the command differs from the image"
        assert [p["containerPort"] for p in c["ports"]] == [port] and exposed_ports(name) == {port}
        for kind in ("readinessProbe", "livenessProbe"):
            assert c[kind]["httpGet"]["path"] == probe and _port(c, c[kind]["httpGet"]["port"]) == port
        if name != "web":
            assert c["startupProbe"]["httpGet"]["path"] == probe
        assert c["image"] == compose[name]["image"], f"{name}: Kubernetes and compose run different images"
        for init in deployment["spec"]["template"]["spec"].get("initContainers", []):
            assert init["image"] == c["image"]
        service = objects[("Service", name)]
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        assert deployment["spec"]["template"]["metadata"]["labels"] == deployment["spec"]["selector"]["matchLabels"]
        (service_port,) = service["spec"]["ports"]
        assert _port(c, service_port["targetPort"]) == port
        security = deployment["spec"]["template"]["spec"]["securityContext"]
        assert security["runAsNonRoot"] is True
        assert str(security["runAsUser"]) == last(final_stage(name), "USER")
    assert objects[("Service", "rasa")]["spec"]["ports"][0]["port"] == 5005
    assert objects[("Service", "actions")]["spec"]["ports"][0]["port"] == 5055
    assert objects[("Service", "web")]["spec"]["ports"][0]["port"] == 80
    rasa_env = env_of(container(objects[("Deployment", "rasa")]))
    assert rasa_env["ACTIONS_URL"] == "http://actions:5055/webhook" and rasa_env["RASA_PORT"] == "5005"
    assert rasa_env["SANIC_WORKERS"] == "1"
    assert env_of(container(objects[("Deployment", "actions")]))["ACTIONS_PORT"] == "5055"


def test_k8s_sizing_autoscaling_and_sticky_sessions():
    objects = k8s_objects()

    def mib(quantity: str) -> float:
        number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(Mi|Gi|M|G)", quantity).groups()
        return float(number) * {"Mi": 1, "Gi": 1024, "M": 1e6 / 2**20, "G": 1e9 / 2**20}[unit]

    for name, rss in MEASURED_RSS_MIB.items():
        resources = container(objects[("Deployment", name)])["resources"]
        request, limit = mib(resources["requests"]["memory"]), mib(resources["limits"]["memory"])
        assert rss < request <= limit, f"{name}: request {request} MiB must exceed the measured {rss} MiB"
        assert limit >= 1.5 * rss, f"{name}: leave headroom above the measured {rss} MiB"
        assert resources["requests"]["cpu"] and resources["limits"]["cpu"]
        hpa = objects[("HorizontalPodAutoscaler", name)]
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    rasa_service = objects[("Service", "rasa")]["spec"]
    assert rasa_service["sessionAffinity"] == "ClientIP"
    chat = objects[("Ingress", "carepath-chat")]
    annotations = chat["metadata"]["annotations"]
    assert annotations.get("nginx.ingress.kubernetes.io/upstream-hash-by") or annotations.get(
        "nginx.ingress.kubernetes.io/affinity"
    ), "socket.io needs sticky sessions at the Ingress"
    routes = {p["path"]: p["backend"]["service"] for r in chat["spec"]["rules"] for p in r["http"]["paths"]}
    assert routes == {"/socket.io/": {"name": "rasa", "port": {"name": "http"}},
                      "/webhooks/": {"name": "rasa", "port": {"name": "http"}}}
    web = objects[("Ingress", "carepath-web")]
    assert [p["backend"]["service"]["name"] for r in web["spec"]["rules"] for p in r["http"]["paths"]] == ["web"]


def test_k8s_secrets_are_referenced_never_committed():
    example = k8s_documents(SECRET_EXAMPLE)[0]
    keys = set(example["stringData"])
    assert all("REPLACE_ME" in v for v in example["stringData"].values()), "the example holds no real values"
    references = []
    for obj in k8s_objects().values():
        assert obj["kind"] != "Secret", "no Secret in deploy/k8s/: create it from your own values"
        if obj["kind"] == "Deployment":
            for c in obj["spec"]["template"]["spec"]["containers"]:
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        references.append((e["name"], ref["name"], ref["key"], ref.get("optional", False)))
    assert {(n, s, k) for n, s, k, _ in references} >= {
        ("TRACKER_DB_URL", "carepath-secrets", "tracker-db-url"),
        ("REDIS_URL", "carepath-secrets", "redis-url"),
        ("RASA_API_TOKEN", "carepath-secrets", "rasa-api-token"),
    }
    for _name, secret, key, _optional in references:
        assert secret == example["metadata"]["name"] and key in keys
    assert [o for n, _s, _k, o in references if n == "RASA_API_TOKEN"] == [True], "the API token is optional"
    # The messaging channels: an optional Secret whose keys are the channels' variables.
    channels = k8s_documents(CHANNELS_EXAMPLE)[0]
    rasa = container(k8s_objects()[("Deployment", "rasa")])
    assert rasa["envFrom"] == [{"secretRef": {"name": channels["metadata"]["name"], "optional": True}}]
    variables = {name for channel in CHANNELS for name in channel.required + channel.optional}
    assert set(channels["stringData"]) <= variables
    assert all(v == "REPLACE_ME" for v in channels["stringData"].values())
    for path in sorted(K8S.glob("*.yaml")):
        assert not re.search(r"(?i)password\s*[:=]\s*\S", path.read_text()), f"{path.name}: a literal password"


def _schools_configmap_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("schools_configmap", ROOT / "deploy" / "schools_configmap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schools_configmap_holds_exactly_the_current_school_files():
    generator = _schools_configmap_module()
    committed = (K8S / "schools-configmap.yaml").read_text()
    assert committed == generator.render(), "deploy/k8s/schools-configmap.yaml is stale: run `make k8s-config`"
    configmap = k8s_objects()[("ConfigMap", "carepath-schools")]
    files = {p.name: p.read_bytes() for p in (ROOT / "schools").glob("*.yml")}
    assets = ROOT / "schools" / "assets"
    files.update({p.name: p.read_bytes() for p in assets.iterdir() if p.is_file()} if assets.is_dir() else {})
    held = {k: v.encode("utf-8") for k, v in configmap.get("data", {}).items()}
    held.update({k: base64.b64decode(v) for k, v in configmap.get("binaryData", {}).items()})
    assert held == files
    assert set(held) >= {"example-tech.yml", "riverbend-college.yml"}


def test_the_init_step_lays_the_configmap_out_as_the_servers_read_it(tmp_path):
    objects = k8s_objects()
    configmap = objects[("ConfigMap", "carepath-schools")]
    scripts = []
    for name in ("rasa", "actions"):
        spec = objects[("Deployment", name)]["spec"]["template"]["spec"]
        (init,) = spec["initContainers"]
        mounts = {m["name"]: m["mountPath"] for m in init["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert volumes["school-files"]["configMap"]["name"] == configmap["metadata"]["name"]
        assert "emptyDir" in volumes["schools"]
        main = container(objects[("Deployment", name)])
        schools_dir = env_of(main)["CAREPATH_SCHOOLS_DIR"]
        assert {m["mountPath"] for m in main["volumeMounts"] if m["name"] == "schools"} == {schools_dir}
        assert mounts["schools"] == schools_dir
        assert init["command"][:2] == ["sh", "-c"]
        scripts.append((init["command"][2], mounts["school-files"], schools_dir))
    assert scripts[0] == scripts[1], "rasa and actions lay the schools out alike"
    script, source_dir, target_dir = scripts[0]
    source, target = tmp_path / "school-files", tmp_path / "schools"
    source.mkdir()
    target.mkdir()
    for key, value in configmap.get("data", {}).items():
        (source / key).write_text(value, encoding="utf-8")
    for key, value in configmap.get("binaryData", {}).items():
        (source / key).write_bytes(base64.b64decode(value))
    local = script.replace(source_dir, str(source)).replace(target_dir, str(target))
    assert local != script
    result = subprocess.run(["sh", "-c", local], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    loaded = load_schools(target)
    expected = load_schools(ROOT / "schools")
    assert set(loaded) == set(expected) and all(loaded[k].widget_config() == expected[k].widget_config() for k in loaded)
