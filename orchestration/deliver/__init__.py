"""Deliver: what readers get from the published warehouse: the report, profiles, exports and the
analyst sandbox."""
