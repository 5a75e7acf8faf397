//! Printing of numbers and arrays: Python-style shortest float reprs and NumPy-style nested lists.
//!
//! Floats print as the shortest decimal that reads back exactly, laid out by the rules of
//! Python's `repr(float)`. Arrays print as nested bracketed lists on one line; arrays with
//! more than [`SUMMARY_THRESHOLD`] elements show only the edges of every long axis.

/// Arrays with more elements than this are summarized.
pub const SUMMARY_THRESHOLD: usize = 1000;

/// How many entries a summarized axis shows at each end.
pub const EDGE_ITEMS: usize = 3;

/// Formats an `f64` as the shortest decimal that reads back exactly, in Python's layout.
pub fn format_f64(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let magnitude = x.abs();
    let reads_back = |text: &str| text.parse::<f64>() == Ok(magnitude);
    layout(
        x.is_sign_negative(),
        &format!("{magnitude:e}"),
        magnitude,
        reads_back,
    )
}

/// Formats an `f32` as the shortest decimal that reads back as the same `f32`, in Python's layout.
pub fn format_f32(x: f32) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let magnitude = x.abs();
    let reads_back = |text: &str| text.parse::<f32>() == Ok(magnitude);
    layout(
        x.is_sign_negative(),
        &format!("{magnitude:e}"),
        f64::from(magnitude),
        reads_back,
    )
}

/// Lays out the shortest scientific form `sci` of a finite, non-negative float (as `{:e}`
/// writes it, such as `1.5e20`) the way Python's `repr(float)` does, with a leading minus sign
/// when `negative` is set.
///
/// `exact` is the value itself and `reads_back` tells whether a decimal string parses back to
/// it; they are used to settle ties between two shortest forms the way Python does.
fn layout(negative: bool, sci: &str, exact: f64, reads_back: impl Fn(&str) -> bool) -> String {
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return sci.to_string();
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return sci.to_string();
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (digits, exponent) = round_half_even(digits, exponent, exact, reads_back);
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        push_positional(&mut out, &digits, exponent);
    } else {
        push_scientific(&mut out, &digits, exponent);
    }
    out
}

/// Settles a tie between two shortest forms the way Python does, by the even last digit.
///
/// Rust's shortest form is the closest one to the value, but when the value lies exactly
/// halfway between two shortest candidates it takes the upper one, while Python takes the one
/// whose last digit is even (`-76726098290250.125` prints as `-76726098290250.12`). `digits`
/// and `exponent` describe the decimal d.ddd × 10^`exponent`; the result has the same form.
fn round_half_even(
    digits: String,
    exponent: i32,
    exact: f64,
    reads_back: impl Fn(&str) -> bool,
) -> (String, i32) {
    let Ok(value) = digits.parse::<u64>() else {
        return (digits, exponent);
    };
    if value.is_multiple_of(2) {
        return (digits, exponent);
    }
    // The candidates step by one unit of 10^unit, and their midpoints by halves of it.
    let unit = exponent - (digits.len() as i32 - 1);
    let neighbours = [
        (
            value.checked_sub(1),
            value.checked_mul(10).and_then(|v| v.checked_sub(5)),
        ),
        (
            value.checked_add(1),
            value.checked_mul(10).and_then(|v| v.checked_add(5)),
        ),
    ];
    for (neighbour, midpoint) in neighbours {
        let (Some(neighbour), Some(midpoint)) = (neighbour, midpoint) else {
            continue;
        };
        if neighbour == 0 || !equals_decimal(exact, midpoint, unit - 1) {
            continue;
        }
        let text = format!("{neighbour}e{unit}");
        if !reads_back(&text) {
            continue;
        }
        let neighbour_digits = neighbour.to_string();
        let exponent = unit + neighbour_digits.len() as i32 - 1;
        return (neighbour_digits.trim_end_matches('0').to_string(), exponent);
    }
    (digits, exponent)
}

/// Returns whether the finite, non-negative `x` equals `t` × 10^`p` exactly.
///
/// Both sides are split into an odd integer times a power of two (the decimal's power of five
/// joining its odd part), which are equal exactly when both parts are.
fn equals_decimal(x: f64, t: u64, p: i32) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, power) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if mantissa == 0 || t == 0 {
        return mantissa == 0 && t == 0;
    }
    let x_odd = u128::from(mantissa >> mantissa.trailing_zeros());
    let x_power = power + mantissa.trailing_zeros() as i32;
    let t_odd = u128::from(t >> t.trailing_zeros());
    let t_power = t.trailing_zeros() as i32 + p;
    if x_power != t_power {
        return false;
    }
    let Some(five_power) = 5u128.checked_pow(p.unsigned_abs()) else {
        return false;
    };
    if p >= 0 {
        t_odd.checked_mul(five_power) == Some(x_odd)
    } else {
        x_odd.checked_mul(five_power) == Some(t_odd)
    }
}

