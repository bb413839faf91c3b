# Named kube_selectors: a module "selectors" would shadow the standard library one asyncio uses.
"""Label and field selectors in the text forms clients send in
`labelSelector=` / `fieldSelector=` (the Kubernetes selector grammar:
`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`)."""

import re

from api_status import bad_request

_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9./_-]+)\s*(?:(in|notin)\s*\(([^)]*)\)|(==|=|!=)\s*([A-Za-z0-9._-]*))?\s*$")


def _split_top_level(text):
    """Splits at commas outside parentheses (`a in (x,y),b` is two requirements)."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_label_selector(text):
    """A predicate over a labels dict; raises ApiError 400 on bad syntax."""
    if not text:
        return lambda labels: True
    requirements = []
    for part in _split_top_level(text):
        m = _SET_RE.match(part)
        if not m:
            raise bad_request(f"unable to parse requirement: {part!r}")
        negated, key, set_op, set_values, op, value = m.groups()
        if negated and (set_op or op):
            raise bad_request(f"unable to parse requirement: {part!r}")
        if set_op:
            values = {v.strip() for v in set_values.split(",") if v.strip()}
            if set_op == "in":
                requirements.append(lambda l, k=key, vs=values: k in l and l[k] in vs)
            else:
                requirements.append(lambda l, k=key, vs=values: k not in l or l[k] not in vs)
        elif op in ("=", "=="):
            requirements.append(lambda l, k=key, v=value: l.get(k) == v)
        elif op == "!=":
            requirements.append(lambda l, k=key, v=value: l.get(k) != v)
        elif negated:
            requirements.append(lambda l, k=key: k not in l)
        else:
            requirements.append(lambda l, k=key: k in l)
    return lambda labels: all(r(labels or {}) for r in requirements)


def parse_field_selector(text, supported):
    """A predicate over a fields dict (field path -> string value); only the
    fields in `supported` may be named, as the real server does per resource."""
    if not text:
        return lambda fields: True
    requirements = []
    for part in _split_top_level(text):
        m = re.match(r"^\s*([A-Za-z0-9.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        field, op, value = m.groups()
        if field not in supported:
            raise bad_request(f'"{field}" is not a known field selector: only "{", ".join(sorted(supported))}"')
        if op == "!=":
            requirements.append(lambda f, k=field, v=value: f.get(k, "") != v)
        else:
            requirements.append(lambda f, k=field, v=value: f.get(k, "") == v)
    return lambda fields: all(r(fields) for r in requirements)
