//! A small but complete release in the pipeline's format, for the publish tests that need no
//! real pipeline run (`tests/tests/publish_http.rs`, `tests/tests/browser_embed.rs`).

use std::collections::BTreeMap;

use canvass_core::releases::Release;
use sha2::{Digest, Sha256};

pub const SAMPLE_SURVEY: &str = "platform-treatment";

/// `2026-Q3` → `2026-10-05T00:00:00Z`: so that later waves are later releases.
fn created(wave: &str) -> String {
    let (year, quarter) = wave.split_once("-Q").expect("a wave like 2026-Q3");
    let (year, quarter): (u32, u32) = (year.parse().unwrap(), quarter.parse().unwrap());
    let (year, month) = if quarter == 4 {
        (year + 1, 1)
    } else {
        (year, quarter * 3 + 1)
    };
    format!("{year}-{month:02}-05T00:00:00Z")
}

pub fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A small but complete release in the pipeline's format, dated (`created`) four days
/// after its wave's quarter ends, as a scheduled run would be.
pub fn sample_release(id: &str, wave: &str) -> Release {
    let indicators = format!(
        "wave,main_platform,indicator,count,n,share,ci_low,ci_high,status\r\n\
         {wave},all,suspended_12m,40,100,0.4000,0.3094,0.4980,ok\r\n\
         {wave},etsy,suspended_12m,,,,,,suppressed\r\n\
         {wave},ebay,suspended_12m,12,25,0.4800,0.3000,0.6650,low_reliability\r\n"
    );
    let answers = "wave,main_platform,question_id,option_id,option_label,count,n,share,ci_low,ci_high,status\r\n\
        2026-Q3,all,platforms,etsy,Etsy,60,100,0.6000,0.5020,0.6906,ok\r\n\
        2026-Q3,all,platforms,ebay,eBay <script>,40,100,0.4000,0.3094,0.4980,ok\r\n";
    let respondents = format!("wave,main_platform,n,status\r\n{wave},all,100,ok\r\n");
    let chart = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    files.insert("indicators.csv".into(), indicators.into_bytes());
    files.insert("answers.csv".into(), answers.as_bytes().to_vec());
    files.insert("respondents.csv".into(), respondents.into_bytes());
    files.insert("charts/suspended_12m.svg".into(), chart.as_bytes().to_vec());
    files.insert("README.md".into(), b"# Methodology\n".to_vec());
    files.insert(
        "charts/es/suspended_12m.svg".into(),
        chart.replace("10", "11").into_bytes(),
    );
    let labels = format!(
        "scope,value,lang,label\r\n\
         indicator,suspended_12m,en,Shop suspended in the last 12 months\r\n\
         indicator,suspended_12m,es,Tienda suspendida en los últimos 12 meses\r\n\
         main_platform,all,es,Todas las plataformas\r\n\
         main_platform,ebay,es,eBay <script> (es)\r\n\
         release,{id},es,Cómo tratan las plataformas: {wave}\r\n\
         table,indicators,es,Indicadores por plataforma\r\n"
    );
    files.insert("labels.csv".into(), labels.into_bytes());
    let resources: Vec<serde_json::Value> = ["respondents", "answers", "indicators"]
        .iter()
        .map(|name| {
            let bytes = &files[&format!("{name}.csv")];
            let mut r = serde_json::json!({
                "name": name, "path": format!("{name}.csv"), "title": format!("The {name} table"),
                "bytes": bytes.len(), "hash": format!("sha256:{}", sha(bytes)),
            });
            if *name == "indicators" {
                r["schema"] = serde_json::json!({"fields": [{"name": "indicator", "type": "string",
                    "categories": [{"value": "suspended_12m", "label": "Shop suspended in the last 12 months"}]}]});
            }
            r
        })
        .collect();
    let package = serde_json::json!({
        "name": id, "title": "How platforms treat indie sellers", "version": "1.0.0",
        "created": created(wave),
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "Creative Commons Attribution 4.0 International"}],
        "resources": resources,
    });
    files.insert(
        "datapackage.json".into(),
        serde_json::to_vec_pretty(&package).unwrap(),
    );
    let sums: String = files
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", sha(bytes)))
        .collect();
    // The citation comes after SHA256SUMS, as the pipeline writes it.
    files.insert(
        "CITATION.cff".into(),
        format!(
            "cff-version: 1.2.0\nidentifiers:\n- type: other\n  value: sha256:{}\n",
            sha(sums.as_bytes())
        )
        .into_bytes(),
    );
    files.insert("SHA256SUMS".into(), sums.into_bytes());
    Release {
        id: id.into(),
        survey_id: SAMPLE_SURVEY.into(),
        wave: wave.into(),
        files,
    }
}
