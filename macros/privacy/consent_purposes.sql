{#- The consent purposes the project knows, as a list of names (for loops), in the order of var
    consent_purposes (dbt_project.yml: the one list, read by segwarehouse.registry too). Works at
    parse time. A var that is not a non-empty list of {name, description} fails, naming it. -#}
{% macro consent_purposes() -%}
    {%- set entries = var('consent_purposes') -%}
    {%- set names = [] -%}
    {%- for entry in (entries if entries is iterable and entries is not string else []) -%}
        {%- if entry is mapping and entry.get('name') -%}
            {%- do names.append(entry['name'] | string) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if names | length == 0 or names | length != entries | length -%}
        {{- exceptions.raise_compiler_error(
            "dbt var consent_purposes must be a list of {name, description} entries, got "
            ~ entries
        ) -}}
    {%- endif -%}
    {{- return(names) -}}
{%- endmacro %}