/// Writes the digit string `digits`, read as d.ddd × 10^`exponent`, in positional notation
/// with at least one digit after the decimal point.
fn push_positional(out: &mut String, digits: &str, exponent: i32) {
    if exponent < 0 {
        out.push_str("0.");
        for _ in 0..(-exponent - 1) {
            out.push('0');
        }
        out.push_str(digits);
        return;
    }
    let int_len = exponent as usize + 1;
    if digits.len() <= int_len {
        out.push_str(digits);
        for _ in digits.len()..int_len {
            out.push('0');
        }
        out.push_str(".0");
    } else {
        let (int_part, frac_part) = digits.split_at(int_len);
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac_part);
    }
}

/// Writes the digit string `digits`, read as d.ddd × 10^`exponent`, in scientific notation
/// with a signed exponent of at least two digits.
fn push_scientific(out: &mut String, digits: &str, exponent: i32) {
    let mut chars = digits.chars();
    if let Some(first) = chars.next() {
        out.push(first);
    }
    let rest = chars.as_str();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    out.push('e');
    out.push(if exponent < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exponent.unsigned_abs()));
}

/// Formats an n-d array given its shape and a function giving the already formatted element
/// at a row-major flat index. Must only call `elem` for elements that are shown.
///
/// A 0-d array prints as its bare element, and an array with no elements prints as `[]`
/// whatever its shape, as NumPy prints it. Otherwise the array prints as nested bracketed lists
/// joined by ", ". When the array has more than [`SUMMARY_THRESHOLD`] elements, every axis
/// longer than `2 * EDGE_ITEMS` shows only its first and last [`EDGE_ITEMS`] entries around a
/// `...` entry.
pub fn format_array(shape: &[usize], elem: &mut dyn FnMut(usize) -> String) -> String {
    if shape.is_empty() {
        return elem(0);
    }
    if shape.contains(&0) {
        return "[]".to_string();
    }
    let size = shape.iter().fold(1usize, |acc, &n| acc.saturating_mul(n));
    let summarize = size > SUMMARY_THRESHOLD;
    // Row-major strides; a shape whose size overflows cannot index real data, so saturating
    // only keeps absurd shapes from panicking.
    let mut strides = vec![1usize; shape.len()];
    let mut step = 1usize;
    for (stride, &len) in strides.iter_mut().zip(shape).rev() {
        *stride = step;
        step = step.saturating_mul(len);
    }
    let mut out = String::new();
    write_axis(&mut out, shape, &strides, 0, summarize, elem);
    out
}

