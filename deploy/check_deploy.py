#!/usr/bin/env python3
"""End-to-end check of the documented deploy paths with podman (issue 12): the image, the README's
`docker run` step with `.env` made from `.env.example`, the compose service `web`, and both
systemd units run as their user with their environment under emulated hardening.

Run as root from the repository root, on a machine with podman (apt-get install podman; runc,
debootstrap and podman-compose are used when present):

    python3 deploy/check_deploy.py                # everything; about 10 minutes
    python3 deploy/check_deploy.py --skip-units   # the image, `docker run` and compose only

Each step prints PASS or FAIL with what it saw; the exit status is 0 only when every step passed.
What it does, in order:

 1. podman itself: runs a container; where the host refuses podman's defaults (crun on hybrid
    cgroups, file and process limits above what the sandbox allows) it retries with runc and
    the host's limits, in a containers.conf of its own (CONTAINERS_CONF), never /etc/containers.
 2. the base: python:3.11-slim when it can be pulled, else the local Debian base that
    deploy/local-base-image.sh makes (built if missing; --base picks another).
 3. a fresh copy of the working tree (tracked and untracked files, not ignored ones), where
    `cp .env.example .env` is done as the README says; `podman build -f deploy/Dockerfile`.
 4. the image: its settings (BOT_DB_PATH, BOT_CACHE_DIR) are under its VOLUME, owned by its user,
    and .env sets none of them.
 5. `docker run --env-file .env -v fanzha-data:/data fanzha-bot` as written (with podman): with
    the token still empty it refuses in one line; with a token and TELEGRAM_API_BASE_URL at the
    tests' fake Bot API (tests/fake_telegram.py) it answers a message, stops on SIGTERM with
    status 0, and leaves bot.sqlite on the volume, owned by the image's user.
 6. `python -m bot web` in the image: the compose service `web` through podman-compose when
    installed (its healthcheck, X-Forwarded-For believed from the bridge), else the same
    container by hand; /healthz and one API call answer over HTTP.
 7. the systemd units, in a privileged container of the base image: the install steps in each
    unit's header are run as written (the `systemctl` parts left out: no systemd there), then
    ExecStart as User, with the unit's Environment= and EnvironmentFile=, its StateDirectory=
    and CacheDirectory= created as systemd would, and ProtectSystem=strict, ProtectHome and
    PrivateTmp emulated in a mount namespace (everything read-only but those directories).
    fanzha-bot answers the fake Bot API and writes /var/lib/fanzha-bot/bot.sqlite;
    fanzha-web answers /healthz and writes its cache and the shared database.

`python3 deploy/check_deploy.py unit-exec UNIT` is step 7's runner inside the container.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_BASE = "localhost/fanzha-base:bookworm"
OFFICIAL_BASE = "python:3.11-slim"
IMAGE = "localhost/fanzha-bot:check"
PREFIX = "fanzha-check"            # containers and volumes this script makes (and removes)
UNIT_PID_FILE = "/run/fanzha-check-unit.pid"


# -- systemd unit and env file parsing (also used by tests/test_deploy.py) -------------------------

def parse_unit(text: str) -> dict[str, list[str]]:
    """Section.Key -> values, in order, as systemd reads a unit file (comments, blank lines and
    backslash continuations handled; a key may repeat)."""
    out: dict[str, list[str]] = {}
    section = ""
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = line[:-1].rstrip() + " "   # the backslash stands for a space
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        if sep:
            out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them: comments (# ;) and blank lines
    skipped, one pair of surrounding quotes removed, an empty value kept as empty."""
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


