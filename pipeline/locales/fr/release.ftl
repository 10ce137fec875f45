# Les mots propres à la publication, en français (voir en/release.ftl).

language-name = Français

group-all = Toutes les plateformes
group-other = Autres (y compris les groupes trop petits pour être montrés)

indicator-suspended_12m = Boutique suspendue ou fermée au cours des 12 derniers mois
indicator-no_clear_reason = Aucune raison claire donnée (parmi les vendeurs suspendus)
indicator-payout_held_12m = Paiements retenus ou retardés au cours des 12 derniers mois
indicator-fee_impact_high = Les changements de frais ont beaucoup réduit les revenus (4-5 sur 5)
indicator-support_poor = Assistance aux vendeurs jugée mauvaise (1-2 sur 5)
indicator-arbitration_unaware = Ne connaît pas l’arbitrage forcé
indicator-pace_pressure_high = Poussé à un rythme intenable (d’accord 4-5 sur 5)
indicator-collective_action_yes = Soutiendrait une action collective

chart-subtitle = Part des vendeurs, { $wave }, par plateforme principale
chart-withheld = masqué pour protéger les répondants
chart-no-respondents = aucun répondant
chart-interval-note = Lignes : intervalle de Wilson à 95 % (variabilité d’échantillonnage seulement : enquête à participation volontaire).
chart-reliability-note = * moins de { $reliable } répondants, à lire avec prudence. Les groupes de moins de { $k } sont masqués.
chart-described-withheld = masqué
share-source = Source : { $publisher }, publication { $release } (CC BY 4.0)

release-title = { $survey } : statistiques de { $wave }

table-respondents = Répondants par vague et plateforme principale
table-answers = Réponses à chaque question, par plateforme principale
table-indicators = Indicateurs principaux par plateforme principale
table-trends = Indicateurs principaux par vague et plateforme principale
table-numeric = Réponses chiffrées : quartiles par plateforme principale
table-by_category = Indicateurs principaux selon ce qui est vendu (toutes plateformes)
table-by_region = Indicateurs principaux par région du monde (toutes plateformes)
table-labels = Libellés de chaque identifiant, dans chaque langue de l’enquête

# Le README de la publication (README.fr.md). Markdown ; la structure des lignes est écrite en Rust.

readme-intro = Publication `{ $release }` de l’enquête Canvass `{ $survey }` ({ $count ->
        [one] version
       *[other] versions
    } { $versions } de l’enquête). Elle couvre les réponses envoyées pendant la vague { $wave } (du { $first } au { $last }) ; `trends.csv` et `respondents.csv` couvrent aussi toutes les vagues closes précédentes.
