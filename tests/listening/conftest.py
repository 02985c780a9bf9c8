"""The API tests' fixtures (the app on a live server, the test dataset and its model) reused here."""

from tests.api.conftest import model_artifact, public_model, web  # noqa: F401
