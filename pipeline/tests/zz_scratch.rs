mod common;
use canvass_pipeline::disclosure::Prior;
use canvass_pipeline::model::Model;
use common::{Draw, week};

#[test]
fn scratch() {
    let mut draw = Draw::new(1);
    let mut records = Vec::new();
    for (platform, n) in [("etsy", 260), ("ebay", 140), ("shopify", 90), ("depop", 60)] {
        for i in 0..n {
            let w = if i % 2 == 0 { "2025-W30" } else { "2025-W33" };
            records.push(draw.record(platform, week(w)));
        }
    }
    records.push(draw.record("vinted", week("2025-W35")));
    let spec = common::spec();
    let mut ex = canvass_pipeline::extract::Extractor::new(&spec, common::AS_OF);
    for r in records { ex.push(canvass_core::store::Listed::Response(r)); }
    let waves: Vec<i32> = ex.waves.iter().copied().collect();
    let frame = canvass_pipeline::frame::build(&spec, &ex.columns).unwrap();
    let counts = canvass_pipeline::counts::count(&spec, &frame, &waves).unwrap();
    let c = counts.values().last().unwrap();
    let model = Model::build(&spec, c).unwrap();
    // find failing class
    let key = model.cells.iter().find(|c| c.key.item == "payout_held_amount" && c.key.option == "under_100" && format!("{:?}", c.key.group).contains("vinted") && c.key.kind == canvass_pipeline::model::CellKind::AnswerCount).unwrap();
    let class = &model.classes[key.class];
    println!("class {} expr {:?} value {} cells {}", key.class, class.expr, class.value, class.cells.len());
    for &ci in &class.cells { println!("  cell {:?}", model.cells[ci].key); }
    for (ri, r) in model.relations.iter().enumerate() {
        if r.total == key.class || r.parts.contains(&key.class) {
            println!("rel {ri}: total {} parts {:?}", r.total, r.parts);
            for &p in std::iter::once(&r.total).chain(r.parts.iter()) {
                println!("   {} = {} {:?}", p, model.classes[p].value, model.cells[model.classes[p].cells[0]].key);
            }
        }
    }
    for c in &model.constraints {
        if c.expr.iter().any(|&(a, _)| class.expr.iter().any(|&(b, _)| a == b)) {
            println!("constraint {:?} {:?} {}", c.expr, c.cmp, c.rhs);
        }
    }
    let r = canvass_pipeline::disclosure::protect(&model, 10, &Prior::new());
    println!("{:?}", r.as_ref().err());
}
