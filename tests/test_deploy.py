"""What the documented deploy paths depend on: the env file, the image's and the unit's paths,
and `make run` (`python -m bot` with no command) reading ./.env."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

from bot.config import read_env_file

from .conftest import ROOT
from .fake_telegram import TOKEN, FakeTelegram

DEPLOY = ROOT / "deploy"


def _env_keys(path) -> set[str]:
    keys = set()
    for line in path.read_text("utf-8").splitlines():
        match = re.match(r"^\s*([A-Z][A-Z0-9_]*)\s*=", line)
        if match:
            keys.add(match.group(1))
    return keys


def _dockerfile_env() -> dict[str, str]:
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    block = re.search(r"^ENV (.*?)(?=^\S)", text, re.M | re.S).group(1)
    return dict(re.findall(r"([A-Z_]+)=(\S+)", block))


def _unit_env(name: str) -> dict[str, str]:
    text = (DEPLOY / name).read_text("utf-8")
    return dict(re.findall(r"^Environment=([A-Z_]+)=(\S+)", text, re.M))


def test_the_env_file_never_overrides_the_paths_the_image_and_the_unit_set():
    """Issue 12: .env made from .env.example set BOT_DB_PATH=data/bot.sqlite, which overrode the
    image's /data and crashed at start with PermissionError (and looped under systemd)."""
    example = _env_keys(ROOT / ".env.example")
    image, unit = _dockerfile_env(), _unit_env("fanzha-bot.service")
    assert not example & (set(image) | set(unit)), example & (set(image) | set(unit))
    for key in ("BOT_DB_PATH", "BOT_CACHE_DIR"):
        assert image[key].startswith("/data/"), (key, image[key])       # the volume the bot user owns
        assert unit[key].startswith("/var/lib/fanzha-bot/"), (key, unit[key])   # its StateDirectory
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    assert "chown bot:bot /data" in dockerfile and 'VOLUME ["/data"]' in dockerfile
    assert "StateDirectory=fanzha-bot" in (DEPLOY / "fanzha-bot.service").read_text("utf-8")


def test_read_env_file_never_overrides_the_real_environment(tmp_path):
    path = tmp_path / ".env"
    path.write_text("# a comment\nTELEGRAM_BOT_TOKEN='123:abc'\nBOT_LOG_LEVEL=DEBUG\nexport BOT_TIMEZONE=\"UTC\"\n"
                    "not a setting\nBOT_DB_PATH=\n", "utf-8")
    environ = {"BOT_LOG_LEVEL": "INFO"}
    added = read_env_file(path, environ)
    assert environ == {"BOT_LOG_LEVEL": "INFO", "TELEGRAM_BOT_TOKEN": "123:abc", "BOT_TIMEZONE": "UTC"}
    assert sorted(added) == ["BOT_TIMEZONE", "TELEGRAM_BOT_TOKEN"]
    assert read_env_file(tmp_path / "missing.env", environ) == []


def _run_default(cwd, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_DB_PATH"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-m", "bot"], cwd=cwd, env=env, input=stdin, capture_output=True,
                          timeout=timeout)


def test_make_run_without_a_token_says_why_it_opens_the_console(tmp_path):
    proc = _run_default(tmp_path, stdin="95188\n".encode())
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0 and "没有设置 TELEGRAM_BOT_TOKEN" in err and "没有 .env" in err
    assert "官方号码" in proc.stdout.decode("utf-8")          # the console answered


def test_make_run_reads_the_token_from_dot_env_and_starts_the_bot(tmp_path):
    fake = FakeTelegram().start()
    try:
        (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL={fake.base_url}\n"
                                       f"BOT_DB_PATH={tmp_path / 'bot.sqlite'}\n", "utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        for key in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "BOT_DB_PATH"):
            env.pop(key, None)
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        polled = fake.wait_for(lambda f: f.polls > 0, timeout=60)   # it is polling the fake Bot API
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert polled, err.decode("utf-8", "replace")[-2000:]
        assert "从 .env 读取" in err.decode("utf-8") and TOKEN not in err.decode("utf-8")
        assert (tmp_path / "bot.sqlite").exists()
    finally:
        fake.stop()


# -- What deploy/check_deploy.py checks end to end with podman, checked statically here ------------

def _check_deploy():
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_deploy", DEPLOY / "check_deploy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compose() -> dict:
    import yaml

    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))


def test_env_example_reads_the_same_with_docker_systemd_and_the_bot():
    """`docker run --env-file` takes values verbatim (no quotes stripped, no inline comments),
    systemd's EnvironmentFile strips quotes, read_env_file strips both: only plain KEY=value lines
    mean the same to all three."""
    text = (ROOT / ".env.example").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\s'\"#]*", line), line
    environ: dict[str, str] = {}
    read_env_file(ROOT / ".env.example", environ)
    systemd = _check_deploy().parse_env_file(text)
    assert environ == {k: v for k, v in systemd.items() if v}
    assert systemd["TELEGRAM_BOT_TOKEN"] == ""     # the one thing the README says to fill in
    assert ".env" in (ROOT / ".gitignore").read_text("utf-8").split()


