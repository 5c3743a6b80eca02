import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "PORTAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_refuses_to_start_and_names_the_variable():
    result = run_manage("check", PORTAL_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_with_debug_on_refuses_to_start():
    result = run_manage("check", PORTAL_ENV="production", SECRET_KEY="x" * 60, DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_deploy_check_passes_with_production_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PORTAL_ENV="production",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="portal.example.cn",
    )
    assert result.returncode == 0, result.stderr + result.stdout
