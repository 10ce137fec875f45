//! The form's own words (buttons, headings, notices) in every built-in language. Survey
//! content comes from the survey definition; validation messages from `canvass_core::i18n`.

/// Every fixed text of the form pages, in one language.
#[derive(Debug)]
pub struct Text {
    pub skip_link: &'static str,
    pub language_nav: &'static str,
    pub error_prefix: &'static str,
    pub error_summary_title: &'static str,
    /// "Part {n} of {total}"
    pub part: &'static str,
    pub continue_button: &'static str,
    pub send_button: &'static str,
    pub back_button: &'static str,
    pub optional: &'static str,
    pub choose_country: &'static str,
    /// The country menu's first group: countries named by the browser's languages.
    pub likely_countries: &'static str,
    pub all_countries: &'static str,
    /// The search box the script puts above the country menu.
    pub country_search: &'static str,
    /// Read out as the seller types: "{n} countries" match.
    pub countries_found: &'static str,
    pub honeypot_label: &'static str,
    pub thanks_title: &'static str,
    pub thanks_body: &'static str,
    pub thanks_privacy: &'static str,
    pub start_again: &'static str,
    pub honeypot_filled: &'static str,
    pub unexpected_field: &'static str,
    /// "… about {minutes} minutes …"
    pub rate_limited: &'static str,
    pub store_unavailable: &'static str,
    pub pow_failed: &'static str,
    pub pow_expired: &'static str,
    pub survey_changed: &'static str,
    pub survey_closed: &'static str,
    pub form_unreadable: &'static str,
    pub problem_title: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub internal_error: &'static str,
    /// The progress count on the intro page, per wave length: "{n} sellers have answered
    /// this quarter".
    pub answered_month: &'static str,
    pub answered_quarter: &'static str,
    pub answered_year: &'static str,
}

impl Text {
    /// The progress sentence for a wave of `length`, with `{n}` to fill in.
    pub fn answered(&self, length: canvass_core::wave::WaveLength) -> &'static str {
        use canvass_core::wave::WaveLength;
        match length {
            WaveLength::Month => self.answered_month,
            WaveLength::Quarter => self.answered_quarter,
            WaveLength::Year => self.answered_year,
        }
    }
}

pub const EN: Text = Text {
    skip_link: "Skip to the questions",
    language_nav: "Language",
    error_prefix: "Error:",
    error_summary_title: "There is a problem",
    part: "Part {n} of {total}",
    continue_button: "Continue",
    send_button: "Send my answers",
    back_button: "Back",
    optional: "(optional)",
    choose_country: "Choose a country",
    likely_countries: "Suggested from your browser's language",
    all_countries: "All countries",
    country_search: "Type to shorten the list",
    countries_found: "{n} countries in the list",
    honeypot_label: "Leave this field empty",
    thanks_title: "Thank you",
    thanks_body: "Your answers have been saved.",
    thanks_privacy: "Nothing that could identify you was stored: no name, no address, no time of day. Results are published only as statistics.",
    start_again: "Start again",
    honeypot_filled: "A field meant to stay empty was filled in, sometimes by a browser's autofill. Nothing was saved: please check your answers and send them again.",
    unexpected_field: "The form contained a field that is not part of this survey",
    rate_limited: "Many answers have been sent from your network in the last hour. Nothing was saved yet and your answers are kept below: please wait about {minutes} minutes, then send them again.",
    store_unavailable: "We could not save your answers just now. Nothing was saved and your answers are kept below: please try again in a moment.",
    pow_failed: "The automatic anti-spam check did not pass. Nothing was saved and your answers are kept below: please send them again.",
    pow_expired: "The automatic anti-spam check expired. Nothing was saved and your answers are kept below: please send them again.",
    survey_changed: "This survey has changed since you opened it. Please start again.",
    survey_closed: "This survey is closed and takes no more answers.",
    form_unreadable: "This form could not be read. Please start again.",
    problem_title: "Sorry, there is a problem",
    not_found_title: "Survey not found",
    not_found_body: "There is no open survey at this address. Check the link you were given.",
    internal_error: "Something went wrong on our side. Nothing was saved: please try again.",
    answered_month: "{n} sellers have answered this month.",
    answered_quarter: "{n} sellers have answered this quarter.",
    answered_year: "{n} sellers have answered this year.",
};

