{#- The segment registry, validated and written as rows: one select per segment version (the
    columns of int_segment_versions_validated), or a compiler error listing every problem, each
    naming its segment and version, all at once so a reviewer sees the whole list in one failed
    build. The same Jinja runs on every engine; only the hash function is the engine's.

    Arguments:
      entries: the registry, a list of mappings (config.meta.segment_registry of
               int_segment_versions_validated, or var segment_registry)
      origin: where the entries come from, for the error message
-#}
{% macro segment_registry_rows(entries, origin) -%}
    {%- set rows = segwarehouse.validate_segment_registry(entries, origin) -%}
    {%- for row in rows %}
    select
        {{ segwarehouse.string_literal(row.segment_id) }} as segment_id,
        cast({{ row.version }} as integer) as segment_version,
        {{ segwarehouse.string_literal(row.name) }} as segment_name,
        {{ segwarehouse.string_literal(row.description) }} as description,
        {{ segwarehouse.string_literal(row.rule.split() | join(' ')) }} as rule_sql,
        {{ segwarehouse.sql_string_list(row.feature_columns) }} as feature_columns,
        {{ segwarehouse.string_literal(row.required_purpose) }} as required_purpose,
        {{ segwarehouse.string_literal(row.lawful_basis) }} as lawful_basis,
        {{ segwarehouse.string_literal(row.risk_level) }} as risk_level,
        cast({{ row.retention_days }} as integer) as retention_days,
        {{ segwarehouse.string_literal(row.persistence) }} as persistence,
        cast({{ row.holdout_pct }} as double) as holdout_pct,
        {{ segwarehouse.string_literal(row.owner) }} as owner,
        {{ segwarehouse.string_literal(row.author) }} as author,
        cast('{{ row.valid_from }}' as date) as valid_from,
        cast({{ "'" ~ row.valid_to ~ "'" if row.valid_to is not none else 'null' }} as date) as valid_to,
        {{ segwarehouse.string_literal(row.change_reason) }} as change_reason,
        {{ segwarehouse.sql_string_list(row.downstream_uses) }} as downstream_uses,
        {{ segwarehouse.sha256_hex(segwarehouse.string_literal(row.definition_json)) }} as definition_hash
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{#- The registry's entries validated: a list of rows (mappings with every field, valid_from and
    valid_to as ISO dates, valid_to filled from the next version, feature_columns lower case,
    definition_json the canonical JSON of the fields that define what the segment selects), sorted
    by segment and version; or a compiler error listing every problem.

    Arguments:
      entries: the registry, a list of mappings
      origin: where the entries come from, for the error message
-#}
{% macro validate_segment_registry(entries, origin) -%}
    {%- set spec = segwarehouse.segment_registry_spec() -%}
    {%- set problems = [] -%}
    {%- set by_segment = {} -%}
    {%- set order = [] -%}
    {%- if entries is string or entries is mapping or entries is not iterable
        or entries | length == 0 -%}
        {%- do problems.append("expected a non-empty list of segment versions") -%}
        {%- set entries = [] -%}
    {%- endif -%}
    {%- for entry in entries -%}
        {%- if entry is not mapping -%}
            {%- do problems.append("entry " ~ loop.index ~ ": expected a mapping of fields") -%}
        {%- else -%}
            {%- set label = "segment '" ~ (entry.get('segment_id') or '#' ~ loop.index) ~ "' v"
                ~ entry.get('version') -%}
            {%- for problem in segwarehouse.segment_entry_problems(entry, spec) -%}
                {%- do problems.append(label ~ ": " ~ problem) -%}
            {%- endfor -%}
            {%- set segment_id = entry.get('segment_id') | string -%}
            {%- if segment_id not in by_segment -%}
                {%- do by_segment.update({segment_id: []}) -%}
                {%- do order.append(segment_id) -%}
            {%- endif -%}
            {%- do by_segment[segment_id].append(entry) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for segment_id in order -%}
        {%- for problem in segwarehouse.segment_version_problems(segment_id, by_segment[segment_id]) -%}
            {%- do problems.append(problem) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {{- exceptions.raise_compiler_error(
            "segment registry (" ~ origin ~ "): " ~ problems | length ~ " problem(s):\n  - "
            ~ problems | join("\n  - ")
        ) -}}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for segment_id in order | sort -%}
        {%- set versions = by_segment[segment_id] | sort(attribute='version') -%}
        {%- for entry in versions -%}
            {%- set row = {} -%}
            {%- for key in spec.required + spec.optional -%}
                {%- do row.update({key: entry.get(key)}) -%}
            {%- endfor -%}
            {%- do row.update({
                'valid_from': entry.valid_from | string,
                'valid_to': none if entry.get('valid_to') is none else entry.valid_to | string,
                'feature_columns': entry.feature_columns | map('string') | map('lower') | list,
                'downstream_uses': entry.downstream_uses | map('string') | list,
            }) -%}
            {%- if row.valid_to is none and not loop.last -%}
                {%- do row.update({'valid_to': versions[loop.index].valid_from | string}) -%}
            {%- endif -%}
            {%- set fields = [] -%}
            {#- json.dumps(sort_keys=True, separators=(',', ':')): dbt's tojson writes a list
                with ', ', so the one list is written here -#}
            {%- for key in spec.definition | sort -%}
                {%- set items = [] -%}
                {%- for column in row.feature_columns if key == 'feature_columns' -%}
                    {%- do items.append(tojson(column)) -%}
                {%- endfor -%}
                {%- set text = '[' ~ items | join(',') ~ ']' if key == 'feature_columns'
                    else tojson(row[key]) -%}
                {%- do fields.append(tojson(key) ~ ':' ~ text) -%}
            {%- endfor -%}
            {%- do row.update({'definition_json': '{' ~ fields | join(',') ~ '}'}) -%}
            {%- do rows.append(row) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(rows) -}}
{%- endmacro %}


