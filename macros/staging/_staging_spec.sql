{#- The staging spec of a raw table: its columns (in contract order) as dicts read from the
    column meta of the sources' YAML (models/staging/<source>/_<source>__sources.yml):
    raw (raw name), name (staged name: meta staged_as, else raw), parse, nullable, accepted
    (the resolved list, or none), range, not_before, tolerance_hours, format, repair (meta
    invalid: repair), checked (meta check, default true), content (meta content, default true)
    and content_as (default name). A list named in accepted_values is looked up in the meta
    value_lists of the table's own source (<list>) or of another source (<source>.<list>).

    Read from the graph, so only at execute time: at parse time it returns an empty list (the
    SQL is not run then; the model's ref() and source() calls are what parsing records).
    Fails, naming the table and column, on an unknown parse kind or value list.
-#}
{% macro _staging_spec(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set kinds = [
        'identifier', 'code', 'upper_code', 'snake_code', 'text', 'lower_text', 'amount',
        'integer', 'boolean', 'timestamp'
    ] -%}
    {%- set node_id = 'source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name -%}
    {%- if node_id not in graph.sources -%}
        {{- exceptions.raise_compiler_error("Staging spec: no source table " ~ source_name ~ "." ~ table_name) -}}
    {%- endif -%}
    {%- set node = graph.sources[node_id] -%}
    {%- set lists = {} -%}
    {%- for other in graph.sources.values() -%}
        {%- for list_name, values in (other.source_meta or {}).get('value_lists', {}).items() -%}
            {%- do lists.update({other.source_name ~ '.' ~ list_name: values}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = column.meta -%}
        {%- set where = source_name ~ "." ~ table_name ~ "." ~ column.name -%}
        {%- if meta.get('parse') not in kinds -%}
            {{- exceptions.raise_compiler_error(
                "Staging spec of " ~ where ~ ": meta parse is " ~ meta.get('parse') ~ ", expected one of "
                ~ kinds | join(', ') ~ " (models/staging/" ~ source_name ~ "/_" ~ source_name ~ "__sources.yml)"
            ) -}}
        {%- endif -%}
        {%- set accepted = meta.get('accepted_values') -%}
        {%- if accepted is string -%}
            {%- set qualified = accepted if '.' in accepted else source_name ~ '.' ~ accepted -%}
            {%- if qualified not in lists -%}
                {{- exceptions.raise_compiler_error(
                    "Staging spec of " ~ where ~ ": accepted_values names list '" ~ accepted
                    ~ "', which no source's meta value_lists declares (known: " ~ lists.keys() | sort | join(', ') ~ ")"
                ) -}}
            {%- endif -%}
            {%- set accepted = lists[qualified] -%}
        {%- endif -%}
        {%- set name = meta.get('staged_as', column.name) -%}
        {%- do columns.append({
            'raw': column.name,
            'name': name,
            'parse': meta.get('parse'),
            'nullable': meta.get('nullable', false),
            'accepted': accepted,
            'range': meta.get('range'),
            'not_before': meta.get('not_before'),
            'tolerance_hours': meta.get('tolerance_hours', 0),
            'format': meta.get('format'),
            'repair': meta.get('invalid') == 'repair',
            'checked': meta.get('check', true),
            'content': meta.get('content', true),
            'content_as': meta.get('content_as', name),
        }) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}