pub const ES: Text = Text {
    skip_link: "Ir a las preguntas",
    language_nav: "Idioma",
    error_prefix: "Error:",
    error_summary_title: "Hay un problema",
    part: "Parte {n} de {total}",
    continue_button: "Continuar",
    send_button: "Enviar mis respuestas",
    back_button: "Volver",
    optional: "(opcional)",
    choose_country: "Elija un país",
    likely_countries: "Sugeridos según el idioma de su navegador",
    all_countries: "Todos los países",
    country_search: "Escriba para acortar la lista",
    countries_found: "{n} países en la lista",
    honeypot_label: "Deje este campo vacío",
    thanks_title: "Gracias",
    thanks_body: "Sus respuestas se han guardado.",
    thanks_privacy: "No se guardó nada que pueda identificarle: ni nombre, ni dirección, ni la hora. Los resultados se publican solo como estadísticas.",
    start_again: "Volver a empezar",
    honeypot_filled: "Se rellenó un campo que debe quedar vacío, a veces por el autocompletado del navegador. No se guardó nada: revise sus respuestas y envíelas de nuevo.",
    unexpected_field: "El formulario contenía un campo que no forma parte de esta encuesta",
    rate_limited: "Se han enviado muchas respuestas desde su red en la última hora. Todavía no se guardó nada y sus respuestas se conservan abajo: espere unos {minutes} minutos y envíelas de nuevo.",
    store_unavailable: "No pudimos guardar sus respuestas en este momento. No se guardó nada y sus respuestas se conservan abajo: inténtelo de nuevo en un momento.",
    pow_failed: "La comprobación automática contra el spam no se superó. No se guardó nada y sus respuestas se conservan abajo: envíelas de nuevo.",
    pow_expired: "La comprobación automática contra el spam caducó. No se guardó nada y sus respuestas se conservan abajo: envíelas de nuevo.",
    survey_changed: "Esta encuesta ha cambiado desde que la abrió. Vuelva a empezar.",
    survey_closed: "Esta encuesta está cerrada y ya no acepta respuestas.",
    form_unreadable: "No se pudo leer este formulario. Vuelva a empezar.",
    problem_title: "Lo sentimos, hay un problema",
    not_found_title: "Encuesta no encontrada",
    not_found_body: "No hay ninguna encuesta abierta en esta dirección. Compruebe el enlace que recibió.",
    internal_error: "Algo salió mal de nuestro lado. No se guardó nada: inténtelo de nuevo.",
    answered_month: "{n} vendedores ya han respondido este mes.",
    answered_quarter: "{n} vendedores ya han respondido este trimestre.",
    answered_year: "{n} vendedores ya han respondido este año.",
};

pub const FR: Text = Text {
    skip_link: "Aller aux questions",
    language_nav: "Langue",
    error_prefix: "Erreur :",
    error_summary_title: "Il y a un problème",
    part: "Partie {n} sur {total}",
    continue_button: "Continuer",
    send_button: "Envoyer mes réponses",
    back_button: "Retour",
    optional: "(facultatif)",
    choose_country: "Choisissez un pays",
    likely_countries: "Suggérés d’après la langue de votre navigateur",
    all_countries: "Tous les pays",
    country_search: "Tapez pour raccourcir la liste",
    countries_found: "{n} pays dans la liste",
    honeypot_label: "Laissez ce champ vide",
    thanks_title: "Merci",
    thanks_body: "Vos réponses ont été enregistrées.",
    thanks_privacy: "Rien qui puisse vous identifier n’a été enregistré : ni nom, ni adresse, ni heure. Les résultats sont publiés uniquement sous forme de statistiques.",
    start_again: "Recommencer",
    honeypot_filled: "Un champ qui doit rester vide a été rempli, parfois par la saisie automatique du navigateur. Rien n’a été enregistré : vérifiez vos réponses et envoyez-les à nouveau.",
    unexpected_field: "Le formulaire contenait un champ qui ne fait pas partie de cette enquête",
    rate_limited: "Beaucoup de réponses ont été envoyées depuis votre réseau au cours de la dernière heure. Rien n’a encore été enregistré et vos réponses sont conservées ci-dessous : attendez environ {minutes} minutes, puis envoyez-les à nouveau.",
    store_unavailable: "Nous n’avons pas pu enregistrer vos réponses pour le moment. Rien n’a été enregistré et vos réponses sont conservées ci-dessous : réessayez dans un instant.",
    pow_failed: "La vérification automatique anti-spam n’a pas abouti. Rien n’a été enregistré et vos réponses sont conservées ci-dessous : envoyez-les à nouveau.",
    pow_expired: "La vérification automatique anti-spam a expiré. Rien n’a été enregistré et vos réponses sont conservées ci-dessous : envoyez-les à nouveau.",
    survey_changed: "Cette enquête a changé depuis que vous l’avez ouverte. Recommencez, s’il vous plaît.",
    survey_closed: "Cette enquête est close et n’accepte plus de réponses.",
    form_unreadable: "Ce formulaire n’a pas pu être lu. Recommencez, s’il vous plaît.",
    problem_title: "Désolés, il y a un problème",
    not_found_title: "Enquête introuvable",
    not_found_body: "Il n’y a pas d’enquête ouverte à cette adresse. Vérifiez le lien que vous avez reçu.",
    internal_error: "Un problème est survenu de notre côté. Rien n’a été enregistré : réessayez.",
    answered_month: "{n} vendeurs et vendeuses ont déjà répondu ce mois-ci.",
    answered_quarter: "{n} vendeurs et vendeuses ont déjà répondu ce trimestre.",
    answered_year: "{n} vendeurs et vendeuses ont déjà répondu cette année.",
};

/// The texts for a language; English for any language without its own.
pub fn get(lang: &str) -> &'static Text {
    match lang {
        "es" => &ES,
        "fr" => &FR,
        _ => &EN,
    }
}

/// A language's name in that language, for the language switch.
pub fn autonym(lang: &str) -> &str {
    match lang {
        "en" => "English",
        "es" => "Español",
        "fr" => "Français",
        other => other,
    }
}
