# Les mots propres à la publication, en français (voir en/release.ftl).

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
