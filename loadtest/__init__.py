"""``make loadtest``: nurses and clinicians against nginx + gunicorn, then every acknowledged write is checked."""
