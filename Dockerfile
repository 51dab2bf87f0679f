# The same install steps as the Makefile: a venv, then an editable install of the project.
# (No Docker engine runs on the development machines; keep this in step with the Makefile.)
FROM python:3.11-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-cjk libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 contractdesk
WORKDIR /srv/contractdesk
COPY --chown=contractdesk pyproject.toml README.md alembic.ini gunicorn.conf.py ./
COPY --chown=contractdesk app ./app
COPY --chown=contractdesk migrations ./migrations
COPY --chown=contractdesk clauses ./clauses
COPY --chown=contractdesk contract_templates ./contract_templates
COPY --chown=contractdesk config ./config

RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -e . \
    && /opt/venv/bin/pybabel compile --use-fuzzy -d app/translations
ENV PATH=/opt/venv/bin:$PATH \
    CONTRACTDESK_STORAGE_DIR=/var/lib/contractdesk/storage \
    CONTRACTDESK_INSTANCE_DIR=/var/lib/contractdesk/instance
RUN mkdir -p /var/lib/contractdesk /tmp/metrics && chown contractdesk /var/lib/contractdesk /tmp/metrics
USER contractdesk
EXPOSE 8000
# Run it with CONTRACTDESK_SECRET_KEY set (a long random value, never baked into the image):
# outside the embedded SQLite default the service refuses to start without one.
# CONTRACTDESK_METRICS_TOKEN opens /metrics to the scraper that presents it.
# The web process; the same image runs `contractdesk worker`, `contractdesk beat` and `contractdesk init`.
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
