# gg from its Debian package, hosting the tutorial's energy platform
# (example/; for your own project, copy its folder instead). From the
# repository's root, build the package, then the image:
#
#   packaging/build-deb.sh            # target/deb/gg.deb (docs/DEPLOY.md)
#   docker build -t energy-platform:1.0.0 .
#   docker run -d -p 80:80 -p 81:81 energy-platform:1.0.0
#
# debian:bookworm-slim rather than the tutorial's python:3.13-bookworm: the
# package embeds Debian bookworm's own CPython 3.11 (it depends on
# libpython3.11), so that is the interpreter hosted modules run in. A
# python:3.x image would add a second interpreter that gg never uses, whose
# pip would install packages gg cannot see. slim is the same Debian release
# without the extras; apt brings Debian's python3.11 with the package.
FROM debian:bookworm-slim

# apt-get installs the .deb and its dependencies (libpython3.11), where the
# tutorial's `dpkg -i gg.deb` alone would stop at them. python3.11-venv makes
# the virtualenv below.
COPY target/deb/gg.deb /tmp/gg.deb
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/gg.deb python3.11-venv \
 && rm /tmp/gg.deb \
 && rm -rf /var/lib/apt/lists/*

# Hosted modules' packages live in a virtualenv made with Debian's
# python3.11: gg puts $VIRTUAL_ENV's site-packages on sys.path.
RUN python3.11 -m venv /opt/venv
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH

WORKDIR /usr/app
COPY example/ /usr/app/
RUN if [ -f requirements.txt ]; then pip install --no-cache-dir -r requirements.txt; fi

# 80: service calls; 81: Graft Vision, probes, metrics and the package index;
# 9092: Graft's TCP protocol when run with --TCPServer --tcpPort=9092.
EXPOSE 80 81 9092
# Exec form: gg is PID 1 and gets SIGTERM itself, so it drains (docs/DEPLOY.md).
CMD ["gg", "--modules", "./src/"]
