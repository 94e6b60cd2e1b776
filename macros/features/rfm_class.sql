{#- The named RFM class of a customer from its recency and frequency scores (1-5), after the
    usual R x F grid:
      champions           R 4-5, F 4-5     bought recently and often
      loyal               R 3-5, F 3 or R 3, F 4-5
      new                 R 5,   F 1       first purchase just made
      potential_loyalist  R 4-5, F 1-2     recent, few purchases (not new)
      about_to_sleep      R 3,   F 1-2
      at_risk             R 1-2, F 3-4     used to buy often, not lately
      cannot_lose         R 1-2, F 5       best customers drifting away
      hibernating         R 2,   F 1-2
      lost                R 1,   F 1-2
    Null when either score is null (no purchase).

    Arguments:
      recency_score: SQL expression of the R score
      frequency_score: SQL expression of the F score
-#}
{% macro rfm_class(recency_score, frequency_score) -%}
    case
        when {{ recency_score }} is null or {{ frequency_score }} is null then null
        when {{ recency_score }} >= 4 and {{ frequency_score }} >= 4 then 'champions'
        when {{ recency_score }} <= 2 and {{ frequency_score }} = 5 then 'cannot_lose'
        when {{ recency_score }} <= 2 and {{ frequency_score }} >= 3 then 'at_risk'
        when {{ recency_score }} >= 3 and {{ frequency_score }} >= 3 then 'loyal'
        when {{ recency_score }} = 5 and {{ frequency_score }} = 1 then 'new'
        when {{ recency_score }} >= 4 then 'potential_loyalist'
        when {{ recency_score }} = 3 then 'about_to_sleep'
        when {{ recency_score }} = 2 then 'hibernating'
        else 'lost'
    end
{%- endmacro %}