readme-licence = Licence : [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/deed.fr). Merci de citer comme indiqué à la fin.
readme-other-languages = Ce README dans d’autres langues : { $links }.
readme-files = Fichiers
readme-files-note = `datapackage.json` décrit chaque colonne (type, valeurs admises, clé) au format [Frictionless Data Package](https://datapackage.org/) ; `SHA256SUMS` permet de vérifier qu’aucun fichier n’a été modifié (`sha256sum -c SHA256SUMS`).
file-charts-svg = un graphique par indicateur principal : part par plateforme principale avec son intervalle
file-charts-png = les mêmes graphiques en PNG, de { $width } px de large, pour les articles et les présentations
file-share = le graphique principal en image de { $width }×{ $height } px pour les réseaux sociaux
file-charts-lang = les mêmes graphiques, PNG et image de partage avec tout le texte en `{ $lang }`
file-readme-lang = ce README en `{ $lang }`
file-datapackage = la description lisible par machine de chaque table
file-citation = comment citer cette publication (Citation File Format), avec le SHA-256 de SHA256SUMS

readme-who = Qui a répondu
readme-who-text = Les vendeurs ont répondu anonymement, de leur propre initiative, par un formulaire web public. Aucun nom, boutique, adresse e-mail, adresse IP ni heure exacte n’est conservé : seulement les réponses, la semaine ISO de l’envoi et le fait que la vérification anti-abus du formulaire (une petite preuve de travail faite par le navigateur) a été accomplie ou non.
readme-who-header = | vague | réponses | sans la vérification anti-abus | comptées dans les tables |
readme-as-published-in = tel que publié dans `{ $release }`
readme-as-published = tel que publié
readme-an-earlier-release = une publication antérieure
readme-unverified-withheld = masqué (moins de k d’un côté)
readme-unverified-share = { $n } ({ $percent } %)
readme-counted-all = toutes
readme-counted-checked = seulement celles avec la vérification
readme-withheld = masqué
readme-open-wave = Les réponses de la vague encore ouverte ne sont pas publiées : une vague n’est publiée qu’une fois sa dernière semaine terminée.

readme-asked = Ce qui a été demandé
readme-asked-intro = Les questions sont citées en français d’après la définition de l’enquête (elle a aussi été proposée dans d’autres langues). Les questions de suivi n’ont été posées qu’après la réponse indiquée entre crochets. `answers.csv` contient chaque option de chaque question ; le pays n’est publié que sous forme de région du monde.
readme-kind-region = pays, publié comme région du monde
readme-kind-single = une réponse
readme-kind-multiple = plusieurs réponses possibles
readme-kind-number = un nombre entier de { $min } à { $max }
readme-asked-if = [posée si `{ $question }` = { $options }]
readme-or = ou

readme-headline = Indicateurs principaux
readme-headline-header = | indicateur | ce que c’est | règle exacte |
readme-prefer-not = Les réponses « préfère ne pas répondre » sont exclues des dénominateurs des indicateurs oui/non ; elles sont comptées dans `answers.csv`.

readme-protected = Comment les petits groupes sont protégés
readme-protected-intro = Un vendeur que l’on peut repérer dans ces tables risque des représailles de la plateforme qui le fait vivre : les nombres concernant de petits groupes sont donc masqués. Un nombre masqué est une cellule vide avec `status = suppressed` ; chaque option et chaque groupe restent listés, si bien qu’une ligne manquante ne révèle jamais rien.
readme-rule-k = **Taille minimale de groupe k = { $k }.** Un effectif de 1 à { $below } est masqué. Une part n’est publiée que si son dénominateur n vaut au moins { $k } et si l’effectif comme n moins l’effectif valent 0 ou au moins { $k } : sinon elle révélerait que moins de { $k } personnes ont répondu autrement que toutes les autres.
readme-rule-merged = **Les petits groupes sont d’abord regroupés.** Une plateforme, une catégorie ou une région de moins de { $min } répondants dans une vague n’est pas montrée seule (`status = merged`) : ses répondants sont comptés dans `other`, avec les répondants hors de tout groupe nommé (sans plateforme principale ou sans pays). Si `other` reste lui-même sous { $min }, ses répondants sont exclus des tables de cette vague, pour que personne ne puisse les retrouver comme `all` moins les groupes nommés.
readme-rule-totals = **Les totaux ne permettent pas de retrouver un nombre masqué.** Là où un total est publié (les options d’une question font n, les plateformes font `all`, les indicateurs sont des sommes de réponses, les catégories et les régions font toutes les plateformes), au moins un autre nombre de la même somme est masqué, de sorte que les nombres masqués ne sont connus qu’ensemble, et valent ensemble au moins { $k }.
readme-rule-audit = **Audité.** Avant toute écriture, un programme linéaire calcule, pour chaque nombre masqué, la plus petite et la plus grande valeur qu’il pourrait avoir compte tenu de tout ce qui est publié dans cette publication et dans les précédentes. La publication est refusée si l’un de ces intervalles est plus étroit que { $k }.
readme-rule-stable = **Stable dans le temps.** Les vagues closes précédentes sont reprises telles qu’elles ont été publiées la première fois, et un nombre masqué une fois le reste. Une vague dont les réponses ont changé depuis (réponses tardives, réponses retirées comme contaminées) n’est révisée que si les deux versions ensemble ne révèlent toujours rien, réponses modifiées comprises ; sinon ses nombres publiés sont maintenus. Voir *Révisions*.
readme-rule-numbers = Nombres : quartiles (jamais de minimum ni de maximum) seulement là où n vaut au moins { $k }.
readme-protection-summary = Dans la vague { $wave } : { $primary } nombres masqués parce qu’ils étaient petits, { $secondary } de plus masqués pour les protéger ; l’audit a vérifié { $checked } nombres masqués et, compte tenu de tout ce qui est publié, chacun peut encore se trouver n’importe où dans un intervalle d’au moins { $k } de large.
readme-merged-heading = Groupes regroupés dans `other` :
readme-merged-platforms = plateformes { $ids }
readme-merged-categories = catégories { $ids }
readme-merged-regions = régions { $ids }
readme-merged-left-out = { $n ->
        [one] { $n } réponse exclue
       *[other] { $n } réponses exclues
    } (leur groupe `other` était trop petit pour être montré)

readme-revisions = Révisions
readme-the-earlier-release = la publication précédente
readme-revised = **{ $wave } révisée** : { $change } depuis `{ $from }` ({ $then } répondants alors, { $now } maintenant). Chaque nombre de la vague a été recalculé et audité avec tous les nombres déjà publiés pour elle, pour que ni l’une ni l’autre version, ni leur différence, n’identifient personne.
readme-kept = **{ $wave } maintenue telle que publiée** : { $change } depuis `{ $from }`, mais une révision ne pouvait pas être rendue sûre (raison technique, en anglais : { $why }). Les nombres publiés alors sont maintenus.
readme-not-published = **{ $wave } non publiée** : elle ne peut pas être protégée (raison technique, en anglais : { $why }).
readme-added = { $n ->
        [one] { $n } réponse ajoutée
       *[other] { $n } réponses ajoutées
    }
readme-removed = { $n ->
        [one] { $n } réponse retirée
       *[other] { $n } réponses retirées
    }
readme-changed = réponses modifiées
readme-no-revisions = Aucune vague antérieure n’a changé depuis sa publication : chaque vague antérieure est reprise exactement telle que publiée la première fois.

readme-reading = Lire les nombres
readme-read-share = `share` vaut `count / n`, entre 0 et 1.
readme-read-interval = `ci_low` et `ci_high` bornent un intervalle de score de Wilson à 95 %. **C’est une enquête à participation volontaire** : les personnes ont choisi de répondre, les répondants ne sont donc pas un échantillon aléatoire des vendeurs. L’intervalle ne couvre que la variabilité d’échantillonnage ; il ne dit rien de qui a choisi de répondre, et la vraie part parmi tous les vendeurs peut se trouver en dehors.
readme-read-low = `status = low_reliability` signale un chiffre publié qui repose sur moins de { $low } répondants : à lire avec prudence.
readme-read-quartiles = Les quartiles de `numeric.csv` utilisent une interpolation linéaire entre statistiques d’ordre (Hyndman et Fan type 7, la méthode par défaut de R, de NumPy et de la fonction `CENTILE` des tableurs).
readme-read-all = `main_platform = all` compte chaque répondant des tables de la vague, y compris ceux dont la plateforme est masquée ou regroupée dans `other`.

readme-quality = Qualité des données
readme-quality-clean = Chaque réponse conservée des vagues publiées correspondait à sa version de l’enquête et a été utilisée.
quality-malformed = { $n } élément(s) conservé(s) illisible(s) (en anglais : { $problem }) ; exclu(s).
quality-unknown-version = { $n } réponse(s) enregistrée(s) sous la version { $version } de l’enquête, absente du catalogue ; exclue(s).
quality-invalid = { $n } réponse(s) ne correspondent pas à leur propre version de l’enquête (en anglais : { $problem }) ; exclue(s).
quality-unpublished = { $n } réponse(s) à des questions exclue(s) des tables (en anglais : { $problem }) ; le reste de chaque réponse est utilisé.

readme-cite = Comment citer
readme-cite-text = { $publisher }, « { $title } », publication `{ $release }` (vague { $wave }), version { $version } du paquet de données, sous licence CC BY 4.0. `datapackage.json` sha256 `{ $sha }`.
readme-cite-note = Citez l’identifiant de la publication et, pour une part, son intervalle et n. `CITATION.cff` contient la même citation pour les gestionnaires de références, avec le SHA-256 de `SHA256SUMS`, qui désigne les octets exacts de chaque fichier.

# La règle exacte de chaque indicateur principal, en mots (les valeurs sont les identifiants des options).
rule-suspended_12m = `suspended_12m` = yes, parmi ceux qui ont répondu yes ou no
rule-no_clear_reason = `suspension_reason_clear` = no, parmi tous ceux qui y ont répondu (seuls les vendeurs suspendus sont interrogés)
rule-payout_held_12m = `payout_held_12m` = yes, parmi ceux qui ont répondu yes ou no
rule-fee_impact_high = `fee_impact` vaut 4 ou 5 sur l’échelle de 1 à 5, parmi tous ceux qui y ont répondu
rule-support_poor = `support_rating` vaut 1 ou 2 sur l’échelle de 1 à 5, parmi tous ceux qui y ont répondu
rule-arbitration_unaware = `arbitration_aware` vaut no ou unsure, parmi tous ceux qui y ont répondu (un vendeur qui n’est pas sûr ne le sait pas)
rule-pace_pressure_high = `pace_pressure` vaut 4 ou 5 sur l’échelle de 1 à 5, parmi tous ceux qui y ont répondu
rule-collective_action_yes = `collective_action` = yes, parmi tous ceux qui y ont répondu (yes, maybe ou no)
