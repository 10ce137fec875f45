# Las palabras propias de la publicación, en español (véase en/release.ftl).

language-name = Español

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

table-respondents = Personas que respondieron, por oleada y plataforma principal
table-answers = Respuestas a cada pregunta, por plataforma principal
table-indicators = Indicadores principales por plataforma principal
table-trends = Indicadores principales por oleada y plataforma principal
table-numeric = Respuestas numéricas: cuartiles por plataforma principal
table-by_category = Indicadores principales según lo que se vende (todas las plataformas)
table-by_region = Indicadores principales por región del mundo (todas las plataformas)
table-labels = Etiquetas de cada identificador, en cada idioma de la encuesta

# El README de la publicación (README.es.md). Markdown; la estructura de líneas se escribe en Rust.

readme-intro = Publicación `{ $release }` de la encuesta Canvass `{ $survey }` ({ $count ->
        [one] versión
       *[other] versiones
    } { $versions } de la encuesta). Cubre las respuestas enviadas en la oleada { $wave } (del { $first } al { $last }); `trends.csv` y `respondents.csv` cubren además todas las oleadas cerradas anteriores.
readme-licence = Licencia: [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/deed.es). Cite como se indica al final.
readme-other-languages = Este README en otros idiomas: { $links }.
readme-files = Archivos
readme-files-note = `datapackage.json` describe cada columna (tipo, valores permitidos, clave) en el formato [Frictionless Data Package](https://datapackage.org/); `SHA256SUMS` permite comprobar que ningún archivo fue alterado (`sha256sum -c SHA256SUMS`).
file-charts-svg = un gráfico por indicador principal: proporción por plataforma principal con su intervalo
file-charts-png = los mismos gráficos en PNG, de { $width } px de ancho, para artículos y presentaciones
file-share = el gráfico principal como imagen de { $width }×{ $height } px para redes sociales
file-charts-lang = los mismos gráficos, PNG e imagen para redes con todo el texto en `{ $lang }`
file-readme-lang = este README en `{ $lang }`
file-datapackage = la descripción legible por máquina de cada tabla
file-citation = cómo citar esta publicación (Citation File Format), con el SHA-256 de SHA256SUMS

readme-who = Quién respondió
readme-who-text = Los vendedores respondieron de forma anónima, por iniciativa propia, mediante un formulario web público. No se guarda ningún nombre, tienda, correo electrónico, dirección IP ni hora exacta: solo las respuestas, la semana ISO del envío y si se completó la comprobación antiabuso del formulario (una pequeña prueba de trabajo hecha por el navegador).
readme-who-header = | oleada | respuestas | sin la comprobación antiabuso | contadas en las tablas |
readme-as-published-in = como se publicó en `{ $release }`
readme-as-published = como se publicó
readme-an-earlier-release = una publicación anterior
readme-unverified-withheld = ocultado (menos de k en un lado)
readme-unverified-share = { $n } ({ $percent } %)
readme-counted-all = todas
readme-counted-checked = solo las que tienen la comprobación
readme-withheld = ocultado
readme-open-wave = Las respuestas de la oleada que sigue abierta no se publican: una oleada se publica solo cuando ha terminado su última semana.

readme-asked = Qué se preguntó
readme-asked-intro = Las preguntas se citan en español de la definición de la encuesta (también se ofreció en otros idiomas). Las preguntas de seguimiento solo se hicieron tras la respuesta indicada entre corchetes. `answers.csv` tiene cada opción de cada pregunta; el país se publica solo como región del mundo.
readme-kind-region = país, publicado como región del mundo
readme-kind-single = una respuesta
readme-kind-multiple = se permiten varias respuestas
readme-kind-number = un número entero de { $min } a { $max }
readme-asked-if = [se preguntó si `{ $question }` = { $options }]
readme-or = o

readme-headline = Indicadores principales
readme-headline-header = | indicador | qué es | regla exacta |
readme-prefer-not = Las respuestas «prefiero no decirlo» quedan fuera de los denominadores de los indicadores de sí/no; se cuentan en `answers.csv`.

readme-protected = Cómo se protege a los grupos pequeños
readme-protected-intro = Un vendedor al que se pueda identificar en estas tablas se arriesga a represalias de la plataforma de la que vive, por eso se ocultan las cifras de grupos pequeños. Una cifra ocultada es una celda vacía con `status = suppressed`; cada opción y cada grupo siguen listados, así que una fila que falta nunca revela nada.
readme-rule-k = **Tamaño mínimo de grupo k = { $k }.** Un recuento de 1 a { $below } se oculta. Una proporción se publica solo cuando su denominador n es al menos { $k } y tanto el recuento como n menos el recuento son 0 o al menos { $k }: si no, revelaría que menos de { $k } personas respondieron distinto de todas las demás.
readme-rule-merged = **Primero se agrupan los grupos pequeños.** Una plataforma, categoría o región con menos de { $min } participantes en una oleada no se muestra por separado (`status = merged`): sus participantes se cuentan en `other`, junto con quienes no están en ningún grupo con nombre (sin plataforma principal o sin país). Si `other` sigue por debajo de { $min }, sus participantes quedan fuera de las tablas de esa oleada, para que nadie pueda deducirlos como `all` menos los grupos con nombre.
readme-rule-totals = **Los totales no permiten deducir una cifra ocultada.** Donde se publica un total (las opciones de una pregunta suman n, las plataformas suman `all`, los indicadores son sumas de respuestas, las categorías y las regiones suman todas las plataformas), se oculta al menos otra cifra de la misma suma, de modo que las ocultadas solo se conocen juntas, y juntas son al menos { $k }.
readme-rule-audit = **Auditado.** Antes de escribir nada, un programa lineal calcula, para cada cifra ocultada, el valor más pequeño y el más grande que podría tener dado todo lo publicado en esta publicación y en las anteriores. La publicación se rechaza si alguno de esos intervalos es más estrecho que { $k }.
readme-rule-stable = **Estable en el tiempo.** Las oleadas cerradas anteriores se mantienen tal como se publicaron por primera vez, y una cifra ocultada una vez sigue ocultada. Una oleada cuyas respuestas cambiaron después (respuestas tardías, respuestas eliminadas por estar contaminadas) solo se revisa si las dos versiones juntas siguen sin revelar nada, incluidas las respuestas que cambiaron; si no, sus cifras publicadas se mantienen. Véase *Revisiones*.
readme-rule-numbers = Números: cuartiles (nunca mínimos ni máximos) solo donde n es al menos { $k }.
readme-protection-summary = En la oleada { $wave }: { $primary } cifras ocultadas por ser pequeñas y { $secondary } más ocultadas para protegerlas; la auditoría comprobó { $checked } cifras ocultadas y, dado todo lo publicado, cada una puede estar todavía en cualquier punto de un intervalo de al menos { $k } de ancho.
readme-merged-heading = Grupos agrupados en `other`:
readme-merged-platforms = plataformas { $ids }
readme-merged-categories = categorías { $ids }
readme-merged-regions = regiones { $ids }
readme-merged-left-out = { $n ->
        [one] { $n } respuesta quedó fuera
       *[other] { $n } respuestas quedaron fuera
    } (su grupo `other` era demasiado pequeño para mostrarse)

readme-revisions = Revisiones
readme-the-earlier-release = la publicación anterior
readme-revised = **{ $wave } revisada**: { $change } desde `{ $from }` ({ $then } participantes entonces, { $now } ahora). Cada cifra de la oleada se recalculó y se auditó junto con todas las cifras ya publicadas de ella, para que ni una versión, ni la otra, ni la diferencia entre ambas identifiquen a nadie.
readme-kept = **{ $wave } mantenida como se publicó**: { $change } desde `{ $from }`, pero una revisión no podía hacerse de forma segura (motivo técnico, en inglés: { $why }). Las cifras publicadas entonces se mantienen.
readme-not-published = **{ $wave } no publicada**: no puede protegerse (motivo técnico, en inglés: { $why }).
readme-added = { $n ->
        [one] { $n } respuesta añadida
       *[other] { $n } respuestas añadidas
    }
readme-removed = { $n ->
        [one] { $n } respuesta eliminada
       *[other] { $n } respuestas eliminadas
    }
readme-changed = respuestas cambiadas
readme-no-revisions = Ninguna oleada anterior ha cambiado desde que se publicó: cada oleada anterior se mantiene exactamente como se publicó por primera vez.

readme-reading = Cómo leer las cifras
readme-read-share = `share` es `count / n`, entre 0 y 1.
readme-read-interval = `ci_low` y `ci_high` delimitan un intervalo de puntuación de Wilson al 95 %. **Es una encuesta de participación voluntaria**: las personas eligieron responder, así que los participantes no son una muestra aleatoria de los vendedores. El intervalo solo cubre la variabilidad del muestreo; no dice nada de quién eligió responder, y la proporción real entre todos los vendedores puede quedar fuera de él.
readme-read-low = `status = low_reliability` marca una cifra publicada que se basa en menos de { $low } participantes: léala con cautela.
readme-read-quartiles = Los cuartiles de `numeric.csv` usan interpolación lineal entre estadísticos de orden (Hyndman y Fan tipo 7, el método por defecto de R, NumPy y la función `PERCENTIL` de las hojas de cálculo).
readme-read-all = `main_platform = all` cuenta a cada participante de las tablas de la oleada, incluidos aquellos cuya plataforma está ocultada o agrupada en `other`.

readme-quality = Calidad de los datos
readme-quality-clean = Cada respuesta guardada de las oleadas publicadas se ajustaba a su versión de la encuesta y se usó.
quality-malformed = { $n } elemento(s) guardado(s) no se pudieron leer (en inglés: { $problem }); excluidos.
quality-unknown-version = { $n } respuesta(s) registrada(s) con la versión { $version } de la encuesta, que no está en el catálogo; excluidas.
quality-invalid = { $n } respuesta(s) no se ajustan a su propia versión de la encuesta (en inglés: { $problem }); excluidas.
quality-unpublished = { $n } respuesta(s) a preguntas quedaron fuera de las tablas (en inglés: { $problem }); el resto de cada respuesta se usa.

readme-cite = Cómo citar
readme-cite-text = { $publisher }, «{ $title }», publicación `{ $release }` (oleada { $wave }), versión { $version } del paquete de datos, con licencia CC BY 4.0. `datapackage.json` sha256 `{ $sha }`.
readme-cite-note = Cite el identificador de la publicación y, al citar una proporción, su intervalo y n. `CITATION.cff` contiene la misma cita para gestores bibliográficos, con el SHA-256 de `SHA256SUMS`, que identifica los bytes exactos de cada archivo.

# La regla exacta de cada indicador principal, en palabras (los valores son los identificadores de las opciones).
rule-suspended_12m = `suspended_12m` = yes, entre quienes respondieron yes o no
rule-no_clear_reason = `suspension_reason_clear` = no, entre todos los que la respondieron (solo se pregunta a los vendedores suspendidos)
rule-payout_held_12m = `payout_held_12m` = yes, entre quienes respondieron yes o no
rule-fee_impact_high = `fee_impact` es 4 o 5 en la escala de 1 a 5, entre todos los que la respondieron
rule-support_poor = `support_rating` es 1 o 2 en la escala de 1 a 5, entre todos los que la respondieron
rule-arbitration_unaware = `arbitration_aware` es no o unsure, entre todos los que la respondieron (quien no está seguro no lo sabe)
rule-pace_pressure_high = `pace_pressure` es 4 o 5 en la escala de 1 a 5, entre todos los que la respondieron
rule-collective_action_yes = `collective_action` = yes, entre todos los que la respondieron (yes, maybe o no)
