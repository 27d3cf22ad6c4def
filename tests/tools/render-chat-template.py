#!/usr/bin/env python3
"""Renders chat templates the way transformers' apply_chat_template does, to compute reference prompts.

Reads a JSON array of cases ({"name", "chat_template", "data"}) and writes the same array with "expected" (the rendered
prompt) or "error" (the message of the exception the template raised). strftime_now answers a fixed time so that the
references do not depend on the day they were computed.
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime(2025, 7, 10, 12, 0, 0)


class GenerationTag(Extension):
    """transformers' {% generation %} block: renders its body unchanged."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    cases = json.load(sys.stdin)
    env = environment()
    for case in cases:
        try:
            case["expected"] = env.from_string(case["chat_template"]).render(**case["data"])
        except Exception as error:  # the template's own message is what a caller sees
            case["error"] = str(error)
    json.dump(cases, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
