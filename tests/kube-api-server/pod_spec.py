"""What the real API server does to a pod on create before storing it:
validation (422 Invalid with field causes) and defaulting (restartPolicy,
imagePullPolicy, ...), so clients read back the fields they would in a cluster."""

import random
import re

from api_status import invalid

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# The alphabet of generateName suffixes (k8s.io/apiserver's SimpleNameGenerator).
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

SUPPORTED_VOLUMES = ("emptyDir", "hostPath")


def generate_name(prefix):
    return prefix + "".join(random.choice(_SUFFIX_ALPHABET) for _ in range(5))


def name_causes(name, field="metadata.name"):
    if not name:
        return [(field, "FieldValueRequired", "Required value: name or generateName is required")]
    if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        return [(field, "FieldValueInvalid",
                 f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
                 "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    return []


def validate_pod(pod):
    name = pod["metadata"].get("name", "")
    causes = list(name_causes(name))
    spec = pod.get("spec") or {}
    containers = spec.get("containers") or []
    if not containers:
        causes.append(("spec.containers", "FieldValueRequired", "Required value"))
    volumes = {v.get("name") for v in spec.get("volumes") or []}
    seen = set()
    for i, c in enumerate(containers):
        field = f"spec.containers[{i}]"
        cname = c.get("name", "")
        if not cname:
            causes.append((f"{field}.name", "FieldValueRequired", "Required value"))
        elif not _DNS_LABEL.match(cname) or len(cname) > 63:
            causes.append((f"{field}.name", "FieldValueInvalid",
                           f'Invalid value: "{cname}": a lowercase RFC 1123 label must consist of lower case '
                           "alphanumeric characters or '-', and must start and end with an alphanumeric character"))
        elif cname in seen:
            causes.append((f"{field}.name", "FieldValueDuplicate", f'Duplicate value: "{cname}"'))
        seen.add(cname)
        if not c.get("image"):
            causes.append((f"{field}.image", "FieldValueRequired", "Required value"))
        for j, m in enumerate(c.get("volumeMounts") or []):
            if m.get("name") not in volumes:
                causes.append((f"{field}.volumeMounts[{j}].name", "FieldValueNotFound",
                               f'Not found: "{m.get("name")}"'))
            if not m.get("mountPath"):
                causes.append((f"{field}.volumeMounts[{j}].mountPath", "FieldValueRequired", "Required value"))
    if spec.get("restartPolicy", "Always") not in ("Always", "OnFailure", "Never"):
        causes.append(("spec.restartPolicy", "FieldValueNotSupported",
                       f'Unsupported value: "{spec.get("restartPolicy")}": supported values: "Always", "OnFailure", "Never"'))
    if causes:
        raise invalid("Pod", name, causes)


def default_pull_policy(image):
    last = image.rsplit("/", 1)[-1]
    if "@" in image:
        return "IfNotPresent"
    if ":" not in last or last.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def apply_defaults(pod):
    spec = pod.setdefault("spec", {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("serviceAccountName", spec.get("serviceAccount", "default"))
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    for c in spec.get("containers") or []:
        c.setdefault("imagePullPolicy", default_pull_policy(c["image"]))
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
    for v in spec.get("volumes") or []:
        if "emptyDir" in v and v["emptyDir"] is None:
            v["emptyDir"] = {}
    pod.setdefault("status", {})


def qos_class(spec):
    for c in spec.get("containers") or []:
        if (c.get("resources") or {}).get("limits") or (c.get("resources") or {}).get("requests"):
            return "Burstable"
    return "BestEffort"


def expand(text, env):
    """$(VAR) references in command/args, as the kubelet expands them ($$ escapes)."""
    def repl(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", repl, text)
