"""The test PKI, made with the openssl CLI when the directory has none: a CA,
a server certificate for 127.0.0.1/localhost, and a client certificate
CN=containerssh O=system:masters (the identity kubeadm gives its admin)."""

import os
import subprocess
import tempfile

FILES = ("ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key")


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _issue(directory, name, subject, extensions):
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".ext", delete=False) as ext:
        ext.write(extensions)
    try:
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                 "-days", "3650", "-sha256", "-extfile", ext.name, "-out", f"{name}.crt", cwd=directory)
    finally:
        os.unlink(ext.name)
        os.unlink(os.path.join(directory, f"{name}.csr"))


def ensure(directory):
    """Creates the PKI unless all its files are there already (a restarted
    server keeps its certificates, so clients keep trusting it)."""
    os.makedirs(directory, exist_ok=True)
    if all(os.path.exists(os.path.join(directory, f)) for f in FILES):
        return
    _openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=kube-api-test-ca",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    _issue(directory, "server", "/CN=kube-apiserver",
           "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
           "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    _issue(directory, "client", "/O=system:masters/CN=containerssh",
           "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n")
    for f in ("ca.key", "server.key", "client.key"):
        os.chmod(os.path.join(directory, f), 0o600)


def kubeconfig(directory, url, token=None):
    """A kubeconfig with the certificates embedded (or the bearer token instead
    of the client certificate), for kubectl and python-kubernetes."""
    import base64

    def b64(name):
        with open(os.path.join(directory, name), "rb") as f:
            return base64.b64encode(f.read()).decode()

    if token is None:
        user = (f"    client-certificate-data: {b64('client.crt')}\n"
                f"    client-key-data: {b64('client.key')}\n")
    else:
        user = f"    token: {token}\n"
    return ("apiVersion: v1\nkind: Config\n"
            "clusters:\n- name: kube-api-test\n  cluster:\n"
            f"    server: {url}\n    certificate-authority-data: {b64('ca.crt')}\n"
            "users:\n- name: kube-api-test\n  user:\n" + user +
            "contexts:\n- name: kube-api-test\n  context:\n    cluster: kube-api-test\n    user: kube-api-test\n"
            "    namespace: default\n"
            "current-context: kube-api-test\n")