/// Writes the sub-array whose first element is at flat index `base`, spanning the axes
/// `shape` with row-major `strides`.
fn write_axis(
    out: &mut String,
    shape: &[usize],
    strides: &[usize],
    base: usize,
    summarize: bool,
    elem: &mut dyn FnMut(usize) -> String,
) {
    let (Some((&len, inner_shape)), Some((&stride, inner_strides))) =
        (shape.split_first(), strides.split_first())
    else {
        out.push_str(&elem(base));
        return;
    };
    // The entries before `head` and from `tail` on are shown; those in between are elided.
    let (head, tail) = if summarize && len > 2 * EDGE_ITEMS {
        (EDGE_ITEMS, len - EDGE_ITEMS)
    } else {
        (len, len)
    };
    out.push('[');
    for i in (0..head).chain(tail..len) {
        if i > 0 {
            out.push_str(", ");
        }
        if i == tail && head < tail {
            out.push_str("..., ");
        }
        let child = base.saturating_add(i.saturating_mul(stride));
        write_axis(out, inner_shape, inner_strides, child, summarize, elem);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_table() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (3.0, "3.0"),
            (1e-6, "1e-06"),
            (1.5e20, "1.5e+20"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (123456789.0, "123456789.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.00012345, "0.00012345"),
            (1.2345e-5, "1.2345e-05"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            (100.0, "100.0"),
            (12.5, "12.5"),
            (1e100, "1e+100"),
            (-1.25e-7, "-1.25e-07"),
            // Exact ties between two shortest forms go to the even last digit, as in Python.
            (-76726098290250.0 - 0.125, "-76726098290250.12"),
            (926063150978712.0 + 0.25, "926063150978712.2"),
            (0.375, "0.375"),
            (2.5, "2.5"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(x, expected) in cases {
            assert_eq!(format_f64(x), expected, "formatting {x:?}");
        }
    }

    #[test]
    fn f64_round_trips() {
        let values = [
            0.1,
            0.2 + 0.1,
            1e-300,
            6.02214076e23,
            -7.0e-5,
            2f64.powi(60),
        ];
        for x in values {
            assert_eq!(format_f64(x).parse::<f64>().ok(), Some(x));
        }
    }

    #[test]
    fn f32_table() {
        let cases: &[(f32, &str)] = &[
            (0.1, "0.1"),
            (1.0 / 3.0, "0.33333334"),
            (3.0, "3.0"),
            (1e-6, "1e-06"),
            (1e16, "1e+16"),
            (16777216.0, "16777216.0"),
            (506655.0 + 0.625, "506655.62"),
            (2761990.0 + 0.25, "2761990.2"),
            (f32::MAX, "3.4028235e+38"),
            (-0.0, "-0.0"),
            (f32::NAN, "nan"),
            (f32::NEG_INFINITY, "-inf"),
        ];
        for &(x, expected) in cases {
            assert_eq!(format_f32(x), expected, "formatting {x:?}");
        }
    }

    /// Formats an array whose elements are their own flat indices, recording which were asked for.
    fn indices(shape: &[usize]) -> (String, Vec<usize>) {
        let mut asked = Vec::new();
        let text = format_array(shape, &mut |i| {
            asked.push(i);
            i.to_string()
        });
        (text, asked)
    }

    #[test]
    fn small_arrays() {
        assert_eq!(indices(&[]).0, "0");
        assert_eq!(indices(&[0]), ("[]".to_string(), vec![]));
        assert_eq!(indices(&[3]).0, "[0, 1, 2]");
        assert_eq!(indices(&[1]).0, "[0]");
        // Like NumPy, an array without elements prints as `[]` whatever its shape.
        assert_eq!(indices(&[2, 3, 0]), ("[]".to_string(), vec![]));
        assert_eq!(indices(&[0, 1_000_000]), ("[]".to_string(), vec![]));
        assert_eq!(indices(&[0, 3]).0, "[]");
        assert_eq!(indices(&[2, 1, 2]).0, "[[[0, 1]], [[2, 3]]]");
        let values = [1.0, 2.5, 3.0, 4.0];
        let text = format_array(&[2, 2], &mut |i| format_f64(values[i]));
        assert_eq!(text, "[[1.0, 2.5], [3.0, 4.0]]");
    }

    #[test]
    fn zero_d_array_with_formatted_element() {
        assert_eq!(format_array(&[], &mut |_| format_f64(-0.0)), "-0.0");
    }

    #[test]
    fn thousand_elements_are_not_summarized() {
        let (text, asked) = indices(&[1000]);
        assert_eq!(asked.len(), 1000);
        assert!(text.ends_with(", 998, 999]"));
        assert!(!text.contains("..."));
    }

    #[test]
    fn long_vectors_are_summarized() {
        let (text, asked) = indices(&[1001]);
        assert_eq!(text, "[0, 1, 2, ..., 998, 999, 1000]");
        assert_eq!(asked, vec![0, 1, 2, 998, 999, 1000]);
        assert_eq!(indices(&[2000]).0, "[0, 1, 2, ..., 1997, 1998, 1999]");
    }

    #[test]
    fn matrices_are_summarized() {
        let (text, asked) = indices(&[40, 40]);
        let row = |r: usize| {
            let b = r * 40;
            format!(
                "[{}, {}, {}, ..., {}, {}, {}]",
                b,
                b + 1,
                b + 2,
                b + 37,
                b + 38,
                b + 39
            )
        };
        let expected = format!(
            "[{}, {}, {}, ..., {}, {}, {}]",
            row(0),
            row(1),
            row(2),
            row(37),
            row(38),
            row(39)
        );
        assert_eq!(text, expected);
        assert_eq!(asked.len(), 36);
    }

    #[test]
    fn short_axes_of_large_arrays_are_shown_whole() {
        let (text, asked) = indices(&[2, 600]);
        assert_eq!(
            text,
            "[[0, 1, 2, ..., 597, 598, 599], [600, 601, 602, ..., 1197, 1198, 1199]]"
        );
        assert_eq!(asked.len(), 12);
        let (text, _) = indices(&[7, 200]);
        assert!(text.starts_with("[[0, 1, 2, ..., 197, 198, 199], [200, "));
        assert!(text.contains("], ..., [800, "));
    }

    #[test]
    fn summarized_arrays_only_visit_the_shown_elements() {
        let (text, asked) = indices(&[10_000_000_000]);
        assert_eq!(text, "[0, 1, 2, ..., 9999999997, 9999999998, 9999999999]");
        assert_eq!(asked.len(), 6);
        let (text, asked) = indices(&[10, 10, 11]);
        assert_eq!(asked.len(), 6 * 6 * 6);
        assert!(asked.windows(2).all(|w| w[0] < w[1]), "row-major order");
        assert!(text.starts_with("[[[0, 1, 2, ..., 8, 9, 10], [11, 12, 13, ..., 19, 20, 21], "));
        assert!(text.ends_with("[1089, 1090, 1091, ..., 1097, 1098, 1099]]]"));
        assert!(text.contains("]], ..., [["));
    }
}
