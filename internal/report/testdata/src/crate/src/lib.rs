//! A crate whose tests pass, fail, panic and are ignored, to record what
//! `cargo test` prints for each.

/// Adds two numbers.
///
/// ```
/// assert_eq!(flaky::add(2, 2), 4);
/// ```
///
/// ```
/// assert_eq!(flaky::add(2, 2), 5, "doc arithmetic");
/// ```
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

/// Divides, panicking on zero.
///
/// ```should_panic
/// flaky::div(1, 0);
/// ```
///
/// ```ignore
/// not even rust
/// ```
pub fn div(a: u32, b: u32) -> u32 {
    a / b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(1, 2), 3);
    }

    #[test]
    fn fails() {
        println!("some stdout before the failure");
        assert_eq!(add(1, 1), 3, "one and one");
    }

    #[test]
    fn panics() {
        let v: Vec<u32> = Vec::new();
        println!("index {}", v[3]);
    }

    #[test]
    #[ignore = "needs a network"]
    fn ignored() {}

    #[test]
    #[should_panic(expected = "divide by zero")]
    fn should_panic_ok() {
        div(1, 0);
    }

    mod nested {
        #[test]
        fn deep() {
            assert!(super::super::add(0, 0) == 0);
        }
    }
}
