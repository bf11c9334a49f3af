#!/usr/bin/env python3
"""Cross-checks the Dockerfile and docker-compose.yml against the repository, for machines
without a Docker engine: every path they copy exists and is not excluded by .dockerignore,
every binary they build, copy or run is a declared Cargo binary, every npm script exists,
every variable given to the service is one it reads, and ports and paths agree.

Run by scripts/check-container.sh (after hadolint and the Compose schema). Exit 1 on problems.
"""

import fnmatch
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, args = current.partition(" ")
        out.append((keyword.upper(), args.strip()))
        current = ""
    return out


def dockerignore_patterns() -> list[str]:
    path = ROOT / ".dockerignore"
    lines = path.read_text().splitlines() if path.exists() else []
    return [l.strip().rstrip("/") for l in lines if l.strip() and not l.startswith("#")]


def ignored(rel: str, patterns: list[str]) -> bool:
    parts = Path(rel).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatch(p, pat) for pat in patterns for p in prefixes)


def cargo_bins() -> set[str]:
    bins = set()
    for manifest in [ROOT / "backend/Cargo.toml", ROOT / "backend/upstream-sandbox/Cargo.toml"]:
        data = tomllib.loads(manifest.read_text())
        bins |= {b["name"] for b in data.get("bin", [])}
    return bins


def service_variables() -> set[str]:
    """Variables the service reads: config/env.rs, plus RUST_LOG and LOG_FORMAT (telemetry.rs)."""
    config = (ROOT / "backend/src/config/env.rs").read_text()
    names = set(re.findall(r'(?:var|secret|parse_bool|parse_number|origin)\(\s*"([A-Z][A-Z0-9_]+)"', config))
    return names | {"RUST_LOG", "LOG_FORMAT"}


def check_dockerfile() -> dict:
    text = (ROOT / "Dockerfile").read_text()
    steps = instructions(text)
    patterns = dockerignore_patterns()
    bins = cargo_bins()
    stages: set[str] = set()
    built_bins: set[str] = set()
    installed: set[str] = set()
    facts: dict = {"env": {}, "volumes": set(), "expose": set(), "cmd": None, "copied_to": {}}
    package = json.loads((ROOT / "frontend/package.json").read_text())
    for keyword, args in steps:
        if keyword == "FROM":
            match = re.search(r"\bAS\s+(\S+)", args, re.IGNORECASE)
            if match:
                stages.add(match.group(1))
        elif keyword == "COPY":
            words = shlex.split(args)
            flags = [w for w in words if w.startswith("--")]
            *sources, dest = [w for w in words if not w.startswith("--")]
            from_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
            if from_stage is None:
                for source in sources:
                    rel = source.rstrip("/")
                    if not (ROOT / rel).exists():
                        problem(f"Dockerfile: COPY {source}: no such path in the repository")
                    elif ignored(rel, patterns):
                        problem(f"Dockerfile: COPY {source}: excluded by .dockerignore")
            else:
                if from_stage not in stages:
                    problem(f"Dockerfile: COPY --from={from_stage}: no earlier stage of that name")
                for source in sources:
                    facts["copied_to"][source] = dest
                    if source.startswith("/out/"):
                        name = source.removeprefix("/out/")
                        if name not in built_bins:
                            problem(f"Dockerfile: {source} is not built by the binaries stage")
                        if dest.rstrip("/") == "/usr/local/bin":
                            installed.add(name)
        elif keyword == "RUN":
            for name in re.findall(r"--bin\s+(\S+)", args):
                if name not in bins:
                    problem(f"Dockerfile: cargo --bin {name}: not a binary of the workspace")
                built_bins.add(name)
            for name in re.findall(r"target/release/(\S+)", args):
                if name.rstrip("/") not in bins:
                    problem(f"Dockerfile: target/release/{name}: not a binary of the workspace")
            for script in re.findall(r"npm run (\S+)", args):
                if script not in package.get("scripts", {}):
                    problem(f"Dockerfile: npm run {script}: no such script in frontend/package.json")
        elif keyword == "ENV":
            for word in shlex.split(args):
                if "=" in word:
                    key, value = word.split("=", 1)
                    facts["env"][key] = value
        elif keyword == "VOLUME":
            facts["volumes"] |= set(json.loads(args) if args.startswith("[") else args.split())
        elif keyword == "EXPOSE":
            facts["expose"] |= {p.split("/")[0] for p in args.split()}
        elif keyword == "CMD":
            facts["cmd"] = json.loads(args)
        elif keyword == "HEALTHCHECK" and "/api/health" not in args:
            problem("Dockerfile: the HEALTHCHECK does not ask /api/health")
    facts["installed"] = installed

    # The rust stage builds the workspace: every member must be in the build context it copies.
    copied = [shlex.split(a)[0].rstrip("/") for k, a in steps if k == "COPY" and "--from" not in a]
    members = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["members"]
    for member in members:
        if not any(member == c or member.startswith(c + "/") for c in copied):
            problem(f"Dockerfile: workspace member {member} is not copied into the build")

    env = facts["env"]
    known = service_variables() | {"SQLX_OFFLINE"}
    for key in env:
        if key not in known:
            problem(f"Dockerfile: ENV {key}: the service does not read it")
    db_path = env.get("DATABASE_URL", "").removeprefix("sqlite:")
    if not any(db_path.startswith(v.rstrip("/") + "/") for v in facts["volumes"]):
        problem(f"Dockerfile: DATABASE_URL {db_path} is not inside a VOLUME {facts['volumes']}")
    dist_dest = facts["copied_to"].get("/src/frontend/dist")
    if dist_dest is None or env.get("STATIC_DIR") != dist_dest:
        problem(f"Dockerfile: STATIC_DIR {env.get('STATIC_DIR')} is not where the dashboard is copied ({dist_dest})")
    vite = (ROOT / "frontend/vite.config.ts").read_text()
    if 'outDir: "dist"' not in vite:
        problem("frontend/vite.config.ts: the build no longer writes to dist/")
    port = env.get("BIND_ADDR", "").rpartition(":")[2]
    if port not in facts["expose"]:
        problem(f"Dockerfile: BIND_ADDR port {port} is not EXPOSEd {facts['expose']}")
    if not facts["cmd"] or facts["cmd"][0] not in installed:
        problem(f"Dockerfile: CMD {facts['cmd']} does not run an installed binary {installed}")
    return facts


