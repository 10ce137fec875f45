# Las palabras propias de la publicación, en español (véase en/release.ftl).

group-all = Todas las plataformas
group-other = Otras (incluye grupos demasiado pequeños para mostrarse)

indicator-suspended_12m = Tienda suspendida o cerrada en los últimos 12 meses
indicator-no_clear_reason = Sin un motivo claro (entre quienes fueron suspendidos)
indicator-payout_held_12m = Pagos retenidos o retrasados en los últimos 12 meses
indicator-fee_impact_high = Los cambios de comisiones afectaron mucho los ingresos (4-5 de 5)
indicator-support_poor = Atención al vendedor valorada como mala (1-2 de 5)
indicator-arbitration_unaware = No sabe del arbitraje forzoso
indicator-pace_pressure_high = Presionado a un ritmo insostenible (de acuerdo 4-5 de 5)
indicator-collective_action_yes = Apoyaría una acción colectiva

chart-subtitle = Proporción de vendedores, { $wave }, por plataforma principal
chart-withheld = omitido para proteger a quienes respondieron
chart-no-respondents = sin respuestas
chart-interval-note = Líneas: intervalo de Wilson del 95 % (solo variabilidad muestral: es una encuesta voluntaria).
chart-reliability-note = * menos de { $reliable } respuestas, leer con cautela. Se omiten los grupos de menos de { $k }.
chart-described-withheld = omitido
share-source = Fuente: { $publisher }, publicación { $release } (CC BY 4.0)

release-title = { $survey }: estadísticas de { $wave }

table-respondents = Personas que respondieron, por ola y plataforma principal
table-answers = Respuestas a cada pregunta, por plataforma principal
table-indicators = Indicadores principales por plataforma principal
table-trends = Indicadores principales por ola y plataforma principal
table-numeric = Respuestas numéricas: cuartiles por plataforma principal
table-by_category = Indicadores principales según lo que se vende (todas las plataformas)
table-by_region = Indicadores principales por región del mundo (todas las plataformas)
table-labels = Etiquetas de cada identificador, en cada idioma de la encuesta
