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
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set p = '(cast(' ~ successes ~ ' as double) / nullif(' ~ n ~ ', 0))' -%}
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
    {%- set p1 = '(cast(' ~ successes_1 ~ ' as double) / nullif(cast(' ~ trials_1 ~ ' as double), 0))' -%}
    {%- set p2 = '(cast(' ~ successes_2 ~ ' as double) / nullif(cast(' ~ trials_2 ~ ' as double), 0))' -%}
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
    {%- set n1 = 'cast(' ~ trials_1 ~ ' as double)' -%}
    {%- set n2 = 'cast(' ~ trials_2 ~ ' as double)' -%}
    {%- set pooled = '(cast(' ~ successes_1 ~ ' + ' ~ successes_2 ~ ' as double) / nullif(' ~ n1 ~ ' + ' ~ n2 ~ ', 0))' -%}
    {%- set se = 'sqrt(' ~ pooled ~ ' * (1 - ' ~ pooled ~ ') * (1 / nullif(' ~ n1 ~ ', 0) + 1 / nullif(' ~ n2 ~ ', 0)))' -%}
    (2 * {{ normal_sf(
        'abs(cast(' ~ successes_1 ~ ' as double) / nullif(' ~ n1 ~ ', 0) - cast(' ~ successes_2 ~ ' as double) / nullif(' ~ n2 ~ ', 0)) / nullif(' ~ se ~ ', 0)'
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

{#- Spark has no erfc either, and a Python function would not run on a cluster's SQL endpoint:
    erfc in SQL, to about 1e-16 absolute (5e-14 relative) of C's erfc. For x = |z| / sqrt 2 below
    1.5, erfc = 1 - erf with erf's series of positive terms
    2 / sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)) (50 terms, Horner);
    above it, the continued fraction erfc = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + (2/2) /
    (x + ...))) (250 levels, evaluated from the bottom). Lambdas bind z and x once, so the
    argument's SQL is not repeated. -#}
{% macro spark__normal_sf(z) -%}
    element_at(transform(array(cast(({{ z }}) as double)), z -> element_at(transform(
        array(abs(z) / sqrt(2)),
        x -> element_at(transform(
            array(0.5 * case
                when x < 1.5 then 1 - 2 / sqrt(pi()) * exp(-x * x) * x * aggregate(
                    sequence(50, 1, -1), cast(1 as double), (acc, k) -> 1 + 2 * x * x / (2 * k + 1) * acc
                )
                else exp(-x * x) / sqrt(pi()) / aggregate(
                    sequence(250, 1, -1), x, (acc, k) -> x + cast(k as double) / 2 / acc
                )
            end),
            half_erfc -> case when z >= 0 then half_erfc else 1 - half_erfc end
        ), 1)
    ), 1)), 1)
{%- endmacro %}

{% macro duckdb__normal_sf(z) -%}
    normal_sf(cast({{ z }} as double))
{%- endmacro %}