{#- What a segment version may hold: the fields, the allowed values and the rule grammar's
    words. The one statement of the registry's rules; the registry's header comment and the
    README describe them in words. -#}
{% macro segment_registry_spec() -%}
    {{- return({
        'required': [
            'segment_id', 'version', 'name', 'description', 'rule', 'feature_columns',
            'required_purpose', 'lawful_basis', 'risk_level', 'retention_days', 'persistence',
            'holdout_pct', 'owner', 'author', 'valid_from', 'change_reason', 'downstream_uses',
        ],
        'optional': ['valid_to'],
        'definition': [
            'segment_id', 'version', 'rule', 'feature_columns', 'required_purpose',
            'lawful_basis', 'risk_level', 'retention_days', 'persistence', 'holdout_pct',
            'valid_from', 'valid_to',
        ],
        'choices': {
            'required_purpose': ['unknown consent purpose', segwarehouse.consent_purposes()],
            'lawful_basis': ['unknown lawful_basis',
                ['consent', 'contract', 'legitimate_interest', 'legal_obligation']],
            'risk_level': ['unknown risk_level', ['low', 'medium', 'high']],
            'persistence': ['unknown persistence', ['persistent', 'session_only']],
        },
        'rule_keywords': [
            'and', 'or', 'not', 'in', 'is', 'null', 'true', 'false', 'between', 'like',
            'case', 'when', 'then', 'else', 'end',
        ],
        'rule_typed_literals': ['date', 'timestamp'],
        'rule_functions': ['coalesce', 'abs', 'least', 'greatest', 'lower', 'upper'],
        'rule_statements': [
            'select', 'from', 'join', 'where', 'with', 'union', 'insert', 'update', 'delete',
            'merge', 'drop', 'create', 'alter', 'truncate', 'table', 'into', 'values', 'exists',
            'call', 'copy', 'attach', 'detach', 'pragma', 'set', 'grant', 'revoke', 'install',
            'load', 'export', 'import', 'use',
        ],
    }) -}}
{%- endmacro %}


{#- The problems of one registry entry, as texts without its label.

    Arguments:
      entry: one segment version (a mapping)
      spec: segment_registry_spec()
-#}
{% macro segment_entry_problems(entry, spec) -%}
    {%- set problems = [] -%}
    {%- for key in spec.required -%}
        {%- set value = entry.get(key) -%}
        {%- if value is none or value == '' or (value is iterable and value is not string
            and value | length == 0) -%}
            {%- do problems.append("missing " ~ key) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key in entry.keys() | map('string') | sort -%}
        {%- if key not in spec.required and key not in spec.optional -%}
            {%- do problems.append("unknown field " ~ key) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key, choice in spec.choices.items() -%}
        {%- set value = entry.get(key) -%}
        {%- if value is not none and value != '' and value not in choice[1] -%}
            {%- do problems.append(choice[0] ~ " '" ~ value ~ "' (expected one of "
                ~ choice[1] | join(', ') ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not modules.re.fullmatch('[a-z][a-z0-9_]{1,62}', (entry.get('segment_id') or 'x') | string) -%}
        {%- do problems.append("segment_id must be lower snake case") -%}
    {%- endif -%}
    {%- set version = entry.get('version') -%}
    {%- if version is not none and not (version is integer and version >= 1) -%}
        {%- do problems.append("version must be a whole number from 1, got " ~ tojson(version | string)) -%}
    {%- endif -%}
    {%- if entry.get('risk_level') == 'high' and entry.get('lawful_basis') not in (none, 'consent') -%}
        {%- do problems.append("high risk segments need lawful_basis consent, not '"
            ~ entry.lawful_basis ~ "'") -%}
    {%- endif -%}
    {%- set holdout = entry.get('holdout_pct') -%}
    {%- if holdout is not none and not (holdout is number and holdout is not boolean
        and 0 <= holdout <= 0.5) -%}
        {%- do problems.append("holdout_pct must be a number in [0, 0.5], got " ~ tojson(holdout | string)) -%}
    {%- endif -%}
    {%- set retention = entry.get('retention_days') -%}
    {%- if retention is not none and not (retention is integer and 1 <= retention <= 730) -%}
        {%- do problems.append("retention_days must be a whole number in [1, 730], got "
            ~ tojson(retention | string)) -%}
    {%- endif -%}
    {%- if entry.get('persistence') == 'session_only' and retention not in (none, 1) -%}
        {%- do problems.append("session_only segments keep membership for the day: retention_days 1") -%}
    {%- endif -%}
    {%- for key in ['name', 'description', 'owner', 'author', 'change_reason'] -%}
        {%- if entry.get(key) is not none and entry.get(key) is not string -%}
            {%- do problems.append(key ~ " must be a text") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set declared = [] -%}
    {%- for key in ['feature_columns', 'downstream_uses'] -%}
        {%- set values = entry.get(key) -%}
        {%- if values is not none and (values is string or values is mapping or values is not iterable
            or values | reject('string') | list | length > 0) -%}
            {%- do problems.append(key ~ " must be a list of names") -%}
        {%- elif key == 'feature_columns' and values is not none -%}
            {%- for column in values | map('lower') -%}
                {%- if not modules.re.fullmatch('[a-z_][a-z0-9_]*', column) -%}
                    {%- do problems.append("feature column '" ~ column ~ "' is not a column name") -%}
                {%- endif -%}
                {%- do declared.append(column) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set rule = entry.get('rule') -%}
    {%- if rule is not none and rule != '' -%}
        {%- set read = segwarehouse.segment_rule_columns(rule | string, spec) -%}
        {%- if read.problem -%}
            {%- do problems.append(read.problem) -%}
        {%- else -%}
            {%- for column in read.columns -%}
                {%- if column not in declared -%}
                    {%- do problems.append("rule reads '" ~ column
                        ~ "', which feature_columns does not declare") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- for key in ['valid_from', 'valid_to'] -%}
        {%- if entry.get(key) is not none and not segwarehouse.is_iso_date(entry.get(key) | string) -%}
            {%- do problems.append(key ~ " is not a date: " ~ tojson(entry.get(key) | string)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(problems) -}}
{%- endmacro %}


{#- The problems of one segment's versions taken together: versions 1..n once each, one name,
    each version starting after the previous one and none in force while another is.

    Arguments:
      segment_id: the segment
      entries: its versions (mappings)
-#}
{% macro segment_version_problems(segment_id, entries) -%}
    {%- set problems = [] -%}
    {%- set versions = entries | map(attribute='version') | list -%}
    {%- set expected = range(1, entries | length + 1) | list -%}
    {%- if versions | reject('integer') | list | length > 0 or versions | sort != expected -%}
        {%- do problems.append("segment '" ~ segment_id ~ "': versions must be 1.."
            ~ entries | length ~ " once each, got " ~ versions | map('string') | join(', ')) -%}
        {{- return(problems) -}}
    {%- endif -%}
    {%- set ordered = entries | sort(attribute='version') -%}
    {%- set names = ordered | map(attribute='name') | map('string') | unique | sort -%}
    {%- if names | length > 1 -%}
        {%- do problems.append("segment '" ~ segment_id ~ "': a segment_id is never reused for "
            ~ "another segment, but its versions have the names " ~ names | join(', ')) -%}
    {%- endif -%}
    {%- for before in ordered[:-1] -%}
        {%- set after = ordered[loop.index] -%}
        {%- set start = before.get('valid_from') | string -%}
        {%- set end = none if before.get('valid_to') is none else before.valid_to | string -%}
        {%- set next_start = after.get('valid_from') | string -%}
        {%- if segwarehouse.is_iso_date(start) and segwarehouse.is_iso_date(next_start)
            and (end is none or segwarehouse.is_iso_date(end))
            and (next_start <= start or (end is not none and end > next_start)) -%}
            {%- do problems.append("segment '" ~ segment_id ~ "': versions " ~ before.version
                ~ " and " ~ after.version ~ " overlap (v" ~ before.version ~ " from " ~ start
                ~ " to " ~ (end or 'open') ~ ", v" ~ after.version ~ " from " ~ next_start ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(problems) -}}
{%- endmacro %}


{#- The feature columns a segment rule reads, by reading it as a predicate of a small grammar:
    columns, numbers, string literals, date/timestamp literals, comparison and arithmetic
    operators, parentheses, commas, the keywords and the functions of segment_registry_spec().
    Returns {'columns': [...], 'problem': none} or {'columns': [], 'problem': '<why not>'}:
    statements, subqueries, other tables, qualified or quoted names, comments, other functions
    and unbalanced text are refused.

    Arguments:
      rule: the rule's text
      spec: segment_registry_spec()
-#}
{% macro segment_rule_columns(rule, spec) -%}
    {%- set re = modules.re -%}
    {%- set refused = namespace(problem=none) -%}
    {%- set columns = [] -%}
    {%- set text = re.sub("'(?:[^']|'')*'", " '' ", rule) -%}
    {%- if ';' in text -%}
        {%- set refused.problem = "a rule is one predicate: ';' is not allowed" -%}
    {%- endif -%}
    {%- if refused.problem is none and ("'" in text.replace("''", '') or '--' in text or '/*' in text) -%}
        {%- set refused.problem = "rule does not parse as one predicate: an unterminated string or a comment" -%}
    {%- endif -%}
    {%- set tokens = re.findall("''|\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?|\\.\\d+|[A-Za-z_][A-Za-z0-9_]*|<=|>=|<>|!=|\\|\\||\\S", text) -%}
    {%- set depth = namespace(value=0) -%}
    {%- for token in tokens -%}
        {%- set word = token | lower -%}
        {%- set following = tokens[loop.index] if loop.index < tokens | length else '' -%}
        {%- set preceding = tokens[loop.index0 - 1] if loop.index0 > 0 else '' -%}
        {%- if refused.problem is not none -%}
        {%- elif token == '(' -%}
            {%- set depth.value = depth.value + 1 -%}
        {%- elif token == ')' -%}
            {%- set depth.value = depth.value - 1 -%}
            {%- if depth.value < 0 -%}
                {%- set refused.problem = "rule does not parse as one predicate: unbalanced ')'" -%}
            {%- endif -%}
        {%- elif word in spec.rule_statements -%}
            {%- set refused.problem = "a rule is a predicate over customer_features: "
                ~ word | upper ~ " is not allowed" -%}
        {%- elif re.fullmatch('[a-z_][a-z0-9_]*', word) -%}
            {%- if following == '.' or preceding == '.' -%}
                {%- set refused.problem = "a rule reads only customer_features: '" ~ token
                    ~ "' is qualified" -%}
            {%- elif following == '(' and word not in spec.rule_keywords -%}
                {%- if word not in spec.rule_functions -%}
                    {%- set refused.problem = "function '" ~ word ~ "' is not allowed in a rule"
                        ~ " (allowed: " ~ spec.rule_functions | join(', ') ~ ")" -%}
                {%- endif -%}
            {%- elif word in spec.rule_typed_literals -%}
                {%- if following != "''" -%}
                    {%- set refused.problem = "'" ~ word ~ "' in a rule only starts a literal, as in "
                        ~ word ~ " '2026-01-31'" -%}
                {%- endif -%}
            {%- elif word not in spec.rule_keywords and word not in columns -%}
                {%- do columns.append(word) -%}
            {%- endif -%}
        {%- elif not re.fullmatch("''|\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?|\\.\\d+|<=|>=|<>|!=|[=<>+*/%,-]", token) -%}
            {%- set refused.problem = "'" ~ token ~ "' is not allowed in a rule" -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if refused.problem is none and depth.value != 0 -%}
        {%- set refused.problem = "rule does not parse as one predicate: unbalanced '('" -%}
    {%- endif -%}
    {%- if refused.problem is none and columns | length == 0 -%}
        {%- set refused.problem = "a rule must read at least one feature column" -%}
    {%- endif -%}
    {%- if refused.problem is not none -%}
        {{- return({'columns': [], 'problem': refused.problem}) -}}
    {%- endif -%}
    {{- return({'columns': columns, 'problem': none}) -}}
{%- endmacro %}


{#- Whether a text is a calendar date written YYYY-MM-DD (no exception: Jinja cannot catch one).

    Arguments:
      text: the text
-#}
{% macro is_iso_date(text) -%}
    {%- if not modules.re.fullmatch('\\d{4}-\\d{2}-\\d{2}', text) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set year, month, day = text.split('-') | map('int') | list -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 or day > 31 -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set first = modules.datetime.date(year, month, 1) -%}
    {{- return((first + modules.datetime.timedelta(days=day - 1)).month == month) -}}
{%- endmacro %}
