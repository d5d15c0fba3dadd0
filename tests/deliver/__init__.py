"""Tests of what readers get: report, profiles, exports, the analyst CLI, docs (orchestration/deliver)."""
