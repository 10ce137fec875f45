# The release's own words (charts, group and indicator labels, labels.csv), in English.
# Every message here must exist in every language folder (checked by pipeline's
# `locale::tests::every_language_has_every_message`).

group-all = All platforms
group-other = Other (including groups too small to show)

indicator-suspended_12m = Shop suspended or closed in the last 12 months
indicator-no_clear_reason = No clear reason given (among suspended sellers)
indicator-payout_held_12m = Payouts held or delayed in the last 12 months
indicator-fee_impact_high = Fee changes hurt income a lot (4-5 of 5)
indicator-support_poor = Seller support rated poor (1-2 of 5)
indicator-arbitration_unaware = Not aware of forced arbitration
indicator-pace_pressure_high = Pushed to an unsustainable pace (agree 4-5 of 5)
indicator-collective_action_yes = Would support collective action

chart-subtitle = Share of sellers, { $wave }, by main platform
chart-withheld = withheld to protect respondents
chart-no-respondents = no respondents
chart-interval-note = Lines: 95% Wilson interval (sampling variability only: this is an opt-in survey).
chart-reliability-note = * fewer than { $reliable } respondents, read with care. Groups under { $k } are withheld.
chart-described-withheld = withheld
share-source = Source: { $publisher }, release { $release } (CC BY 4.0)

release-title = { $survey }: statistics for { $wave }

table-respondents = Respondents by wave and main platform
table-answers = Answers to every question, by main platform
table-indicators = Headline indicators by main platform
table-trends = Headline indicators by wave and main platform
table-numeric = Number answers: quartiles by main platform
table-by_category = Headline indicators by what sellers sell (all platforms)
table-by_region = Headline indicators by world region (all platforms)
table-labels = Labels of every id, in every language of the survey
