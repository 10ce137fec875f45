//! Everything XLSForm can say that Canvass will not store, and why: the reasons an import
//! is refused.
//!
//! Most refusals are about anonymity: a seller who can be picked out of the data risks the
//! platform that feeds them. The rest are things Canvass has no place for; dropping them
//! quietly would publish a survey other than the one the operator wrote, so they are refused
//! too, each with the change that makes the workbook importable.

/// One refusal: the message's reason and the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub reason: &'static str,
    pub fix: &'static str,
}

const fn r(reason: &'static str, fix: &'static str) -> Refusal {
    Refusal { reason, fix }
}

const FREE_TEXT: Refusal = r(
    "free text can identify a seller (a name, a shop, a story only they could tell)",
    "ask a select_one or select_multiple question with options instead",
);
const COMPUTED: Refusal = r(
    "Canvass stores only what a seller chose; a computed or hidden value is not an answer, and could combine answers into something that identifies",
    "delete it: compute such figures from the published statistics",
);
const REPEAT: Refusal = r(
    "Canvass stores one set of answers per seller; a repeat cannot be stored, and lists of people or sales can identify",
    "delete the repeat rows: ask one question with ranges as options instead",
);

/// Question types refused, by XLSForm type name (pyxform's aliases included).
pub const TYPES: &[(&[&str], Refusal)] = &[
    (
        &["text", "string", "q string", "add text prompt"],
        FREE_TEXT,
    ),
    (
        &[
            "geopoint",
            "geotrace",
            "geoshape",
            "location",
            "gps",
            "start-geopoint",
            "background-geopoint",
            "osm",
            "q geopoint",
            "q geoshape",
            "q geotrace",
            "q location",
            "add location prompt",
        ],
        r(
            "a location points to a seller's home or workshop",
            "ask for the country with `select_one canvass_country`, or for a region with a select_one list of your own",
        ),
    ),
    (
        &[
            "image",
            "photo",
            "audio",
            "video",
            "file",
            "background-audio",
            "background-video",
            "q image",
            "q picture",
            "q audio",
            "q video",
            "add image prompt",
            "add photo prompt",
            "add audio prompt",
            "add video prompt",
            "add file prompt",
        ],
        r(
            "a photo, recording or file can show or name a seller (faces, voices, documents, hidden metadata)",
            "delete the question: Canvass stores no files",
        ),
    ),
    (
        &["barcode", "q barcode", "add barcode prompt"],
        r(
            "a scanned code (an order, a parcel, a product) leads back to a shop",
            "delete the question",
        ),
    ),
    (
        &["calculate", "hidden", "q calculate", "add calculate prompt"],
        COMPUTED,
    ),
    (
        &[
            "date",
            "time",
            "datetime",
            "date time",
            "dateTime",
            "q date",
            "q date time",
            "q dateTime",
            "add date prompt",
            "add date time prompt",
            "add dateTime prompt",
        ],
        r(
            "an exact date or time can single out a seller (Canvass keeps only the ISO week of a response)",
            "ask for a range instead, as a select_one with options such as `under_1`, `y1_2`, `y3_5`",
        ),
    ),
    (
        &["decimal", "q decimal", "add decimal prompt", "percentage"],
        r(
            "Canvass stores whole numbers only",
            "use `integer` with its bounds in `constraint` (count in cents or days, for instance)",
        ),
    ),
    (
        &["range"],
        r(
            "Canvass shows a number field, not a slider",
            "use `integer` with `. >= START and . <= END` in `constraint`",
        ),
    ),
    (
        &[
            "start",
            "end",
            "today",
            "deviceid",
            "imei",
            "device id",
            "phonenumber",
            "phone number",
            "username",
            "email",
            "audit",
            "subscriberid",
            "subscriber id",
            "simserial",
            "sim id",
            "start time",
            "end time",
            "get start time",
            "get end time",
            "get today",
            "get device id",
            "get phone number",
            "get sim id",
            "get subscriber id",
            "uri:deviceid",
            "uri:email",
            "uri:phonenumber",
            "uri:simserial",
            "uri:subscriberid",
            "uri:username",
            "number of days in last month",
            "number of days in last six months",
            "number of days in last year",
        ],
        r(
            "metadata records who answered, on which device or when; Canvass keeps none of that, only the ISO week",
            "delete the row",
        ),
    ),
    (
        &["begin group", "end group", "begin_group", "end_group"],
        r(
            "Canvass has no groups: its form splits the questions into parts by itself",
            "delete the begin group and end group rows, and give each question of the group the group's `relevant`",
        ),
    ),
    (
        &[
            "begin repeat",
            "end repeat",
            "begin_repeat",
            "end_repeat",
            "begin loop",
            "end loop",
        ],
        REPEAT,
    ),
    (
        &["rank"],
        r(
            "Canvass has no ranking question",
            "ask a select_multiple with `count-selected(.) <= N` in `constraint`, or several select_one questions",
        ),
    ),
    (
        &[
            "acknowledge",
            "trigger",
            "q acknowledge",
            "add acknowledge prompt",
        ],
        r(
            "an acknowledgement is not an answer Canvass stores",
            "delete the row: say what sellers need to know in the `intro` note",
        ),
    ),
    (
        &["note", "q note", "add note prompt"],
        r(
            "Canvass shows text only as the survey's introduction or as a question's hint",
            "move the text into the hint of the next question, or make it the first row, named `intro`",
        ),
    ),
    (
        &[
            "select_one_from_file",
            "select_multiple_from_file",
            "select one from file",
            "select multiple from file",
            "select_one_external",
            "select one external",
            "csv-external",
            "xml-external",
        ],
        r(
            "choices from an outside file would not be part of the frozen survey",
            "list the choices in the choices sheet",
        ),
    ),
];

