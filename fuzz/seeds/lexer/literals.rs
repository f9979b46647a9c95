#![allow(dead_code)]
//! Inner doc
/// Outer doc
/* block /* nested */ comment */
fn f<'a>(x: &'a str) -> Result<(), Box<dyn std::error::Error>> {
    let s = "esc \n \t \\ \0 \' \" \x7F \u{1F600} line \
             continued";
    let r = r#"raw "quoted" text"#;
    let b = b"bytes \x80\xFF";
    let br = br##"raw bytes"##;
    let c = c"c string";
    let cr = cr#"raw c"#;
    let ch = 'ä';
    let by = b'a';
    let n = 0x1F_u32 + 0o17 + 0b1010 + 1_000;
    let fl = 1.5e-3_f64 + 2f32 as f64 + 1e3;
    let r#type = x;
    'outer: loop { break 'outer; }
    match n { 0..=9 => {}, _ => {} }
    Ok(())
}
