# The production image: assets built with Node, then a slim Python image serving them with
# WhiteNoise behind gunicorn. The same image runs the web server, the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/scss static/scss
RUN npx sass --pkg-importer=node --load-path=. --style=compressed --no-source-map --quiet-deps \
      static/scss/application.scss static/build/application.css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
# The service's own code only: not the development app (demo/), the tests or the docs.
COPY manage.py ./
COPY iom iom
COPY ui ui
COPY shell shell
COPY notifications notifications
COPY sharing sharing
COPY cohorts cohorts
COPY referrals referrals
COPY meetings meetings
COPY templates templates
COPY static static
COPY --from=assets /build/node_modules/govuk-frontend node_modules/govuk-frontend
COPY --from=assets /build/node_modules/@ministryofjustice node_modules/@ministryofjustice
COPY --from=assets /build/static/build static/build
# collectstatic imports the settings, which insist on real values outside development.
RUN DJANGO_SECRET_KEY=build-only-not-secret-000000000000000000000000000000 DJANGO_ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v 0
RUN useradd --system --home /app --uid 10001 iom && mkdir -p /data && chown iom /data
USER iom
EXPOSE 8000
CMD ["gunicorn", "iom.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
