# The release's own words (charts, group and indicator labels, labels.csv), in English.
# Every message here must exist in every language folder (checked by pipeline's
# `locale::tests::every_language_has_every_message`).

language-name = English

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

# The release's README (README.md in the survey's first language, README.{lang}.md in each
# other one). Markdown; the line structure (headings, lists, tables) is written in Rust.

readme-intro = Release `{ $release }` of the Canvass survey `{ $survey }` (survey { $count ->
        [one] version
       *[other] versions
    } { $versions }). It covers the responses submitted in the reporting wave { $wave } ({ $first } to { $last }); `trends.csv` and `respondents.csv` also cover every earlier closed wave.
readme-licence = Licence: [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Please cite as shown at the end.
readme-other-languages = This README in other languages: { $links }.
readme-files = Files
readme-files-note = `datapackage.json` describes every column (type, allowed values, key) in the [Frictionless Data Package](https://datapackage.org/) format; `SHA256SUMS` lets you check that no file was altered (`sha256sum -c SHA256SUMS`).
file-charts-svg = one chart per headline indicator: share by main platform with its interval
file-charts-png = the same charts as PNG, { $width } px wide, for articles and slides
file-share = the headline chart as a { $width }×{ $height } px share image for social posts
file-charts-lang = the same charts, PNGs and share image with every word in `{ $lang }`
file-readme-lang = this README in `{ $lang }`
file-datapackage = the machine-readable description of every table
file-citation = how to cite this release (Citation File Format), with the SHA-256 of SHA256SUMS

readme-who = Who answered
readme-who-text = Sellers answered anonymously, on their own initiative, through a public web form. No name, shop, e-mail address, IP address or exact time is stored: only the answers, the ISO week of submission and whether the form's anti-abuse check (a small proof of work done by the browser) was completed.
readme-who-header = | wave | responses | without the anti-abuse check | counted in the tables |
readme-as-published-in = as published in `{ $release }`
readme-as-published = as published
readme-an-earlier-release = an earlier release
readme-unverified-withheld = withheld (fewer than k on one side)
readme-unverified-share = { $n } ({ $percent }%)
readme-counted-all = all
readme-counted-checked = only those with the check
readme-withheld = withheld
readme-open-wave = Responses from the wave that is still open are not published: a wave is published only after its last week has ended.

readme-asked = What was asked
readme-asked-intro = The questions below are quoted in English from the survey definition (it was also offered in other languages). Follow-up questions were asked only after the answer shown in brackets. `answers.csv` has every option of every question; the country is published only as a world region.
readme-kind-region = country, published as world region
readme-kind-single = one answer
readme-kind-multiple = several answers allowed
readme-kind-number = a whole number from { $min } to { $max }
readme-asked-if = [asked if `{ $question }` = { $options }]
readme-or = or

readme-headline = Headline indicators
readme-headline-header = | indicator | what it is | exact rule |
readme-prefer-not = Answers of "prefer not to say" are left out of the denominators of yes/no indicators; they are counted in `answers.csv`.

readme-protected = How small groups are protected
readme-protected-intro = A seller who can be picked out of these tables risks retaliation from the platform that feeds them, so numbers about small groups are withheld. A withheld number is an empty cell with `status = suppressed`; every option and every group is still listed, so a missing row never gives anything away.
readme-rule-k = **Minimum group size k = { $k }.** A count from 1 to { $below } is withheld. A share is published only when its denominator n is at least { $k } and both the count and n minus the count are 0 or at least { $k }: otherwise it would reveal that fewer than { $k } people answered differently from everyone else.
readme-rule-merged = **Small groups are merged first.** A platform, category or region with fewer than { $min } respondents in a wave is not shown on its own (`status = merged`): its respondents are counted in `other`, together with respondents outside every named group (no main platform or no country given). If `other` itself stays below { $min }, its respondents are left out of that wave's tables, so that nobody can work them out as `all` minus the named groups.
readme-rule-totals = **Totals cannot be used to work a withheld number out.** Where a total is published (the options of a question add up to n, the platforms add up to `all`, indicators are sums of answers, categories and regions add up to all platforms), at least one more number in the same sum is withheld, so that the withheld ones are known only together, and together are at least { $k }.
readme-rule-audit = **Audited.** Before anything is written, a linear program computes, for every withheld number, the smallest and the largest value it could have given everything published in this release and in earlier ones. The release is refused if any of these ranges is narrower than { $k }.
readme-rule-stable = **Stable over time.** Earlier closed waves are carried as they were first published, and a number withheld once stays withheld. A wave whose responses changed since (late responses, responses removed as spoiled) is revised only if the two versions together still pin nothing down, the changed responses included; otherwise its published numbers stand. See *Revisions*.
readme-rule-numbers = Numbers: quartiles (never minima or maxima) only where n is at least { $k }.
readme-protection-summary = In wave { $wave }: { $primary } numbers withheld because they were small, { $secondary } more withheld to protect them; the audit checked { $checked } withheld numbers, and given everything published each of them can still lie anywhere in a range at least { $k } wide.
readme-merged-heading = Groups merged into `other`:
readme-merged-platforms = platforms { $ids }
readme-merged-categories = categories { $ids }
readme-merged-regions = regions { $ids }
readme-merged-left-out = { $n } response(s) left out (their `other` group was too small to show)

readme-revisions = Revisions
readme-the-earlier-release = the earlier release
readme-revised = **{ $wave } revised**: { $change } since `{ $from }` ({ $then } respondents then, { $now } now). Every number of the wave was recomputed and audited together with every number already published for it, so that neither version, nor the difference between them, pins down anyone.
readme-kept = **{ $wave } kept as published**: { $change } since `{ $from }`, but a revision could not be made safe ({ $why }). The numbers published then stand.
readme-not-published = **{ $wave } not published**: it cannot be protected ({ $why }).
readme-added = { $n } response(s) added
readme-removed = { $n } response(s) removed
readme-changed = responses changed
readme-no-revisions = No earlier wave has changed since it was published: every earlier wave is carried exactly as first published.

readme-reading = Reading the numbers
readme-read-share = `share` is `count / n`, between 0 and 1.
readme-read-interval = `ci_low` and `ci_high` bound a 95 % Wilson score interval. **This is an opt-in survey**: people chose to answer, so the respondents are not a random sample of sellers. The interval covers sampling variability only; it says nothing about who chose to answer, and the true share among all sellers may lie outside it.
readme-read-low = `status = low_reliability` marks a published figure resting on fewer than { $low } respondents: read it with care.
readme-read-quartiles = Quartiles in `numeric.csv` use linear interpolation between order statistics (Hyndman and Fan type 7, the default of R, NumPy and spreadsheet `PERCENTILE`).
readme-read-all = `main_platform = all` counts every respondent of the wave's tables, including those whose platform is withheld or merged into `other`.

readme-quality = Data quality
readme-quality-clean = Every stored response of the published waves fitted its survey version and was used.
quality-malformed = { $n } stored item(s) could not be read ({ $problem }); excluded.
quality-unknown-version = { $n } response(s) filed under survey version { $version }, which is not in the catalog; excluded.
quality-invalid = { $n } response(s) do not fit their own survey version ({ $problem }); excluded.
quality-unpublished = { $n } answer(s) left out of the tables ({ $problem }); the rest of each response is used.

readme-cite = How to cite
readme-cite-text = { $publisher }, "{ $title }", release `{ $release }` (wave { $wave }), data package version { $version }, licensed CC BY 4.0. `datapackage.json` sha256 `{ $sha }`.
readme-cite-note = Please cite the release id and, when quoting a share, its interval and n. `CITATION.cff` holds the same citation for reference managers, with the SHA-256 of `SHA256SUMS`, which names the exact bytes of every file.

# The exact rule of each headline indicator, in words (the README's indicator table).
rule-suspended_12m = `suspended_12m` = yes, among those who answered yes or no
rule-no_clear_reason = `suspension_reason_clear` = no, among everyone who answered it (only sellers who were suspended are asked)
rule-payout_held_12m = `payout_held_12m` = yes, among those who answered yes or no
rule-fee_impact_high = `fee_impact` is 4 or 5 on the 1-5 scale, among everyone who answered it
rule-support_poor = `support_rating` is 1 or 2 on the 1-5 scale, among everyone who answered it
rule-arbitration_unaware = `arbitration_aware` is no or not sure, among everyone who answered it (a seller who is not sure is not aware)
rule-pace_pressure_high = `pace_pressure` is 4 or 5 on the 1-5 scale, among everyone who answered it
rule-collective_action_yes = `collective_action` = yes, among everyone who answered it (yes, maybe or no)