def check_compose(facts: dict) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    known = service_variables()
    sandbox_flags = set(re.findall(r'"(--[a-z-]+)"', (ROOT / "backend/upstream-sandbox/src/bin/upstream-sandbox.rs").read_text()))
    named_volumes = set((compose.get("volumes") or {}).keys())
    services = compose["services"]
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            if not (ROOT / context / dockerfile).is_file():
                problem(f"compose {name}: no {dockerfile} in build context {context}")
        command = service.get("command") or facts["cmd"]
        binary = command[0] if isinstance(command, list) else shlex.split(command)[0]
        if binary not in facts["installed"]:
            problem(f"compose {name}: runs {binary}, which the image does not install")
        if binary == "upstream-sandbox":
            for flag in (w for w in command if isinstance(w, str) and w.startswith("--")):
                if flag not in sandbox_flags:
                    problem(f"compose {name}: upstream-sandbox has no option {flag}")
        if binary == "pipedrive-brevo-sync":
            for key in (service.get("environment") or {}):
                if key not in known:
                    problem(f"compose {name}: the service does not read {key}")
            for mapping in service.get("ports", []):
                container_port = str(mapping).rpartition(":")[2]
                if container_port not in facts["expose"]:
                    problem(f"compose {name}: port {container_port} is not the one the service listens on")
        for volume in service.get("volumes", []):
            source, _, target = str(volume).partition(":")
            target = target.split(":")[0]
            if source not in named_volumes and not (ROOT / source).exists():
                problem(f"compose {name}: volume source {source} is neither named nor a path")
            if binary == "pipedrive-brevo-sync" and target not in facts["volumes"]:
                problem(f"compose {name}: mounts {target}, but the database lives in {facts['volumes']}")
        for dependency in (service.get("depends_on") or {}):
            if dependency not in services:
                problem(f"compose {name}: depends on unknown service {dependency}")
            condition = (service["depends_on"][dependency] or {}).get("condition") if isinstance(service["depends_on"], dict) else None
            if condition == "service_healthy" and "healthcheck" not in services[dependency]:
                # The image's own HEALTHCHECK asks the main service's port.
                if (services[dependency].get("command") or facts["cmd"])[0] != "pipedrive-brevo-sync":
                    problem(f"compose {name}: waits for {dependency} to be healthy, which has no fitting healthcheck")
        for url_key in ("PIPEDRIVE_BASE_URL", "BREVO_BASE_URL"):
            url = str((service.get("environment") or {}).get(url_key, ""))
            match = re.match(r"https?://([a-z0-9-]+):\d+", url)
            if match and match.group(1) not in services:
                problem(f"compose {name}: {url_key} names host {match.group(1)}, not a service")


def main() -> int:
    facts = check_dockerfile()
    check_compose(facts)
    for message in problems:
        print(f"error: {message}", file=sys.stderr)
    if problems:
        return 1
    print("Dockerfile and docker-compose.yml agree with the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
