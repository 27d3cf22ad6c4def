namespace Inference.Engines.Tests.Templates;

/// <summary>
/// Small templates, one feature each, that chat templates rely on: each is rendered by the engine and by the reference
/// and must agree byte for byte (or raise the same message).
/// </summary>
internal static class JinjaFeatureTemplates
{
    private const string Data = """
        {"messages": [{"role": "system", "content": "  Be brief.  "}, {"role": "user", "content": "Hi /think there"},
                      {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nHello!", "tool_calls": [
                        {"function": {"name": "f", "arguments": {"x": 1.5, "y": [1, 2], "z": null, "é": "ü"}}}]}],
         "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {"x": {"type": "number"}}}}}],
         "n": 7, "f": 2.5, "big": 1e20, "small": 1e-7, "neg": -3, "flag": true, "nothing": null, "text": "Hello, World",
         "items": [3, 1, 2, 3], "names": ["b", "A", "c"], "d": {"b": 2, "a": 1, "c": {"k": [true, false, null]}}}
        """;

    public static IEnumerable<(string Name, string Template, string Data)> All() => new (string Name, string Template)[]
    {
        ("if elif else", "{% if n > 10 %}big{% elif n > 5 %}mid{% else %}small{% endif %}"),
        ("trim_blocks and lstrip_blocks", "<a>\n    {% if flag %}\n    yes\n    {% endif %}\n</a>\n"),
        ("whitespace control", "a  {{- ' b ' -}}  c {%- if true %} d {% endif -%}  e"),
        ("plus keeps lstrip", "x\n    {%+ if true %}y{% endif %}"),
        ("for with loop variables", "{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ loop.index0 }} {{ loop.first }} {{ loop.last }} {{ loop.revindex }} {{ loop.revindex0 }}|{% endfor %}"),
        ("for else", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"),
        ("for if", "{% for m in messages if m.role != 'system' %}{{ loop.index }}={{ m.role }} {% endfor %}"),
        ("tuple unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}"),
        ("break and continue", "{% for x in items %}{% if x == 1 %}{% continue %}{% endif %}{% if loop.index > 3 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
        ("loop cycle and previtem", "{% for x in items %}{{ loop.cycle('a', 'b') }}{{ loop.previtem if not loop.first }}{% endfor %}"),
        ("set and scope", "{% set x = 1 %}{% for i in items %}{% set x = x + i %}{% endfor %}{{ x }}"),
        ("namespace", "{% set ns = namespace(total=0, seen=[]) %}{% for i in items %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}"),
        ("block set with filter", "{% set body | upper %}hello {{ n }}{% endset %}[{{ body }}]"),
        ("macro with defaults and recursion", "{% macro walk(v, depth=0) %}{% if v is mapping %}{% for k in v %}{{ walk(v[k], depth + 1) }}{% endfor %}{% else %}{{ depth }}:{{ v }} {% endif %}{% endmacro %}{{ walk(d) }}"),
        ("macro keyword arguments and caller", "{% macro box(title, sep='-') %}{{ title }}{{ sep }}{{ caller() }}{% endmacro %}{% call box('T', sep='=') %}inside {{ n }}{% endcall %}"),
        ("raise_exception", "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"),
        ("strftime_now", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M') }} {{ strftime_now('%A %B %j') }}"),
        ("truthiness", "{{ [] and 'a' or 'b' }}{{ {} or 'e' }}{{ '' or 'f' }}{{ 0 or 'g' }}{{ nothing or 'h' }}{{ undefined_name or 'i' }}"),
        ("in and not in", "{{ 'lo' in text }} {{ 3 in items }} {{ 'a' in d }} {{ 'z' not in d }} {{ '/think' in messages[1].content }}"),
        ("slicing", "{{ items[1:] }} {{ items[:-1] }} {{ items[::-1] }} {{ text[::2] }} {{ text[-5:] }} {{ messages[-1].role }}"),
        ("tilde and arithmetic", "{{ 'a' ~ n ~ f }} {{ n // 2 }} {{ n / 2 }} {{ n % 3 }} {{ -n // 2 }} {{ 2 ** 10 }} {{ f * 2 }} {{ n - 10 }}"),
        ("comparisons chain of tests", "{{ n is defined }} {{ zz is defined }} {{ nothing is none }} {{ text is string }} {{ d is mapping }} {{ items is iterable }} {{ n is number }} {{ f is float }} {{ n is integer }} {{ flag is boolean }} {{ n is odd }} {{ n is divisibleby 7 }}"),
        ("tojson", "{{ d | tojson }}|{{ messages[2].tool_calls[0].function.arguments | tojson }}|{{ text | tojson }}|{{ f | tojson }}|{{ big | tojson }}|{{ small | tojson }}"),
        ("tojson indent", "{{ tools | tojson(indent=4) }}\n{{ d | tojson(indent=2) }}"),
        ("tojson separators and sort", "{{ d | tojson(separators=(',', ':')) }} {{ d | tojson(sort_keys=true) }}"),
        ("string of a dict", "{{ d | string }} {{ messages[2].tool_calls[0].function.arguments | string }} {{ [1.0, 'a', none, true] | string }}"),
        ("print of values", "{{ d }} {{ items }} {{ f }} {{ big }} {{ small }} {{ nothing }} {{ flag }} {{ 10 / 4 }} {{ 1.0 }} {{ (1, 'a') }}"),
        ("string filters", "[{{ messages[0].content | trim }}] {{ text | lower }} {{ text | upper }} {{ text | replace('l', 'L') }} {{ text | length }} {{ 'hello world' | title }} {{ 'hELLO' | capitalize }} {{ text | wordcount }}"),
        ("default", "{{ missing | default('dflt') }} {{ nothing | default('x') }} {{ '' | default('y', true) }} {{ n | d(0) }}"),
        ("list filters", "{{ items | first }} {{ items | last }} {{ items | unique | list }} {{ items | sort }} {{ names | sort }} {{ names | sort(reverse=true) }} {{ items | sum }} {{ items | min }} {{ items | max }} {{ items | join('-') }} {{ items | reverse | list }}"),
        ("select reject map", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }} {{ messages | rejectattr('role', 'in', ['user', 'system']) | map(attribute='role') | join }} {{ items | select('odd') | list }} {{ items | map('string') | join(',') }} {{ messages | selectattr('tool_calls', 'defined') | list | length }}"),
        ("items and dictsort", "{% for k, v in d | items %}{{ k }}{% endfor %} {{ d | dictsort }}"),
        ("indent", "{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(4, true) }}|{{ 'x\ny' | indent(first=true, width='> ') }}"),
        ("int float round abs", "{{ '42' | int }} {{ 'x' | int }} {{ f | int }} {{ n | float }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ neg | abs }} {{ 3.7 | round(0, 'floor') }}"),
        ("string methods", "{{ text.split(', ') }} {{ '  x  '.strip() }} {{ 'xxhixx'.strip('x') }} {{ text.startswith('Hell') }} {{ text.endswith('d') }} {{ text.replace('o', '0', 1) }} {{ 'a b  c'.split() }} {{ text.lstrip('H') }} {{ text.rstrip('d') }} {{ 'A-B-C'.rsplit('-', 1) }} {{ text.find('W') }} {{ text.count('l') }} {{ 'ab'.upper() }} {{ 'Ab'.lower() }} {{ ','.join(names) }} {{ 'a\nb'.splitlines() }}"),
        ("content after think", "{{ messages[2].content.split('</think>')[-1].lstrip('\n') }}|{{ messages[2].content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') }}"),
        ("dict methods", "{{ d.get('a') }} {{ d.get('zz', 'none') }} {{ d.keys() | list }} {{ d.values() | list | length }} {% for k, v in d.items() %}{{ k }}{% endfor %} {{ d['c']['k'] }} {{ d.c.k[0] }}"),
        ("conditional expression", "{{ 'yes' if flag else 'no' }} {{ 'x' if nothing }}[] {{ ('a' if n > 5 else 'b') ~ '!' }}"),
        ("list and dict literals", "{% set l = [1, 'two', [3]] + [4] %}{{ l }} {% set m = {'k': 'v', 'n': n} %}{{ m }} {{ m.n }} {{ (1,) }}"),
        ("string escapes", "{{ 'a\\tb\\n' ~ \"q\\\"uote\" ~ '\\u00e9' ~ 'it\\'s' }}"),
        ("percent format", "{{ '%s has %d items' % (text, items | length) }} {{ '%r' % text }}"),
        ("range", "{% for i in range(3) %}{{ i }}{% endfor %} {{ range(1, 10, 3) | list }} {% for i in range(items | length - 1, -1, -1) %}{{ i }}{% endfor %}"),
        ("raw", "{% raw %}{{ not rendered }}{% endraw %}"),
        ("comments", "a{# note #}b\n{#- trimmed -#}\nc"),
        ("call a method on a loop item", "{% for m in messages %}{{ m.role | upper }}:{{ m['content'] | length }} {% endfor %}"),
        ("undefined attribute errors", "{{ messages[0].nope.deeper }}"),
        ("concatenating a list to a string", "{{ 'a' + items }}"),
        ("sameas and equalto", "{{ nothing is sameas none }} {{ n is eq 7 }} {{ n is ne 7 }} {{ n is gt 3 }} {{ 'a' is lower }} {{ 'A' is upper }} {{ 1 is in items }}"),
        ("tojson of a string with unicode and control", "{{ ('é\u2028\t\"<>&' ~ messages[0].content) | tojson }}"),
        ("generation block", "{% generation %}kept {{ n }}{% endgeneration %}"),
        ("nested loops and loop.depth", "{% for a in [[1, 2], [3]] %}{% for b in a %}{{ loop.index }}{{ b }}{% endfor %};{% endfor %}"),
        ("filter block", "{% filter upper %}shout {{ text }}{% endfilter %}"),
        ("batch and attr", "{{ items | batch(3) | list }} {{ messages | map(attribute='role') | list }}"),
        ("integers and floats", "{{ 1 + 1.0 }} {{ 3 * 0.1 }} {{ 1e3 }} {{ 7 / 7 }} {{ 0.1 + 0.2 }} {{ 1/3 }} {{ 100000000000000000.0 }} {{ 123456789.123 }}"),
    }.Select(t => (t.Name, t.Template, Data));
}
