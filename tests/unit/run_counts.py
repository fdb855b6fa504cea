"""Counts a unit-test run prints at its end: what the Wave tests executed against Wave's schema
and what the Reckon tests validated against Reckon's openapi.yaml. The fixtures add to WAVE and
RECKON; the root conftest prints them and fails the run when a Reckon exchange broke the document.

They stay whole when pytest-xdist spreads the tests over workers: each worker hands its counts
to the controller as JSON when its session ends, and the controller adds them up before its
summary. Without xdist, handing over and taking over do nothing."""

import json

WAVE = {"query_operations": 0, "mutation_operations": 0, "refused": 0, "documents": set()}
RECKON = {"sandboxes": 0, "requests": 0, "answers": 0, "failed": [], "enabled": False, "pending": set(), "valid": 0}
COUNTS = {"wave": WAVE, "reckon": RECKON}


def hand_over(config):
    """On an xdist worker: put the counts where the controller receives them."""
    output = getattr(config, "workeroutput", None)
    if output is None:
        return
    for key, counts in COUNTS.items():
        output[f"run_counts.{key}"] = json.dumps(
            {name: sorted(value) if isinstance(value, set) else value for name, value in counts.items()}
        )


def take_over(node):
    """On the controller: add what the worker ``node`` handed over (numbers added, sets joined,
    lists extended, flags or-ed)."""
    for key, counts in COUNTS.items():
        data = getattr(node, "workeroutput", {}).get(f"run_counts.{key}")
        for name, value in json.loads(data or "{}").items():
            mine = counts[name]
            if isinstance(mine, bool):
                counts[name] = mine or value
            elif isinstance(mine, set):
                mine.update(value)
            elif isinstance(mine, list):
                mine.extend(value)
            else:
                counts[name] = mine + value


def summary_lines():
    lines = []
    if WAVE["documents"]:
        from odoo.addons.connector_wave.lib.queries import DOCUMENTS

        lines.append(
            f"Wave connector: {WAVE['query_operations']} queries and {WAVE['mutation_operations']} mutations "
            f"executed against Wave's schema ({WAVE['refused']} refused, on purpose); "
            f"{len(WAVE['documents'] & set(DOCUMENTS))} of the {len(DOCUMENTS)} named documents sent"
        )
    if RECKON["sandboxes"] and not RECKON["enabled"]:
        lines.append("Reckon connector: openapi.yaml not here (../shared): exchanges not validated")
    elif RECKON["sandboxes"]:
        lines.append(
            f"Reckon connector: {RECKON['requests']} requests and {RECKON['answers']} answers validated against "
            f"Reckon's openapi.yaml in {RECKON['sandboxes']} sandboxes; {len(RECKON['failed'])} tests met a mismatch"
        )
    if RECKON["valid"]:
        ahead = ", ".join(sorted(RECKON["pending"])) or "none"
        lines.append(
            f"Reckon connector: {RECKON['valid']} canonical records validated; fields ahead of the schemas: {ahead}"
        )
    return lines
