"""Saying "nothing new" once, the same way wherever a run finds it (dbt step or publish step)."""

from dagster import AssetKey, AssetObservation

from orchestration.settings import Settings
from orchestration.warehouse.publishing import read_manifest

PUBLISHED_KEY = AssetKey("published_warehouse")


def nothing_new_observation(settings: Settings) -> tuple[str, AssetObservation]:
    """The log line and the observation (on published_warehouse) for a run with nothing new."""
    manifest = read_manifest(settings.published_db)
    message = (
        "nothing new: every source file, model, suite and line of code is as at the publish of "
        f"{manifest.get('published_at')}; the published warehouse stands "
        f"(sha256 {str(manifest.get('sha256'))[:12]})"
    )
    observation = AssetObservation(
        asset_key=PUBLISHED_KEY,
        description=message,
        metadata={
            "nothing_new": True,
            "published_at": str(manifest.get("published_at")),
            "sha256": str(manifest.get("sha256")),
            "inputs_fingerprint": str(manifest.get("inputs_fingerprint")),
        },
    )
    return message, observation
