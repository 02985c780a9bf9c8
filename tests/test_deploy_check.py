"""`genrelens check --deploy` is clean with the production settings .env.example documents."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.fernet import Fernet


def test_the_deploy_check_is_clean_with_production_settings(tmp_path) -> None:
    env = {**os.environ, "DEBUG": "0", "GENRELENS_DEPLOY": "1", "GENRELENS_HTTPS": "1",
           "SECRET_KEY": "k" + os.urandom(48).hex(), "GENRELENS_TOKEN_KEYS": Fernet.generate_key().decode(),
           "ALLOWED_HOSTS": "genrelens.example", "GENRELENS_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-m", "genrelens.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
