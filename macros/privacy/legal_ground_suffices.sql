{#- Whether a member's legal ground supports a segment's lawful basis: a segment whose lawful
    basis is consent needs an actual grant (legal_ground 'consent'): an opt-out regime's notice
    is not consent. The other bases (contract, legitimate_interest, legal_obligation) accept
    'consent' or 'opt_out_notice'. False without a legal ground. The one place that states the
    rule: qualification, membership, reproduction and the exposure checks use it.

    Arguments:
      lawful_basis: SQL expression of the segment's lawful basis
      legal_ground: SQL expression of the member's legal ground (macro legal_ground)
-#}
{% macro legal_ground_suffices(lawful_basis, legal_ground) -%}
    coalesce(
        {{ legal_ground }} = 'consent'
        or ({{ legal_ground }} = 'opt_out_notice' and {{ lawful_basis }} != 'consent'),
        false
    )
{%- endmacro %}
