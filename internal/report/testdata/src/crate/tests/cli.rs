#[test]
fn cli_ok() {}

#[test]
fn cli_unwrap() {
    let n: Option<u32> = None;
    n.expect("no config file");
}
