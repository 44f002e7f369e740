"""The production Docker files (docker/): checked without a Docker engine.

`docker compose config` (the compose v2 plugin, built by scripts/install-system.sh) parses
and resolves docker/compose.yaml with the placeholder env file docker/.env.example; the
result, the Dockerfile, the nginx config (also through `nginx -t` when nginx is installed),
the entrypoint and the production ini template are then checked for what production
relies on. Needs no database, Solr or Redis.
"""
from __future__ import annotations

import configparser
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
COMPOSE = DOCKER / "compose.yaml"
ENV_EXAMPLE = DOCKER / ".env.example"

CKAN_ROLES = {"web": "web", "worker": "worker", "gather": "gather", "fetch": "fetch", "scheduler": "scheduler"}
SERVICES = set(CKAN_ROLES) | {"migrate", "solr", "db", "redis", "nginx"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY", re.IGNORECASE)


# --- helpers --------------------------------------------------------------------------------

def _env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def compose() -> dict:
    if shutil.which("docker") is None:
        pytest.fail("the docker CLI is missing (scripts/install-system.sh expects /usr/local/bin/docker)")
    version = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if version.returncode != 0:
        pytest.fail("`docker compose` is missing; run scripts/install-system.sh as root: " + version.stderr)
    # Only the env file's values: a variable of the calling shell must not hide a gap in it.
    env = {key: value for key, value in os.environ.items()
           if key in ("PATH", "HOME", "LANG", "DOCKER_CONFIG") or key.startswith("LC_")}
    done = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "--env-file", str(ENV_EXAMPLE),
                           "config", "--format", "json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _services(compose: dict) -> dict:
    return compose["services"]


def _nginx_config_path(compose: dict) -> Path:
    for volume in _services(compose)["nginx"].get("volumes", []):
        if volume["target"] == "/etc/nginx/nginx.conf":
            assert volume["type"] == "bind" and volume.get("read_only"), "nginx.conf must be a read-only bind mount"
            return Path(volume["source"])
    pytest.fail("nginx does not mount a config at /etc/nginx/nginx.conf")


def _strip_comments(text: str) -> str:
    return "\n".join(re.sub(r"(^|\s)#.*$", "", line) for line in text.splitlines())


def _nginx_blocks(text: str, directive: str) -> list[tuple[str, str]]:
    """(arguments, body) of every `directive args { body }` block, nested ones included.
    Quoted arguments may hold braces (regex locations such as "[a-z]{2}")."""
    text = _strip_comments(text)

    def scan(position: int, stop: str) -> int:
        """Index of the first unquoted character of `stop` from `position` on (braces nest)."""
        depth, quoted = 0, None
        for index in range(position, len(text)):
            char = text[index]
            if quoted:
                quoted = None if char == quoted else quoted
            elif char in "\"'":
                quoted = char
            elif char in stop and depth == 0:
                return index
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
        return len(text)

    blocks = []
    for match in re.finditer(rf"(?m)^\s*{directive}\s", text):
        opening = scan(match.end(), "{;")
        if opening < len(text) and text[opening] == "{":
            closing = scan(opening + 1, "}")
            blocks.append((text[match.end():opening].strip(), text[opening + 1:closing]))
    return blocks


def _dockerfile_stages() -> list[dict]:
    """The Dockerfile's stages: base image (ARG defaults resolved) and instructions."""
    lines, current = [], ""
    for raw in (DOCKER / "Dockerfile").read_text().splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        current += raw.rstrip("\\").rstrip() + " " if raw.rstrip().endswith("\\") else raw
        if not raw.rstrip().endswith("\\"):
            if current.strip():
                lines.append(current.strip())
            current = ""
    args, stages = {}, []
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip()
        elif instruction == "FROM":
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), rest.split()[0])
            stages.append({"image": image, "name": rest.split()[-1] if " AS " in rest.upper() else None,
                           "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((instruction, rest.strip()))
    return stages


def _load_portalctl():
    spec = importlib.util.spec_from_file_location("portalctl", DOCKER / "portalctl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plugins(ini_text: str) -> list[str]:
    match = re.search(r"(?m)^ckan\.plugins\s*=\s*(.+)$", ini_text)
    assert match, "no ckan.plugins line"
    return match.group(1).split()


# --- compose --------------------------------------------------------------------------------

def test_every_service_of_the_stack_is_there(compose):
    assert SERVICES <= set(_services(compose)), f"missing: {sorted(SERVICES - set(_services(compose)))}"


def test_images_of_solr_db_redis_and_nginx(compose):
    services = _services(compose)
    assert services["solr"]["image"] == "ckan/ckan-solr:2.12-solr9-spatial"
    assert services["db"]["image"] == "postgis/postgis:15-3.4"
    assert re.fullmatch(r"redis:7(\.[\d.]+)?(-\w+)?", services["redis"]["image"])
    assert re.fullmatch(r"nginx:1\.(2[7-9]|[3-9]\d)(\.\d+)?(-\w+)?", services["nginx"]["image"]), \
        "nginx must be >= 1.27.3 for `server ... resolve` in the upstream"


def test_ckan_roles_share_the_portal_image_and_run_their_role(compose):
    services = _services(compose)
    image = services["web"]["image"]
    for service, role in {**CKAN_ROLES, "migrate": "migrate"}.items():
        assert services[service]["image"] == image, f"{service} runs another image"
        assert services[service]["command"] == [role], f"{service} does not start the role {role}"
    build = services["migrate"]["build"]
    assert Path(build["context"]).resolve() == REPO
    assert build["dockerfile"].endswith("docker/Dockerfile")


def test_web_is_replicated_behind_nginx_without_a_published_port(compose):
    services = _services(compose)
    web = services["web"]
    assert int(web["deploy"]["replicas"]) > 1
    assert not web.get("ports"), "web must not publish a port: nginx is in front"
    published = sorted(name for name, service in services.items() if service.get("ports"))
    assert published == ["nginx"], f"only nginx may publish ports, not {published}"
    shared = set(web["networks"]) & set(services["nginx"]["networks"])
    assert shared, "nginx and web share no network"
    assert services["scheduler"]["deploy"].get("replicas", 1) == 1, "the scheduler must run exactly once"


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in _services(compose).items():
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name} has no healthcheck"
    web_check = _services(compose)["web"]["healthcheck"]["test"]
    assert web_check[-2:] == ["health", "web"] and "/srv/app/docker/portalctl.py" in web_check


def test_the_web_healthcheck_asks_the_portals_health_endpoint(monkeypatch):
    portalctl = _load_portalctl()
    asked = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"{}"

    def urlopen(url, timeout):
        asked.append(url)
        return Answer()

    monkeypatch.delenv("OSN_WEB_PORT", raising=False)
    monkeypatch.setattr(portalctl.urllib.request, "urlopen", urlopen)
    portalctl.health("web")
    assert asked == ["http://127.0.0.1:5000/health"]

    def unavailable(url, timeout):
        raise portalctl.urllib.error.HTTPError(url, 503, "Service Unavailable", {},
                                               io.BytesIO(b'{"failing": ["solr"]}'))

    monkeypatch.setattr(portalctl.urllib.request, "urlopen", unavailable)
    with pytest.raises(SystemExit, match=r"503.*solr"):
        portalctl.health("web")


def test_ckan_processes_start_after_the_migrations(compose):
    services = _services(compose)
    for name in CKAN_ROLES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        for backing in ("db", "solr", "redis"):
            assert depends[backing]["condition"] == "service_healthy", f"{name} -> {backing}"
    assert services["migrate"]["restart"] == "no"


def test_data_lives_in_named_volumes(compose):
    wanted = {"db": "/var/lib/postgresql/data", "solr": "/var/solr", "redis": "/data",
              "web": "/var/lib/ckan/storage", "worker": "/var/lib/ckan/storage"}
    services = _services(compose)
    for service, target in wanted.items():
        volumes = [v for v in services[service].get("volumes", []) if v["target"] == target]
        assert volumes and volumes[0]["type"] == "volume", f"{service}: no named volume at {target}"
        assert volumes[0]["source"] in compose["volumes"]
    storage = {v["source"] for name in ("web", "worker", "migrate")
               for v in services[name]["volumes"] if v["target"] == "/var/lib/ckan/storage"}
    assert len(storage) == 1, "web, worker and migrate must share one file storage volume"


def test_no_secret_is_given_as_a_plain_environment_variable(compose):
    for name, service in _services(compose).items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) and value:
                assert key.endswith("_FILE") and value.startswith("/run/secrets/"), \
                    f"{name}: {key} carries a secret in the environment"
    for name, secret in compose["secrets"].items():
        assert set(secret) & {"environment", "file", "external"}, f"secret {name} has no source"
    needed = {"ckan_db_password", "datastore_rw_password", "datastore_ro_password",
              "ckan_secret_key", "ckan_api_token_secret"}
    for role in CKAN_ROLES:
        given = {s["source"] for s in _services(compose)[role]["secrets"]}
        assert needed <= given, f"{role} lacks {sorted(needed - given)}"
    assert "postgres_password" not in {s["source"] for s in _services(compose)["web"]["secrets"]}, \
        "the web replicas do not need the PostgreSQL superuser"


def test_env_example_holds_placeholders_only_and_real_env_files_stay_out_of_git():
    values = _env_file(ENV_EXAMPLE)
    secrets = {key: value for key, value in values.items() if SECRET_NAME.search(key)}
    assert {"POSTGRES_PASSWORD", "CKAN_DB_PASSWORD", "DATASTORE_RW_PASSWORD", "DATASTORE_RO_PASSWORD",
            "CKAN_SECRET_KEY", "CKAN_API_TOKEN_SECRET"} <= set(secrets)
    for key, value in secrets.items():
        assert value.startswith("change-me"), f"{key} in .env.example is not a placeholder"
    ignored = subprocess.run(["git", "check-ignore", "-q", "docker/.env"], cwd=REPO)
    assert ignored.returncode == 0, "docker/.env is not git-ignored"
    kept = subprocess.run(["git", "check-ignore", "-q", "docker/.env.example"], cwd=REPO)
    assert kept.returncode == 1, "docker/.env.example must stay in git"


def test_db_init_script_creates_the_databases_and_roles(compose):
    db = _services(compose)["db"]
    scripts = [Path(v["source"]) for v in db["volumes"]
               if v["target"].startswith("/docker-entrypoint-initdb.d/")]
    assert scripts, "no init script mounted into /docker-entrypoint-initdb.d"
    text = scripts[0].read_text()
    for database in ("ckan_default", "datastore_default", "xloader_jobs"):
        assert f"('{database}'," in text, f"{database} is not created"
    for role in ("ckan_default", "datastore_rw", "datastore_ro"):
        assert f"ALTER ROLE {role} LOGIN" in text
    assert "GRANT SELECT ON ALL TABLES IN SCHEMA public TO datastore_ro" in text
    assert "ALTER DEFAULT PRIVILEGES FOR USER datastore_rw" in text
    bash = shutil.which("bash")
    assert subprocess.run([bash, "-n", str(scripts[0])]).returncode == 0


# --- nginx ----------------------------------------------------------------------------------

def test_nginx_limits_requests_per_address_on_the_api(compose):
    text = _strip_comments(_nginx_config_path(compose).read_text())
    zones = dict(re.findall(r"limit_req_zone\s+\$binary_remote_addr\s+zone=(\w+):\S+\s+rate=(\d+r/[sm])", text))
    assert zones, "no per-address limit_req_zone"
    api = [body for args, body in _nginx_blocks(text, "location") if re.search(r"\bapi\b", args)]
    assert api, "no location for /api"
    for body in api:
        used = re.findall(r"limit_req\s+zone=(\w+)", body)
        assert used and all(zone in zones for zone in used), "the /api location has no defined limit_req zone"
    assert re.search(r"limit_req_status\s+429;", text)


def test_nginx_compresses_caches_and_sends_security_headers(compose):
    text = _strip_comments(_nginx_config_path(compose).read_text())
    assert re.search(r"(?m)^\s*gzip\s+on;", text)
    assert re.search(r"gzip_types[^;]*application/json", text)
    cache_zones = re.findall(r"proxy_cache_path\s+\S+.*?keys_zone=(\w+):", text, re.S)
    assert cache_zones and re.search(rf"proxy_cache\s+{cache_zones[0]};", text)
    assert re.search(r"proxy_cache_methods\s+GET\s+HEAD;", text)
    # Logged-in users and token holders must never get (or fill) the shared cache.
    bypass = re.search(r"proxy_cache_bypass\s+\$(\w+);", text).group(1)
    assert re.search(rf"proxy_no_cache\s+\${bypass};", text)
    assert re.search(rf'map\s+"[^"]*\$cookie_ckan[^"]*\$http_authorization[^"]*"\s+\${bypass}', text)
    headers = dict(re.findall(r'add_header\s+([\w-]+)\s+"([^"]*)"\s+always;', text))
    # The app sends CSP (with per-page nonces), nosniff, frame and referrer policies itself
    # (tests/security/test_headers.py); a second CSP from nginx would be enforced as well.
    assert not {"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} & set(headers)
    assert re.match(r"max-age=\d{7,}", headers["Strict-Transport-Security"])
    # Slow clients end at nginx, which hands gunicorn complete requests only.
    assert re.search(r"client_header_timeout\s+\d+s;", text) and re.search(r"client_body_timeout\s+\d+s;", text)
    assert not re.search(r"proxy_request_buffering\s+off;", text)
    # add_header inside a location would silently drop the server's headers there.
    for args, body in _nginx_blocks(text, "location"):
        assert "add_header" not in body, f"add_header in location {args}"
    upstreams = _nginx_blocks(text, "upstream")
    assert upstreams and re.search(r"server\s+web:5000\b", upstreams[0][1])


def _nginx_version(nginx: str) -> tuple[int, ...]:
    out = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr
    return tuple(int(part) for part in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out).groups())


def test_nginx_accepts_the_config(compose, tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (scripts/install-system.sh installs Debian's)")
    if not Path("/etc/nginx/mime.types").exists():
        pytest.skip("/etc/nginx/mime.types is missing")
    text = _nginx_config_path(compose).read_text()
    # Outside compose: the upstream's name resolves nowhere, and paths point into tmp_path.
    text = re.sub(r"server\s+web:5000", "server 127.0.0.1:5000", text)
    # The image's user "nginx" does not exist in Debian's package.
    text = re.sub(r"(?m)^user\s+nginx;", "", text)
    if _nginx_version(nginx) < (1, 27, 3):
        text = re.sub(r"(server\s+127\.0\.0\.1:5000)\s+resolve\b", r"\1", text)
    text = text.replace("/var/cache/nginx/ckan", str(tmp_path / "cache"))
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    assert "/var/" not in _strip_comments(text), "a path of the config is not redirected for the test"
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    done = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf),
                           "-g", f"pid {tmp_path}/nginx.pid;"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- image ----------------------------------------------------------------------------------

def test_dockerfile_is_multi_stage_slim_and_runs_as_a_non_root_user():
    stages = _dockerfile_stages()
    assert len(stages) >= 2, "the image must be built in stages"
    final = stages[-1]
    assert final["image"] == "python:3.11-slim-bookworm"
    users = [rest for instruction, rest in final["instructions"] if instruction == "USER"]
    assert users, "the final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), "the final stage runs as root"
    entrypoint = [rest for instruction, rest in final["instructions"] if instruction == "ENTRYPOINT"]
    assert entrypoint and "tini" in entrypoint[-1] and "osn-entrypoint" in entrypoint[-1]
    assert any(instruction == "HEALTHCHECK" for instruction, _ in final["instructions"])
    build = " ".join(rest for stage in stages for instruction, rest in stage["instructions"] if instruction == "RUN")
    assert re.search(r"pip wheel .*-c constraints\.txt -r requirements\.in", build)
    assert re.search(r"pip install --no-index .*-c \S*constraints\.txt", build)
    assert "pip install -e" not in build and "--editable" not in build


def test_dockerfile_bakes_in_no_secret():
    for stage in _dockerfile_stages():
        for instruction, rest in stage["instructions"]:
            if instruction in ("ENV", "ARG", "LABEL"):
                for name in re.findall(r"([A-Za-z_][\w.]*)=", rest) or [rest.split()[0]]:
                    assert not SECRET_NAME.search(name), f"{instruction} {name} looks like a secret"
    text = (DOCKER / "Dockerfile").read_text()
    assert not re.search(r"(?i)beaker\.session\.secret|SECRET_KEY\s*=|jwt\.\w+\.secret", text)
    assert "docker/ckan.ini" in text and "ckan.ini.tmpl" in text


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    patterns = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    assert {".git", ".run", ".venv", ".venv-*", "node_modules", "test-artifacts"} <= patterns
    assert any(p.startswith("docker/.env") for p in patterns)


# --- entrypoint and config ------------------------------------------------------------------

def test_entrypoint_runs_each_role_with_the_portals_commands():
    text = (DOCKER / "entrypoint.sh").read_text()
    assert subprocess.run(["bash", "-n", str(DOCKER / "entrypoint.sh")]).returncode == 0
    assert os.access(DOCKER / "entrypoint.sh", os.X_OK)
    expected = {
        "web": r"exec gunicorn .*wsgi_proxied:application",
        "worker": r"exec ckan jobs worker default",
        "gather": r"exec ckan osnabrueck harvest-consumer gather",
        "fetch": r"exec ckan osnabrueck harvest-consumer fetch",
        "scheduler": r"exec ckan osnabrueck schedule",
    }
    roles = text[text.rindex('case "$ROLE" in'):]
    for role, command in expected.items():
        assert re.search(rf"(?s)\n\s*{role}\)[^;]*?{command}", roles), f"role {role}"
    # Migrations only when asked, and only by web (CKAN_MIGRATE=1) or the migrate job.
    assert re.search(r'(?s)web\)\s*\n\s*if \[ "\$\{CKAN_MIGRATE:-0\}" = 1 \]; then migrate; fi', text)
    assert "ckan db upgrade" in text and "ckan datastore set-permissions" in text
    assert "wsgi.py" in (DOCKER / "wsgi_proxied.py").read_text()


def test_production_ini_has_the_local_plugins_and_no_secrets():
    template = (DOCKER / "ckan.ini").read_text()
    local = (REPO / "config" / "ckan.ini.tmpl").read_text()
    assert _plugins(template) == _plugins(local), "docker/ckan.ini and config/ckan.ini.tmpl differ in plugins"
    for key in ("SECRET_KEY", "api_token.jwt.encode.secret", "api_token.jwt.decode.secret",
                "ckanext.xloader.jobs_db.uri"):
        value = re.search(rf"(?m)^{re.escape(key)}\s*=\s*(.*)$", template).group(1)
        assert "${" in value, f"{key} must come from the environment"
    # The service URLs with passwords are read by CKAN core from the environment.
    for key in ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url"):
        assert not re.search(rf"(?m)^{re.escape(key)}\s*=", template), f"{key} belongs in the environment"


def test_production_ini_renders_from_the_environment(tmp_path):
    portalctl = _load_portalctl()
    env = {**_env_file(ENV_EXAMPLE),
           "CKAN_XLOADER_JOBS_DB_URI": "postgresql://ckan_default:x@db:5432/xloader_jobs"}
    text = portalctl.render_text((DOCKER / "ckan.ini").read_text(), env)
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read_string(text)
    app = parser["app:main"]
    assert app["SECRET_KEY"] == env["CKAN_SECRET_KEY"]
    assert app["api_token.jwt.encode.secret"] == "string:" + env["CKAN_API_TOKEN_SECRET"]
    assert app["ckan.site_url"] == env["CKAN_SITE_URL"] == app["ckanext.dcat.base_uri"]
    assert app["SESSION_TYPE"] in ("cookie", "redis")
    # Login cookies (issue #16, F10): Secure behind TLS, SameSite=Lax, not readable by scripts;
    # the session ends with the browser unless "remember me" was ticked.
    for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert (app[f"{cookie}_SECURE"], app[f"{cookie}_SAMESITE"], app[f"{cookie}_HTTPONLY"]) == ("true", "Lax", "true")
    assert app["SESSION_PERMANENT"] == "false"
    assert not any("${" in value for key, value in app.items() if not key.startswith("#"))
    with pytest.raises(portalctl.ConfigError, match="CKAN_SECRET_KEY"):
        portalctl.render_text((DOCKER / "ckan.ini").read_text(), {**env, "CKAN_SECRET_KEY": ""})
    with pytest.raises(portalctl.ConfigError, match="'%'"):
        portalctl.render_text((DOCKER / "ckan.ini").read_text(), {**env, "CKAN_SECRET_KEY": "a%b"})
    # CKAN's own loader (ConfigParser interpolation) must read the result as it is.
    from ckan.cli import CKANConfigLoader

    # Without the logging sections: the loader would reconfigure this test session's logging.
    target = tmp_path / "ckan.ini"
    target.write_text(text[:text.index("[loggers]")])
    loaded = CKANConfigLoader(str(target)).get_config()
    assert loaded["ckan.plugins"].split() == _plugins(text)
    # Production fetches no internal address at all (issue #16, F1): the development
    # allowlist of the local services is neither set nor defaulted there.
    assert "ckanext.osnabrueck.fetch_allowlist" not in loaded
    from ckan.config.declaration import Declaration, Key

    declaration = Declaration()
    declaration.load_plugin("osnabrueck")
    assert not declaration[Key.from_string("ckanext.osnabrueck.fetch_allowlist")].default