def test_the_dockerfile_builds_on_any_debian_python_base_into_a_venv():
    text = (DEPLOY / "Dockerfile").read_text("utf-8")
    assert re.search(r"^ARG BASE=python:3\.11-slim\nFROM \$\{BASE\}$", text, re.M)
    env = _dockerfile_env()
    assert env["PATH"].startswith("/opt/venv/bin:") and "python3 -m venv /opt/venv" in text
    for source in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for name in source.split():
            assert (ROOT / name).exists(), name
    assert re.search(r"^USER bot$", text, re.M) and "useradd --create-home --uid 10001" in text
    assert 'ENTRYPOINT ["python", "-m", "bot"]' in text and "EXPOSE 8080" in text
    header = [line[2:].strip() for line in text.splitlines() if line.startswith("#   ")]
    readme = (ROOT / "README.md").read_text("utf-8")
    for command in ("docker build -f deploy/Dockerfile -t fanzha-bot .",
                    "docker run --env-file .env -v fanzha-data:/data fanzha-bot"):
        assert command in header and command in readme, command


def test_the_compose_file_points_at_the_repository_the_env_file_and_the_image_volume():
    import ipaddress

    compose = _compose()
    dockerfile = _dockerfile_env()
    example = _env_keys(ROOT / ".env.example")
    for name, service in compose["services"].items():
        build = service["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile", name
        assert build["args"]["BASE"] == "${FANZHA_BASE_IMAGE:-python:3.11-slim}", name
        assert service["image"] == "fanzha-bot", name          # one image for both services
        assert (DEPLOY / service["env_file"]).resolve() == ROOT / ".env", name   # cp .env.example .env
        mounts = [v.split(":") for v in service["volumes"]]
        assert [m[1] for m in mounts] == ["/data"] and mounts[0][0] in compose["volumes"], name
        assert service["environment"]["BOT_DB_PATH"] == dockerfile["BOT_DB_PATH"], name
        assert not set(service["environment"]) & example, name
        assert service["stop_signal"] == "SIGTERM"
    web = compose["services"]["web"]
    port = web["command"][web["command"].index("--port") + 1]
    assert web["ports"] == [f"127.0.0.1:8080:{port}"] and port == "8080"
    # CMD-SHELL with one string: podman-compose 1.0 turns the CMD list form into a broken command.
    test = web["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL" and len(test) == 2 and f"127.0.0.1:{port}/healthz" in test[1]
    # The host's proxy reaches the container from the bridge's gateway, under Docker and podman.
    networks = [ipaddress.ip_network(n) for n in web["environment"]["BOT_WEB_TRUSTED_PROXIES"].split(",")]
    for gateway in ("172.17.0.1", "172.18.0.1", "10.88.0.1", "10.89.0.1"):
        assert any(ipaddress.ip_address(gateway) in n for n in networks), gateway


def test_the_units_run_the_venv_their_headers_install_with_writable_data_paths():
    check = _check_deploy()
    example = (ROOT / ".env.example").read_text("utf-8")
    for name in ("fanzha-bot.service", "fanzha-web.service"):
        text = (DEPLOY / name).read_text("utf-8")
        unit = check.parse_unit(text)
        user, workdir = unit["Service.User"][0], unit["Service.WorkingDirectory"][0]
        env_file = unit["Service.EnvironmentFile"][0]
        steps = check.unit_install_steps(text)
        assert steps[0] == f"useradd --system --home {workdir} --shell /usr/sbin/nologin {user}", name
        assert steps[1] == f"cd {workdir} && python3 -m venv .venv && .venv/bin/pip install -e .", name
        assert steps[2] == f"install -m 600 .env.example {env_file}", name
        assert steps[3] == f"cp deploy/{name} /etc/systemd/system/", name
        assert len(steps) == 4, steps
        assert unit["Service.ExecStart"][0].startswith(f"{workdir}/.venv/bin/python -m bot "), name
        # What ExecStart gets with the env file made from .env.example: the unit's own paths, all
        # inside the directories systemd makes writable under ProtectSystem=strict.
        env = check.unit_environment(unit, user, workdir, "/usr/sbin/nologin", {env_file: example})
        writable = check.unit_directories(unit)
        assert unit["Service.ProtectSystem"] == ["strict"] and writable, name
        for key in ("BOT_DB_PATH", "BOT_CACHE_DIR"):
            assert any(env[key].startswith(d + "/") or env[key] == d for d in writable), (name, key, env[key])
        assert env["BOT_DB_PATH"] == "/var/lib/fanzha-bot/bot.sqlite", name   # one database for both
    web = check.parse_unit((DEPLOY / "fanzha-web.service").read_text("utf-8"))
    assert web["Service.ExecStart"][0].endswith("--host 127.0.0.1 --port 8080")
    nginx = (DEPLOY / "nginx-fanzha-web.conf").read_text("utf-8")
    assert set(re.findall(r"proxy_pass (\S+);", nginx)) == {"http://127.0.0.1:8080"}


def test_the_unit_parser_reads_what_systemd_reads():
    check = _check_deploy()
    unit = check.parse_unit("# c\n[Service]\nEnvironment=A=1 \"B=two words\"\n; c\nEnvironment=C=3\n"
                            "ExecStart=/bin/x \\\n  --flag\nEnvironmentFile=-/missing\n")
    assert unit["Service.ExecStart"] == ["/bin/x --flag"]
    env = check.unit_environment(unit, "u", "/h", "/bin/sh", {})
    assert (env["A"], env["B"], env["C"], env["USER"], env["HOME"]) == ("1", "two words", "3", "u", "/h")
    unit = check.parse_unit("[Service]\nEnvironment=X=unit\nEnvironmentFile=/f\n")
    assert check.unit_environment(unit, "u", "/h", "/bin/sh", {"/f": "X='file'\n# X=no\n"})["X"] == "file"
