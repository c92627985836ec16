#[test]
fn api_add() {
    assert_eq!(flaky::add(40, 2), 42);
}

#[test]
fn api_result() -> Result<(), String> {
    Err("the service answered 503".to_string())
}

#[test]
#[ignore]
fn api_slow() {}