def unit_environment(unit: dict[str, list[str]], user: str, home: str, shell: str,
                     env_files: dict[str, str]) -> dict[str, str]:
    """The environment systemd gives ExecStart: its own few variables, then Environment= in
    order, then the EnvironmentFile= contents (which override Environment=, as systemd does)."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
           "USER": user, "LOGNAME": user, "HOME": home, "SHELL": shell}
    for kind, var, base in (("StateDirectory", "STATE_DIRECTORY", "/var/lib"),
                            ("CacheDirectory", "CACHE_DIRECTORY", "/var/cache")):
        names = [n for v in unit.get(f"Service.{kind}", []) for n in v.split()]
        if names:
            env[var] = ":".join(f"{base}/{n}" for n in names)
    for value in unit.get("Service.Environment", []):
        for assignment in shlex.split(value):
            key, _, val = assignment.partition("=")
            env[key] = val
    for value in unit.get("Service.EnvironmentFile", []):
        path = value.lstrip("-")
        if path in env_files:
            env.update(parse_env_file(env_files[path]))
        elif not value.startswith("-"):
            raise FileNotFoundError(f"EnvironmentFile {path} is missing (the unit would not start)")
    return env


def unit_directories(unit: dict[str, list[str]]) -> list[str]:
    """The directories systemd creates for the service user (StateDirectory=, CacheDirectory=)."""
    dirs = []
    for kind, base in (("StateDirectory", "/var/lib"), ("CacheDirectory", "/var/cache")):
        dirs += [f"{base}/{n}" for v in unit.get(f"Service.{kind}", []) for n in v.split()]
    return dirs


def unit_install_steps(text: str) -> list[str]:
    """The install commands in a unit's header comment (`#   command   # note` lines before the
    first section), without the parts that need a running systemd (systemctl, journalctl)
    and the checks that follow them (curl)."""
    steps = []
    for line in text.splitlines():
        if line.startswith("["):
            break
        match = re.match(r"^#\s{3,}(\S.*)$", line)
        if not match:
            continue
        command = re.split(r"\s{2,}#", match.group(1))[0].strip()
        parts = [p.strip() for p in command.split("&&")]
        parts = [p for p in parts if not re.match(r"^(systemctl|journalctl|curl)\b", p)]
        if parts:
            steps.append(" && ".join(parts))
    return steps


def unit_exec(path: str) -> None:
    """Step 7's runner (inside the container, as root): start the unit's ExecStart as systemd
    would, with its hardening emulated, in place of this process (same pid, for SIGTERM)."""
    text = Path(path).read_text("utf-8")
    unit = parse_unit(text)
    user = unit["Service.User"][-1]
    group = unit.get("Service.Group", [user])[-1]
    entry = pwd.getpwnam(user)
    env_files = {}
    for value in unit.get("Service.EnvironmentFile", []):
        file = Path(value.lstrip("-"))
        if file.exists():
            env_files[str(file)] = file.read_text("utf-8")   # read as root, like PID 1 does
    env = unit_environment(unit, user, entry.pw_dir, entry.pw_shell, env_files)
    writable = unit_directories(unit)
    for directory in writable:
        os.makedirs(directory, mode=0o755, exist_ok=True)
        shutil.chown(directory, user, group)
    workdir = unit.get("Service.WorkingDirectory", [entry.pw_dir])[-1].lstrip("-")
    command = shlex.split(unit["Service.ExecStart"][-1].lstrip("-@+!"))

    script = ["set -e"]
    if unit.get("Service.ProtectSystem", ["no"])[-1] == "strict":
        for directory in writable:      # stay writable: a mount of their own, left as it is
            script.append(f"mount --bind {shlex.quote(directory)} {shlex.quote(directory)}")
        mounts = []
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            point = line.split()[4].replace("\\040", " ")
            if point in writable or point.startswith(("/proc", "/sys", "/dev")):
                continue
            mounts.append(point)
        for point in sorted(set(mounts), key=len):
            script.append(f"mount -o remount,bind,ro {shlex.quote(point)}")
    if unit.get("Service.PrivateTmp", ["no"])[-1] == "yes":
        script += ["mount -t tmpfs -o mode=1777 tmpfs /tmp", "mount -t tmpfs -o mode=1777 tmpfs /var/tmp"]
    if unit.get("Service.ProtectHome", ["no"])[-1] == "yes":
        for directory in ("/home", "/root", "/run/user"):
            if os.path.isdir(directory):
                script.append(f"mount -t tmpfs -o ro,mode=0755 tmpfs {directory}")
    nnp = "--no-new-privs" if unit.get("Service.NoNewPrivileges", ["no"])[-1] == "yes" else ""
    script.append(f"cd {shlex.quote(workdir)}")
    script.append(f"exec setpriv --reuid={user} --regid={group} --init-groups {nnp} env -i "
                  + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " "
                  + " ".join(shlex.quote(c) for c in command))
    Path(UNIT_PID_FILE).write_text(str(os.getpid()))
    print("unit-exec:", " ".join(command), "as", user, "in", workdir, "with",
          ", ".join(sorted(k for k in env if k.startswith(("BOT_", "TELEGRAM_API")))), file=sys.stderr, flush=True)
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(script)])


# -- the host side ----------------------------------------------------------------------------------

class Checks:
    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []

    def record(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    @property
    def failed(self) -> list[str]:
        return [name for name, ok, _ in self.results if not ok]


def run(args: list[str], *, check: bool = False, timeout: float = 1800, cwd=None,
        quiet: bool = False) -> subprocess.CompletedProcess:
    if not quiet:
        print("$", " ".join(shlex.quote(a) for a in args), flush=True)
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{args[0]} {args[1] if len(args) > 1 else ''} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def podman(*args: str, **kw) -> subprocess.CompletedProcess:
    return run(["podman", *args], **kw)


def free_port(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def http(url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 20) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def wait_http(url: str, timeout: float) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http(url, timeout=5)
        except (OSError, urllib.error.URLError):
            if time.monotonic() > deadline:
                return 0, "no answer"
            time.sleep(1)


def setup_podman(base_probe: str, workdir: Path, checks: Checks) -> None:
    """Find podman settings this host accepts (step 1)."""
    hard_nofile = int(run(["sh", "-c", "ulimit -Hn"], quiet=True).stdout.strip() or 1024)
    hard_nproc = run(["sh", "-c", "ulimit -Hu"], quiet=True).stdout.strip()
    nproc = min(32768, int(hard_nproc)) if hard_nproc.isdigit() else 32768
    limits = f'default_ulimits = ["nofile={hard_nofile}:{hard_nofile}", "nproc={nproc}:{nproc}"]'
    candidates = [("podman's defaults", None)]
    runtimes = ["runc", "crun"] if shutil.which("runc") else ["crun"]
    for runtime in runtimes:
        candidates.append((f"runtime {runtime}, the host's limits",
                           f'[containers]\n{limits}\n[engine]\nruntime = "{runtime}"\ncgroup_manager = "cgroupfs"\n'))
    errors = []
    for label, conf in candidates:
        if conf is None:
            os.environ.pop("CONTAINERS_CONF", None)
        else:
            path = workdir / "containers.conf"
            path.write_text(conf)
            os.environ["CONTAINERS_CONF"] = str(path)
        proc = podman("run", "--rm", base_probe, "true", quiet=True, timeout=300)
        if proc.returncode == 0:
            checks.record("podman runs containers", True, label)
            return
        errors.append(f"{label}: {proc.stderr.strip().splitlines()[-1:]}")
    checks.record("podman runs containers", False, "; ".join(errors))
    raise SystemExit(1)


def choose_base(requested: str | None, rebuild: bool, checks: Checks) -> str:
    """Step 2: the image to build on."""
    if requested:
        if podman("image", "exists", requested, quiet=True).returncode != 0:
            podman("pull", requested, timeout=600)
        return requested
    if podman("image", "exists", OFFICIAL_BASE, quiet=True).returncode == 0:
        return OFFICIAL_BASE
    if podman("pull", "docker.io/library/" + OFFICIAL_BASE, timeout=300).returncode == 0:
        return "docker.io/library/" + OFFICIAL_BASE
    if rebuild or podman("image", "exists", LOCAL_BASE, quiet=True).returncode != 0:
        proc = run(["sh", str(ROOT / "deploy" / "local-base-image.sh")], timeout=1800)
        checks.record("local base image (deploy/local-base-image.sh)", proc.returncode == 0,
                      proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "")
        if proc.returncode != 0:
            raise SystemExit(1)
    return LOCAL_BASE


def fresh_tree(dest: Path) -> Path:
    """The working tree as a clone with these changes would have it (ignored files left out)."""
    files = run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True, quiet=True).stdout
    for name in filter(None, files.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def set_env(path: Path, **values: str) -> None:
    """Set KEY=value in an env file made from .env.example (uncommenting `# KEY=` lines)."""
    lines = path.read_text("utf-8").splitlines()
    for key, value in values.items():
        for i, line in enumerate(lines):
            if re.match(rf"^#?\s*{key}=", line):
                lines[i] = f"{key}={value}"
                break
        else:
            lines.append(f"{key}={value}")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def stop_container(name: str, checks: Checks, label: str, grace: int = 30) -> None:
    started = time.monotonic()
    podman("stop", "-t", str(grace), name, timeout=grace + 60)
    took = time.monotonic() - started
    status = podman("inspect", name, "--format", "{{.State.ExitCode}}", quiet=True).stdout.strip()
    checks.record(f"{label} stops on SIGTERM with status 0", status == "0" and took < grace,
                  f"status {status} after {took:.1f}s")


def check_image(tree: Path, base: str, checks: Checks) -> None:
    """Steps 3 and 4."""
    proc = podman("build", "--build-arg", f"BASE={base}", "-f", "deploy/Dockerfile", "-t", IMAGE,
                  "-t", "localhost/fanzha-bot:latest", ".", cwd=tree, timeout=3600)
    if not checks.record(f"podman build -f deploy/Dockerfile (BASE={base})", proc.returncode == 0,
                         (proc.stdout + proc.stderr).strip().splitlines()[-1] if proc.returncode else ""):
        print(proc.stdout[-4000:], proc.stderr[-4000:])
        raise SystemExit(1)
    config = json.loads(podman("image", "inspect", IMAGE, quiet=True, check=True).stdout)[0]["Config"]
    env = dict(item.split("=", 1) for item in config.get("Env", []))
    volumes = list((config.get("Volumes") or {}).keys())
    user = config.get("User", "")
    dotenv = parse_env_file((tree / ".env").read_text("utf-8"))
    overridden = sorted(k for k, v in dotenv.items() if k in env and v)
    paths = {k: env.get(k, "") for k in ("BOT_DB_PATH", "BOT_CACHE_DIR")}
    under = all(any(p.startswith(v.rstrip("/") + "/") for v in volumes) for p in paths.values())
    checks.record(".env (from .env.example) overrides none of the image's settings", not overridden,
                  f"overridden: {overridden}" if overridden else f"image sets {sorted(k for k in env if k.startswith('BOT_'))}")
    checks.record("the image's data paths are on its volume", under and bool(volumes), f"{paths}, VOLUME {volumes}")
    owner = podman("run", "--rm", "--entrypoint", "sh", IMAGE, "-c",
                   "id -un; stat -c %U /data; command -v python; python -c 'import bot, sys; print(sys.prefix)'",
                   quiet=True).stdout.split()
    checks.record("the image runs as its own user, who owns /data, with the bot in /opt/venv",
                  len(owner) == 4 and owner[0] == owner[1] == user and owner[0] != "root"
                  and owner[2] == "/opt/venv/bin/python" and owner[3] == "/opt/venv", " ".join(owner))


def check_docker_run(tree: Path, checks: Checks) -> None:
    """Step 5: the README's `docker run --env-file .env -v fanzha-data:/data fanzha-bot`."""
    sys.path.insert(0, str(ROOT))
    from tests.fake_telegram import TOKEN, FakeTelegram, message_update

    volume = f"{PREFIX}-data"
    podman("volume", "rm", "-f", volume, quiet=True)
    readme = (ROOT / "README.md").read_text("utf-8")
    documented = "docker run --env-file .env -v fanzha-data:/data fanzha-bot"
    checks.record("README documents the run step", documented in readme, documented)
    command = ["run", "--env-file", ".env", "-v", f"{volume}:/data", "fanzha-bot"]   # the step, named volume aside

    proc = podman(*command[:1], "--rm", *command[1:], cwd=tree, timeout=300)
    checks.record("with .env's empty token the bot refuses to start, saying why",
                  proc.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in proc.stderr,
                  f"status {proc.returncode}: {proc.stderr.strip()[-200:]}")

    fake = FakeTelegram().start()
    name = f"{PREFIX}-bot"
    try:
        set_env(tree / ".env", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url)
        podman("rm", "-f", "-v", name, quiet=True)
        # The fake Bot API listens on the host's loopback: the container shares the host's network.
        proc = podman(command[0], "-d", "--name", name, "--network", "host", *command[1:], cwd=tree, timeout=300)
        if not checks.record("podman run --env-file .env -v …:/data fanzha-bot starts", proc.returncode == 0,
                             proc.stderr.strip()[-300:]):
            return
        polled = fake.wait_for(lambda f: f.polls > 0, timeout=300)
        fake.push(message_update("95188"))
        answered = fake.wait_for(lambda f: any("95188" in m.get("text", "") for m in f.sent(chat_id=1001)), timeout=120)
        logs = podman("logs", name, quiet=True)
        log_text = logs.stdout + logs.stderr
        checks.record("the bot polls the (fake) Bot API and answers a message", polled and answered,
                      next((l for l in log_text.splitlines() if "database /data/" in l), log_text[-500:]).strip())
        checks.record("the token never appears in the log", TOKEN not in log_text)
        stop_container(name, checks, "the bot container")
    finally:
        fake.stop()
        podman("rm", "-f", "-v", name, quiet=True)
        set_env(tree / ".env", TELEGRAM_BOT_TOKEN="")
    listing = podman("run", "--rm", "-v", f"{volume}:/data", "--entrypoint", "sh", IMAGE, "-c",
                     "stat -c '%U %n' /data/bot.sqlite /data/cache", quiet=True)
    checks.record("bot.sqlite and the cache are on the volume, owned by the image's user",
                  listing.returncode == 0 and all(l.startswith("bot ") for l in listing.stdout.splitlines()),
                  listing.stdout.strip().replace("\n", "; ") or listing.stderr.strip()[-200:])


