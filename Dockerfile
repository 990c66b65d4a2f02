# The Bilzen free-time bot in a container: slim Python, a non-root user, the database on a volume.
#   docker build -t bilzen-bot .
#   docker run -d --name bilzen-bot --restart unless-stopped \
#     -v bilzen-data:/data -v "$PWD/config.toml:/config/config.toml:ro" bilzen-bot
# Config by file (mounted at /config/config.toml) or by environment (TELEGRAM_BOT_TOKEN=...).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PTB_TIMEDELTA=true \
    BOT_CONFIG=/config/config.toml

# A fixed uid, so that the volume's files belong to the same user after a rebuild.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bot

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
COPY data ./data
COPY deploy/docker-config.toml /config/config.toml
# Exactly the versions of the lock file, hashes checked (scripts/lock.sh writes it), then the bot itself.
RUN pip install --require-hashes -r requirements.lock \
    && pip install --no-deps . \
    && mkdir -p /data \
    && chown bot:bot /data \
    && chmod 700 /data

USER 10001:10001
VOLUME ["/data"]
# Only used in webhook mode (telegram.mode = "webhook"; put a TLS proxy in front).
EXPOSE 8443

HEALTHCHECK --interval=5m --timeout=30s --start-period=1m CMD ["python", "-m", "bot", "check"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
