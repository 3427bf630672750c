"""Building the image without a Docker engine: read the Dockerfile and .dockerignore as Docker does,
then carry out what concerns the app (ENV, WORKDIR, COPY, the `manage.py` RUN steps) in a directory.

System steps (package installs, users, ownership) are recognised and skipped: they need a root
filesystem, and the test machine already has the packages. Anything else is refused, so a new kind of
step cannot slip past the test unnoticed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Steps that prepare the operating system, not the app.
SYSTEM_STEP = re.compile(r"^\s*(pip install|apt-get|apk |useradd|adduser|groupadd|chown|chmod)\b")
IGNORED_KEYWORDS = {"FROM", "USER", "EXPOSE", "LABEL", "ARG", "HEALTHCHECK", "STOPSIGNAL"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """Logical instructions: comments dropped, backslash continuations joined."""
    result: list[Instruction] = []
    buffer = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        keyword, _, args = (buffer + stripped).partition(" ")
        result.append(Instruction(keyword.upper(), args.strip()))
        buffer = ""
    if buffer:
        raise ValueError("the Dockerfile ends inside a continued line")
    return result


def command(args: str) -> list[str]:
    """A RUN/CMD argument as argv: exec form (JSON) as is, shell form through /bin/sh -c."""
    if args.startswith("["):
        return json.loads(args)
    return ["/bin/sh", "-c", args]


def env_pairs(args: str) -> dict[str, str]:
    tokens = shlex.split(args)
    if tokens and "=" not in tokens[0]:  # legacy form: ENV NAME value with spaces
        return {tokens[0]: " ".join(tokens[1:])}
    return dict(token.split("=", 1) for token in tokens)


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (is_exception, regex) pairs, in order; the last rule that matches wins."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((exception, re.compile(_glob_regex(pattern))))
    return rules


def _glob_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def is_ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker excludes a path when the last rule matching it, or one of its parent folders, excludes it."""
    parts = relative.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for exception, regex in rules:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = not exception
    return ignored


@dataclass
class Build:
    """The outcome of carrying out a Dockerfile: where the app landed, its ENV, its CMD."""

    context: Path
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    cmd: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def build(context: Path, root: Path, base_env: dict[str, str]) -> Build:
    """Carry out `context/Dockerfile` with `root` standing for the image's filesystem."""
    rules = ignore_rules((context / ".dockerignore").read_text())
    result = Build(context=context, root=root, env=dict(base_env))
    for step in instructions((context / "Dockerfile").read_text()):
        if step.keyword == "ENV":
            result.env.update(env_pairs(step.args))
        elif step.keyword == "WORKDIR":
            result.workdir = root / step.args.lstrip("/")
            result.workdir.mkdir(parents=True, exist_ok=True)
        elif step.keyword == "COPY":
            *sources, destination = shlex.split(step.args)
            for source in sources:
                _copy(context, source, _inside(result, destination), rules)
        elif step.keyword == "RUN":
            _run(result, step.args)
        elif step.keyword == "CMD":
            result.cmd = command(step.args)
        elif step.keyword not in IGNORED_KEYWORDS:
            raise ValueError(f"this test does not know how to carry out {step.keyword} {step.args}")
    return result


def _inside(result: Build, destination: str) -> Path:
    base = result.root if destination.startswith("/") else (result.workdir or result.root)
    return base / destination.lstrip("/")


def _run(result: Build, args: str) -> None:
    if "manage.py" in args:
        subprocess.run(command(args), cwd=result.workdir, env=result.env, check=True, capture_output=True, timeout=300)
        result.ran.append(args)
    elif SYSTEM_STEP.match(args):
        result.skipped.append(args)
    else:
        raise ValueError(f"RUN step neither a manage.py step nor a known system step: {args}")


def _copy(context: Path, source: str, destination: Path, rules: list[tuple[bool, re.Pattern[str]]]) -> None:
    """COPY as Docker does it: from the build context, minus what .dockerignore excludes."""
    origin = (context / source).resolve()
    if origin.is_file():
        target = destination / origin.name if destination.is_dir() else destination
        if not is_ignored(origin.relative_to(context.resolve()).as_posix(), rules):
            shutil.copy2(origin, target)
        return
    for folder, dirs, files in os.walk(origin):
        relative_folder = Path(folder).relative_to(context.resolve())
        dirs[:] = [d for d in dirs if not is_ignored((relative_folder / d).as_posix(), rules)]
        for name in files:
            relative = (relative_folder / name).as_posix()
            if not is_ignored(relative, rules):
                target = destination / Path(folder).relative_to(origin) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, target, follow_symlinks=False)
