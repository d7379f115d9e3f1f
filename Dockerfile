# tenantlint in a container: mount the project at /src and run a command.
#
#   docker build -t tenantlint .
#   docker run --rm -v "$PWD:/src" tenantlint                     # tenantlint check
#   docker run --rm -v "$PWD:/src" tenantlint check --format json
#   docker run --rm -v "$PWD:/src" tenantlint audit --output report.html
FROM python:3.12-slim

COPY pyproject.toml README.md LICENSE /opt/tenantlint/
COPY tenantlint /opt/tenantlint/tenantlint
RUN python -m pip install --no-cache-dir --disable-pip-version-check /opt/tenantlint \
    && rm -rf /opt/tenantlint \
    && tenantlint --version

ENV PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
ENTRYPOINT ["tenantlint"]
CMD ["check"]