def check_web(tree: Path, base: str, checks: Checks) -> None:
    """Step 6: `python -m bot web` in the image, as the compose service `web`."""
    compose = shutil.which("podman-compose")
    env = tree / ".env"
    set_env(env, BOT_WEB_RATE_LIMIT="2/60")   # small, to see whose address is rate-limited
    compose_file = ["-f", "deploy/docker-compose.yml"]
    name = f"{PREFIX}-web"
    if compose and free_port(8080):
        os.environ["FANZHA_BASE_IMAGE"] = base
        podman("tag", IMAGE, "localhost/fanzha-bot:latest", quiet=True)    # compose's `image: fanzha-bot`
        proc = run([compose, "-p", PREFIX, *compose_file, "up", "-d", "--build", "web"], cwd=tree, timeout=1800)
        started = proc.returncode == 0 and podman("container", "exists", f"{PREFIX}_web_1", quiet=True).returncode == 0
        checks.record("podman-compose -f deploy/docker-compose.yml up -d --build web", started, (proc.stdout + proc.stderr).strip()[-300:] if not started else "")
        container, url = f"{PREFIX}_web_1", "http://127.0.0.1:8080"
    else:
        why = "podman-compose is not installed" if not compose else "port 8080 is taken on this host"
        print(f"({why}: the compose service `web` is started by hand)")
        podman("rm", "-f", "-v", name, quiet=True)
        port = 18080
        while not free_port(port):
            port += 1
        proc = podman("run", "-d", "--name", name, "--env-file", ".env", "-e", "BOT_DB_PATH=/data/bot.sqlite",
                      "-e", "BOT_WEB_TRUSTED_PROXIES=172.16.0.0/12,10.88.0.0/13", "-p", f"127.0.0.1:{port}:8080",
                      "-v", f"{PREFIX}-data:/data", IMAGE, "web", "--host", "0.0.0.0", "--port", "8080", cwd=tree)
        started = checks.record("podman run … fanzha-bot web --host 0.0.0.0 --port 8080", proc.returncode == 0,
                                proc.stderr.strip()[-300:])
        container, url = name, f"http://127.0.0.1:{port}"
    try:
        if not started:
            return
        status, body = wait_http(url + "/healthz", timeout=180)
        checks.record("the web service answers /healthz over HTTP", status == 200 and '"ok"' in body, f"{status} {body[:120]}")
        status, body = http(url + "/api/v1/check", {"text": "95188"})
        checks.record("the API answers a check", status == 200 and '"official"' in body, f"{status} {body[:80]}")
        # Two POSTs allowed a minute per client: a third from the same forwarded address is refused,
        # one from another address is not (the bridge's address is a trusted proxy).
        codes = [http(url + "/api/v1/check", {"text": "95188"}, {"X-Forwarded-For": ip})[0]
                 for ip in ("198.51.100.7", "198.51.100.7", "198.51.100.7", "198.51.100.8")]
        checks.record("X-Forwarded-For from the host's proxy is believed (per-client rate limit)",
                      codes == [200, 200, 429, 200], f"statuses {codes}")
        if compose:
            health = podman("healthcheck", "run", container, quiet=True)
            checks.record("the compose healthcheck passes", health.returncode == 0, (health.stdout + health.stderr).strip())
        stop_container(container, checks, "the web container", grace=20)
    finally:
        if container == name:
            podman("rm", "-f", "-v", name, quiet=True)
        else:
            run([compose, "-p", PREFIX, *compose_file, "down"], cwd=tree, timeout=300, quiet=True)
            podman("volume", "rm", "-f", f"{PREFIX}_bot-data", quiet=True)
        set_env(env, BOT_WEB_RATE_LIMIT="60/60")


