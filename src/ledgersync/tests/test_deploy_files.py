"""The deploy files: compose.yaml names the four services; the Dockerfile does not run as root."""

from __future__ import annotations

from pathlib import Path

import yaml  # PyYAML, through schemathesis in the [test] extra

ROOT = Path(__file__).resolve().parents[3]


def test_compose_parses_and_names_web_worker_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"web", "worker", "db", "redis"}
    assert services["web"]["command"] == ["ledgersync", "serve"]
    assert services["worker"]["command"] == ["ledgersync", "worker"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["LEDGERSYNC_QUEUE_URL"].startswith("redis://")


def test_the_dockerfile_installs_the_wheel_collects_static_and_runs_as_a_non_root_user():
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    final_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    users = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    text = "\n".join(final_stage)
    assert "pip install --no-cache-dir /tmp/*.whl" in text
    assert "collectstatic" in text
    assert final_stage[-1] == 'CMD ["ledgersync", "serve"]'


def test_the_readme_production_section_points_to_the_deploy_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "(docs/deploy.md)" in section
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "A backup is useless without the encryption keys." in guide
    assert "ledgersync createorg" in guide and "ledgersync migrate" in guide
