"""Operations: running the nightly job, its lock, alerts, freshness, status and deployment."""
