{#- Two-sided 95% normal quantile, to full double precision (scipy.stats.norm.ppf(0.975)). -#}
{% macro z_975() -%}
    1.959963984540054
{%- endmacro %}

{#- Wilson score interval bound for a proportion successes / trials (Wilson, 1927); null when
    trials is 0. Agrees with statsmodels proportion_confint(method='wilson').

    Arguments:
      successes: SQL expression of the count of successes
      trials: SQL expression of the count of trials
      bound: 'lower' or 'upper'
      z: normal quantile (default the two-sided 95% one)
-#}
{% macro wilson_bound(successes, trials, bound, z=none) -%}
    {%- set z = z if z is not none else z_975() -%}
    {%- set n = '(' ~ trials ~ ')::double' -%}
    {%- set p = '((' ~ successes ~ ')::double / nullif(' ~ n ~ ', 0))' -%}
    {%- set sign = '-' if bound == 'lower' else '+' -%}
    {%- if bound not in ('lower', 'upper') -%}
        {{ exceptions.raise_compiler_error("wilson_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
    (
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }}))
        {{ sign }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
        )
    ) / (1 + {{ z }} * {{ z }} / {{ n }})
{%- endmacro %}

{#- Newcombe's hybrid score interval bound for the difference of two independent proportions
    p1 - p2 (Newcombe, 1998, method 10), built from the two Wilson intervals; null when either
    group is empty. Agrees with statsmodels confint_proportions_2indep(method='newcomb').

    Arguments:
      successes_1, trials_1: counts of the first group (e.g. treatment)
      successes_2, trials_2: counts of the second group (e.g. holdout)
      bound: 'lower' or 'upper'
      z: normal quantile (default the two-sided 95% one)
-#}
{% macro newcombe_difference_bound(successes_1, trials_1, successes_2, trials_2, bound, z=none) -%}
    {%- set p1 = '((' ~ successes_1 ~ ')::double / nullif((' ~ trials_1 ~ ')::double, 0))' -%}
    {%- set p2 = '((' ~ successes_2 ~ ')::double / nullif((' ~ trials_2 ~ ')::double, 0))' -%}
    {%- set l1 = wilson_bound(successes_1, trials_1, 'lower', z) -%}
    {%- set u1 = wilson_bound(successes_1, trials_1, 'upper', z) -%}
    {%- set l2 = wilson_bound(successes_2, trials_2, 'lower', z) -%}
    {%- set u2 = wilson_bound(successes_2, trials_2, 'upper', z) -%}
    {%- if bound == 'lower' -%}
    ({{ p1 }} - {{ p2 }} - sqrt(pow({{ p1 }} - {{ l1 }}, 2) + pow({{ u2 }} - {{ p2 }}, 2)))
    {%- elif bound == 'upper' -%}
    ({{ p1 }} - {{ p2 }} + sqrt(pow({{ u1 }} - {{ p1 }}, 2) + pow({{ p2 }} - {{ l2 }}, 2)))
    {%- else -%}
        {{ exceptions.raise_compiler_error("newcombe_difference_bound: bound must be 'lower' or 'upper'") }}
    {%- endif -%}
{%- endmacro %}

{#- Two-sided p-value of the pooled two-proportion z-test of p1 = p2; null when either group is
    empty or the pooled proportion is 0 or 1 (no variation: nothing to test). Agrees with
    statsmodels proportions_ztest. Uses normal_sf for the normal tail.

    Arguments:
      successes_1, trials_1: counts of the first group
      successes_2, trials_2: counts of the second group
-#}
{% macro two_proportion_p_value(successes_1, trials_1, successes_2, trials_2) -%}
    {%- set n1 = '(' ~ trials_1 ~ ')::double' -%}
    {%- set n2 = '(' ~ trials_2 ~ ')::double' -%}
    {%- set pooled = '((' ~ successes_1 ~ ' + ' ~ successes_2 ~ ')::double / nullif(' ~ n1 ~ ' + ' ~ n2 ~ ', 0))' -%}
    {%- set se = 'sqrt(' ~ pooled ~ ' * (1 - ' ~ pooled ~ ') * (1 / nullif(' ~ n1 ~ ', 0) + 1 / nullif(' ~ n2 ~ ', 0)))' -%}
    (2 * {{ normal_sf(
        'abs((' ~ successes_1 ~ ')::double / nullif(' ~ n1 ~ ', 0) - (' ~ successes_2 ~ ')::double / nullif(' ~ n2 ~ ', 0)) / nullif(' ~ se ~ ', 0)'
    ) }})
{%- endmacro %}

{#- Upper tail of the standard normal distribution, P(Z > z). Dispatched: DuckDB has no erf, so
    its implementation calls the function normal_sf that segwarehouse.dbt_plugin registers on
    every connection (0.5 * erfc(z / sqrt 2) from Python's math library).

    Arguments:
      z: SQL expression of z
-#}
{% macro normal_sf(z) -%}
    {{ return(adapter.dispatch('normal_sf', 'segwarehouse')(z)) }}
{%- endmacro %}

{% macro default__normal_sf(z) -%}
    (0.5 * erfc(({{ z }}) / sqrt(2)))
{%- endmacro %}

{% macro duckdb__normal_sf(z) -%}
    normal_sf(({{ z }})::double)
{%- endmacro %}