def hardening_probe(unit_text: str) -> str:
    """The unit with a probe for ExecStart: as its user, under its hardening, it must write its
    state directory and /tmp, and find the checkout, /etc and /var read-only and /root empty."""
    probe = ("/bin/sh -c 'id -un; touch /var/lib/fanzha-bot/.probe && rm /var/lib/fanzha-bot/.probe"
             " && ! touch /opt/fanzha-bot/.probe && ! touch /etc/.probe && ! touch /var/.probe"
             " && touch /tmp/.probe && ! ls /root/.cache 2>/dev/null && echo probe: ok'")
    return re.sub(r"(?m)^ExecStart=.*$", lambda _: "ExecStart=" + probe, unit_text)


def clean_stop(status: int) -> bool:
    """What systemd counts as a clean stop of a Type=simple service: status 0, or ended by SIGTERM
    (as `podman exec` reports it: 143). uvicorn re-raises the SIGTERM after its graceful shutdown."""
    return status in (0, 128 + 15, -15)


def check_units(tree: Path, base: str, checks: Checks) -> None:
    """Step 7: both systemd units, from their header's install steps to ExecStart."""
    sys.path.insert(0, str(ROOT))
    from tests.fake_telegram import TOKEN, FakeTelegram, message_update

    name = f"{PREFIX}-units"
    podman("rm", "-f", "-v", name, quiet=True)
    unit_texts = {u: (tree / "deploy" / u).read_text("utf-8") for u in ("fanzha-bot.service", "fanzha-web.service")}
    for unit_name, text in unit_texts.items():
        unit = parse_unit(text)
        checks.record(f"{unit_name} ExecStart is the venv its header installs",
                      unit["Service.ExecStart"][-1].startswith(unit["Service.WorkingDirectory"][-1] + "/.venv/bin/python "),
                      unit["Service.ExecStart"][-1])
    if not free_port(8080):
        checks.record("port 8080 is free for fanzha-web.service (it listens on 127.0.0.1:8080)", False)
        return
    # The checkout goes to /opt/fanzha-bot as the headers assume; pip's cache is kept between runs.
    proc = podman("run", "-d", "--name", name, "--privileged", "--network", "host",
                  "-v", f"{tree}:/src:ro", "-v", f"{PREFIX}-pip-cache:/root/.cache/pip",
                  base, "sleep", "infinity")
    if not checks.record("a privileged container of the base image for the units", proc.returncode == 0,
                         proc.stderr.strip()[-300:]):
        return
    fake = FakeTelegram().start()
    try:
        steps = ["set -ex", "mkdir -p /etc/systemd/system", "cp -a /src /opt/fanzha-bot", "rm -f /opt/fanzha-bot/.env"]
        for text in unit_texts.values():
            steps += [s for s in unit_install_steps(text) if s not in steps]
        # "then set TELEGRAM_BOT_TOKEN in it"; the test's Bot API; the web's unanswered-questions log on
        steps.append(f"sed -i -e 's|^TELEGRAM_BOT_TOKEN=.*|TELEGRAM_BOT_TOKEN={TOKEN}|' "
                     f"-e 's|^# *TELEGRAM_API_BASE_URL=.*|TELEGRAM_API_BASE_URL={fake.base_url}|' "
                     f"-e 's|^# *BOT_WEB_LOG_UNANSWERED=.*|BOT_WEB_LOG_UNANSWERED=on|' /etc/fanzha-bot.env")
        print("install steps from the units' headers:\n  " + "\n  ".join(steps[4:]))
        proc = podman("exec", name, "sh", "-c", "\n".join(steps), timeout=1800)
        if not checks.record("the units' install steps run as written", proc.returncode == 0,
                             proc.stderr.strip()[-600:] if proc.returncode else "useradd, venv, pip install -e ., "
                             "install -m 600 .env.example /etc/fanzha-bot.env, cp units"):
            return
        mode = podman("exec", name, "stat", "-c", "%a %U", "/etc/fanzha-bot.env", quiet=True).stdout.strip()
        checks.record("/etc/fanzha-bot.env is readable by root only", mode == "600 root", mode)

        runner = ["podman", "exec", name, "/usr/bin/python3", "/opt/fanzha-bot/deploy/check_deploy.py", "unit-exec"]
        # fanzha-bot.service
        bot = subprocess.Popen([*runner, "/etc/systemd/system/fanzha-bot.service"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        polled = fake.wait_for(lambda f: f.polls > 0, timeout=300)
        fake.push(message_update("95188"))
        answered = fake.wait_for(lambda f: any("95188" in m.get("text", "") for m in f.sent(chat_id=1001)), timeout=120)
        podman("exec", name, "sh", "-c", f"kill -TERM $(cat {UNIT_PID_FILE})", quiet=True)
        try:
            out, _ = bot.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            bot.kill()
            out, _ = bot.communicate()
        checks.record("fanzha-bot.service: ExecStart as fanzha answers the (fake) Bot API", polled and answered,
                      next((l for l in out.splitlines() if "database" in l), out[-600:]).strip())
        checks.record("fanzha-bot.service stops cleanly on SIGTERM", clean_stop(bot.returncode),
                      f"status {bot.returncode}" + ("" if clean_stop(bot.returncode) else f": {out[-600:]}"))
        checks.record("fanzha-bot.service: the token never appears in its output", TOKEN not in out)
        # fanzha-web.service
        web = subprocess.Popen([*runner, "/etc/systemd/system/fanzha-web.service"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        status, body = wait_http("http://127.0.0.1:8080/healthz", timeout=180)
        asked = http("http://127.0.0.1:8080/api/v1/ask", {"text": "量子纠缠的哲学意义是什么"})[0]
        podman("exec", name, "sh", "-c", f"kill -TERM $(cat {UNIT_PID_FILE})", quiet=True)
        try:
            out, _ = web.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            web.kill()
            out, _ = web.communicate()
        checks.record("fanzha-web.service: ExecStart as fanzha answers /healthz and the API",
                      status == 200 and asked == 200, f"{status} {body[:80]}; ask {asked}")
        graceful = "Application shutdown complete" in out
        checks.record("fanzha-web.service stops cleanly on SIGTERM (uvicorn shuts down, then re-raises it)",
                      clean_stop(web.returncode) and graceful,
                      f"status {web.returncode}" + ("" if clean_stop(web.returncode) and graceful else f": {out[-600:]}"))
        # The emulated hardening bites: the same unit with a probe for ExecStart can write only
        # its state directory (so a database path outside it would fail as it would under systemd).
        probe = hardening_probe(unit_texts["fanzha-bot.service"])
        podman("exec", name, "sh", "-c", f"cat > /etc/systemd/system/fanzha-probe.service <<'EOF'\n{probe}EOF",
               quiet=True, check=True)
        proc = run([*runner, "/etc/systemd/system/fanzha-probe.service"], quiet=True, timeout=120)
        out = proc.stdout + proc.stderr
        checks.record("under the emulated hardening fanzha writes its state directory and nothing else",
                      proc.returncode == 0 and "probe: ok" in out and out.count("Read-only file system") == 3,
                      f"status {proc.returncode}: " + "; ".join(l for l in out.splitlines() if not l.startswith("unit-exec")))
        listing = podman("exec", name, "sh", "-c", "stat -c '%U %n' /var/lib/fanzha-bot/bot.sqlite "
                         "/var/lib/fanzha-bot/cache/* /var/cache/fanzha-web/*", quiet=True)
        owned = listing.stdout.strip().splitlines()
        checks.record("the database and caches are written in the units' directories, owned by fanzha",
                      listing.returncode == 0 and len(owned) >= 3 and all(l.startswith("fanzha ") for l in owned),
                      "; ".join(owned) or listing.stderr.strip()[-300:])
        gaps = podman("exec", name, "/opt/fanzha-bot/.venv/bin/python", "-c",
                      "import sqlite3; c = sqlite3.connect('/var/lib/fanzha-bot/bot.sqlite'); "
                      "print(c.execute(\"select count(*) from gaps where text like '%量子纠缠%'\").fetchone()[0])",
                      quiet=True)
        checks.record("fanzha-web.service logged the unanswered question in the bot's database",
                      gaps.stdout.strip() not in ("", "0"), f"rows: {gaps.stdout.strip()} {gaps.stderr.strip()[-200:]}")
    finally:
        fake.stop()
        podman("rm", "-f", "-v", name, quiet=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    exec_parser = sub.add_parser("unit-exec", help="(inside the container) run a unit's ExecStart as systemd would")
    exec_parser.add_argument("unit")
    parser.add_argument("--base", help="the base image (default: python:3.11-slim if it can be pulled, "
                        f"else {LOCAL_BASE}, built by deploy/local-base-image.sh when missing)")
    parser.add_argument("--rebuild-base", action="store_true", help="rebuild the local base image")
    parser.add_argument("--skip-units", action="store_true", help="leave out the systemd units (step 7)")
    parser.add_argument("--keep", action="store_true", help="keep the work tree copy and the data volume")
    args = parser.parse_args(argv)
    if args.command == "unit-exec":
        unit_exec(args.unit)
        return 1   # not reached: unit_exec replaces this process

    if os.geteuid() != 0 or not shutil.which("podman"):
        print("run as root on a machine with podman (apt-get install podman)", file=sys.stderr)
        return 2
    os.environ.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    checks = Checks()
    work = Path(tempfile.mkdtemp(prefix="fanzha-check-"))
    started = time.monotonic()
    try:
        base = choose_base(args.base, args.rebuild_base, checks)   # pulling and importing run no container
        setup_podman(base, work, checks)
        tree = fresh_tree(work / "tree")
        shutil.copy(tree / ".env.example", tree / ".env")        # cp .env.example .env
        check_image(tree, base, checks)
        check_docker_run(tree, checks)
        check_web(tree, base, checks)
        if not args.skip_units:
            check_units(tree, base, checks)
    except SystemExit:
        pass
    except Exception as exc:  # a step that could not even run is a failure, reported as such
        checks.record("the check ran to the end", False, f"{type(exc).__name__}: {exc}")
    finally:
        if not args.keep:
            podman("volume", "rm", "-f", f"{PREFIX}-data", quiet=True)
            shutil.rmtree(work, ignore_errors=True)
    failed = checks.failed
    print(f"\n{len(checks.results) - len(failed)} passed, {len(failed)} failed "
          f"({time.monotonic() - started:.0f} s; {time.strftime('%Y-%m-%d')})")
    return 1 if failed or not checks.results else 0


if __name__ == "__main__":
    sys.exit(main())