/// The refusal for a question type, if it is one Canvass knows to refuse.
pub fn of_type(kind: &str) -> Option<Refusal> {
    TYPES
        .iter()
        .find(|(names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(kind)))
        .map(|(_, refusal)| *refusal)
}

/// `select_one list or_other` adds a text box for "other".
pub const OR_OTHER: Refusal = r(
    "`or_other` adds a free-text box, and free text can identify a seller",
    "remove `or_other`: keep an `other` choice in the list without a text box",
);

/// A type XLSForm may know but this list does not.
pub const UNKNOWN_TYPE: Refusal = r(
    "it is not a question type Canvass can store",
    "use select_one LIST, select_multiple LIST or integer (see surveys/README.md, \"Spreadsheets\")",
);

/// Columns of the survey sheet that Canvass will not store, by their base name (before `::`).
pub fn of_survey_column(base: &str) -> Refusal {
    match base {
        "calculation" | "calculate" => COMPUTED,
        "default" => r(
            "a preset answer would be stored as if the seller had given it",
            "clear the cells: every answer must be the seller's own",
        ),
        "required_message" | "requiredmsg" | "constraint_message" | "constraining_message" => r(
            "Canvass words its own validation messages, one per kind of mistake, in every language",
            "clear the cells; to reword a message for the whole survey, use the messages sheet",
        ),
        "read_only" | "readonly" => r(
            "a read-only question shows a value the seller did not give",
            "clear the cells",
        ),
        "image" | "big-image" | "audio" | "video" | "media" => r(
            "Canvass's form shows no pictures or sound (it loads nothing from other sites)",
            "clear the cells: describe the point in words in the label or hint",
        ),
        "guidance_hint" => r(
            "Canvass has one hint per question",
            "move the text into the `hint` column",
        ),
        "repeat_count" | "count" | "jr:count" => REPEAT,
        "appearance" => r(
            "Canvass lays out every question the same accessible way; it reads `appearance` only as `likert`, on a select_one whose choices are 1 to 5",
            "clear the cell",
        ),
        "parameters" => r(
            "Canvass's questions take no parameters",
            "clear the cells (bounds go in `constraint` as `. >= MIN and . <= MAX`)",
        ),
        "trigger" => r(
            "Canvass recomputes nothing when an answer changes",
            "clear the cells",
        ),
        "choice_filter" => r(
            "Canvass filters choices only to the answers given to an earlier question",
            "write `selected(${QUESTION}, name)`, or clear the cell",
        ),
        _ => UNKNOWN_COLUMN,
    }
}

/// A column Canvass does not read, anywhere.
pub const UNKNOWN_COLUMN: Refusal = r(
    "Canvass does not read this column, so what it says would be lost",
    "clear the column or delete it (the columns Canvass reads are listed in surveys/README.md, \"Spreadsheets\")",
);

/// Settings Canvass will not store, by name.
pub fn of_setting(name: &str) -> Refusal {
    match name {
        "submission_url" => r("answers go only to Canvass's own address", "clear the cell"),
        "public_key" => r(
            "Canvass does not encrypt answers for a key holder: it stores nothing that identifies a seller in the first place",
            "clear the cell",
        ),
        "instance_name" => r(
            "an instance name is built from the answers, often from a seller's name or shop",
            "clear the cell",
        ),
        "style" => r(
            "Canvass lays out its form itself (accessible, without JavaScript)",
            "clear the cell",
        ),
        "form_title" | "set_form_title" => r(
            "XLSForm gives `form_title` one language only",
            "give the default language's title in `form_title` and the others in `canvass_title::LANGUAGE (code)` columns",
        ),
        _ => UNKNOWN_COLUMN,
    }
}

/// Sheets Canvass will not store.
pub fn of_sheet(name: &str) -> Refusal {
    match name.to_lowercase().as_str() {
        "entities" => r(
            "entities keep records that follow a seller from one form to the next",
            "delete the sheet",
        ),
        "external_choices" => r(
            "choices from an outside list would not be part of the frozen survey",
            "list the choices in the choices sheet and delete this sheet",
        ),
        _ => r(
            "Canvass reads only the survey, choices, settings and messages sheets, so what this one says would be lost",
            "delete the sheet, or keep it in another workbook",
        ),
    }
}

/// A label or hint that inserts an earlier answer (`${q}`).
pub const PIPED_TEXT: Refusal = r(
    "Canvass does not insert answers into texts",
    "write the text without `${…}`",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_the_brief_names_is_refused_with_a_reason() {
        for kind in [
            "text",
            "geopoint",
            "geotrace",
            "geoshape",
            "image",
            "audio",
            "video",
            "file",
            "barcode",
            "calculate",
            "date",
            "time",
            "datetime",
            "decimal",
            "start",
            "end",
            "today",
            "deviceid",
            "phonenumber",
            "username",
            "email",
            "audit",
            "begin group",
            "end group",
            "begin repeat",
            "end repeat",
            "note",
            "hidden",
            "range",
            "rank",
        ] {
            let refusal = of_type(kind).unwrap_or_else(|| panic!("{kind} is not refused"));
            assert!(!refusal.reason.is_empty() && !refusal.fix.is_empty());
        }
        assert!(
            of_type("text")
                .unwrap()
                .reason
                .contains("free text can identify a seller")
        );
        assert!(of_type("geopoint").unwrap().reason.contains("location"));
        assert!(of_type("start").unwrap().reason.contains("metadata"));
        assert!(of_type("DateTime").is_some());
        assert_eq!(of_type("select_one"), None);
        assert_eq!(of_type("integer"), None);
    }
}
